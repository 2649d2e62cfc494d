/*
 * The kernel's copy of the boot info (see boot.h). The copy's mem_map points
 * at the copied array, so no pointer into loader memory survives.
 */
#include <stdbool.h>

#include "kernel/boot.h"
#include "kernel/panic.h"
#include "lib/string.h"

static struct boot_info saved;
static struct mem_region saved_map[BOOT_MEM_MAX];
static bool have_copy;

const struct boot_info *boot_info_save(const struct boot_info *bi)
{
	if (bi->mem_count > BOOT_MEM_MAX)
		panic("boot: memory map has %u entries, the kernel keeps %u",
		      bi->mem_count, BOOT_MEM_MAX);
	memcpy(&saved, bi, sizeof(saved));
	memcpy(saved_map, bi->mem_map, bi->mem_count * sizeof(saved_map[0]));
	saved.mem_map = saved_map;
	saved.cmdline[BOOT_CMDLINE_MAX - 1] = '\0';
	have_copy = true;
	return &saved;
}

const struct boot_info *boot_info(void)
{
	return have_copy ? &saved : NULL;
}
