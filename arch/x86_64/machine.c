/*
 * The machine as the shell sees it: CPUID identification, a breakpoint,
 * reboot (FADT reset register, 8042, triple fault) and power-off (ACPI S5
 * from the FADT and \\_S5, then QEMU's fixed ports). The arch_cpu_*, arch_breakpoint, arch_reboot and
 * arch_poweroff entry points of arch.h. Task context.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/mmio.h"
#include "lib/errno.h"
#include "lib/compiler.h"
#include "lib/string.h"

#define KBC_STATUS       0x64     /* 8042 status / command port */
#define KBC_STATUS_IBF   0x02     /* input buffer full: not ready for a command */
#define KBC_CMD_RESET    0xfe     /* pulse the CPU reset line */
#define KBC_SPIN_MAX     100000
#define QEMU_ICH9_PM1A_CNT  0x604 /* q35: ICH9 PM base 0x600 + 4 */
#define QEMU_PIIX_PM1A_CNT  0xb004 /* pc: PIIX4 PM base as SeaBIOS/OVMF set it */
#define ACPI_SLP_EN_S5      0x2000 /* SLP_EN with SLP_TYP 0: QEMU's S5 */
#define PM1_SLP_EN          0x2000 /* PM1 control: SLP_EN, bit 13 */
#define PM1_SLP_MASK        0x3c00 /* SLP_TYP bits 12:10 and SLP_EN */

struct cpu_feature {
	const char *name;
	uint32_t leaf;
	uint8_t reg;    /* 1 ebx, 2 ecx, 3 edx */
	uint8_t bit;
};

static const struct cpu_feature features[] = {
	{ "fpu", 1, 3, 0 }, { "tsc", 1, 3, 4 }, { "pae", 1, 3, 6 }, { "apic", 1, 3, 9 },
	{ "pge", 1, 3, 13 }, { "pat", 1, 3, 16 }, { "sse", 1, 3, 25 }, { "sse2", 1, 3, 26 },
	{ "sse3", 1, 2, 0 }, { "ssse3", 1, 2, 9 }, { "sse4_1", 1, 2, 19 },
	{ "sse4_2", 1, 2, 20 }, { "x2apic", 1, 2, 21 }, { "popcnt", 1, 2, 23 },
	{ "aes", 1, 2, 25 }, { "xsave", 1, 2, 26 }, { "avx", 1, 2, 28 },
	{ "rdrand", 1, 2, 30 }, { "hypervisor", 1, 2, 31 },
	{ "fsgsbase", 7, 1, 0 }, { "avx2", 7, 1, 5 }, { "smep", 7, 1, 7 },
	{ "smap", 7, 1, 20 },
	{ "nx", 0x80000001, 3, 20 }, { "pdpe1gb", 0x80000001, 3, 26 },
	{ "rdtscp", 0x80000001, 3, 27 }, { "lm", 0x80000001, 3, 29 },
};

static bool cpu_has(uint32_t max_basic, uint32_t max_ext, const struct cpu_feature *f)
{
	uint32_t r[4];

	if ((f->leaf < 0x80000000 && f->leaf > max_basic) ||
	    (f->leaf >= 0x80000000 && f->leaf > max_ext))
		return false;
	cpuid(f->leaf, 0, r);
	return r[f->reg] & (1u << f->bit);
}

static void cpu_brand(char brand[49], uint32_t max_ext)
{
	uint32_t r[4];
	size_t start = 0;

	brand[0] = 0;
	if (max_ext < 0x80000004)
		return;
	for (uint32_t i = 0; i < 3; i++) {
		cpuid(0x80000002 + i, 0, r);
		memcpy(brand + 16 * i, r, 16);
	}
	brand[48] = 0;
	while (brand[start] == ' ')
		start++;
	memmove(brand, brand + start, 49 - start);
}

void arch_cpu_info(struct arch_cpu_info *out)
{
	uint32_t r[4], max_basic, max_ext, family, model;

	cpuid(0, 0, r);
	max_basic = r[0];
	memcpy(out->vendor, &r[1], 4);
	memcpy(out->vendor + 4, &r[3], 4);
	memcpy(out->vendor + 8, &r[2], 4);
	out->vendor[12] = 0;
	cpuid(1, 0, r);
	family = (r[0] >> 8) & 0xf;
	model = (r[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (r[0] >> 20) & 0xff;
	if (family >= 6)
		model |= ((r[0] >> 16) & 0xf) << 4;
	out->family = family;
	out->model = model;
	out->stepping = r[0] & 0xf;
	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	cpu_brand(out->brand, max_ext);
	out->features = 0;
	for (unsigned i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (cpu_has(max_basic, max_ext, &features[i]))
			out->features |= 1ull << i;
}

const char *arch_cpu_feature_name(unsigned i)
{
	return i < sizeof(features) / sizeof(features[0]) ? features[i].name : NULL;
}

void arch_breakpoint(void)
{
	__asm__ volatile("int3" ::: "memory");
}

/* Nothing else works: an empty IDT and an exception make a triple fault. */
static __noreturn void triple_fault(void)
{
	static const struct desc_table_ptr empty = { 0, 0 };

	cli();
	lidt(&empty);
	__asm__ volatile("int3" ::: "memory");
	for (;;)
		hlt();
}

/* Write a FADT register (I/O port or memory) of width bytes. */
static void gas_write(const struct acpi_gas *g, uint32_t v, unsigned width)
{
	volatile void *p;

	if (g->space_id == ACPI_GAS_IO && g->address <= 0xffff) {
		if (width == 1)
			outb((uint16_t)g->address, (uint8_t)v);
		else
			outw((uint16_t)g->address, (uint16_t)v);
	} else if (g->space_id == ACPI_GAS_MEMORY && (p = mmio_map(g->address, width))) {
		if (width == 1)
			*(volatile uint8_t *)p = (uint8_t)v;
		else
			*(volatile uint16_t *)p = (uint16_t)v;
	}
}

static uint16_t gas_read16(const struct acpi_gas *g)
{
	return g->space_id == ACPI_GAS_IO && g->address <= 0xffff ? inw((uint16_t)g->address) : 0;
}

static void spin(void)
{
	for (int i = 0; i < KBC_SPIN_MAX; i++)
		pause();
}

/* The FADT reset register (ACPI 4.8.3.6), if the FADT offers one. */
static void reset_fadt(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();

	if (!f || !f->reset_supported)
		return;
	kprintf("reboot: FADT reset register (%s %#llx <- %#x)\n",
		f->reset_reg.space_id == ACPI_GAS_IO ? "I/O" : "memory",
		(unsigned long long)f->reset_reg.address, f->reset_value);
	gas_write(&f->reset_reg, f->reset_value, 1);
	spin();
}

static void reset_8042(void)
{
	if (!acpi_has_8042())
		return;
	kprintf("reboot: 8042 reset line\n");
	for (int i = 0; i < KBC_SPIN_MAX && (inb(KBC_STATUS) & KBC_STATUS_IBF); i++)
		pause();
	outb(KBC_STATUS, KBC_CMD_RESET);
	spin();
}

void arch_reboot(void)
{
	cli();
	reset_fadt();
	reset_8042();
	kprintf("reboot: triple fault\n");
	triple_fault();
}

/* ACPI S5: SLP_TYP from \_S5, SLP_EN, into PM1a_CNT and PM1b_CNT (ACPI 4.8.3.2, 7.4.2). */
static void poweroff_acpi(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	uint8_t a, b;
	int err;

	if (!f || !f->pm1a_cnt.address)
		return;
	err = acpi_s5(&a, &b);
	if (err < 0) {
		kprintf("poweroff: no usable \\_S5 (%s)\n", err_name(err));
		return;
	}
	kprintf("poweroff: ACPI S5 (PM1a_CNT %#llx, SLP_TYPa %u, SLP_TYPb %u)\n",
		(unsigned long long)f->pm1a_cnt.address, a, b);
	gas_write(&f->pm1a_cnt, (gas_read16(&f->pm1a_cnt) & ~PM1_SLP_MASK) |
		  (uint16_t)((a & 7) << 10) | PM1_SLP_EN, 2);
	if (f->pm1b_cnt.address)
		gas_write(&f->pm1b_cnt, (gas_read16(&f->pm1b_cnt) & ~PM1_SLP_MASK) |
			  (uint16_t)((b & 7) << 10) | PM1_SLP_EN, 2);
	spin();
}

void arch_poweroff(void)
{
	cli();
	poweroff_acpi();
	kprintf("poweroff: QEMU's fixed PM1a ports\n");
	outw(QEMU_ICH9_PM1A_CNT, ACPI_SLP_EN_S5);
	outw(QEMU_PIIX_PM1A_CNT, ACPI_SLP_EN_S5);
	spin();
	kprintf("poweroff: nothing worked: halting\n");
	for (;;)
		hlt();
}
