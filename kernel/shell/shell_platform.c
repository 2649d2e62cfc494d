/*
 * Shell commands about the platform: `acpi` (the ACPI tables and what the
 * MADT says). Shell task context.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/kprintf.h"
#include "kernel/shell/shell_cmds.h"

static void print_madt(const struct acpi_madt_info *m)
{
	kprintf("MADT: local APIC at %#llx, 8259 pair %s, %u skipped entries\n",
		(unsigned long long)m->lapic_phys, m->pcat_compat ? "present" : "absent",
		m->entries_skipped);
	for (unsigned i = 0; i < m->cpu_count; i++)
		kprintf("  cpu    apic id %u uid %u %s%s\n", m->cpus[i].apic_id, m->cpus[i].acpi_uid,
			m->cpus[i].enabled ? "enabled" : "online-capable",
			m->cpus[i].x2apic ? " (x2APIC entry)" : "");
	for (unsigned i = 0; i < m->ioapic_count; i++)
		kprintf("  ioapic id %u at %#x, GSI %u up\n", m->ioapics[i].id,
			m->ioapics[i].phys, m->ioapics[i].gsi_base);
	for (unsigned i = 0; i < m->override_count; i++)
		kprintf("  irq %u -> GSI %u, %s, %s\n", m->overrides[i].isa_irq, m->overrides[i].gsi,
			acpi_mps_active_low(m->overrides[i].flags) ? "active low" : "active high",
			acpi_mps_level(m->overrides[i].flags) ? "level" : "edge");
}

int shell_cmd_acpi(struct shell *sh, int argc, char **argv)
{
	const struct acpi_info *info = acpi_info();

	(void)sh, (void)argc, (void)argv;
	if (!info) {
		kprintf("acpi: no usable ACPI tables\n");
		return 0;
	}
	kprintf("ACPI %s: RSDP at %#llx, tables via %s, OEM %s\n",
		info->rsdp_revision >= 2 ? "2.0+" : "1.0", (unsigned long long)info->rsdp_phys,
		info->xsdt ? "XSDT" : "RSDT", info->oem_id);
	kprintf("sig  OEM    table id rev  length  address\n");
	for (unsigned i = 0; i < info->table_count; i++) {
		const struct acpi_table *t = &info->tables[i];

		kprintf("%-4s %-6s %-8s %3u %7u  %#llx%s\n", t->signature, t->oem_id,
			t->oem_table_id, t->revision, t->length, (unsigned long long)t->phys,
			t->valid ? "" : "  (refused)");
	}
	if (acpi_madt())
		print_madt(acpi_madt());
	return 0;
}
