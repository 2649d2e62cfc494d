/*
 * The kernel's own copy of the hand-off: struct boot_info and its memory map
 * copied into .bss before anything else reads them, so that the loader's
 * memory (where the originals live) can go back to the frame allocator.
 * Everything after kernel_main's first lines uses the copy. Main flow, once.
 */
#ifndef EMBER_KERNEL_BOOT_H
#define EMBER_KERNEL_BOOT_H

#include "kernel/boot_info.h"

#define BOOT_MEM_MAX 512   /* memory-map entries the kernel keeps (OVMF: ~30) */

/* Copies *bi and its map; returns the copy. Panics if the map is too long. */
const struct boot_info *boot_info_save(const struct boot_info *bi);

/* The copy, once boot_info_save() ran; else NULL. */
const struct boot_info *boot_info(void);

#endif
