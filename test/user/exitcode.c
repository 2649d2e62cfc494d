/* exitcode N: exits with status N (tests: the shell prints non-zero statuses). */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
