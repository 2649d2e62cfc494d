/*
 * Copy-on-write user pages inside arch/x86_64 (the portable side is
 * kernel/arch.h: arch_as_fork_cow, arch_user_protect): the marker bit and
 * what the page-fault handler asks. Interrupt context, interrupts off.
 */
#ifndef EMBER_ARCH_USER_COW_H
#define EMBER_ARCH_USER_COW_H

#include <stdbool.h>

#include "arch/x86_64/mmu.h"

/*
 * Bit 9 of a 4 KiB leaf is ignored by the CPU (SDM vol. 3, table 4-20):
 * Ember marks with it a user page that is logically writable but whose
 * frame may be shared, so its PTE_W is clear until the first write.
 */
#define PTE_COW (1ull << 9)

struct interrupt_frame;

/*
 * A #PF that is a write to a present copy-on-write page, from ring 3 or
 * from a user-copy instruction: the page is made private (copied, or taken
 * back writable when no one else holds its frame) and true says "retry".
 * Out of memory: the process is marked killed (SIGKILL, with a report);
 * true from ring 3 (the way back to ring 3 ends it), false from a copy
 * (its fix-up then returns -EFAULT first). False for any other fault.
 */
bool cow_fault(struct interrupt_frame *f);

#endif
