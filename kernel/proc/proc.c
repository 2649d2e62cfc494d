/*
 * Processes (see proc.h): the table, the "procs" task that runs them in
 * slices, loading programs into fresh address spaces, exit, wait, kill,
 * fork and execve. Every CPU: one spinlock, the process lock, covers the
 * table, every process's state and the files and pipes (system calls hold
 * it from entry to exit); user code runs unlocked on every CPU at once.
 * The lock is passed across arch_switch: a process gives up the CPU with
 * it held, the runner that resumes lets it go (see proc_yield).
 */
#include "kernel/arch.h"
#include "kernel/async/sched.h"
#include "kernel/boot.h"
#include "kernel/kprintf.h"
#include "kernel/mm/frame_ref.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "kernel/panic.h"
#include "kernel/proc/file.h"
#include "kernel/proc/files.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/proc/uaccess.h"
#include "kernel/proc/uelf.h"
#include "kernel/smp/percpu.h"
#include "kernel/time/clock.h"
#include "lib/cmdline.h"
#include "lib/string.h"

#define STACK_BUILD_BYTES (3 * PAGE_SIZE)   /* argv/envp strings, pointers, auxv */

static struct proc procs[PROC_MAX];
static int slots_used;          /* every slot at or above it is free: the scans stop there */
static uint64_t switches_direct, switches_runner;
static uint64_t cpu_moves;      /* loads on another CPU than the last: the FPU state travelled */
static int next_pid = 1;
static struct spinlock proc_lock = SPINLOCK_INIT("proc", SPIN_RANK_PROC);
static struct waker runner_wakers[SMP_MAX_CPUS];   /* the procs tasks' */
static unsigned runners;                            /* procs tasks spawned */
static uint64_t rand_state = 0x9e3779b97f4a7c15ull;
static bool fork_copies;          /* fork.cow=0: the eager full copy (the benchmark's baseline) */

/* A new program image being built, committed to a process on success. */
struct image {
	uint64_t root, pages, brk, entry, sp;
};

static uint64_t kstack_top(const struct proc *p)
{
	return DIRECT_MAP_BASE + p->kstack + PROC_KSTACK_PAGES * PAGE_SIZE;
}

struct proc *proc_current(void)
{
	return cpu_self()->current;
}

struct proc *proc_find(int pid)
{
	for (int i = 0; i < PROC_MAX; i++)
		if (procs[i].state != PROC_FREE && procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

unsigned proc_count(void)
{
	unsigned n = 0;

	for (int i = 0; i < PROC_MAX; i++)
		n += procs[i].state != PROC_FREE;
	return n;
}

static uint64_t rand64(void)
{
	rand_state ^= arch_timestamp();
	rand_state ^= rand_state << 13;
	rand_state ^= rand_state >> 7;
	rand_state ^= rand_state << 17;
	return rand_state;
}

/*
 * Where a static PIE goes: UELF_PIE_BASE plus a random page offset below
 * UELF_PIE_PAGES (28 bits), from the same TSC-mixed generator as AT_RANDOM.
 * Not cryptographic: the layout differs per exec, it is not a secret.
 */
static uint64_t pie_bias(void)
{
	return UELF_PIE_BASE + (rand64() % UELF_PIE_PAGES) * PAGE_SIZE;
}

/* ---- memory ------------------------------------------------------------------ */

/* A zeroed frame mapped at va in the active address space; its physical address or 0. */
static uint64_t map_new_page(uint64_t *pages, uint64_t va, unsigned flags)
{
	uint64_t frame;

	if (*pages >= PROC_MAX_PAGES)
		return 0;
	frame = pmm_alloc_frame();
	if (!frame)
		return 0;
	memset((void *)(DIRECT_MAP_BASE + frame), 0, PAGE_SIZE);
	if (paging_map(va, frame, PAGE_SIZE, flags | PAGE_USER)) {
		pmm_free_frame(frame);
		return 0;
	}
	++*pages;
	return frame;
}

int proc_map_zero(struct proc *p, uint64_t va, unsigned flags)
{
	if (va >= ARCH_USER_TOP || (va & (PAGE_SIZE - 1)))
		return -LX_EINVAL;
	return map_new_page(&p->pages, va, flags) ? 0 : -LX_ENOMEM;
}

void proc_unmap(struct proc *p, uint64_t va)
{
	struct page_mapping old;

	if (va < ARCH_USER_TOP && !paging_unmap(va, &old)) {
		frame_ref_drop(old.phys);     /* freed with its last holder */
		p->pages--;
	}
}

/* One PT_LOAD segment: fresh pages, file bytes copied in through the direct map. */
static int load_segment(struct image *im, const uint8_t *file, const struct elf_segment *s)
{
	unsigned flags = ((s->flags & ELF_PF_W) ? PAGE_WRITE : 0) |
			 ((s->flags & ELF_PF_X) ? PAGE_EXEC : 0);
	uint64_t va = s->vaddr & ~(PAGE_SIZE - 1), end = s->vaddr + s->memsz;

	for (; va < end; va += PAGE_SIZE) {
		uint64_t frame = map_new_page(&im->pages, va, flags), lo, hi;

		if (!frame)
			return -LX_ENOMEM;
		lo = va > s->vaddr ? va : s->vaddr;
		hi = va + PAGE_SIZE < s->vaddr + s->filesz ? va + PAGE_SIZE : s->vaddr + s->filesz;
		if (lo < hi)
			memcpy((void *)(DIRECT_MAP_BASE + frame + (lo - va)),
			       file + s->offset + (lo - s->vaddr), hi - lo);
	}
	if (end > im->brk)
		im->brk = end;
	return 0;
}

/* The user stack: mapped, then the argv/envp/auxv block copied into its top pages. */
static int load_stack(struct image *im, const struct uelf *prog, const char *const *argv,
		      int argc, const char *const *envp, int envc)
{
	struct uelf_stack_args a = { argv, argc, envp, envc, prog, { 0 } };
	uint64_t r0 = rand64(), r1 = rand64(), va;
	uint8_t *buf;
	struct page_mapping m;

	memcpy(a.random, &r0, 8);
	memcpy(a.random + 8, &r1, 8);
	for (va = PROC_STACK_TOP - PROC_STACK_PAGES * PAGE_SIZE; va < PROC_STACK_TOP; va += PAGE_SIZE)
		if (!map_new_page(&im->pages, va, PAGE_WRITE))
			return -LX_ENOMEM;
	buf = kmalloc(STACK_BUILD_BYTES);
	if (!buf)
		return -LX_ENOMEM;
	im->sp = uelf_build_stack(buf, STACK_BUILD_BYTES, PROC_STACK_TOP, &a);
	for (va = PROC_STACK_TOP - STACK_BUILD_BYTES; im->sp && va < PROC_STACK_TOP; va += PAGE_SIZE) {
		paging_translate(va, &m);
		memcpy((void *)(DIRECT_MAP_BASE + m.phys),
		       buf + (va - (PROC_STACK_TOP - STACK_BUILD_BYTES)), PAGE_SIZE);
	}
	kfree(buf);
	return im->sp ? 0 : -LX_E2BIG;
}

/*
 * Builds path's program in a new address space (left active on success,
 * the previous one restored on failure).
 */
static int load_program(struct image *im, const char *path, const char *const *argv, int argc,
			const char *const *envp, int envc)
{
	struct ftree_node n;
	struct uelf prog;
	const char *why;
	uint64_t prev = arch_as_current();
	int err = 0;

	memset(im, 0, sizeof(*im));
	if (files_lookup(path, &n))
		return -LX_ENOENT;
	if (n.type != FTREE_FILE)
		return -LX_EACCES;
	if (uelf_check_at(n.data, n.size, pie_bias(), &prog, &why)) {
		kprintf("exec: %s: not a program Ember runs: %s\n", path, why);
		return -LX_ENOEXEC;
	}
	im->root = arch_as_new();
	if (!im->root)
		return -LX_ENOMEM;
	arch_as_activate(im->root);
	for (unsigned i = 0; i < prog.img.count && !err; i++)
		err = load_segment(im, n.data, &prog.img.seg[i]);
	if (!err)
		err = load_stack(im, &prog, argv, argc, envp, envc);
	if (err) {
		arch_as_activate(prev);
		arch_as_destroy(im->root);
		return err;
	}
	im->brk = (im->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	im->entry = prog.img.entry;
	return 0;
}

static void set_name(struct proc *p, const char *path)
{
	const char *base = path;

	for (const char *s = path; *s; s++)
		if (*s == '/' && s[1])
			base = s + 1;
	size_t n = strnlen(base, PROC_NAME_MAX - 1);

	memcpy(p->name, base, n);
	p->name[n] = '\0';
}

static void commit_image(struct proc *p, const struct image *im, const char *path)
{
	size_t n = strnlen(path, sizeof(p->exe) - 1);

	memmove(p->exe, path, n);    /* path may be p->exe itself (execve of /proc/self/exe) */
	p->exe[n] = '\0';
	p->root = im->root;
	p->pages = im->pages;
	p->brk_start = p->brk = im->brk;
	p->mmap_next = PROC_MMAP_BASE;
	p->fs_base = 0;
	set_name(p, path);
}

/* ---- the table --------------------------------------------------------------- */

static struct proc *alloc_slot(void)
{
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = &procs[i];

		if (p->state != PROC_FREE)
			continue;
		memset(p, 0, sizeof(*p));
		p->kstack = pmm_alloc_run(PROC_KSTACK_PAGES, PAGE_SIZE);
		if (!p->kstack)
			return NULL;
		p->pid = next_pid++;
		if (i >= slots_used)
			slots_used = i + 1;
		p->state = PROC_SLEEPING;   /* not runnable until set up */
		p->cwd[0] = '/';
		arch_fpu_clean(p->fpu);     /* FCW 0x37f, MXCSR 0x1f80 (fork overwrites) */
		return p;
	}
	return NULL;
}

static void free_slot(struct proc *p)
{
	p->state = PROC_FREE;
	p->pid = 0;
	while (slots_used > 0 && procs[slots_used - 1].state == PROC_FREE)
		slots_used--;
}

unsigned long proc_lock_take(void)
{
	return spin_lock(&proc_lock);
}

void proc_lock_give(unsigned long flags)
{
	spin_unlock(&proc_lock, flags);
}

static enum task_poll procs_poll(void *state, struct task_cx *cx);

/*
 * One procs task per online CPU, so that as many processes run at once as
 * there are CPUs (a task is polled by one CPU at a time). Spawned as work
 * appears, since proc_init runs before the APs are started.
 */
static void spawn_runners(void)
{
	unsigned want = cpu_online_count();

	while (runners < want && runners < SMP_MAX_CPUS &&
	       sched_spawn("procs", procs_poll, (void *)(uintptr_t)runners, NULL) == 0)
		runners++;
}

/*
 * From a process (a system call) on a one-CPU machine no wake is needed:
 * the next yield or the procs task finds it, and a wake would put the procs
 * task in the ready queue, which sends every yield through the executor.
 * With several CPUs every runner is woken, so an idle CPU takes it.
 */
static void make_runnable(struct proc *p)
{
	p->state = PROC_RUNNABLE;
	if (proc_current() && cpu_online_count() == 1)
		return;
	spawn_runners();
	for (unsigned i = 0; i < runners; i++)
		waker_wake(&runner_wakers[i]);
}

int proc_spawn(const char *path, const char *const *argv, int argc,
	       const char *const *envp, int envc)
{
	unsigned long irq;
	struct proc *p;
	struct image im;
	struct file *con;
	int err;

	irq = spin_lock(&proc_lock);
	p = alloc_slot();
	if (!p) {
		spin_unlock(&proc_lock, irq);
		return -LX_EAGAIN;
	}
	err = load_program(&im, path, argv, argc, envp, envc);
	con = err ? NULL : file_console();
	if (err || !con) {
		pmm_free_run(p->kstack, PROC_KSTACK_PAGES);
		if (!err) {
			arch_as_activate(0);
			arch_as_destroy(im.root);
		}
		free_slot(p);
		spin_unlock(&proc_lock, irq);
		return err ? err : -LX_ENOMEM;
	}
	arch_as_activate(0);
	commit_image(p, &im, path);
	p->fd[0] = con;
	p->fd[1] = file_get(con);
	p->fd[2] = file_get(con);
	p->reaped_by_kernel = true;
	p->ksp = arch_user_stack_init(kstack_top(p), im.entry, im.sp, &p->frame);
	make_runnable(p);
	err = p->pid;
	spin_unlock(&proc_lock, irq);
	return err;
}

/* ---- running ------------------------------------------------------------------ */

/* Round robin over the used slots, starting after the last one picked. */
static struct proc *pick_next(void)
{
	static int last;
	int i = last;

	for (int k = 0; k < slots_used; k++) {
		if (++i >= slots_used)
			i = 0;
		if (procs[i].state == PROC_RUNNABLE) {
			last = i;
			return &procs[i];
		}
	}
	return NULL;
}

/* After a process left the CPU as a zombie: its memory back to the pool. */
static void release(struct proc *p)
{
	if (p->root) {
		arch_as_destroy(p->root);
		p->root = 0;
	}
	if (p->kstack) {
		pmm_free_run(p->kstack, PROC_KSTACK_PAGES);
		p->kstack = 0;
	}
	if (p->ppid < 0)
		free_slot(p);     /* nobody will wait for it */
}

/* Makes p this CPU's running process: its address space, kernel stack, TLS, FPU state. */
static void load(struct cpu *c, struct proc *p)
{
	p->state = PROC_RUNNING;
	cpu_moves += p->cpu != c->index;
	p->cpu = c->index;
	c->current = p;
	c->need_resched = p->kill_sig ? RESCHED_SIGNAL : 0;   /* one that came while off the CPU */
	p->slice_ticks = 0;
	arch_as_activate(p->root);
	arch_set_kernel_stack(kstack_top(p));
	arch_set_tls(p->fs_base);
	arch_fpu_restore(p->fpu);
}

/*
 * Called and returns with the process lock held. The lock is let go just
 * before the switch: p is RUNNING, so no other CPU picks it meanwhile. The
 * switch back comes from proc_yield or proc_exit on this CPU, which take
 * the lock before they switch: it is held again here. p's address space
 * is left (CR3 back to the kernel's) before a zombie's is freed, and no
 * other CPU has it loaded: a process runs on one CPU at a time.
 */
static void run_slice(struct cpu *c, struct proc *p)
{
	load(c, p);
	spin_unlock(&proc_lock, 0);           /* interrupts stay off */
	arch_switch(&c->sched_sp, p->ksp);
	p = c->current;             /* the last one that ran: processes switch among themselves */
	c->current = NULL;
	arch_as_activate(0);
	if (p->state == PROC_ZOMBIE)
		release(p);
}

static bool any_runnable(void)
{
	for (int i = 0; i < slots_used; i++)
		if (procs[i].state == PROC_RUNNABLE)
			return true;
	return false;
}

/* A "procs" task (one per CPU): one slice of one process per poll, round robin. */
static enum task_poll procs_poll(void *state, struct task_cx *cx)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct proc *p;

	runner_wakers[(uintptr_t)state] = cx->waker;
	p = pick_next();
	if (p)
		run_slice(cpu_self(), p);
	if (any_runnable())
		waker_wake(&cx->waker);
	spin_unlock(&proc_lock, irq);
	return TASK_PENDING;
}

/*
 * Off the CPU, with the process lock held (a system call, or
 * on_user_return). On a one-CPU machine with no kernel task ready, straight
 * to the next runnable process (or on with this one if it is the only one):
 * the procs task and the executor are only crossed when a task has
 * something to do, which a tick, an input or a timer makes sure of within a
 * slice; the lock is let go just before that switch, and with one CPU
 * nobody can pick p before the switch has saved it. Otherwise the lock stays
 * held across the switch to the runner, so no CPU picks p before its
 * context is saved; the runner lets it go. Whoever resumes p let the lock
 * go before switching to p, so p takes it again.
 */
void proc_yield(void)
{
	struct proc *p = proc_current(), *next = NULL;
	struct cpu *c = cpu_self();

	if (p->state == PROC_RUNNING)
		p->state = PROC_RUNNABLE;
	p->fs_base = arch_tls();
	arch_fpu_save(p->fpu);                /* the state travels with p, whichever CPU is next */
	if (cpu_online_count() == 1 && taskq_empty(&sched_executor()->ready))
		next = pick_next();
	if (next == p) {
		load(c, p);
		return;                       /* never left: the lock is still ours */
	}
	if (next) {
		switches_direct++;
		load(c, next);
		spin_unlock(&proc_lock, 0);   /* interrupts stay off */
		arch_switch(&p->ksp, next->ksp);
	} else {
		switches_runner++;
		arch_switch(&p->ksp, c->sched_sp);
	}
	(void)spin_lock(&proc_lock);          /* interrupts are off: no flag to keep */
}

void proc_sleep_on(uint64_t obj)
{
	struct proc *p = proc_current();

	if (p->kill_sig)
		return;
	p->wait_obj = obj;
	p->state = PROC_SLEEPING;
	proc_yield();
	p->wait_obj = 0;
}

void proc_wake_all(uint64_t obj)
{
	for (int i = 0; i < slots_used; i++)
		if (procs[i].state == PROC_SLEEPING && procs[i].wait_obj == obj)
			make_runnable(&procs[i]);
}

static void close_all(struct proc *p)
{
	for (int i = 0; i < PROC_MAX_FDS; i++) {
		if (p->fd[i])
			file_put(p->fd[i]);
		p->fd[i] = NULL;
	}
}

/* Children of a dying process: nobody will wait; zombies among them go now. */
static void orphan_children(struct proc *p)
{
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *q = &procs[i];

		if (q->state == PROC_FREE || q->ppid != p->pid)
			continue;
		q->ppid = -1;
		if (q->state == PROC_ZOMBIE && !q->root)
			free_slot(q);
	}
}

void proc_exit(int status)
{
	struct proc *p = proc_current();
	struct proc *parent = p->ppid > 0 ? proc_find(p->ppid) : NULL;

	close_all(p);
	orphan_children(p);
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	if (parent) {
		proc_wake_all((uint64_t)parent);
		proc_signal(parent, LX_SIGCHLD, p->pid);   /* dropped unless it has a handler */
	}
	waker_wake(&p->exit_waker);
	arch_switch(&p->ksp, cpu_self()->sched_sp);
	panic("proc: a zombie ran again");
}

int proc_sys_kill(int pid, int sig)
{
	struct proc *p = proc_find(pid);
	int err = 0;

	if (!p || p->state == PROC_ZOMBIE)
		err = -LX_ESRCH;
	else if (sig < 0 || sig > 64)
		err = -LX_EINVAL;
	else if (sig)
		proc_signal(p, sig, proc_current() ? proc_current()->pid : 0);
	return err;
}

int proc_kill(int pid, int sig)
{
	unsigned long irq = spin_lock(&proc_lock);
	int err = proc_sys_kill(pid, sig);

	spin_unlock(&proc_lock, irq);
	return err;
}

/* Posts sig (as kill does, from pid from); wakes p when it now has one to take. */
bool proc_signal(struct proc *p, int sig, int from)
{
	if (!signal_post(p, sig, LX_SI_USER, from, 0))
		return false;
	if (p->state == PROC_SLEEPING)
		make_runnable(p);
	return true;
}

/* The most recently started live descendant of pid, or pid itself. */
int proc_foreground_leaf(int pid)
{
	unsigned long irq = spin_lock(&proc_lock);
	int leaf = pid, found;

	do {
		found = 0;
		for (int i = 0; i < PROC_MAX; i++) {
			struct proc *q = &procs[i];

			if (q->state != PROC_FREE && q->state != PROC_ZOMBIE && q->ppid == leaf &&
			    q->pid > found)
				found = q->pid;
		}
		if (found)
			leaf = found;
	} while (found);
	spin_unlock(&proc_lock, irq);
	return leaf;
}

enum task_poll proc_wait_poll(int pid, struct task_cx *cx)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct proc *p = proc_find(pid);
	enum task_poll r = TASK_READY;

	if (p && p->state != PROC_ZOMBIE) {
		p->exit_waker = cx->waker;
		r = TASK_PENDING;
	}
	spin_unlock(&proc_lock, irq);
	return r;
}

void proc_detach(int pid)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct proc *p = proc_find(pid);

	if (p) {
		p->ppid = -1;
		p->reaped_by_kernel = false;
		if (p->state == PROC_ZOMBIE && !p->root)
			free_slot(p);      /* ended already */
	}
	spin_unlock(&proc_lock, irq);
}

int proc_reap(int pid)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct proc *p = proc_find(pid);
	int status = -LX_ECHILD;

	if (p && p->state == PROC_ZOMBIE && !p->root) {
		status = p->exit_status;
		free_slot(p);
	}
	spin_unlock(&proc_lock, irq);
	return status;
}

const char *proc_exe_path(const char *path)
{
	return strcmp(path, PROC_SELF_EXE) ? path : proc_current()->exe;
}

/* ---- system calls that need the table ---------------------------------------------- */

int proc_execve(const char *path, const char *const *argv, int argc,
		const char *const *envp, int envc)
{
	struct proc *p = proc_current();
	struct image im;
	uint64_t old = p->root;
	int err = load_program(&im, path, argv, argc, envp, envc);

	if (err)
		return err;
	arch_as_destroy(old);        /* the new space is active already */
	commit_image(p, &im, path);
	arch_set_tls(0);
	arch_fpu_clean(p->fpu);      /* a new program starts from the clean state */
	arch_fpu_restore(p->fpu);
	signal_exec(&p->sig);
	for (int i = 0; i < PROC_MAX_FDS; i++) {
		if (p->fd[i] && p->cloexec[i]) {
			file_put(p->fd[i]);
			p->fd[i] = NULL;
		}
		p->cloexec[i] = false;
	}
	arch_frame_reset(p->frame, im.entry, im.sp);
	return 0;
}

int proc_fork(struct interrupt_frame *f)
{
	struct proc *p = proc_current(), *c = alloc_slot();

	if (!c)
		return -LX_EAGAIN;
	c->root = fork_copies ? arch_as_fork(p->root, &c->pages) :
				arch_as_fork_cow(p->root, &c->pages);
	if (!c->root) {
		pmm_free_run(c->kstack, PROC_KSTACK_PAGES);
		free_slot(c);
		return -LX_ENOMEM;
	}
	c->ksp = arch_user_stack_init(kstack_top(c), 0, 0, &c->frame);
	memcpy(c->frame, f, arch_frame_size);
	arch_syscall_set_return(c->frame, 0);
	c->ppid = p->pid;
	memcpy(c->name, p->name, sizeof(c->name));
	memcpy(c->cwd, p->cwd, sizeof(c->cwd));
	memcpy(c->exe, p->exe, sizeof(c->exe));
	c->brk_start = p->brk_start;
	c->brk = p->brk;
	c->mmap_next = p->mmap_next;
	c->fs_base = arch_tls();
	arch_fpu_save(c->fpu);       /* the parent's registers as they are now */
	signal_fork(&c->sig, &p->sig);
	for (int i = 0; i < PROC_MAX_FDS; i++) {
		c->fd[i] = p->fd[i] ? file_get(p->fd[i]) : NULL;
		c->cloexec[i] = p->cloexec[i];
	}
	make_runnable(c);
	return c->pid;
}

static struct proc *zombie_child(struct proc *me, int pid, bool *any)
{
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *q = &procs[i];

		if (q->state == PROC_FREE || q->ppid != me->pid || (pid > 0 && q->pid != pid))
			continue;
		*any = true;
		if (q->state == PROC_ZOMBIE && !q->root)
			return q;
	}
	return NULL;
}

int proc_wait4(int pid, uint64_t ustatus, int options)
{
	struct proc *me = proc_current(), *q;
	bool any;

	for (;;) {
		any = false;
		q = zombie_child(me, pid, &any);
		if (q) {
			int st = q->exit_status, id = q->pid;

			if (ustatus && copy_to_user(ustatus, &st, sizeof(st)))
				return -LX_EFAULT;
			free_slot(q);
			return id;
		}
		if (!any)
			return -LX_ECHILD;
		if (options & 1)        /* WNOHANG */
			return 0;
		if (me->kill_sig)       /* a zombie first, then the interruption */
			return -LX_EINTR;
		proc_sleep_on((uint64_t)me);
	}
}

/* ---- hooks from the CPU ------------------------------------------------------------- */

/* Every return to ring 3 (interrupts off): pending kill, end of the slice. */
static void on_user_return(struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	unsigned long irq;

	if (!p || (!__atomic_load_n(&p->kill_sig, __ATOMIC_RELAXED) && !cpu_self()->need_resched))
		return;
	irq = spin_lock(&proc_lock);
	for (;;) {
		if (p->kill_sig)
			signal_deliver(p, f);
		if (!(cpu_self()->need_resched & RESCHED_YIELD))
			break;
		cpu_self()->need_resched = 0;
		proc_yield();       /* a signal may come meanwhile: look again */
	}
	cpu_self()->need_resched = 0;   /* re-read: proc_yield may have moved p to another CPU */
	spin_unlock(&proc_lock, irq);
}


static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (!strncmp(s, word, n))
			return true;
	return false;
}

/* The signal Linux would send for an exception, from its report. */
static int fault_signal(const char *what)
{
	if (contains(what, "ivide") || contains(what, "floating-point"))
		return LX_SIGFPE;
	if (contains(what, "pcode"))
		return LX_SIGILL;
	if (contains(what, "out of memory"))
		return LX_SIGKILL;
	return LX_SIGSEGV;
}

static void on_user_fault(struct interrupt_frame *f, const char *what)
{
	struct proc *p = proc_current();
	uint64_t err, addr;
	unsigned long irq;

	if (!p)
		panic("proc: a ring 3 exception with no process: %s", what);
	arch_frame_trap(f, &err, &addr);
	irq = spin_lock(&proc_lock);   /* proc_exit switches away; the runner lets it go */
	if (signal_force(p, fault_signal(what), addr)) {
		spin_unlock(&proc_lock, irq);
		return;             /* its handler runs on the way out */
	}
	kprintf("proc: %d (%s) killed: %s\n", p->pid, p->name, what);
	proc_exit(LX_W_SIGNAL(fault_signal(what)));
}

/*
 * Out of memory for a copy-on-write page: the process ends on its way back
 * to ring 3. From ring 3 the process lock is taken here; from a user copy
 * inside a system call this CPU holds it already.
 */
static void on_user_kill(const char *what, bool from_ring3)
{
	struct proc *p = proc_current();
	unsigned long irq = 0;

	if (!p)
		panic("proc: %s with no process", what);
	if (from_ring3)
		irq = spin_lock(&proc_lock);
	kprintf("proc: %d (%s) killed: %s\n", p->pid, p->name, what);
	signal_post(p, LX_SIGKILL, LX_SI_KERNEL, 0, 0);   /* never blocked nor caught */
	if (from_ring3)
		spin_unlock(&proc_lock, irq);
}

/*
 * Every tick of this CPU's own timer (interrupt context): charge the
 * process running here and end its slice. Counted in the kernel's ticks
 * (the BSP's rate), so an AP's slower tick counts several.
 */
static void on_tick(void)
{
	struct cpu *c = cpu_self();
	struct proc *p = c->current;
	uint64_t hz = clock_tick_hz(), n;

	if (!p)
		return;
	n = c->tick_hz && c->tick_hz < hz ? hz / c->tick_hz : 1;
	p->ticks_user += n;
	p->slice_ticks += n;
	if (p->slice_ticks >= PROC_SLICE_TICKS)
		c->need_resched |= RESCHED_YIELD;
}

static const struct arch_user_hooks hooks = {
	.syscall = syscall_dispatch,   /* takes the process lock itself */
	.user_return = on_user_return,
	.user_fault = on_user_fault,
	.user_kill = on_user_kill,
};

void proc_init(void)
{
	unsigned long irq;
	char val[4];

	arch_user_init(&hooks);
	frame_ref_init();           /* fork shares frames copy-on-write */
	fork_copies = cmdline_get(boot_info()->cmdline, "fork.cow", val, sizeof(val)) >= 0 &&
		      !strcmp(val, "0");
	if (fork_copies)
		kprintf("proc: fork.cow=0: fork copies every page\n");
	arch_timer_set_local_tick(on_tick);
	irq = spin_lock(&proc_lock);
	spawn_runners();
	spin_unlock(&proc_lock, irq);
	if (!runners)
		panic("proc: cannot spawn the procs task");
}

/* ---- the procs command -------------------------------------------------------------- */

static const char *state_name(enum proc_state s)
{
	static const char *const names[] = { "free", "ready", "run", "sleep", "zombie" };

	return names[s];
}

void proc_list(void)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct kmalloc_stats ks;
	struct pmm_stats st;
	uint64_t ac_seen, ac_leaked;

	kprintf("  PID  PPID STATE   CPU  TICKS   PAGES NAME\n");
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = &procs[i];

		if (p->state == PROC_FREE)
			continue;
		kprintf("%5d %5d %-7s %3d %6llu %7llu %s\n", p->pid, p->ppid, state_name(p->state),
			p->cpu, (unsigned long long)p->ticks_user, (unsigned long long)p->pages, p->name);
	}
	spin_unlock(&proc_lock, irq);
	pmm_get_stats(&st);
	kmalloc_get_stats(&ks);
	/* Free frames plus the heap window's frames is constant across programs: the
	 * heap grows on demand and keeps what it mapped. */
	kprintf("frames free: %llu; heap frames: %llu; heap bytes in use: %zu; open files: %u; "
		"system calls: %llu\n", (unsigned long long)st.free,
		(unsigned long long)(ks.mapped / PAGE_SIZE), ks.heap.in_use, file_live_count(),
		(unsigned long long)syscall_total());
	kprintf("switches: %llu process to process, %llu through the procs task, %llu onto "
		"another CPU\n", (unsigned long long)switches_direct,
		(unsigned long long)switches_runner, (unsigned long long)cpu_moves);
	arch_user_ac_stats(&ac_seen, &ac_leaked);
	kprintf("smap: %llu returns to ring 3 with AC set, %llu handlers ran with AC set\n",
		(unsigned long long)ac_seen, (unsigned long long)ac_leaked);
}
