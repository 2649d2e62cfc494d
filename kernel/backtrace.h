/*
 * Backtraces by walking the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer): each frame is {saved frame pointer, return
 * address} at the frame pointer. The walk is bounded and checks every frame
 * pointer before it reads through it: it stops on NULL, a misaligned or
 * non-canonical pointer, one that is not mapped writable, and on a chain that
 * does not climb the stack (a loop, a jump of more than BACKTRACE_MAX_STEP).
 *
 * Any context: reads memory only after arch_translate vouches for it, so a
 * corrupted chain ends the walk instead of faulting (exception reports rely
 * on this).
 */
#ifndef EMBER_KERNEL_BACKTRACE_H
#define EMBER_KERNEL_BACKTRACE_H

#include <stdbool.h>
#include <stdint.h>

#define BACKTRACE_MAX       32           /* a convenient buffer size for backtrace_walk */
#define BACKTRACE_MAX_STEP  (1ull << 20) /* no stack frame is bigger than this */
#define BACKTRACE_HEAD      16           /* printed: the innermost frames ... */
#define BACKTRACE_TAIL      8            /* ... and the outermost ones */
#define BACKTRACE_LIMIT     4096         /* frames a printed walk follows at most */

/* Return addresses of up to max frames, starting with the frame at fp. Returns how many. */
unsigned backtrace_walk(uint64_t fp, uint64_t *out, unsigned max);

/* The chain of whoever calls this: out[0] is the return address into the caller. */
unsigned backtrace_here(uint64_t *out, unsigned max);

/*
 * Print "    #i  0x...  name+0x.." for one address. A return address is looked
 * up one byte back, so a call that ends a function (a call to a noreturn
 * function) still names the caller, not whatever follows it.
 */
void backtrace_print_entry(unsigned i, uint64_t addr, bool is_return_address);

/*
 * Print the chain from fp, numbering from first. A deep chain (a runaway
 * recursion) prints its BACKTRACE_HEAD innermost and BACKTRACE_TAIL outermost
 * frames with the number skipped in between, so both the recursion and who
 * started it show. Returns the number of frames walked.
 */
unsigned backtrace_print_chain(unsigned first, uint64_t fp);

/* Print a whole backtrace: rip first (when not 0), then the chain from fp. */
void backtrace_print(uint64_t rip, uint64_t fp);

#endif
