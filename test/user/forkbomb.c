/*
 * forkbomb: forks until the kernel says no (EAGAIN), prints how many
 * children it got, then exits; every child waits for the parent's pipe to
 * close and exits too. The kernel must refuse, not fall over.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	int p[2], n = 0;
	char c;

	if (pipe(p))
		return 1;
	for (;;) {
		pid_t pid = fork();

		if (pid == 0) {
			close(p[1]);
			while (read(p[0], &c, 1) > 0)
				;
			_exit(0);
		}
		if (pid < 0) {
			printf("forkbomb: fork failed with %s after %d children\n",
			       errno == EAGAIN ? "EAGAIN" : strerror(errno), n);
			return 0;
		}
		n++;
	}
}
