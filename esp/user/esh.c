/*
 * esh: Ember's small user shell. Reads a line, splits it at spaces, runs
 * the program (a bare name is looked up in /bin) with fork + execve + wait4,
 * and prints the exit status when it is not 0. "a | b" connects two
 * programs with a pipe. Built-ins: cd DIR, exit [N]. With a file argument
 * it runs that script line by line instead of the terminal.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32

extern char **environ;

static int split(char *line, char **argv)
{
	int n = 0;

	for (char *t = strtok(line, " \t\n"); t && n < MAX_ARGS - 1; t = strtok(NULL, " \t\n"))
		argv[n++] = t;
	argv[n] = NULL;
	return n;
}

static void exec_argv(char **argv)
{
	char path[256];

	if (strchr(argv[0], '/'))
		snprintf(path, sizeof(path), "%s", argv[0]);
	else
		snprintf(path, sizeof(path), "/bin/%s", argv[0]);
	execve(path, argv, environ);
	fprintf(stderr, "esh: %s: cannot run\n", argv[0]);
	_exit(127);
}

/* Starts argv with stdin/stdout replaced when in/out are not -1. */
static pid_t start(char **argv, int in, int out, int close_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0)
			dup2(out, 1);
		if (close_fd >= 0)
			close(close_fd);
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		exec_argv(argv);
	}
	return pid;
}

static int report(pid_t pid)
{
	int st = 0;

	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	if (WIFSIGNALED(st))
		printf("esh: killed by signal %d\n", WTERMSIG(st));
	else if (WEXITSTATUS(st))
		printf("esh: exit status %d\n", WEXITSTATUS(st));
	return st;
}

static void run_line(char *line)
{
	char *bar = strchr(line, '|'), *left[MAX_ARGS], *right[MAX_ARGS];
	int p[2];

	if (!bar) {
		if (!split(line, left))
			return;
		if (!strcmp(left[0], "exit"))
			exit(left[1] ? atoi(left[1]) : 0);
		if (!strcmp(left[0], "cd")) {
			if (chdir(left[1] ? left[1] : "/"))
				printf("esh: cd: %s: no such directory\n", left[1]);
			return;
		}
		report(start(left, -1, -1, -1));
		return;
	}
	*bar = 0;
	if (!split(line, left) || !split(bar + 1, right) || pipe(p)) {
		printf("esh: bad pipeline\n");
		return;
	}
	pid_t a = start(left, -1, p[1], p[0]);
	pid_t b = start(right, p[0], -1, p[1]);
	close(p[0]);
	close(p[1]);
	report(a);
	report(b);
}

int main(int argc, char **argv)
{
	char line[512];
	FILE *in = stdin;

	if (argc > 1 && !(in = fopen(argv[1], "r"))) {
		fprintf(stderr, "esh: %s: cannot open\n", argv[1]);
		return 1;
	}
	for (;;) {
		if (in == stdin) {
			printf("esh$ ");
			fflush(stdout);
		}
		if (!fgets(line, sizeof(line), in))
			return 0;
		if (line[0] != '#')
			run_line(line);
	}
}
