/*
 * burn: a CPU burner. "burn NAME ROUNDS" spins ROUNDS rounds of 2^22
 * iterations and prints "NAME round K" after each, so two burners on one
 * CPU show whether the scheduler lets both progress.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "burn";
	long rounds = argc > 2 ? atol(argv[2]) : 10;
	volatile unsigned long x = 0;

	for (long r = 1; r <= rounds; r++) {
		for (unsigned long i = 0; i < (1ul << 22); i++)
			x += i;
		fprintf(stderr, "%s round %ld\n", name, r);
		fflush(stdout);
	}
	return 0;
}
