/* hello: the first Ember program. Prints a greeting and its arguments. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello from user space!\n");
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	return 0;
}
