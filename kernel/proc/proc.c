/*
 * The process table (see proc.h): PROC_MAX slots, pids, look-ups, the
 * process lock, and the procs command's listing. The other proc_*.c files
 * reach the table and the lock through proc_internal.h.
 *
 * Context: every CPU. The process lock covers the table, every process's
 * fields and the file layer; the functions here that kernel tasks call
 * (proc_foreground_leaf, proc_list, proc_lock_take) take it themselves, the
 * others expect it held.
 */
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/file.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/syscall.h"
#include "lib/string.h"

struct proc proc_table[PROC_MAX];
int proc_slots_used;
static int next_pid = 1;
struct spinlock proc_lock = SPINLOCK_INIT("proc", SPIN_RANK_PROC);

struct proc *proc_find(int pid)
{
	for (int i = 0; i < PROC_MAX; i++)
		if (proc_table[i].state != PROC_FREE && proc_table[i].pid == pid)
			return &proc_table[i];
	return NULL;
}

unsigned proc_count(void)
{
	unsigned n = 0;

	for (int i = 0; i < PROC_MAX; i++)
		n += proc_table[i].state != PROC_FREE;
	return n;
}

struct proc *proc_alloc_slot(void)
{
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = &proc_table[i];

		if (p->state != PROC_FREE)
			continue;
		memset(p, 0, sizeof(*p));
		p->kstack = pmm_alloc_run(PROC_KSTACK_PAGES, PAGE_SIZE);
		if (!p->kstack)
			return NULL;
		p->pid = next_pid++;
		if (i >= proc_slots_used)
			proc_slots_used = i + 1;
		p->state = PROC_SLEEPING;   /* not runnable until set up */
		p->cwd[0] = '/';
		arch_fpu_clean(p->fpu);     /* FCW 0x37f, MXCSR 0x1f80 (fork overwrites) */
		return p;
	}
	return NULL;
}

void proc_free_slot(struct proc *p)
{
	p->state = PROC_FREE;
	p->pid = 0;
	while (proc_slots_used > 0 && proc_table[proc_slots_used - 1].state == PROC_FREE)
		proc_slots_used--;
}

unsigned long proc_lock_take(void)
{
	return spin_lock(&proc_lock);
}

void proc_lock_give(unsigned long flags)
{
	spin_unlock(&proc_lock, flags);
}

/* The most recently started live descendant of pid, or pid itself. */
int proc_foreground_leaf(int pid)
{
	unsigned long irq = spin_lock(&proc_lock);
	int leaf = pid, found;

	do {
		found = 0;
		for (int i = 0; i < PROC_MAX; i++) {
			struct proc *q = &proc_table[i];

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
	uint64_t ac_seen, ac_leaked, direct, runner, moves;

	kprintf("  PID  PPID STATE   CPU  TICKS   PAGES NAME\n");
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = &proc_table[i];

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
	proc_run_counts(&direct, &runner, &moves);
	kprintf("switches: %llu process to process, %llu through the procs task, %llu onto "
		"another CPU\n", (unsigned long long)direct, (unsigned long long)runner,
		(unsigned long long)moves);
	arch_user_ac_stats(&ac_seen, &ac_leaked);
	kprintf("smap: %llu returns to ring 3 with AC set, %llu handlers ran with AC set\n",
		(unsigned long long)ac_seen, (unsigned long long)ac_leaked);
}
