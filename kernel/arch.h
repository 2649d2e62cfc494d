/*
 * The kernel's only door to the CPU and the PC: every function here is
 * implemented under arch/x86_64/. Portable kernel code includes this header
 * and never an arch header directly.
 */
#ifndef EMBER_KERNEL_ARCH_H
#define EMBER_KERNEL_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"

/*
 * The CPU state the loader handed over, recorded by arch_handoff_check() as
 * the kernel's very first act (before anything changes it), which panics if
 * the hand-off contract is broken (interrupts on, WP off, or EFER.NXE not
 * matching what CPUID offers: on a CPU without NX it stays off and pages are
 * never no-execute, so W^X then holds for writes only).
 */
struct arch_handoff_state {
	bool irq_enabled, nxe, wp;
	bool cpu_has_nx;        /* CPUID 0x80000001 EDX.NX */
	uint8_t pic_masks[2];   /* master, slave: 0xff = all lines masked */
};
void arch_handoff_check(void);
const struct arch_handoff_state *arch_handoff_state(void);

/* True when pages can be no-execute (NX present and EFER.NXE on). */
bool arch_has_nx(void);

/* Early CPU set-up after the GDT: unmap the lower half the loader left. */
void arch_early_init(const struct boot_info *bi);

/*
 * CPU exceptions: the TSS with IST stacks for #DF, NMI and #MC, then the IDT.
 * From here on every exception prints a report and panics (int3 and NMI
 * resume). Early boot, interrupts off.
 */
void arch_exceptions_init(void);

/*
 * COM1 16550 at 115200 8N1, probed (scratch register, loopback): without
 * one, arch_serial_present is false and writes go nowhere. Polled output,
 * safe in any context.
 */
void arch_serial_init(void);
void arch_serial_write(const char *s, size_t len);
bool arch_serial_present(void);
uint64_t arch_serial_bytes_sent(void);

/* Interrupt flag: save-and-disable and restore, for short critical sections. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
bool arch_irq_enabled(void);

/* Cycle counter (TSC). */
uint64_t arch_timestamp(void);

/* Stop this CPU for good (interrupts off). */
__attribute__((noreturn)) void arch_halt_forever(void);

/*
 * Leave QEMU through isa-debug-exit with status (code << 1) | 1; on a machine
 * without that device, halt. Used only by the test kernel.
 */
__attribute__((noreturn)) void arch_test_exit(unsigned code);

/*
 * Legacy VGA (PCs; many UEFI-only machines have none). present: a VGA
 * answers at its CRTC. text_mode: switch to 80x25 text in 8x16 cells
 * (leaving any Bochs/QEMU VBE mode), load font (256 glyphs of 16 one-byte
 * rows; NULL keeps the loaded one) and DAC colours 0..15 (6-bit r, g, b).
 * text_buffer: the 80x25 two-byte cells at physical 0xB8000. set_cursor:
 * the hardware cursor at cell offset, or hidden. Main flow / console only.
 */
bool arch_vga_present(void);
void arch_vga_text_mode(const uint8_t *font, const uint8_t dac[48]);
volatile uint16_t *arch_vga_text_buffer(void);
void arch_vga_set_cursor(bool visible, unsigned offset);

/*
 * Page-table look-up of a virtual address in the current address space:
 * false when it is not mapped or not canonical (then using it would fault).
 * Any context (exception reports, backtraces): no locks, no allocation.
 * Changing mappings goes through the paging API, kernel/mm/paging.h; both
 * use the one walker of arch/x86_64/mmu.h.
 */
struct arch_mapping {
	uint64_t phys;       /* physical address virt maps to */
	uint64_t page_size;  /* 4 KiB, 2 MiB or 1 GiB */
	bool writable, executable, user, write_combining;
};
bool arch_translate(uint64_t virt, struct arch_mapping *out);
/* Number of present entries in the lower half of the top-level table. */
unsigned arch_lower_half_entries(void);

/* ---- hardware interrupts, timer, input devices (docs/interrupts.md) ---- */
struct ring;

/*
 * The interrupt controllers: the I/O APICs and local APIC from the MADT, or
 * the 8259 pair (irq=pic, or no usable MADT); remapped above the exceptions,
 * every line masked until its driver starts. After the IDT and acpi_init,
 * interrupts off.
 */
void arch_irq_init(const struct boot_info *bi);
/* Set the interrupt flag: once the IDT and the controller are ready. */
void arch_irq_enable(void);
/*
 * Idle until an interrupt: call with interrupts disabled, after checking
 * there is no work; enables them and halts as one step, so an interrupt
 * that arrives after the check still wakes the CPU. Returns with interrupts
 * enabled, after the handler ran.
 */
void arch_irq_enable_and_wait(void);

/*
 * Periodic timer: the LAPIC timer (APIC mode, calibrated) or PIT channel 0.
 * arch_timer_calibrate finds the reference clock (HPET, else ACPI PM timer,
 * else PIT; clock.ref=hpet|pmtimer|pit picks one) and measures the LAPIC
 * timer against it (timer=pit keeps the PIT): 0 or -E_NODEV. Main flow,
 * after arch_irq_init. arch_timer_start: 0, -E_RANGE or -E_BUSY;
 * arch_timer_restart stops the tick and starts it at hz (tests).
 * Callbacks run from every tick in interrupt context; remove with the same
 * pair. See kernel/time/clock.h for the portable interface.
 */
#define ARCH_TIMER_MAX_CALLBACKS 8
int arch_timer_calibrate(const char *cmdline);
int arch_timer_start(unsigned hz);
int arch_timer_restart(unsigned hz);
const char *arch_timer_source(void);      /* "LAPIC timer", "PIT" or "none" */
const char *arch_timer_reference(void);   /* "HPET", "PM timer", "PIT" or "none" */
uint64_t arch_timer_ticks(void);
uint64_t arch_timer_ticks_to_ns(uint64_t ticks);
int arch_timer_add_callback(void (*fn)(void *ctx), void *ctx);
int arch_timer_remove_callback(void (*fn)(void *ctx), void *ctx);
/*
 * fn runs on every tick of every CPU's own timer (the BSP's and each AP's),
 * interrupt context, on that CPU: preemption of the process running there.
 * The CPU's rate is cpu_self()->tick_hz. One hook; NULL removes it.
 */
void arch_timer_set_local_tick(void (*fn)(void));
/* TSC cycles per second measured against the reference clock; 0 if it fails. */
uint64_t arch_tsc_measure_hz(void);

/*
 * PS/2 keyboard: bring up the controller and keyboard, then push every byte
 * the keyboard sends into scancodes from its interrupt and call notify
 * (interrupt context; NULL: none). Returns the scancode set to decode (1 or
 * 2) or -E_NODEV / -E_IO / -E_TIMEDOUT (one log line says why). Main flow,
 * interrupts off.
 */
int arch_ps2_init(struct ring *scancodes, void (*notify)(void));
/* Keyboard LEDs as a KBD_LED_* byte. 0 or a negative E_* code. Main flow. */
int arch_ps2_set_leds(uint8_t leds);

/*
 * COM1 receive: push every byte received into rx from its interrupt, then
 * call notify (interrupt context; NULL: none). 0, -E_NODEV without a UART.
 */
int arch_serial_rx_start(struct ring *rx, void (*notify)(void));
uint64_t arch_serial_bytes_received(void);

/* ---- the machine, for the shell (arch/x86_64/machine.c) ---- */

/* What CPUID says: family and model with the extended fields folded in. */
struct arch_cpu_info {
	char vendor[13];             /* "GenuineIntel", "AuthenticAMD", ... */
	char brand[49];              /* brand string, "" if the CPU has none */
	unsigned family, model, stepping;
	uint64_t features;           /* bit i: arch_cpu_feature_name(i) is present */
};
void arch_cpu_info(struct arch_cpu_info *out);
/* Name of feature bit i ("sse2", "nx", "pdpe1gb"), NULL past the last. */
const char *arch_cpu_feature_name(unsigned i);

/* Execute a breakpoint instruction: the exception handler reports, we go on. */
void arch_breakpoint(void);

/*
 * Reset the machine: UEFI ResetSystem (cold) when the loader mapped the
 * runtime services, else the FADT's reset register, else the 8042's reset
 * line (if the FADT does not say there is none), else a triple fault. Power
 * off: UEFI ResetSystem (shutdown), else ACPI S5 with PM1a/PM1b_CNT from
 * the FADT and SLP_TYP from \_S5, else QEMU's fixed PM1a ports, else halt.
 * reset=efi|acpi|kbd|triple on the command line names the first path tried.
 * Each prints the path it takes. Neither returns. Task context.
 */
__attribute__((noreturn)) void arch_reboot(void);
__attribute__((noreturn)) void arch_poweroff(void);
/* Prints which reboot and power-off paths will be tried, in order. */
void arch_power_report(void);

/* ---- PCI configuration ports (arch/x86_64/pci_port.c) ---- */

/*
 * Mechanism #1 (0xCF8/0xCFC): whether it answers, and 32-bit accesses to
 * the first 256 bytes of a function (offsets beyond read as all ones and
 * ignore writes). Any context; each access is atomic on this CPU.
 */
bool arch_pci_ports_present(void);
uint32_t arch_pci_cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
void arch_pci_cfg_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v);

/* ---- message-signalled interrupts (arch/x86_64/msi.c) ---- */

/*
 * An interrupt vector whose handler calls fn(ctx) (interrupt context), and
 * the message a device writes to raise it: write data (32 bits) to address.
 * 0, -E_NODEV (no usable local APIC: the caller polls instead), -E_NOSPC
 * (vectors used up) or -E_BUSY. Main flow or task context.
 */
struct arch_msi {
	uint64_t address;
	uint32_t data;
	unsigned vector;
};
int arch_msi_alloc(void (*fn)(void *ctx), void *ctx, struct arch_msi *out);

/* ---- FPU state of user programs (arch/x86_64/fpu.c; docs/proc.md) ---- */

/*
 * A process's x87/SSE registers while it is off the CPU: an FXSAVE image,
 * ARCH_FPU_BYTES long, ARCH_FPU_ALIGN aligned. The kernel never uses these
 * registers, so they hold the running process's state all the time.
 * cpu_init: CR0.MP/NE on, EM/TS off, CR4.OSFXSR/OSXMMEXCPT on, OSXSAVE off
 * (every CPU, from arch_user_cpu_init); init: MXCSR_MASK, once on the BSP;
 * print: one line for the cpu command (what is kept, what AVX the CPU offers).
 * save/restore: this CPU's registers to/from area; clean: the state a new
 * program starts with (FCW 0x37f, MXCSR 0x1f80, every register 0).
 * mxcsr_mask: the MXCSR bits this CPU accepts (FXRSTOR #GPs on any other).
 */
#define ARCH_FPU_BYTES 512
#define ARCH_FPU_ALIGN 16
void arch_fpu_cpu_init(void);
void arch_fpu_init(void);
void arch_fpu_print(void);
void arch_fpu_save(void *area);
void arch_fpu_restore(const void *area);
void arch_fpu_clean(void *area);
uint32_t arch_fpu_mxcsr_mask(void);

/* ---- user mode (arch/x86_64/user.c, user.S; docs/proc.md) ---- */

#define ARCH_USER_TOP   0x0000800000000000ull  /* user half: [0, ARCH_USER_TOP) */

struct interrupt_frame;   /* the saved user registers: opaque to the kernel */

/* What the process layer wants to hear from the CPU. Called with interrupts off. */
struct arch_user_hooks {
	/*
	 * A system call: the six arguments, the frame (for fork, execve,
	 * signals), the number; returns the value the caller's RAX gets. The
	 * SYSCALL stub calls it directly (no arch wrapper: the null call's
	 * budget); arguments in this order let it tail-call a handler as is.
	 */
	long (*syscall)(const uint64_t a[6], struct interrupt_frame *f, uint64_t nr);
	/* About to return to ring 3 (after a system call or an interrupt). */
	void (*user_return)(struct interrupt_frame *f);
	/* An exception in ring 3: what (a short English name), and a report line. */
	void (*user_fault)(struct interrupt_frame *f, const char *what);
	/* The kernel could not serve the current process (out of memory for a
	 * copy-on-write page): report what and end it with SIGKILL on its way
	 * back to ring 3. Interrupt context; from_ring3 false: a user copy inside a
	 * system call, which holds the process lock. */
	void (*user_kill)(const char *what, bool from_ring3);
};

/*
 * SYSCALL/SYSRET (EFER.SCE, STAR, LSTAR, FMASK), SMEP/SMAP/UMIP when CPUID
 * offers them, and the hooks. Main flow, once, after the per-CPU base.
 */
void arch_user_init(const struct arch_user_hooks *hooks);
/* Which protections are on: "smep smap umip" subset, for the banner and tests. */
void arch_user_features(bool *smep, bool *smap, bool *umip);
/*
 * SMAP inside interrupts, for tests: returns to ring 3 whose frame had
 * RFLAGS.AC set (seen), and how many of them found AC still set in the
 * kernel's handler (leaked: must stay 0). Counted only while SMAP is on.
 */
void arch_user_ac_stats(uint64_t *seen, uint64_t *leaked);

/* The stack an interrupt or SYSCALL from ring 3 lands on (this CPU). */
void arch_set_kernel_stack(uint64_t top);

/*
 * Address spaces: a root table whose kernel half is the kernel's (shared),
 * user half private and empty. 0 when out of memory. activate loads it (0:
 * the kernel's own); destroy frees every user-half table and page (the
 * caller makes sure no CPU has it loaded) and returns the frames freed.
 */
uint64_t arch_as_new(void);
void arch_as_activate(uint64_t root);
uint64_t arch_as_current(void);
uint64_t arch_as_destroy(uint64_t root);

/*
 * Frame set-up: fill the frame at f for a first entry into ring 3 at rip
 * with stack rsp (all other registers zero, interrupts on). frame_size is
 * sizeof(struct interrupt_frame). arch_user_stack_init prepares a fresh
 * kernel stack [.., top) so that arch_switch to the returned SP enters ring
 * 3 with that frame; *frame_out gets the frame (at the top).
 */
extern const size_t arch_frame_size;
uint64_t arch_user_stack_init(uint64_t top, uint64_t rip, uint64_t rsp,
			      struct interrupt_frame **frame_out);
/*
 * The lowest mapped page at or above va and below end in the current user
 * half, or end: skips absent tables whole, so it costs per table, not per
 * page, even for a range that spans the whole user half.
 */
uint64_t arch_user_next_mapped(uint64_t va, uint64_t end);

/* Reset a live frame for a fresh program (execve): like the above, in place. */
void arch_frame_reset(struct interrupt_frame *f, uint64_t rip, uint64_t rsp);
/*
 * A copy of the user half of src (every page duplicated, same permissions)
 * under a new root: fork without copy-on-write. 0 when out of memory (all
 * of the partial copy freed); *pages gets the pages copied.
 */
uint64_t arch_as_fork(uint64_t src_root, uint64_t *pages);
/*
 * fork with copy-on-write: a new root whose user half has copies of src's
 * page tables and shares src's frames (one more holder each, see
 * kernel/mm/frame_ref.h); writable pages become read-only copy-on-write in
 * both, and the first write to one, from ring 3 or through copy_to_user,
 * gives the writer a private frame. src must be the active space. 0 when
 * out of memory; *pages gets the pages the new space maps.
 */
uint64_t arch_as_fork_cow(uint64_t src_root, uint64_t *pages);
/*
 * mprotect for the user page at va in the active space: as paging_protect,
 * except that a shared frame asked to be writable stays read-only and
 * copy-on-write. 0, -E_NOENT (not mapped) or paging_protect's errors.
 */
int arch_user_protect(uint64_t va, unsigned flags);
/* Set a system call's return value (fork's child; the stub passes the arguments). */
void arch_syscall_set_return(struct interrupt_frame *f, uint64_t v);
uint64_t arch_frame_ip(const struct interrupt_frame *f);
uint64_t arch_frame_sp(const struct interrupt_frame *f);
/*
 * Signals (arch/x86_64/sigregs.c): a frame's user registers in the order of
 * Linux x86_64's struct sigcontext (r8..r15, rdi, rsi, rbp, rbx, rdx, rax,
 * rcx, rsp, rip, rflags). set forces CS/SS to the user selectors and IF on
 * (the caller has checked RIP, RSP and RFLAGS); trap gives the exception a
 * frame records (vector, error code, and the faulting address: CR2 for a
 * page fault, else RIP), or 0 for a system call or interrupt; enter_handler
 * points the frame at a handler with three arguments and DF/TF/AC clear.
 */
#define ARCH_SIGREGS 18
void arch_frame_get_regs(const struct interrupt_frame *f, uint64_t regs[ARCH_SIGREGS]);
void arch_frame_set_regs(struct interrupt_frame *f, const uint64_t regs[ARCH_SIGREGS]);
uint64_t arch_frame_trap(const struct interrupt_frame *f, uint64_t *err, uint64_t *addr);
void arch_frame_enter_handler(struct interrupt_frame *f, uint64_t rip, uint64_t rsp,
			      uint64_t a0, uint64_t a1, uint64_t a2);
/* Thread pointer (FS base, TLS): set now, and read. */
void arch_set_tls(uint64_t base);
uint64_t arch_tls(void);

/* Save this context at *save_sp and resume the one saved at new_sp. */
void arch_switch(uint64_t *save_sp, uint64_t new_sp);

/*
 * User memory: copies that turn a missing or forbidden page into -1 instead
 * of a kernel fault (exception fix-up table). The caller checks the range
 * is in the user half first (kernel/proc/uaccess.c does).
 */
long uaccess_copy(void *dst, const void *src, size_t n);
long uaccess_strncpy(char *dst, const char *src, size_t n);

/* ---- every CPU (docs/smp.md; arch/x86_64/smp.c, ipi.c) ---- */
struct cpu;

/* This CPU's struct cpu through the GS base: set once per CPU, read anywhere. */
void arch_cpu_set_self(struct cpu *c);
struct cpu *arch_cpu_self(void);
/* The local interrupt controller's id of this CPU (its APIC id). */
uint32_t arch_cpu_id(void);

/*
 * Copy the start-up trampoline to the loader's low page, map it at its own
 * address for the switch to long mode, register the IPI handlers. 0,
 * -E_NODEV (no usable page), -E_RANGE (page tables above 4 GiB), -E_NOMEM.
 * BSP, main flow, before arch_cpu_start.
 */
int arch_smp_prepare(uint64_t trampoline_phys, uint64_t tsc_hz);
/*
 * Start the processor c->apic_id with INIT-SIPI-SIPI: its own stacks (guard
 * pages below), GDT and TSS, the shared IDT, GS = c, its LAPIC; then main(c)
 * runs on it and must set c->state to CPU_ONLINE. 0 once it did, or
 * -E_TIMEDOUT / -E_NOMEM (the CPU is then left out). BSP, one at a time.
 */
int arch_cpu_start(struct cpu *c, void (*main)(struct cpu *c));
/* Remove the trampoline's identity mapping, on every CPU. */
void arch_smp_finish(void);

/* End c's halt (an IPI). Any context. */
void arch_cpu_wake(const struct cpu *c);
/* Halt every other CPU (panic). Any context, interrupts off. */
unsigned arch_stop_other_cpus(void);   /* online CPUs that did not stop in time */
/* Mean TSC cycles of an IPI to c and its answer, over rounds (0: could not). */
uint64_t arch_ipi_round_trip(const struct cpu *c, unsigned rounds);

#endif
