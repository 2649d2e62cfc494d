/*
 * Spinlocks: busy-waiting mutual exclusion between CPUs. Taking one disables
 * interrupts on this CPU and returns the previous interrupt flag; releasing
 * puts it back, so a lock may be taken in task and interrupt context alike
 * and a holder is never interrupted by a handler that wants the same lock.
 *
 *   static struct spinlock pool_lock = SPINLOCK_INIT("pmm", SPIN_RANK_PMM);
 *   unsigned long f = spin_lock(&pool_lock);
 *   ... touch what pool_lock guards ...
 *   spin_unlock(&pool_lock, f);
 *
 * Debug mode (spin.debug=1 on the command line, or spin_debug_set(true),
 * which the test kernel's lock tests use) checks on every acquisition that
 * this CPU does not hold the lock already (a double acquisition would spin
 * for ever: it panics "spin: double acquisition of NAME on cpu N" instead),
 * and that ranked locks are taken in increasing rank (a CPU holding rank 20
 * may not take rank 10: two CPUs doing it in opposite orders deadlock), and
 * on release that the releasing CPU is the holder. Unranked locks (rank 0)
 * skip the order check. Off, the fast path costs one predictable branch.
 *
 * Context: any, once the per-CPU data is up (smp_init_bsp), which debug mode
 * needs. Locks are not recursive. Hold them briefly: never across a poll's
 * return or an idle.
 */
#ifndef EMBER_KERNEL_SPINLOCK_H
#define EMBER_KERNEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "lib/compiler.h"

struct spinlock {
	uint32_t locked;	/* 0 free, 1 held */
	uint16_t owner;		/* debug mode: holder's cpu index + 1, 0 when free */
	uint16_t rank;		/* lock order, 0 = unranked */
	const char *name;	/* for panic messages */
};

#define SPINLOCK_INIT(lname, lrank) { .locked = 0, .owner = 0, .rank = (lrank), .name = (lname) }

/* Ranks of the kernel's ranked locks: a lower rank is taken first. */
#define SPIN_RANK_PROC        5   /* the process lock: outermost (kernel/proc) */
#define SPIN_RANK_EXECUTOR   10
#define SPIN_RANK_READYQ     20
#define SPIN_RANK_TIMERS     30
#define SPIN_RANK_HEAP       40
#define SPIN_RANK_PAGING     50
#define SPIN_RANK_PMM        60
#define SPIN_RANK_CONSOLE    90   /* kprintf: innermost, anything may print */

/* Most locks one CPU may hold at once in debug mode. */
#define SPIN_DEBUG_DEPTH 8

void spin_init(struct spinlock *l, const char *name, unsigned rank);

/*
 * A function a waiting CPU calls on each turn of its wait (NULL: none). The
 * arch registers one that serves a TLB shootdown addressed to this CPU: a
 * CPU that waits with interrupts off (a system call, an interrupt handler)
 * would otherwise never acknowledge the shootdown of the lock's holder.
 */
void spin_set_wait_hook(void (*fn)(void));

/* Internals of the inline fast paths below (spinlock.c). */
extern bool spin_debug_on;
void spin_lock_slow(struct spinlock *l, unsigned long flags);
void spin_debug_release(struct spinlock *l);

/*
 * Disable interrupts, take l; returns the interrupt flag to give back.
 * Inline: uncontended, it is a call to save the flag, one exchange and
 * a test of the debug switch.
 */
static inline unsigned long spin_lock(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

	if (unlikely(spin_debug_on) ||
	    unlikely(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)))
		spin_lock_slow(l, flags);
	return flags;
}

/* Take l if it is free: true and *flags set, or false with interrupts as they were. */
bool spin_trylock(struct spinlock *l, unsigned long *flags);

/* Release l and restore the interrupt flag spin_lock returned. */
static inline void spin_unlock(struct spinlock *l, unsigned long flags)
{
	if (unlikely(spin_debug_on))
		spin_debug_release(l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

/* Whether l is held (by this CPU, in debug mode; by anyone otherwise). */
bool spin_held(const struct spinlock *l);

/* Switch the debug checks on or off. Call while this CPU holds no lock. */
void spin_debug_set(bool on);
bool spin_debug_enabled(void);

#endif
