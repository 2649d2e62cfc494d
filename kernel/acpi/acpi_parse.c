/*
 * ACPI table parsing (see acpi.h): the RSDP, the XSDT or RSDT, and the MADT,
 * FADT, HPET and MCFG copied into plain structs. Pure code over memory
 * reached through struct acpi_mem, so it runs unchanged in the kernel, in
 * host tests and under the fuzzer. Every table is mapped in full and its
 * checksum verified before any field past its header is read; every field is
 * read only if it lies within the table's length.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/acpi_tables.h"
#include "lib/errno.h"
#include "lib/string.h"

#define HDR_LEN   sizeof(struct acpi_sdt_header)
#define FIELD_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

static void problem(struct acpi_info *info, const char *sig, int err, const char *what)
{
	if (info->problem_count < ACPI_MAX_PROBLEMS) {
		struct acpi_problem *p = &info->problems[info->problem_count];

		memcpy(p->signature, sig, 4);
		p->signature[4] = '\0';
		p->err = err;
		p->what = what;
	}
	info->problem_count++;
}

static uint8_t sum_bytes(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void copy_str(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[n] = '\0';
}

/* ---- the RSDP and the root table ---------------------------------------------------- */

static const struct acpi_rsdp *map_rsdp(const struct acpi_mem *mem, uint64_t phys,
					struct acpi_info *info)
{
	const struct acpi_rsdp *r = mem->map(mem->ctx, phys, ACPI_RSDP_V1_LEN);

	if (!r || memcmp(r->signature, "RSD PTR ", 8) != 0) {
		problem(info, "RSDP", -E_INVAL, "no RSDP signature");
		return NULL;
	}
	if (sum_bytes((const uint8_t *)r, ACPI_RSDP_V1_LEN)) {
		problem(info, "RSDP", -E_INVAL, "bad checksum");
		return NULL;
	}
	return r;
}

/* The 2.0 part of the RSDP, or NULL if absent or broken (RSDT then). */
static const struct acpi_rsdp *map_rsdp2(const struct acpi_mem *mem, uint64_t phys,
					 const struct acpi_rsdp *r1, struct acpi_info *info)
{
	const struct acpi_rsdp *r;

	if (r1->revision < 2)
		return NULL;
	r = mem->map(mem->ctx, phys, sizeof(*r));
	if (!r || r->length < sizeof(*r) || r->length > 4096) {
		problem(info, "RSDP", -E_INVAL, "bad 2.0 length");
		return NULL;
	}
	r = mem->map(mem->ctx, phys, r->length);
	if (!r || sum_bytes((const uint8_t *)r, r->length)) {
		problem(info, "RSDP", -E_INVAL, "bad extended checksum");
		return NULL;
	}
	return r->xsdt_address ? r : NULL;
}

/*
 * Map a whole table and verify it: NULL (with a problem noted) if its header
 * or body cannot be reached, the length is absurd or the checksum is wrong.
 * expect: the signature wanted, or NULL for any.
 */
static const struct acpi_sdt_header *map_table(const struct acpi_mem *mem, uint64_t phys,
					       const char *expect, struct acpi_info *info)
{
	const struct acpi_sdt_header *h = mem->map(mem->ctx, phys, HDR_LEN);
	const char *sig = expect ? expect : "????";

	if (!h) {
		problem(info, sig, -E_RANGE, "header outside memory");
		return NULL;
	}
	if (expect && memcmp(h->signature, expect, 4) != 0) {
		problem(info, sig, -E_INVAL, "wrong signature");
		return NULL;
	}
	sig = h->signature;
	if (h->length < HDR_LEN || h->length > ACPI_MAX_TABLE_LEN) {
		problem(info, sig, -E_INVAL, "bad length");
		return NULL;
	}
	if (!mem->map(mem->ctx, phys, h->length)) {
		problem(info, sig, -E_RANGE, "length runs outside memory");
		return NULL;
	}
	if (sum_bytes((const uint8_t *)h, h->length)) {
		problem(info, sig, -E_INVAL, "bad checksum");
		return NULL;
	}
	return h;
}

/* Add a table to the list, valid or not: the shell shows both. */
static struct acpi_table *list_table(const struct acpi_mem *mem, uint64_t phys,
				     const struct acpi_sdt_header *valid, struct acpi_info *info)
{
	const struct acpi_sdt_header *h = valid ? valid : mem->map(mem->ctx, phys, HDR_LEN);
	struct acpi_table *t;

	if (info->table_count >= ACPI_MAX_TABLES) {
		problem(info, h ? h->signature : "????", -E_NOSPC, "too many tables");
		return NULL;
	}
	t = &info->tables[info->table_count++];
	memset(t, 0, sizeof(*t));
	t->phys = phys;
	t->valid = valid != NULL;
	copy_str(t->signature, h ? h->signature : "????", 4);
	if (h) {
		copy_str(t->oem_id, h->oem_id, 6);
		copy_str(t->oem_table_id, h->oem_table_id, 8);
		t->revision = h->revision;
		t->length = h->length;
	}
	return t;
}

/* ---- MADT ------------------------------------------------------------------------------ */

static bool madt_has_apic_id(const struct acpi_madt_info *m, uint32_t id)
{
	for (unsigned i = 0; i < m->cpu_count; i++)
		if (m->cpus[i].apic_id == id)
			return true;
	return false;
}

static void madt_add_cpu(struct acpi_madt_info *m, uint32_t apic_id, uint32_t uid,
			 uint32_t flags, bool x2, struct acpi_info *info)
{
	if (!(flags & 3))
		return;                        /* neither enabled nor online capable: not there */
	if (madt_has_apic_id(m, apic_id)) {
		problem(info, "APIC", -E_EXIST, "duplicate local APIC id");
		m->entries_skipped++;
		return;
	}
	if (m->cpu_count >= ACPI_MAX_CPUS) {
		problem(info, "APIC", -E_NOSPC, "more CPUs than ACPI_MAX_CPUS");
		m->entries_skipped++;
		return;
	}
	m->cpus[m->cpu_count++] = (struct acpi_cpu){
		.apic_id = apic_id, .acpi_uid = uid, .enabled = flags & 1,
		.online_capable = !(flags & 1) && (flags & 2), .x2apic = x2,
	};
}

static void madt_add_ioapic(struct acpi_madt_info *m, const struct madt_ioapic *e,
			    struct acpi_info *info)
{
	for (unsigned i = 0; i < m->ioapic_count; i++) {
		if (m->ioapics[i].id == e->ioapic_id || m->ioapics[i].phys == e->address ||
		    m->ioapics[i].gsi_base == e->gsi_base) {
			problem(info, "APIC", -E_EXIST, "duplicate I/O APIC");
			m->entries_skipped++;
			return;
		}
	}
	if (m->ioapic_count >= ACPI_MAX_IOAPICS || !e->address) {
		problem(info, "APIC", -E_NOSPC, "I/O APIC beyond limits");
		m->entries_skipped++;
		return;
	}
	m->ioapics[m->ioapic_count++] = (struct acpi_ioapic){
		.id = e->ioapic_id, .phys = e->address, .gsi_base = e->gsi_base,
	};
}

static void madt_add_override(struct acpi_madt_info *m, const struct madt_iso *e,
			      struct acpi_info *info)
{
	const char *why = NULL;

	if (e->bus != 0 || e->source >= 16)
		why = "override of a non-ISA line";
	for (unsigned i = 0; !why && i < m->override_count; i++)
		if (m->overrides[i].isa_irq == e->source)
			why = "duplicate override";
	if (!why && m->override_count >= ACPI_MAX_OVERRIDES)
		why = "too many overrides";
	if (why) {
		problem(info, "APIC", -E_INVAL, why);
		m->entries_skipped++;
		return;
	}
	m->overrides[m->override_count++] = (struct acpi_override){
		.isa_irq = e->source, .gsi = e->gsi, .flags = e->flags,
	};
}

static void madt_add_nmi(struct acpi_madt_info *m, uint32_t uid, uint16_t flags, uint8_t lint)
{
	if (m->nmi_count >= ACPI_MAX_NMIS || lint > 1) {
		m->entries_skipped++;
		return;
	}
	m->nmis[m->nmi_count++] = (struct acpi_nmi){ .acpi_uid = uid, .flags = flags, .lint = lint };
}

/* The minimum length of each entry type we read; 0 for types we skip. */
static unsigned madt_entry_min(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:          return sizeof(struct madt_lapic);
	case MADT_IOAPIC:         return sizeof(struct madt_ioapic);
	case MADT_ISO:            return sizeof(struct madt_iso);
	case MADT_LAPIC_NMI:      return sizeof(struct madt_lapic_nmi);
	case MADT_LAPIC_OVERRIDE: return sizeof(struct madt_lapic_override);
	case MADT_X2APIC:         return sizeof(struct madt_x2apic);
	case MADT_X2APIC_NMI:     return sizeof(struct madt_x2apic_nmi);
	default:                  return 0;
	}
}

static void madt_entry(struct acpi_madt_info *m, const uint8_t *p, struct acpi_info *info)
{
	const struct madt_lapic *l = (const void *)p;
	const struct madt_lapic_nmi *n = (const void *)p;
	const struct madt_lapic_override *o = (const void *)p;
	const struct madt_x2apic *x = (const void *)p;
	const struct madt_x2apic_nmi *xn = (const void *)p;

	switch (p[0]) {
	case MADT_LAPIC:      madt_add_cpu(m, l->apic_id, l->acpi_uid, l->flags, false, info); break;
	case MADT_IOAPIC:     madt_add_ioapic(m, (const void *)p, info); break;
	case MADT_ISO:        madt_add_override(m, (const void *)p, info); break;
	case MADT_LAPIC_NMI:
		madt_add_nmi(m, n->acpi_uid == 0xff ? 0xffffffffu : n->acpi_uid, n->flags, n->lint);
		break;
	case MADT_LAPIC_OVERRIDE: m->lapic_phys = o->address; break;
	case MADT_X2APIC:     madt_add_cpu(m, x->x2apic_id, x->acpi_uid, x->flags, true, info); break;
	case MADT_X2APIC_NMI: madt_add_nmi(m, xn->acpi_uid, xn->flags, xn->lint); break;
	}
}

static bool parse_madt(const struct acpi_sdt_header *h, struct acpi_info *info)
{
	const struct acpi_madt_raw *t = (const void *)h;
	struct acpi_madt_info *m = &info->madt;
	const uint8_t *p, *end = (const uint8_t *)h + h->length;

	if (h->length < sizeof(*t)) {
		problem(info, "APIC", -E_INVAL, "shorter than its fixed part");
		return false;
	}
	memset(m, 0, sizeof(*m));
	m->lapic_phys = t->lapic_address;
	m->pcat_compat = t->flags & 1;
	for (p = (const uint8_t *)(t + 1); p < end; p += p[1]) {
		if (end - p < 2 || p[1] < 2 || p[1] > end - p) {
			problem(info, "APIC", -E_INVAL, "entry runs past the table");
			break;
		}
		if (p[1] < madt_entry_min(p[0])) {
			problem(info, "APIC", -E_INVAL, "entry shorter than its type");
			m->entries_skipped++;
			continue;
		}
		madt_entry(m, p, info);
	}
	if (!m->lapic_phys || !m->cpu_count) {
		problem(info, "APIC", -E_INVAL, "no local APIC address or no CPU");
		return false;
	}
	return true;
}

/* ---- FADT ------------------------------------------------------------------------------ */

static struct acpi_gas gas(const struct acpi_gas_raw *r)
{
	return (struct acpi_gas){ r->space_id, r->bit_width, r->bit_offset, r->access_size,
				  r->address };
}

/* The 64-bit X_ register if the table has one, else the 32-bit I/O block. */
static struct acpi_gas fadt_block(const struct acpi_fadt_raw *f, size_t x_end,
				  const struct acpi_gas_raw *x, uint32_t blk, uint8_t len)
{
	if (f->hdr.length >= x_end && x->address)
		return gas(x);
	return (struct acpi_gas){ ACPI_GAS_IO, (uint8_t)(len * 8), 0, 0, blk };
}

#define FADT_HAS(f, field) ((f)->hdr.length >= FIELD_END(struct acpi_fadt_raw, field))

static bool parse_fadt(const struct acpi_sdt_header *h, struct acpi_info *info)
{
	const struct acpi_fadt_raw *f = (const void *)h;
	struct acpi_fadt_info *o = &info->fadt;

	if (!FADT_HAS(f, flags)) {
		problem(info, "FACP", -E_INVAL, "shorter than ACPI 1.0's FADT");
		return false;
	}
	memset(o, 0, sizeof(*o));
	o->revision = h->revision;
	o->flags = f->flags;
	o->sci_irq = f->sci_int;
	o->dsdt_phys = FADT_HAS(f, x_dsdt) && f->x_dsdt ? f->x_dsdt : f->dsdt;
	o->iapc_known = h->revision >= 2 && FADT_HAS(f, iapc_boot_arch);
	o->iapc_boot_arch = o->iapc_known ? f->iapc_boot_arch : 0;
	o->pm1a_cnt = fadt_block(f, FIELD_END(struct acpi_fadt_raw, x_pm1a_cnt_blk),
				 &f->x_pm1a_cnt_blk, f->pm1a_cnt_blk, f->pm1_cnt_len);
	o->pm1b_cnt = fadt_block(f, FIELD_END(struct acpi_fadt_raw, x_pm1b_cnt_blk),
				 &f->x_pm1b_cnt_blk, f->pm1b_cnt_blk, f->pm1_cnt_len);
	o->pm_tmr = fadt_block(f, FIELD_END(struct acpi_fadt_raw, x_pm_tmr_blk),
			       &f->x_pm_tmr_blk, f->pm_tmr_blk, f->pm_tmr_len);
	if (f->pm_tmr_len < 4 && !(o->pm_tmr.space_id == ACPI_GAS_MEMORY && o->pm_tmr.address))
		o->pm_tmr.address = 0;          /* PM_TMR_LEN must be 4 when there is a timer */
	o->pm_tmr_32bit = f->flags & ACPI_FADT_TMR_VAL_EXT;
	if (FADT_HAS(f, reset_value) && (f->flags & ACPI_FADT_RESET_REG_SUP) &&
	    f->reset_reg.address) {
		o->reset_supported = true;
		o->reset_reg = gas(&f->reset_reg);
		o->reset_value = f->reset_value;
	}
	return true;
}

/* ---- HPET and MCFG ---------------------------------------------------------------------- */

static bool parse_hpet(const struct acpi_sdt_header *h, struct acpi_info *info)
{
	const struct acpi_hpet_raw *t = (const void *)h;

	if (h->length < sizeof(*t) || t->base_address.space_id != ACPI_GAS_MEMORY ||
	    !t->base_address.address || (t->base_address.address & 0x3ff)) {
		problem(info, "HPET", -E_INVAL, "short, or its block is not 1 KiB-aligned memory");
		return false;
	}
	info->hpet = (struct acpi_hpet_info){
		.phys = t->base_address.address, .number = t->hpet_number,
		.min_tick = t->min_tick, .block_id = t->event_timer_block_id,
	};
	return true;
}

static bool parse_mcfg(const struct acpi_sdt_header *h, struct acpi_info *info)
{
	const struct acpi_mcfg_entry_raw *e;
	size_t n;

	if (h->length < sizeof(struct acpi_mcfg_raw)) {
		problem(info, "MCFG", -E_INVAL, "shorter than its fixed part");
		return false;
	}
	n = (h->length - sizeof(struct acpi_mcfg_raw)) / sizeof(*e);
	e = (const void *)((const uint8_t *)h + sizeof(struct acpi_mcfg_raw));
	memset(&info->mcfg, 0, sizeof(info->mcfg));
	for (size_t i = 0; i < n; i++, e++) {
		if (info->mcfg.count >= ACPI_MAX_MCFG || e->end_bus < e->start_bus || !e->base) {
			problem(info, "MCFG", -E_INVAL, "region skipped");
			continue;
		}
		info->mcfg.regions[info->mcfg.count].base = e->base;
		info->mcfg.regions[info->mcfg.count].segment = e->segment;
		info->mcfg.regions[info->mcfg.count].start_bus = e->start_bus;
		info->mcfg.regions[info->mcfg.count++].end_bus = e->end_bus;
	}
	return info->mcfg.count > 0;
}

/* ---- putting it together -------------------------------------------------------------- */

/* Hand a verified table to its parser; a second table of a kind is refused. */
static void parse_known(const struct acpi_sdt_header *h, struct acpi_info *info)
{
	static const struct {
		char sig[5];
		size_t flag;
		bool (*parse)(const struct acpi_sdt_header *h, struct acpi_info *info);
	} kinds[] = {
		{ "APIC", offsetof(struct acpi_info, have_madt), parse_madt },
		{ "FACP", offsetof(struct acpi_info, have_fadt), parse_fadt },
		{ "HPET", offsetof(struct acpi_info, have_hpet), parse_hpet },
		{ "MCFG", offsetof(struct acpi_info, have_mcfg), parse_mcfg },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		bool *have = (bool *)((char *)info + kinds[i].flag);

		if (memcmp(h->signature, kinds[i].sig, 4) != 0)
			continue;
		if (*have)
			problem(info, kinds[i].sig, -E_EXIST, "second table ignored");
		else
			*have = kinds[i].parse(h, info);
	}
}

static void visit_table(const struct acpi_mem *mem, uint64_t phys, struct acpi_info *info)
{
	const struct acpi_sdt_header *h = map_table(mem, phys, NULL, info);

	if (!list_table(mem, phys, h, info) || !h)
		return;
	parse_known(h, info);
}

/* The DSDT is not in the root table: the FADT names it. */
static void visit_dsdt(const struct acpi_mem *mem, struct acpi_info *info)
{
	uint64_t phys = info->fadt.dsdt_phys;

	if (!info->have_fadt || !phys)
		return;
	list_table(mem, phys, map_table(mem, phys, "DSDT", info), info);
}

static int parse_root(const struct acpi_mem *mem, uint64_t phys, bool x, struct acpi_info *info)
{
	const struct acpi_sdt_header *h = map_table(mem, phys, x ? "XSDT" : "RSDT", info);
	size_t width = x ? 8 : 4, n;
	const uint8_t *entries;

	if (!h)
		return -E_INVAL;
	list_table(mem, phys, h, info);
	info->xsdt = x;
	entries = (const uint8_t *)h + HDR_LEN;
	n = (h->length - HDR_LEN) / width;
	for (size_t i = 0; i < n; i++) {
		uint64_t p = 0;

		memcpy(&p, entries + i * width, width);
		if (p)
			visit_table(mem, p, info);
	}
	visit_dsdt(mem, info);
	return 0;
}

int acpi_parse(const struct acpi_mem *mem, uint64_t rsdp_phys, struct acpi_info *info)
{
	const struct acpi_rsdp *r1, *r2;

	if (!rsdp_phys) {
		problem(info, "RSDP", -E_NOENT, "the loader found no RSDP");
		return -E_NOENT;
	}
	r1 = map_rsdp(mem, rsdp_phys, info);
	if (!r1)
		return -E_INVAL;
	info->rsdp_phys = rsdp_phys;
	info->rsdp_revision = r1->revision;
	copy_str(info->oem_id, r1->oem_id, 6);
	r2 = map_rsdp2(mem, rsdp_phys, r1, info);
	if (r2 && parse_root(mem, r2->xsdt_address, true, info) == 0)
		return 0;
	if (!r1->rsdt_address)
		return -E_INVAL;
	return parse_root(mem, r1->rsdt_address, false, info);
}

/* ---- interrupt routing helpers ----------------------------------------------------------- */

uint32_t acpi_isa_irq_gsi(const struct acpi_madt_info *madt, uint8_t isa_irq, uint16_t *flags)
{
	for (unsigned i = 0; madt && i < madt->override_count; i++) {
		if (madt->overrides[i].isa_irq == isa_irq) {
			if (flags)
				*flags = madt->overrides[i].flags;
			return madt->overrides[i].gsi;
		}
	}
	if (flags)
		*flags = 0;                     /* conforms to the bus: ISA, edge, active high */
	return isa_irq;
}

bool acpi_mps_active_low(uint16_t flags)
{
	return (flags & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_ACTIVE_LOW;
}

bool acpi_mps_level(uint16_t flags)
{
	return (flags & ACPI_MPS_TRIGGER_MASK) == ACPI_MPS_LEVEL;
}
