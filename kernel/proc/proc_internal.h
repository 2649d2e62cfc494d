/*
 * Inside the process layer only (the proc*.c files; everyone else uses
 * proc.h): the table, its lock, and the calls between the files that split
 * the process layer by concept:
 *
 *   proc.c        the table: slots, pids, look-ups, the lock, the procs listing
 *   proc_run.c    the procs tasks: picking, loading and switching processes
 *   proc_exec.c   program images: user pages, loading an ELF, spawn, execve
 *   proc_fork.c   fork (copy-on-write, or the full copy with fork.cow=0)
 *   proc_exit.c   how processes end: exit, kill, wait and reap
 *   proc_hooks.c  what the CPU calls: return to ring 3, faults, the tick; proc_init
 *
 * Context: everything here expects the process lock held (proc_lock, see
 * proc.h), except proc_run_init and proc_fork_init (main flow, from proc_init)
 * and proc_run_counts (statistics, read without it).
 */
#ifndef EMBER_KERNEL_PROC_PROC_INTERNAL_H
#define EMBER_KERNEL_PROC_PROC_INTERNAL_H

#include <stdint.h>

#include "kernel/boot_info.h"
#include "kernel/mm/paging.h"
#include "kernel/proc/proc.h"
#include "kernel/smp/spinlock.h"

/* ---- the table (proc.c) ---- */

extern struct proc proc_table[PROC_MAX];
extern int proc_slots_used;     /* every slot at or above it is free: the scans stop there */
extern struct spinlock proc_lock;

/* A free slot with a kernel stack and a pid, SLEEPING until set up; NULL if none. */
struct proc *proc_alloc_slot(void);
/* Back to free (its memory is released already). */
void proc_free_slot(struct proc *p);

/* The top of p's kernel stack, through the direct map. */
static inline uint64_t proc_kstack_top(const struct proc *p)
{
	return DIRECT_MAP_BASE + p->kstack + PROC_KSTACK_PAGES * PAGE_SIZE;
}

/* ---- running (proc_run.c) ---- */

/* p may run: RUNNABLE, and the procs tasks are woken where that is needed. */
void proc_make_runnable(struct proc *p);
/* The first procs task (main flow: takes the lock itself; panics if none). */
void proc_run_init(void);
/* Switches since boot: process to process, through a runner, onto another CPU. */
void proc_run_counts(uint64_t *direct, uint64_t *runner, uint64_t *moves);

/* ---- fork (proc_fork.c) ---- */

/* Reference counts for copy-on-write, and fork.cow= from the command line (main flow). */
void proc_fork_init(void);

#endif
