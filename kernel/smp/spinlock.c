/*
 * Spinlocks (see spinlock.h): an atomic exchange to take, a release store to
 * give back, interrupts off in between. The waiting loop reads before it
 * retries the exchange, so waiters spin in their own cache and do not bounce
 * the line between CPUs. Debug mode keeps a stack of held locks per CPU.
 * Any context.
 */
#include "kernel/arch.h"
#include "kernel/panic.h"
#include "kernel/smp/percpu.h"
#include "kernel/smp/spinlock.h"

bool spin_debug_on;
static void (*wait_hook)(void);

void spin_set_wait_hook(void (*fn)(void))
{
	__atomic_store_n(&wait_hook, fn, __ATOMIC_RELEASE);
}

/* One turn of a wait: the arch's hook (a TLB request to serve), then pause. */
static void spin_relax(void)
{
	void (*fn)(void) = __atomic_load_n(&wait_hook, __ATOMIC_RELAXED);

	if (fn)
		fn();
	__builtin_ia32_pause();
}

void spin_init(struct spinlock *l, const char *name, unsigned rank)
{
	*l = (struct spinlock)SPINLOCK_INIT(name, (uint16_t)rank);
}

void spin_debug_set(bool on)
{
	__atomic_store_n(&spin_debug_on, on, __ATOMIC_RELEASE);
}

bool spin_debug_enabled(void)
{
	return __atomic_load_n(&spin_debug_on, __ATOMIC_RELAXED);
}

/* Before waiting: a lock this CPU holds would never come free. */
static void spin_debug_check(struct spinlock *l, struct cpu *c)
{
	const struct spinlock *top = c->nheld ? c->held[c->nheld - 1] : NULL;

	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == c->index + 1)
		panic("spin: double acquisition of %s on cpu %u", l->name, c->index);
	if (top && l->rank && top->rank && l->rank <= top->rank)
		panic("spin: lock order: %s (rank %u) taken while holding %s (rank %u) on cpu %u",
		      l->name, l->rank, top->name, top->rank, c->index);
	if (c->nheld == SPIN_DEBUG_DEPTH)
		panic("spin: cpu %u holds more than %u locks", c->index, SPIN_DEBUG_DEPTH);
}

static void spin_debug_acquired(struct spinlock *l, struct cpu *c)
{
	__atomic_store_n(&l->owner, (uint16_t)(c->index + 1), __ATOMIC_RELAXED);
	c->held[c->nheld++] = l;
}

void spin_debug_release(struct spinlock *l)
{
	struct cpu *c = cpu_self();

	if (l->owner != c->index + 1 || !c->nheld)
		panic("spin: %s released by cpu %u, held by %d", l->name, c->index,
		      (int)l->owner - 1);
	for (uint32_t i = c->nheld; i-- > 0;) {
		if (c->held[i] != l)
			continue;
		for (; i + 1 < c->nheld; i++)
			c->held[i] = c->held[i + 1];
		c->nheld--;
		break;
	}
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
}

/*
 * The lock is taken: wait with interrupts as the caller had them, so a CPU
 * that waits for a lock still answers IPIs (the holder may be waiting for
 * this CPU's TLB shootdown acknowledgement; with them off, the wait hook
 * serves it), then retry with them off.
 */
static __attribute__((noinline)) void spin_wait(struct spinlock *l, unsigned long flags)
{
	do {
		arch_irq_restore(flags);
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			spin_relax();
		arch_irq_save();
	} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
}

/* Debug mode (the fast path did not try the lock), or the exchange found it taken. */
void spin_lock_slow(struct spinlock *l, unsigned long flags)
{
	struct cpu *c;

	if (!spin_debug_on) {
		spin_wait(l, flags);
		return;
	}
	c = cpu_self();
	spin_debug_check(l, c);
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		spin_wait(l, flags);
	spin_debug_acquired(l, c);
}

bool spin_trylock(struct spinlock *l, unsigned long *flags)
{
	unsigned long f = arch_irq_save();

	if (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		arch_irq_restore(f);
		return false;
	}
	if (unlikely(spin_debug_on))
		spin_debug_acquired(l, cpu_self());
	*flags = f;
	return true;
}

bool spin_held(const struct spinlock *l)
{
	if (spin_debug_on)
		return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == cpu_self()->index + 1;
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}
