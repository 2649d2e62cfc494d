/*
 * newcalls: the system calls added for Debian's busybox, each with good and hostile
 * arguments and the exact answer Linux gives: prctl (name), time, clock_nanosleep,
 * getgroups, poll, readlink and execve's /proc/self/exe, rt_sigsuspend, utimensat, rename,
 * /dev/null, and TCGETS writing the kernel's 36 bytes, no more.
 * Prints "newcalls: ok (N checks)" or the first check that failed, and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KADDR 0xffff800000000000ull
static int checks;

static long raw(long n, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	register uint64_t r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

#define CHECK(cond)                                                          \
	do {                                                                 \
		checks++;                                                    \
		if (!(cond)) {                                               \
			printf("newcalls: FAIL line %d: %s\n", __LINE__, #cond); \
			return 1;                                            \
		}                                                            \
	} while (0)

static int prctl_time_groups(void)
{
	char name[16];
	struct timespec ts = { 0, 1000000 }, bad = { 0, 1000000000 };

	CHECK(raw(157, 16, 0, 0, 0) == -EFAULT);
	CHECK(raw(157, 16, KADDR, 0, 0) == -EFAULT);
	CHECK(raw(157, 15, KADDR, 0, 0) == -EFAULT);
	CHECK(raw(157, 999, 0, 0, 0) == -EINVAL);
	CHECK(raw(157, 15, (uint64_t)"a-name-longer-than-16", 0, 0) == 0);
	CHECK(raw(157, 16, (uint64_t)name, 0, 0) == 0 && !strcmp(name, "a-name-longer-t"));
	CHECK(raw(201, 0, 0, 0, 0) >= 0);
	CHECK(raw(201, KADDR, 0, 0, 0) == -EFAULT);
	CHECK(raw(230, CLOCK_MONOTONIC, 0, (uint64_t)&ts, 0) == 0);
	CHECK(raw(230, 5, 0, (uint64_t)&ts, 0) == -EINVAL);
	CHECK(raw(230, CLOCK_MONOTONIC, 0, (uint64_t)&bad, 0) == -EINVAL);
	CHECK(raw(230, CLOCK_MONOTONIC, 0, 0, 0) == -EFAULT);
	CHECK(raw(230, CLOCK_MONOTONIC, 1, (uint64_t)&ts, 0) == 0);   /* absolute, past */
	CHECK(raw(115, 0, 0, 0, 0) == 0);
	CHECK(raw(115, (uint64_t)-1, 0, 0, 0) == -EINVAL);
	return 0;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int polls(void)
{
	int p[2];
	struct pollfd f[2];
	struct timespec t0;

	CHECK(pipe(p) == 0);
	f[0] = (struct pollfd){ p[0], POLLIN, 0 };
	f[1] = (struct pollfd){ 77, POLLIN, 0 };
	CHECK(raw(7, 0, 1, 0, 0) == -EFAULT);
	CHECK(raw(7, KADDR, 1, 0, 0) == -EFAULT);
	CHECK(raw(7, (uint64_t)f, 33, 0, 0) == -EINVAL);
	CHECK(poll(f, 1, 0) == 0 && f[0].revents == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(poll(f, 1, 50) == 0 && ms_since(&t0) >= 50);
	CHECK(poll(f, 2, 0) == 1 && f[1].revents == POLLNVAL);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(poll(f, 1, -1) == 1 && f[0].revents == POLLIN);
	close(p[1]);
	CHECK(poll(f, 1, -1) == 1 && f[0].revents == (POLLIN | POLLHUP));
	close(p[0]);
	return 0;
}

static int links_and_files(void)
{
	char buf[64];
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	int fd;

	CHECK(readlink("/proc/self/exe", buf, sizeof(buf)) == 14 && !memcmp(buf, "/test/newcalls", 14));
	CHECK(readlink("/proc/self/exe", buf, 5) == 5 && !memcmp(buf, "/test", 5));
	CHECK(raw(89, (uint64_t)"/proc/self/exe", KADDR, 64, 0) == -EFAULT);
	CHECK(raw(89, (uint64_t)"/proc/self/exe", (uint64_t)buf, 0, 0) == -EINVAL);
	CHECK(raw(89, (uint64_t)"/bin/hello", (uint64_t)buf, 64, 0) == -EINVAL);
	CHECK(raw(89, KADDR, (uint64_t)buf, 64, 0) == -EFAULT);
	CHECK((fd = open("/tmp/nc", O_CREAT | O_WRONLY, 0644)) >= 0);
	close(fd);
	CHECK(raw(280, (uint64_t)AT_FDCWD, (uint64_t)"/tmp/nc", 0, 0) == 0);
	CHECK(raw(280, (uint64_t)AT_FDCWD, (uint64_t)"/bin/hello", 0, 0) == -EROFS);
	CHECK(raw(280, (uint64_t)AT_FDCWD, (uint64_t)"/nope", 0, 0) == -ENOENT);
	CHECK(raw(280, (uint64_t)AT_FDCWD, (uint64_t)"/tmp/nc", KADDR, 0) == -EFAULT);
	CHECK(raw(280, (uint64_t)AT_FDCWD, (uint64_t)"/tmp/nc", (uint64_t)bad, 0) == -EINVAL);
	CHECK(raw(280, (uint64_t)AT_FDCWD, (uint64_t)"/tmp/nc", 0, 0x8000) == -EINVAL);
	CHECK(raw(280, 99, 0, 0, 0) == -EBADF);
	CHECK(rename("/tmp/nc", "/tmp/nd") == 0 && access("/tmp/nc", F_OK) == -1 &&
	      access("/tmp/nd", F_OK) == 0);
	CHECK((fd = open("/tmp/ne", O_CREAT | O_WRONLY, 0644)) >= 0);
	close(fd);
	CHECK(syscall(316, AT_FDCWD, "/tmp/nd", AT_FDCWD, "/tmp/ne", 1) == -1 && errno == EEXIST);
	CHECK(syscall(316, AT_FDCWD, "/tmp/nd", AT_FDCWD, "/tmp/ne", 4) == -1 && errno == EINVAL);
	CHECK(rename("/tmp/nd", "/tmp/ne") == 0 && access("/tmp/nd", F_OK) == -1);
	CHECK(rename("/tmp/ne", "/bin/x") == -1 && errno == EXDEV);
	CHECK(rename("/bin/hello", "/bin/x") == -1 && errno == EROFS);
	CHECK(rename("/bin/nope", "/bin/x") == -1 && errno == ENOENT);
	CHECK(rename("/tmp/nope", "/tmp/x") == -1 && errno == ENOENT);
	CHECK(rename("/tmp/ne", "/tmp/a/b") == -1 && errno == EINVAL);
	CHECK(raw(82, KADDR, (uint64_t)"/tmp/x", 0, 0) == -EFAULT);
	CHECK(raw(82, (uint64_t)"/tmp/ne", 0, 0, 0) == -EFAULT);
	CHECK(unlink("/tmp/ne") == 0);
	CHECK((fd = open("/dev/null", O_RDWR)) >= 0);
	CHECK(write(fd, "hello", 5) == 5 && read(fd, buf, sizeof(buf)) == 0);
	close(fd);
	memset(buf, 0x5a, sizeof(buf));
	CHECK(raw(16, 0, 0x5401, (uint64_t)buf, 0) == 0);              /* TCGETS */
	for (int i = 36; i < 64; i++)
		CHECK(buf[i] == 0x5a);
	return 0;
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = sig;
}

static int suspend(void)
{
	sigset_t block, none, now;
	pid_t child;
	uint64_t empty = 0;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	CHECK(raw(130, (uint64_t)&empty, 7, 0, 0) == -EINVAL);
	CHECK(raw(130, KADDR, 8, 0, 0) == -EFAULT);
	CHECK(raw(130, 0, 8, 0, 0) == -EFAULT);
	child = fork();
	if (child == 0) {
		struct timespec ts = { 0, 50000000 };

		nanosleep(&ts, NULL);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	CHECK(child > 0);
	CHECK(sigsuspend(&none) == -1 && errno == EINTR && got_usr1 == SIGUSR1);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1));      /* the mask from before came back */
	CHECK(waitpid(child, NULL, 0) == child);
	return 0;
}

int main(void)
{
	if (prctl_time_groups() || polls() || links_and_files() || suspend())
		return 1;
	printf("newcalls: ok (%d checks)\n", checks);
	return 0;
}
