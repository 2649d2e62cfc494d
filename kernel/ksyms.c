/*
 * Look-ups in the embedded symbol table (see ksyms.h): a binary search for
 * the last symbol at or below an address, then a bounds check against its
 * size. The table itself comes from the build.
 */
#include "kernel/ksyms.h"
#include "lib/format.h"
#include "lib/string.h"

unsigned ksyms_count(void)
{
	return ksyms_table_count;
}

/* Index of the last symbol with addr <= a, or -1 when a is below them all. */
static long last_at_or_below(uint64_t a)
{
	long lo = 0, hi = (long)ksyms_table_count - 1, found = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		if (ksyms_table[mid].addr <= a) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

bool ksyms_lookup(uint64_t addr, const char **name, uint64_t *offset)
{
	long i = last_at_or_below(addr);

	if (i < 0 || addr - ksyms_table[i].addr >= ksyms_table[i].size)
		return false;
	*name = ksyms_names + ksyms_table[i].name;
	*offset = addr - ksyms_table[i].addr;
	return true;
}

int ksyms_format(uint64_t addr, char *buf, size_t size)
{
	const char *name;
	uint64_t off;

	if (!ksyms_lookup(addr, &name, &off))
		return fmt_snprintf(buf, size, "??");
	return fmt_snprintf(buf, size, "%s+0x%llx", name, (unsigned long long)off);
}

uint64_t ksyms_address_of(const char *name)
{
	for (unsigned i = 0; i < ksyms_table_count; i++)
		if (!strcmp(ksyms_names + ksyms_table[i].name, name))
			return ksyms_table[i].addr;
	return 0;
}
