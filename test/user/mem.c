/*
 * mem: grows the heap with brk and then with anonymous mmap until the
 * kernel refuses (ENOMEM at the per-process limit), touching every page,
 * then gives it back. Prints what it got.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	char *base = sbrk(0), *p;
	long kib = 0, maps = 0;

	while ((p = sbrk(64 * 1024)) != (void *)-1) {
		memset(p, 0xa5, 64 * 1024);
		kib += 64;
	}
	printf("mem: brk grew by %ld KiB, then %s\n", kib, errno == ENOMEM ? "ENOMEM" : "?");
	if (brk(base))
		printf("mem: brk shrink failed\n");
	for (;;) {
		p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		memset(p, 0x5a, 1 << 20);
		maps++;
	}
	printf("mem: mmap gave %ld MiB, then %s\n", maps, errno == ENOMEM ? "ENOMEM" : "?");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mem: W+X mapping %s\n", p == MAP_FAILED ? "refused" : "granted");
	return 0;
}
