/*
 * cow: what copy-on-write fork must keep true, checked from user space.
 *  1. After fork, parent and child each write the same global, heap, stack
 *     and mmap bytes, and each sees only its own writes; the kernel writing
 *     into a shared page for one of them (read from a pipe, getrandom) does
 *     not show in the other; mprotect read-only then writable on a shared
 *     page keeps it private.
 *  2. fork of a process with HEAP_MIB touched costs few new frames
 *     (sysinfo's free memory before and after, the child alive).
 *  3. A child that exec's right after fork runs the new program.
 * Prints "cow: ok ..." lines, or "cow: FAIL ..." and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEAP_MIB 8
#define PAGE 4096

static int global = 1;
static char kbuf[PAGE] = "parent's";
static char *heap;
static char *map;

static void fail(const char *who, const char *what)
{
	printf("cow: FAIL %s: %s\n", who, what);
	exit(1);
}

static long free_kib(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		fail("parent", "sysinfo");
	return (long)(si.freeram * si.mem_unit / 1024);
}

static void write_mine(int v, volatile int *stackvar)
{
	global = v;
	*stackvar = v;
	for (size_t off = 0; off < (size_t)HEAP_MIB << 20; off += PAGE)
		heap[off] = (char)v;
	map[0] = (char)v;
}

static void check_mine(const char *who, int v, volatile int *stackvar)
{
	if (global != v)
		fail(who, "global");
	if (*stackvar != v)
		fail(who, "stack");
	for (size_t off = 0; off < (size_t)HEAP_MIB << 20; off += PAGE)
		if (heap[off] != (char)v)
			fail(who, "heap");
	if (map[0] != (char)v)
		fail(who, "mmap page");
}

/* The child: sees the values of fork time, writes its own, lets the kernel write. */
static int child(int go, volatile int *stackvar)
{
	char c;

	if (read(go, &c, 1) != 1)            /* the parent has written its values */
		fail("child", "pipe");
	check_mine("child before writing", 1, stackvar);
	write_mine(2, stackvar);
	if (read(go, kbuf, 8) != 8 || memcmp(kbuf, "child's!", 8))   /* kernel write */
		fail("child", "read into a shared page");
	if (getrandom(heap + PAGE + 16, 16, 0) != 16)
		fail("child", "getrandom into a shared page");
	if (mprotect(map + PAGE, PAGE, PROT_READ) || mprotect(map + PAGE, PAGE, PROT_READ | PROT_WRITE))
		fail("child", "mprotect");
	map[PAGE] = 2;
	heap[PAGE] = 2;
	check_mine("child after writing", 2, stackvar);
	return 0;
}

static void isolation(void)
{
	volatile int stackvar = 1;
	int go[2], st;
	long before, after;
	pid_t pid;

	write_mine(1, &stackvar);
	map[PAGE] = 1;
	memset(heap + PAGE + 16, 0x33, 16);      /* getrandom overwrites these in the child */
	if (pipe(go))
		fail("parent", "pipe");
	before = free_kib();
	pid = fork();
	if (pid == 0)
		exit(child(go[0], &stackvar));
	if (pid < 0)
		fail("parent", "fork");
	after = free_kib();
	printf("cow: ok fork of a process with %d MiB touched took %ld KiB of frames\n", HEAP_MIB,
	       before - after);
	write_mine(3, &stackvar);
	if (write(go[1], "x", 1) != 1 || write(go[1], "child's!", 8) != 8)
		fail("parent", "pipe write");
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("parent", "the child failed");
	check_mine("parent", 3, &stackvar);
	if (memcmp(kbuf, "parent's", 8) || map[PAGE] != 1 || heap[PAGE] != 3)
		fail("parent", "the kernel's writes for the child show here");
	for (int i = 16; i < 32; i++)
		if (heap[PAGE + i] != 0x33)
			fail("parent", "getrandom for the child shows here");
	printf("cow: ok parent and child each see only their own writes\n");
}

static void exec_after_fork(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "/bin/hello", NULL }, *envp[] = { NULL };

		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("parent", "exec after fork");
	printf("cow: ok a child exec'd right after fork\n");
}

int main(void)
{
	heap = malloc((size_t)HEAP_MIB << 20);
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!heap || map == MAP_FAILED)
		fail("parent", "no memory");
	isolation();
	exec_after_fork();
	return 0;
}
