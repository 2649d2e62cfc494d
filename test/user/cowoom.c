/*
 * cowoom: runs the frame pool dry through copy-on-write. Each generation
 * writes every page of a HEAP_MIB heap (after fork these are shared, so
 * each write copies a frame), then forks the next generation and waits for
 * it. Memory runs out in some generation's writes: the kernel must kill
 * only that process (SIGKILL, with a report), never fault itself. Every
 * generation above reports how its child ended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEAP_MIB 24
#define MAX_GEN  40

int main(void)
{
	char *heap = malloc((size_t)HEAP_MIB << 20);
	int gen;

	if (!heap)
		return 2;
	for (gen = 0; gen < MAX_GEN; gen++) {
		pid_t pid;
		int st;

		memset(heap, gen, (size_t)HEAP_MIB << 20);   /* private copies of every page */
		pid = fork();
		if (pid == 0)
			continue;                           /* the next generation */
		if (pid < 0) {
			printf("cowoom: generation %d could not fork\n", gen);
			return 3;
		}
		if (waitpid(pid, &st, 0) != pid)
			return 4;
		if (WIFSIGNALED(st))
			printf("cowoom: generation %d was killed by signal %d\n", gen + 1,
			       WTERMSIG(st));
		return WIFSIGNALED(st) ? 0 : WEXITSTATUS(st);
	}
	printf("cowoom: %d generations and no end of memory\n", gen);
	return 5;
}
