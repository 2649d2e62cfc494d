/*
 * Local APIC driver (see lapic.h): register access in either mode, per-CPU
 * set-up, EOI, IPIs, the timer, and the spurious and error vectors.
 * Register offsets are the xAPIC ones (SDM vol. 3, table 11-1); in x2APIC
 * mode register r is MSR 0x800 + r / 16 (SDM 11.12.1.2).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/lapic.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/mm/mmio.h"
#include "kernel/panic.h"
#include "kernel/time/calibrate.h"
#include "lib/errno.h"

#define MSR_APIC_BASE      0x1b
#define APIC_BASE_BSP      (1ull << 8)
#define APIC_BASE_EXTD     (1ull << 10)    /* x2APIC mode */
#define APIC_BASE_EN       (1ull << 11)
#define APIC_BASE_ADDR     0x000ffffffffff000ull
#define MSR_X2APIC_FIRST   0x800
#define CPUID1_ECX_X2APIC  (1u << 21)
#define CPUID1_EDX_APIC    (1u << 9)

#define REG_ID         0x020
#define REG_VERSION    0x030
#define REG_TPR        0x080
#define REG_EOI        0x0b0
#define REG_SVR        0x0f0
#define REG_ESR        0x280
#define REG_ICR_LO     0x300
#define REG_ICR_HI     0x310
#define REG_LVT_TIMER  0x320
#define REG_LVT_LINT0  0x350
#define REG_LVT_LINT1  0x360
#define REG_LVT_ERROR  0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR  0x390
#define REG_TIMER_DIV  0x3e0

#define SVR_ENABLE         (1u << 8)
#define LVT_MASKED         (1u << 16)
#define LVT_PERIODIC       (1u << 17)
#define LVT_LEVEL          (1u << 15)
#define LVT_ACTIVE_LOW     (1u << 13)
#define LVT_DM_NMI         (4u << 8)
#define LVT_DM_EXTINT      (7u << 8)
#define ICR_DM_NMI         (4u << 8)       /* vector ignored: the CPU takes vector 2 */
#define ICR_DM_INIT        (5u << 8)
#define ICR_DM_STARTUP     (6u << 8)
#define ICR_PENDING        (1u << 12)      /* xAPIC delivery status */
#define ICR_ASSERT         (1u << 14)
#define ICR_ALL_BUT_SELF   (3u << 18)
#define TIMER_DIV_16       0x3
#define LVT_TSC_DEADLINE   (2u << 17)      /* timer mode 2 (SDM 11.5.4.1) */
#define MSR_TSC_DEADLINE   0x6e0
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define IPI_SPIN_MAX       1000000

static volatile uint32_t *mmio;
static bool present, x2apic, legacy_pic;
static uint64_t timer_rate;
static void (*timer_fn)(void);
static uint64_t deadline_period;   /* TSC cycles per tick in TSC-deadline mode, else 0 */
static uint64_t deadline_next;     /* the deadline armed last (the tick's CPU only) */
static struct lapic_stats stats;

static uint32_t rd(unsigned reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + reg / 16);
	return mmio[reg / 4];
}

static void wr(unsigned reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_FIRST + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

/* ---- vectors ----------------------------------------------------------------------- */

static void spurious_vector(struct interrupt_frame *f)
{
	__atomic_fetch_add(&stats.spurious, 1, __ATOMIC_RELAXED);   /* no EOI: SDM 11.9 */
}

static void error_vector(struct interrupt_frame *f)
{
	wr(REG_ESR, 0);                       /* writing latches the errors into ESR */
	stats.last_esr = rd(REG_ESR);
	__atomic_fetch_add(&stats.errors, 1, __ATOMIC_RELAXED);
	lapic_eoi();
}

/* TSC-deadline mode fires once per write of the MSR: arm the next tick. */
static void deadline_rearm(void)
{
	deadline_next = calib_next_deadline(deadline_next, deadline_period, rdtsc());
	wrmsr(MSR_TSC_DEADLINE, deadline_next);
}

static void timer_vector(struct interrupt_frame *f)
{
	__atomic_fetch_add(&stats.timer_ticks, 1, __ATOMIC_RELAXED);
	if (deadline_period)
		deadline_rearm();
	if (timer_fn)
		timer_fn();
	lapic_eoi();
}

/* ---- set-up ------------------------------------------------------------------------- */

int lapic_setup(bool x2apic_allowed)
{
	uint32_t r[4];
	uint64_t base;

	ASSERT(!arch_irq_enabled());
	cpuid(1, 0, r);
	if (!(r[3] & CPUID1_EDX_APIC))
		return -E_NODEV;
	base = rdmsr(MSR_APIC_BASE);
	x2apic = (base & APIC_BASE_EXTD) || (x2apic_allowed && (r[2] & CPUID1_ECX_X2APIC));
	if (!x2apic) {
		mmio = mmio_map(base & APIC_BASE_ADDR, 4096);
		if (!mmio)
			return -E_NOMEM;
	}
	if (interrupt_register(VEC_SPURIOUS, spurious_vector) < 0 ||
	    interrupt_register(LAPIC_VEC_ERROR, error_vector) < 0 ||
	    interrupt_register(LAPIC_VEC_TIMER, timer_vector) < 0)
		panic("lapic: APIC vectors already taken");
	present = true;
	return 0;
}

/* LINT0/1 of this CPU as the MADT's NMI entries say; LINT0 ExtINT for the 8259. */
static void init_lints(void)
{
	const struct acpi_madt_info *m = acpi_madt();
	uint32_t lint[2] = { LVT_MASKED, LVT_MASKED };
	uint32_t uid = 0xfffffffe, id = lapic_id();

	if (legacy_pic && (rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP))
		lint[0] = LVT_DM_EXTINT;
	for (unsigned i = 0; m && i < m->cpu_count; i++)
		if (m->cpus[i].apic_id == id)
			uid = m->cpus[i].acpi_uid;
	for (unsigned i = 0; m && i < m->nmi_count; i++) {
		if (m->nmis[i].acpi_uid != uid && m->nmis[i].acpi_uid != 0xffffffffu)
			continue;
		lint[m->nmis[i].lint] = LVT_DM_NMI |
			(acpi_mps_active_low(m->nmis[i].flags) ? LVT_ACTIVE_LOW : 0);
	}
	wr(REG_LVT_LINT0, lint[0]);
	wr(REG_LVT_LINT1, lint[1]);
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_EN;

	ASSERT(present);
	if (x2apic && !(base & APIC_BASE_EXTD)) {
		wrmsr(MSR_APIC_BASE, base);           /* xAPIC first, then x2APIC (SDM 11.12.5) */
		base |= APIC_BASE_EXTD;
	}
	wrmsr(MSR_APIC_BASE, base);
	wr(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
	wr(REG_TPR, 0);
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_VEC_TIMER);
	wr(REG_TIMER_DIV, TIMER_DIV_16);
	wr(REG_LVT_ERROR, LAPIC_VEC_ERROR);
	wr(REG_ESR, 0);
	init_lints();
	lapic_eoi();                              /* in case the firmware left one in service */
}

void lapic_set_legacy_pic(bool on)
{
	legacy_pic = on;
}

bool lapic_present(void)
{
	return present;
}

bool lapic_x2apic(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	return x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

/* ---- IPIs --------------------------------------------------------------------------- */

static void send_icr(uint32_t apic_id, uint32_t low)
{
	unsigned long flags = arch_irq_save();

	if (x2apic) {
		wrmsr(MSR_X2APIC_FIRST + REG_ICR_LO / 16, (uint64_t)apic_id << 32 | low);
	} else {
		for (int i = 0; i < IPI_SPIN_MAX && (rd(REG_ICR_LO) & ICR_PENDING); i++)
			pause();
		wr(REG_ICR_HI, apic_id << 24);
		wr(REG_ICR_LO, low);
	}
	arch_irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_icr(apic_id, vector);
}

void lapic_send_ipi_all_but_self(uint8_t vector)
{
	send_icr(0, ICR_ALL_BUT_SELF | vector);
}

void lapic_send_nmi_all_but_self(void)
{
	send_icr(0, ICR_ALL_BUT_SELF | ICR_DM_NMI | ICR_ASSERT);
}

void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, ICR_DM_INIT | ICR_ASSERT);
}

void lapic_send_startup(uint32_t apic_id, uint8_t page)
{
	send_icr(apic_id, ICR_DM_STARTUP | ICR_ASSERT | page);
}

bool lapic_ipi_delivered(void)
{
	return x2apic || !(rd(REG_ICR_LO) & ICR_PENDING);
}

/* ---- timer -------------------------------------------------------------------------- */

void lapic_timer_set_rate(uint64_t counts_per_s)
{
	timer_rate = counts_per_s;
}

uint64_t lapic_timer_rate(void)
{
	return timer_rate;
}

void lapic_timer_set_handler(void (*fn)(void))
{
	timer_fn = fn;
}

int lapic_timer_start(unsigned hz)
{
	uint64_t count;

	if (!present || !timer_rate)
		return -E_NODEV;
	if (hz == 0 || hz > 100000)
		return -E_RANGE;
	count = (timer_rate + hz / 2) / hz;
	if (count == 0 || count > 0xffffffffu)
		return -E_RANGE;
	wr(REG_TIMER_DIV, TIMER_DIV_16);
	wr(REG_LVT_TIMER, LVT_PERIODIC | LAPIC_VEC_TIMER);
	wr(REG_TIMER_INIT, (uint32_t)count);
	return 0;
}

bool lapic_tsc_deadline_offered(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return present && (r[2] & CPUID1_ECX_TSC_DEADLINE);
}

int lapic_timer_start_deadline(uint64_t tsc_period)
{
	if (!lapic_tsc_deadline_offered())
		return -E_NODEV;
	if (tsc_period == 0)
		return -E_RANGE;
	deadline_period = tsc_period;
	wr(REG_LVT_TIMER, LVT_TSC_DEADLINE | LAPIC_VEC_TIMER);
	/* SDM 11.5.4.1: the LVT write must be seen before the MSR write counts. */
	__asm__ volatile("mfence" ::: "memory");
	deadline_next = rdtsc() + tsc_period;
	wrmsr(MSR_TSC_DEADLINE, deadline_next);
	return 0;
}

void lapic_timer_stop(void)
{
	if (deadline_period) {
		wrmsr(MSR_TSC_DEADLINE, 0);
		deadline_period = 0;
	}
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_VEC_TIMER);
	wr(REG_TIMER_INIT, 0);
}

void lapic_timer_oneshot_masked(uint32_t count)
{
	wr(REG_TIMER_DIV, TIMER_DIV_16);
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_VEC_TIMER);
	wr(REG_TIMER_INIT, count);
}

uint32_t lapic_timer_current(void)
{
	return rd(REG_TIMER_CUR);
}

void lapic_get_stats(struct lapic_stats *out)
{
	*out = stats;
}
