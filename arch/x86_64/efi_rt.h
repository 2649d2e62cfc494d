/*
 * UEFI runtime services after the loader's SetVirtualAddressMap (UEFI 2.10,
 * 8.4 and 2.3.4.2 for the x64 calling convention; docs/power.md). The loader
 * mapped the runtime regions at EFI_RT_BASE in a root of their own; a call
 * copies the current root, adds that one PML4 entry, switches to the copy on
 * a stack of its own with interrupts off and x87/SSE state set as the
 * specification asks, and switches back if the firmware returns.
 *
 * Context: task context, any CPU; only the reset call exists (the machine
 * is going down, so the caller's FPU state is not saved).
 */
#ifndef EMBER_ARCH_EFI_RT_H
#define EMBER_ARCH_EFI_RT_H

#include <stdbool.h>
#include <stdint.h>

/* EFI_RESET_TYPE (UEFI 2.10, 8.5.1). */
#define EFI_RESET_COLD     0
#define EFI_RESET_WARM     1
#define EFI_RESET_SHUTDOWN 2

/*
 * Whether ResetSystem can be called: 0, or why not: -E_NODEV (no runtime
 * table or the loader could not map it: the loader's reason is in
 * boot_info), -E_INVAL (the table's signature is wrong), -E_RANGE (the
 * function pointer lies outside the runtime window).
 */
int efi_rt_check(void);

/* A one-line description of the loader's result, for `power`. */
void efi_rt_describe(char *buf, unsigned size);

/* ResetSystem(type). Returns only if it could not be called or came back:
 * the reason as efi_rt_check, or -E_IO when the firmware returned. */
int efi_rt_reset(unsigned type);

#endif
