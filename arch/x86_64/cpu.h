/*
 * One-instruction wrappers for the x86_64 instructions the kernel uses, named
 * after the instruction. "memory" clobbers where the order against ordinary
 * loads and stores matters. Any context.
 */
#ifndef EMBER_ARCH_CPU_H
#define EMBER_ARCH_CPU_H

#include <stdint.h>
#include <stdbool.h>

#define RFLAGS_IF (1ul << 9)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void io_wait(void)
{
	outb(0x80, 0);   /* POST port: a harmless ~1 us delay on PC hardware */
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause"); }

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#define DEFINE_READ_CR(n) \
	static inline uint64_t read_cr##n(void) \
	{ uint64_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v) : : "memory"); return v; }
#define DEFINE_WRITE_CR(n) \
	static inline void write_cr##n(uint64_t v) \
	{ __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
DEFINE_WRITE_CR(0)
DEFINE_WRITE_CR(3)
DEFINE_WRITE_CR(4)

static inline void wbinvd(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Operand of lgdt, lidt, sgdt and sidt. */
struct desc_table_ptr {
	uint16_t limit;            /* size in bytes - 1 */
	uint64_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct desc_table_ptr) == 10, "descriptor-table operand is 10 bytes");

static inline void lidt(const struct desc_table_ptr *p)
{
	__asm__ volatile("lidt %0" : : "m"(*p) : "memory");
}

static inline void sidt(struct desc_table_ptr *p)
{
	__asm__ volatile("sidt %0" : "=m"(*p));
}

static inline void sgdt(struct desc_table_ptr *p)
{
	__asm__ volatile("sgdt %0" : "=m"(*p));
}

static inline void ltr(uint16_t selector)
{
	__asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}

/* The str instruction: the task register's selector. */
static inline uint16_t read_tr(void)
{
	uint16_t sel;
	__asm__ volatile("str %0" : "=r"(sel));
	return sel;
}

#define MSR_EFER 0xc0000080
#define MSR_PAT  0x277
#define EFER_NXE (1ull << 11)
#define CR0_WP   (1ull << 16)

#endif
