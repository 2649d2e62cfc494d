/*
 * poll(2) (see syscall.h): which descriptors are ready, waiting for one up to a timeout.
 * Readiness comes from file_poll. A wait with no time limit whose descriptors all
 * share one wake-up object (the console, or one pipe) sleeps on it; any other wait
 * yields its slices until something is ready or the time has passed, as nanosleep does.
 * Runs in a process's system call, under the process lock (so a check and the sleep
 * that follows it cannot miss a wake-up).
 */
#include "kernel/proc/file.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/proc/uaccess.h"
#include "kernel/time/clock.h"

#define POLL_ALWAYS (LX_POLLERR | LX_POLLHUP | LX_POLLNVAL)   /* reported unasked */

/*
 * Fill each revents; returns how many entries have any. *obj: the one object every
 * watched descriptor sleeps on, or 0 when there is none or more than one.
 */
static int poll_scan(struct lx_pollfd *fds, unsigned n, uint64_t *obj)
{
	struct proc *p = proc_current();
	int ready = 0;
	bool mixed = false;

	*obj = 0;
	for (unsigned i = 0; i < n; i++) {
		struct file *f = fds[i].fd >= 0 && fds[i].fd < PROC_MAX_FDS ? p->fd[fds[i].fd] : NULL;
		uint64_t o = 0;
		unsigned ev = 0;

		if (fds[i].fd < 0)
			ev = 0;                     /* ignored, as Linux: revents 0 */
		else if (!f)
			ev = LX_POLLNVAL;
		else
			ev = file_poll(f, &o) & ((uint16_t)fds[i].events | POLL_ALWAYS);
		fds[i].revents = (int16_t)ev;
		ready += ev != 0;
		if (o && *obj && o != *obj)
			mixed = true;
		if (o && !*obj)
			*obj = o;
	}
	if (mixed)
		*obj = 0;
	return ready;
}

/* poll(fds, nfds, timeout_ms): at most PROC_MAX_FDS entries (RLIMIT_NOFILE), else EINVAL. */
long sys_poll(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct lx_pollfd fds[PROC_MAX_FDS];
	unsigned n = (unsigned)a[1];
	int timeout = (int)a[2], ready;
	uint64_t end = clock_ns() + (uint64_t)(timeout > 0 ? timeout : 0) * 1000000ull, obj;

	if (a[1] > PROC_MAX_FDS)
		return -LX_EINVAL;
	if (n && copy_from_user(fds, a[0], n * sizeof(fds[0])))
		return -LX_EFAULT;
	for (;;) {
		ready = poll_scan(fds, n, &obj);
		if (ready || !timeout || (timeout > 0 && clock_ns() >= end))
			break;
		if (proc_current()->kill_sig)
			return -LX_EINTR;
		if (timeout < 0 && obj)
			proc_sleep_on(obj);
		else
			proc_yield();
	}
	if (n && copy_to_user(a[0], fds, n * sizeof(fds[0])))
		return -LX_EFAULT;
	return ready;
}
