/* args: prints argc, argv, the environment and a few auxv entries, as the tests expect. */
#include <stdio.h>
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv)
{
	unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);

	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	for (char **e = environ; *e; e++)
		printf("env %s\n", *e);
	printf("auxv pagesz=%lu entry=%s phdr=%s random=%s\n", getauxval(AT_PAGESZ),
	       getauxval(AT_ENTRY) ? "set" : "missing", getauxval(AT_PHDR) ? "set" : "missing",
	       rnd ? "set" : "missing");
	printf("stack aligned=%d\n", (int)(((unsigned long)__builtin_frame_address(0) & 7) == 0));
	return 0;
}
