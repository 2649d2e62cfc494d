/*
 * The system-call table and the process, memory, time and identity calls
 * (see syscall.h; file calls are in sys_file.c). One line per call in the
 * table, indexed by the Linux x86_64 number.
 */
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/file.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/proc/uaccess.h"
#include "kernel/proc/uelf.h"
#include "kernel/smp/percpu.h"
#include "kernel/time/clock.h"
#include "lib/string.h"

#define PROT_READ      1
#define PROT_WRITE     2
#define PROT_EXEC      4
#define MAP_SHARED     0x01
#define MAP_PRIVATE    0x02
#define MAP_FIXED      0x10
#define MAP_ANONYMOUS  0x20
#define ARCH_SET_FS    0x1002
#define ARCH_GET_FS    0x1003
#define CLONE_VM       0x100
#define RLIMIT_STACK   3
#define RLIMIT_NOFILE  7
#define RLIMIT_AS      9
#define RLIM_INFINITY  UINT64_MAX
#define TIMER_ABSTIME  1
#define PR_SET_NAME    15
#define PR_GET_NAME    16

struct syscall_def {
	const char *name;
	syscall_fn *fn;
	bool unlocked;     /* reads only the caller's own identity: no process lock */
};

static uint64_t calls, enosys[SYSCALL_MAX], enosys_other;

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* ---- processes ---------------------------------------------------------------- */

static long sys_exit_group(const uint64_t a[6], struct interrupt_frame *f)
{
	proc_exit(LX_W_EXIT((int)a[0]));
}

/* The null call of the benchmarks: cpu_self() directly, one call level less. */
static long sys_getpid(const uint64_t a[6], struct interrupt_frame *f)
{
	return cpu_self()->current->pid;
}

static long sys_getppid(const uint64_t a[6], struct interrupt_frame *f)
{
	int pp = proc_current()->ppid;

	return pp > 0 ? pp : 0;
}

static long sys_getuid(const uint64_t a[6], struct interrupt_frame *f)
{
	return 0;                    /* everyone is root */
}

static long sys_fork(const uint64_t a[6], struct interrupt_frame *f)
{
	return proc_fork(f);
}

static long sys_clone(const uint64_t a[6], struct interrupt_frame *f)
{
	if (a[0] & CLONE_VM || a[1])
		return -LX_ENOSYS;      /* threads and new stacks: not yet */
	return proc_fork(f);
}

static long sys_wait4(const uint64_t a[6], struct interrupt_frame *f)
{
	if (a[2] & ~1ull)
		return -LX_EINVAL;
	if (a[1] && !uaccess_range_ok(a[1], sizeof(int)))
		return -LX_EFAULT;
	return proc_wait4((int)a[0], a[1], (int)a[2]);
}

static long sys_kill(const uint64_t a[6], struct interrupt_frame *f)
{
	return proc_sys_kill((int)a[0], (int)a[1]);
}

/* A user string vector (argv, envp) into buf: count, or a negative errno. */
static int copy_strings(uint64_t uvec, const char **out, char *buf, size_t *used)
{
	int n = 0;

	for (; uvec; n++) {
		uint64_t up;
		long len;

		if (copy_from_user(&up, uvec + (uint64_t)n * 8, 8))
			return -LX_EFAULT;
		if (!up)
			break;
		if (n == UELF_MAX_ARGS)
			return -LX_E2BIG;
		len = strncpy_from_user(buf + *used, up, UELF_MAX_STRINGS - *used);
		if (len < 0)
			return len == -LX_ENAMETOOLONG ? -LX_E2BIG : (int)len;
		out[n] = buf + *used;
		*used += (size_t)len + 1;
	}
	return n;
}

static long sys_execve(const uint64_t a[6], struct interrupt_frame *f)
{
	const char *argv[UELF_MAX_ARGS], *envp[UELF_MAX_ARGS];
	char path[PATH_MAX_LEN], raw[PATH_MAX_LEN], *strings = kmalloc(UELF_MAX_STRINGS);
	size_t used = 0;
	long r = strings ? strncpy_from_user(raw, a[0], sizeof(raw)) : -LX_ENOMEM;
	int argc = 0, envc = 0;

	if (r >= 0)
		r = path_normalise(proc_current()->cwd, raw, path, sizeof(path));
	if (r >= 0)
		r = argc = copy_strings(a[1], argv, strings, &used);
	if (r >= 0)
		r = envc = copy_strings(a[2], envp, strings, &used);
	if (r >= 0)
		r = proc_execve(proc_exe_path(path), argv, argc, envp, envc);
	kfree(strings);
	return r;
}

/* ---- memory ------------------------------------------------------------------- */

static long sys_brk(const uint64_t a[6], struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	uint64_t want = a[0], old_end = page_up(p->brk), new_end = page_up(want), va;

	if (want < p->brk_start || want > PROC_MMAP_BASE)
		return (long)p->brk;
	for (va = old_end; va < new_end; va += PAGE_SIZE) {
		if (proc_map_zero(p, va, PAGE_WRITE)) {
			while (va > old_end)
				proc_unmap(p, va -= PAGE_SIZE);
			return (long)p->brk;  /* Linux: the unchanged break means no memory */
		}
	}
	for (va = new_end; va < old_end; va += PAGE_SIZE)
		proc_unmap(p, va);
	p->brk = want;
	return (long)want;
}

/* Unmaps whatever is mapped in [start, end): cost per mapped page, not per page of the range. */
static void unmap_range(struct proc *p, uint64_t start, uint64_t end)
{
	for (uint64_t va = arch_user_next_mapped(start, end); va < end;
	     va = arch_user_next_mapped(va + PAGE_SIZE, end))
		proc_unmap(p, va);
}

static unsigned prot_flags(uint64_t prot)
{
	return ((prot & PROT_WRITE) ? PAGE_WRITE : 0) | ((prot & PROT_EXEC) ? PAGE_EXEC : 0);
}

/* Fills a fresh private mapping from a file's bytes. */
static long map_file_bytes(struct file *fl, uint64_t addr, uint64_t len, uint64_t off)
{
	uint64_t n;

	if (fl->kind != FILE_TREE)
		return -LX_EACCES;
	if (off >= fl->node.size)
		return 0;
	n = fl->node.size - off < len ? fl->node.size - off : len;
	return uaccess_copy((void *)addr, fl->node.data + off, n) ? -LX_EFAULT : 0;
}

static long sys_mmap(const uint64_t a[6], struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	uint64_t len = page_up(a[1]), addr = a[0], va;
	struct file *fl = NULL;
	long err = 0;

	if (!a[1] || len < a[1] || (a[4] > 0 && (a[3] & MAP_ANONYMOUS) == 0 && (a[5] & 0xfff)))
		return -LX_EINVAL;
	if (!(a[3] & (MAP_PRIVATE | MAP_SHARED)) || (a[2] & ~7ull))
		return -LX_EINVAL;
	if ((a[2] & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC))
		return -LX_EACCES;           /* W^X holds for user pages too */
	if (len > (uint64_t)PROC_MAX_PAGES * PAGE_SIZE)
		return -LX_ENOMEM;
	if (!(a[3] & MAP_ANONYMOUS) && !(fl = ((int64_t)a[4] >= 0 && a[4] < PROC_MAX_FDS) ?
					       p->fd[a[4]] : NULL))
		return -LX_EBADF;
	if (a[3] & MAP_FIXED) {
		if ((addr & (PAGE_SIZE - 1)) || !uaccess_range_ok(addr, len) || addr < UELF_MIN_VADDR)
			return -LX_EINVAL;
		unmap_range(p, addr, addr + len);
	} else {
		addr = p->mmap_next;
		if (!uaccess_range_ok(addr, len) || addr + len > UELF_MAX_VADDR)
			return -LX_ENOMEM;
		p->mmap_next += len + PAGE_SIZE;   /* a guard gap between mappings */
	}
	for (va = addr; va < addr + len && !err; va += PAGE_SIZE)
		err = proc_map_zero(p, va, PAGE_WRITE);
	if (!err && fl)
		err = map_file_bytes(fl, addr, len, a[5]);
	for (va = addr; va < addr + len && !err; va += PAGE_SIZE)
		paging_protect(va, prot_flags(a[2]) | PAGE_USER);
	if (err) {
		unmap_range(p, addr, addr + len);
		return err;
	}
	return (long)addr;
}

static long sys_munmap(const uint64_t a[6], struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	uint64_t len = page_up(a[1]);

	if ((a[0] & (PAGE_SIZE - 1)) || !a[1] || len < a[1] || !uaccess_range_ok(a[0], len))
		return -LX_EINVAL;
	unmap_range(p, a[0], a[0] + len);
	return 0;
}

static long sys_mprotect(const uint64_t a[6], struct interrupt_frame *f)
{
	uint64_t len = page_up(a[1]);
	struct page_mapping m;

	if ((a[0] & (PAGE_SIZE - 1)) || len < a[1] || !uaccess_range_ok(a[0], len) || (a[2] & ~7ull))
		return -LX_EINVAL;
	if ((a[2] & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC))
		return -LX_EACCES;
	/* Every page must be mapped (else ENOMEM, nothing changed): walk mapped pages only. */
	for (uint64_t va = a[0]; va < a[0] + len; va += PAGE_SIZE)
		if (arch_user_next_mapped(va, a[0] + len) != va || !paging_translate(va, &m))
			return -LX_ENOMEM;
	for (uint64_t va = a[0]; va < a[0] + len; va += PAGE_SIZE)
		arch_user_protect(va, prot_flags(a[2]) | PAGE_USER);   /* shared stays copy-on-write */
	return 0;
}

/* ---- identity, time, odds and ends -------------------------------------------------- */

/* sysinfo: memory in bytes (mem_unit 1), the process count; programs measure what fork costs. */
static long sys_sysinfo(const uint64_t a[6], struct interrupt_frame *f)
{
	struct lx_sysinfo si;
	struct pmm_stats st;

	pmm_get_stats(&st);
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(clock_uptime_ms() / 1000);
	si.totalram = st.total * PAGE_SIZE;
	si.freeram = st.free * PAGE_SIZE;
	si.procs = (uint16_t)proc_count();
	si.mem_unit = 1;
	return copy_to_user(a[0], &si, sizeof(si));
}

static long sys_uname(const uint64_t a[6], struct interrupt_frame *f)
{
	static const char *const fields[6] = { "Linux", "ember", "6.1.0-ember", "#1 Ember",
						"x86_64", "(none)" };
	struct lx_utsname u;

	memset(&u, 0, sizeof(u));
	for (int i = 0; i < 6; i++)
		memcpy(u.f[i], fields[i], strlen(fields[i]));
	return copy_to_user(a[0], &u, sizeof(u));
}

static long sys_arch_prctl(const uint64_t a[6], struct interrupt_frame *f)
{
	uint64_t fs;

	switch (a[0]) {
	case ARCH_SET_FS:
		if (a[1] >= ARCH_USER_TOP)
			return -LX_EPERM;
		arch_set_tls(a[1]);
		proc_current()->fs_base = a[1];
		return 0;
	case ARCH_GET_FS:
		fs = arch_tls();
		return copy_to_user(a[1], &fs, sizeof(fs));
	default:
		return -LX_EINVAL;
	}
}

static long sys_set_tid_address(const uint64_t a[6], struct interrupt_frame *f)
{
	proc_current()->clear_tid = a[0];
	return proc_current()->pid;
}

/*
 * prctl: the process name only (PR_SET_NAME, PR_GET_NAME: 16 bytes with the NUL, as
 * Linux's TASK_COMM_LEN); every other option is EINVAL. glibc programs (busybox) ask
 * for the name at start.
 */
static long sys_prctl(const uint64_t a[6], struct interrupt_frame *f)
{
	char name[PROC_NAME_MAX];
	struct proc *p = proc_current();

	switch (a[0]) {
	case PR_GET_NAME:
		memcpy(name, p->name, sizeof(name));
		name[sizeof(name) - 1] = '\0';
		return copy_to_user(a[1], name, sizeof(name)) ? -LX_EFAULT : 0;
	case PR_SET_NAME:
		if (strncpy_from_user(name, a[1], sizeof(name)) == -LX_EFAULT)
			return -LX_EFAULT;   /* a longer name is cut, as Linux does */
		name[sizeof(name) - 1] = '\0';
		memcpy(p->name, name, sizeof(name));
		return 0;
	default:
		return -LX_EINVAL;
	}
}

/* getgroups(size, list): root has no supplementary groups; a negative size is EINVAL. */
static long sys_getgroups(const uint64_t a[6], struct interrupt_frame *f)
{
	return (int)a[0] < 0 ? -LX_EINVAL : 0;
}

static long sys_zero(const uint64_t a[6], struct interrupt_frame *f)
{
	return 0;                    /* set_robust_list, and other calls with nothing to do */
}

static long sys_clock_gettime(const uint64_t a[6], struct interrupt_frame *f)
{
	uint64_t ns = clock_ns();
	struct lx_timespec ts = { (int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull) };

	if (a[0] > 11)
		return -LX_EINVAL;
	return copy_to_user(a[1], &ts, sizeof(ts));
}

static long sys_gettimeofday(const uint64_t a[6], struct interrupt_frame *f)
{
	uint64_t ns = clock_ns();
	struct lx_timeval tv = { (int64_t)(ns / 1000000000ull), (int64_t)(ns / 1000 % 1000000) };

	return a[0] ? copy_to_user(a[0], &tv, sizeof(tv)) : 0;
}

/* A signal cut the sleep short: the time left goes to rem (if given), as Linux does. */
static long sleep_interrupted(uint64_t urem, uint64_t left_ns)
{
	struct lx_timespec rem = { (int64_t)(left_ns / 1000000000ull),
				   (int64_t)(left_ns % 1000000000ull) };

	if (urem && copy_to_user(urem, &rem, sizeof(rem)))
		return -LX_EFAULT;
	return -LX_EINTR;
}

/* The process yields its slices until clock_ns() reaches end; a signal cuts it short. */
static long sleep_until(uint64_t end, uint64_t urem)
{
	while (clock_ns() < end) {
		if (proc_current()->kill_sig)
			return sleep_interrupted(urem, end - clock_ns());
		proc_yield();
	}
	return 0;
}

/* A relative or absolute time from user memory, in ns; -EFAULT or -EINVAL when bad. */
static long timespec_ns(uint64_t uts, uint64_t *ns)
{
	struct lx_timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -LX_EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -LX_EINVAL;
	if ((uint64_t)ts.tv_sec > UINT64_MAX / 2000000000ull)
		ts.tv_sec = (int64_t)(UINT64_MAX / 2000000000ull);   /* forever, no overflow */
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

static long sys_nanosleep(const uint64_t a[6], struct interrupt_frame *f)
{
	uint64_t ns;
	long err = timespec_ns(a[0], &ns);

	return err ? err : sleep_until(clock_ns() + ns, a[1]);
}

/*
 * clock_nanosleep(clock, flags, req, rem): every clock Ember has counts from boot, so
 * REALTIME, MONOTONIC, BOOTTIME and TAI sleep alike; TIMER_ABSTIME (flags bit 0) takes
 * req as a point on that clock (rem untouched, as Linux); other clocks are EINVAL.
 */
static long sys_clock_nanosleep(const uint64_t a[6], struct interrupt_frame *f)
{
	uint64_t ns, now = clock_ns();
	long err;

	if (a[0] != 0 && a[0] != 1 && a[0] != 7 && a[0] != 11)
		return -LX_EINVAL;
	err = timespec_ns(a[2], &ns);
	if (err)
		return err;
	if (a[1] & TIMER_ABSTIME)
		return sleep_until(ns, 0);
	return sleep_until(now + ns, a[3]);
}

/* time(tloc): seconds since boot (Ember's clocks start there), also stored at tloc. */
static long sys_time(const uint64_t a[6], struct interrupt_frame *f)
{
	int64_t t = (int64_t)(clock_ns() / 1000000000ull);

	if (a[0] && copy_to_user(a[0], &t, sizeof(t)))
		return -LX_EFAULT;
	return t;
}

static long sys_sched_yield(const uint64_t a[6], struct interrupt_frame *f)
{
	proc_yield();
	return 0;
}

static long sys_getrandom(const uint64_t a[6], struct interrupt_frame *f)
{
	static uint64_t s = 0x2545f4914f6cdd1dull;
	uint64_t done = 0, n = a[1] > 4096 ? 4096 : a[1];

	if (a[2] & ~7ull)
		return -LX_EINVAL;
	if (!uaccess_range_ok(a[0], n))
		return -LX_EFAULT;
	while (done < n) {
		uint64_t k = n - done < 8 ? n - done : 8;

		s ^= arch_timestamp();
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		if (copy_to_user(a[0] + done, &s, k))
			return -LX_EFAULT;
		done += k;
	}
	return (long)n;
}

static long sys_prlimit64(const uint64_t a[6], struct interrupt_frame *f)
{
	struct lx_rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	if (a[0] && (int)a[0] != proc_current()->pid)
		return -LX_ESRCH;
	if (a[1] >= 16)
		return -LX_EINVAL;
	if (a[1] == RLIMIT_STACK)
		r.cur = r.max = PROC_STACK_PAGES * PAGE_SIZE;
	else if (a[1] == RLIMIT_NOFILE)
		r.cur = r.max = PROC_MAX_FDS;
	else if (a[1] == RLIMIT_AS)
		r.cur = r.max = (uint64_t)PROC_MAX_PAGES * PAGE_SIZE;
	if (a[2] && !uaccess_range_ok(a[2], sizeof(r)))
		return -LX_EFAULT;
	return a[3] ? copy_to_user(a[3], &r, sizeof(r)) : 0;
}

/* ---- the table ---------------------------------------------------------------------- */

#define SYS(nr, fn) [nr] = { #fn, fn, false }
#define SYS_UNLOCKED(nr, fn) [nr] = { #fn, fn, true }

static const struct syscall_def table[SYSCALL_MAX] = {
	SYS(0, sys_read),
	SYS(1, sys_write),
	SYS(2, sys_open),
	SYS(3, sys_close),
	SYS(4, sys_stat),
	SYS(5, sys_fstat),
	SYS(6, sys_stat),                /* lstat: no symbolic links */
	SYS(7, sys_poll),
	SYS(8, sys_lseek),
	SYS(9, sys_mmap),
	SYS(10, sys_mprotect),
	SYS(11, sys_munmap),
	SYS(12, sys_brk),
	SYS(13, sys_rt_sigaction),
	SYS(14, sys_rt_sigprocmask),
	SYS(15, sys_rt_sigreturn),
	SYS(16, sys_ioctl),
	SYS(19, sys_readv),
	SYS(20, sys_writev),
	SYS(21, sys_access),
	SYS(22, sys_pipe),
	SYS(24, sys_sched_yield),
	SYS(32, sys_dup),
	SYS(33, sys_dup2),
	SYS(35, sys_nanosleep),
	SYS_UNLOCKED(39, sys_getpid),
	SYS(56, sys_clone),
	SYS(57, sys_fork),
	SYS(58, sys_fork),               /* vfork: a full fork is a correct vfork */
	SYS(59, sys_execve),
	SYS(60, sys_exit_group),         /* exit: one thread per process */
	SYS(61, sys_wait4),
	SYS(62, sys_kill),
	SYS(63, sys_uname),
	SYS(72, sys_fcntl),
	SYS(79, sys_getcwd),
	SYS(80, sys_chdir),
	SYS(82, sys_rename),
	SYS(87, sys_unlink),
	SYS(89, sys_readlink),
	SYS(96, sys_gettimeofday),
	SYS(99, sys_sysinfo),
	SYS_UNLOCKED(102, sys_getuid),
	SYS_UNLOCKED(104, sys_getuid),            /* getgid */
	SYS_UNLOCKED(107, sys_getuid),            /* geteuid */
	SYS_UNLOCKED(108, sys_getuid),            /* getegid */
	SYS(110, sys_getppid),
	SYS(130, sys_rt_sigsuspend),
	SYS(115, sys_getgroups),
	SYS(157, sys_prctl),
	SYS(158, sys_arch_prctl),
	SYS_UNLOCKED(186, sys_getpid),            /* gettid: one thread per process */
	SYS(200, sys_tkill),
	SYS(201, sys_time),
	SYS(217, sys_getdents64),
	SYS(218, sys_set_tid_address),
	SYS(228, sys_clock_gettime),
	SYS(230, sys_clock_nanosleep),
	SYS(231, sys_exit_group),
	SYS(234, sys_tgkill),
	SYS(257, sys_openat),
	SYS(262, sys_newfstatat),
	SYS(263, sys_unlinkat),
	SYS(264, sys_renameat),
	SYS(280, sys_utimensat),
	SYS(273, sys_zero),              /* set_robust_list */
	SYS(292, sys_dup3),
	SYS(293, sys_pipe2),
	SYS(302, sys_prlimit64),
	SYS(316, sys_renameat2),
	SYS(318, sys_getrandom),
};

static long syscall_unknown(uint64_t nr)
{
	unsigned long irq = proc_lock_take();

	if (nr < SYSCALL_MAX)
		enosys[nr]++;
	else
		enosys_other++;
	proc_lock_give(irq);
	return -LX_ENOSYS;
}

/*
 * Every system call but the identity ones runs under the process lock
 * (kernel/proc/proc.h): taken here, held across a switch away (a yield, a
 * sleep), given back when the call returns, on whichever CPU that is.
 * Apart from the dispatcher so that its registers are saved only on this
 * path: the dispatcher itself stays a bounds check and a tail call.
 */
static __attribute__((noinline)) long dispatch_locked(syscall_fn *fn, const uint64_t a[6],
						       struct interrupt_frame *f)
{
	unsigned long irq = proc_lock_take();
	long r = fn(a, f);

	proc_lock_give(irq);
	return r;
}

long syscall_dispatch(const uint64_t a[6], struct interrupt_frame *f, uint64_t nr)
{
	const struct syscall_def *d;

	__atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
	if (__builtin_expect(nr >= SYSCALL_MAX || table[nr].fn == NULL, 0))
		return syscall_unknown(nr);
	d = &table[nr];
	if (d->unlocked)
		return d->fn(a, f);
	return dispatch_locked(d->fn, a, f);
}

uint64_t syscall_total(void)
{
	return calls;
}

static unsigned implemented(void)
{
	unsigned n = 0;

	for (int i = 0; i < SYSCALL_MAX; i++)
		n += table[i].fn != NULL;
	return n;
}

void syscall_print_stats(void)
{
	unsigned shown = 0;

	kprintf("system calls: %llu made; %u numbers implemented\n", (unsigned long long)calls,
		implemented());
	for (int i = 0; i < SYSCALL_MAX; i++) {
		if (!enosys[i])
			continue;
		kprintf("  ENOSYS %3d: %llu calls\n", i, (unsigned long long)enosys[i]);
		shown++;
	}
	if (enosys_other)
		kprintf("  ENOSYS >= %d: %llu calls\n", SYSCALL_MAX, (unsigned long long)enosys_other);
	if (!shown && !enosys_other)
		kprintf("  no call went unanswered\n");
}
