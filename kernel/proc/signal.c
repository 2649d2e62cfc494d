/*
 * Signals (see signal.h): posting, the default actions, delivery to a
 * handler through a Linux rt_sigframe on the user stack, and the three
 * system calls rt_sigaction, rt_sigprocmask and rt_sigreturn.
 * Interrupts off throughout (the process table's lock).
 */
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/syscall.h"
#include "kernel/proc/uaccess.h"
#include "kernel/smp/percpu.h"
#include "lib/string.h"

#define REG_RSP 15
#define REG_RAX 13
#define DEFAULT_IGNORED (SIG_BIT(LX_SIGCHLD) | SIG_BIT(LX_SIGCONT) | SIG_BIT(LX_SIGURG) | \
			 SIG_BIT(LX_SIGWINCH) | SIG_BIT(LX_SIGSTOP) | SIG_BIT(LX_SIGTSTP) | \
			 SIG_BIT(LX_SIGTTIN) | SIG_BIT(LX_SIGTTOU))

static bool valid_sig(uint64_t sig)
{
	return sig >= 1 && sig <= SIG_MAX;
}

/* Would the action drop sig at once (SIG_IGN, or a default that ignores)? */
static bool ignored(const struct sig_state *s, int sig)
{
	uint64_t h = s->act[sig - 1].handler;

	return h == LX_SIG_IGN || (h == LX_SIG_DFL && (DEFAULT_IGNORED & SIG_BIT(sig)));
}

void signal_recalc(struct proc *p)
{
	uint64_t ready = p->sig.pending & ~p->sig.blocked;

	p->kill_sig = ready ? __builtin_ctzll(ready) + 1 : 0;
	if (p->kill_sig && p == proc_current())
		cpu_self()->need_resched |= RESCHED_SIGNAL;
}

bool signal_post(struct proc *p, int sig, int code, int from_pid, uint64_t addr)
{
	if (!valid_sig((uint64_t)sig))
		return false;
	if (!(SIG_BIT(sig) & SIG_UNCATCHABLE) && ignored(&p->sig, sig) &&
	    !(p->sig.blocked & SIG_BIT(sig)))
		return false;     /* Linux drops an ignored signal unless it is blocked */
	p->sig.pending |= SIG_BIT(sig);
	p->sig.note[sig - 1] = (struct sig_note){ code, from_pid, addr };
	signal_recalc(p);
	return p->kill_sig != 0;
}

bool signal_force(struct proc *p, int sig, uint64_t addr)
{
	struct lx_sigaction *a = &p->sig.act[sig - 1];

	if ((p->sig.blocked & SIG_BIT(sig)) || a->handler == LX_SIG_IGN) {
		a->handler = LX_SIG_DFL;
		p->sig.blocked &= ~SIG_BIT(sig);
	}
	if (a->handler == LX_SIG_DFL)
		return false;
	signal_post(p, sig, LX_SEGV_MAPERR, 0, addr);
	return true;
}

/* Builds the frame on the user stack and points f at the handler; false if it cannot. */
static bool setup_frame(struct proc *p, struct interrupt_frame *f, int sig)
{
	const struct lx_sigaction *a = &p->sig.act[sig - 1];
	const struct sig_note *n = &p->sig.note[sig - 1];
	struct lx_rt_sigframe fr;
	struct lx_siginfo info;
	uint64_t regs[ARCH_SIGREGS], err, cr2, trap, sp;

	if (!(a->flags & LX_SA_RESTORER) || a->restorer >= ARCH_USER_TOP ||
	    a->handler >= ARCH_USER_TOP)
		return false;     /* x86_64 Linux needs SA_RESTORER too */
	arch_frame_get_regs(f, regs);
	trap = arch_frame_trap(f, &err, &cr2);
	sp = sigframe_place(regs[REG_RSP]);
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = n->code;
	if (n->code == LX_SEGV_MAPERR)
		info.u.addr = n->addr;
	else
		info.u.kill.pid = n->pid;
	sigframe_build(&fr, regs, p->sig.suspended ? p->sig.saved_blocked : p->sig.blocked, &info,
		       a->restorer, trap, err, cr2);
	arch_fpu_save(p->fpu);               /* the interrupted code's, live in the CPU */
	sigframe_set_fpu(&fr, sp, (const struct lx_fpstate *)p->fpu);
	if (!sp || copy_to_user(sp, &fr, sizeof(fr)))
		return false;
	p->sig.suspended = false;            /* the frame gives the old mask back */
	arch_fpu_clean(p->fpu);              /* the handler starts clean, as on Linux */
	arch_fpu_restore(p->fpu);
	arch_frame_enter_handler(f, a->handler, sp, (uint64_t)sig,
				 sp + __builtin_offsetof(struct lx_rt_sigframe, info),
				 sp + __builtin_offsetof(struct lx_rt_sigframe, uc));
	return true;
}

/* One deliverable signal: its handler's frame, or its default action. */
static void deliver_one(struct proc *p, struct interrupt_frame *f, int sig)
{
	struct lx_sigaction *a = &p->sig.act[sig - 1];

	p->sig.pending &= ~SIG_BIT(sig);
	if (ignored(&p->sig, sig))
		return;
	if (a->handler == LX_SIG_DFL)
		proc_exit(LX_W_SIGNAL(sig));
	if (!setup_frame(p, f, sig)) {
		kprintf("proc: %d (%s) killed: no room for the frame of signal %d\n", p->pid,
			p->name, sig);
		proc_exit(LX_W_SIGNAL(LX_SIGSEGV));
	}
	p->sig.blocked |= (a->mask | ((a->flags & LX_SA_NODEFER) ? 0 : SIG_BIT(sig))) &
			  ~SIG_UNCATCHABLE;
	if (a->flags & LX_SA_RESETHAND)
		*a = (struct lx_sigaction){ 0 };
}

void signal_deliver(struct proc *p, struct interrupt_frame *f)
{
	while (p->kill_sig) {
		deliver_one(p, f, p->kill_sig);
		signal_recalc(p);
	}
	if (p->sig.suspended) {              /* no handler ran: the old mask comes back now */
		p->sig.blocked = p->sig.saved_blocked;
		p->sig.suspended = false;
		signal_recalc(p);
	}
}

void signal_exec(struct sig_state *s)
{
	for (int i = 0; i < SIG_MAX; i++)
		if (s->act[i].handler != LX_SIG_IGN)
			s->act[i] = (struct lx_sigaction){ 0 };
}

void signal_fork(struct sig_state *child, const struct sig_state *parent)
{
	memcpy(child->act, parent->act, sizeof(child->act));
	child->blocked = parent->blocked;
	child->pending = 0;
}

/* ---- system calls ------------------------------------------------------------------ */

long sys_rt_sigaction(const uint64_t a[6], struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	struct lx_sigaction act, old;

	(void)f;
	if (!valid_sig(a[0]) || a[3] != 8)
		return -LX_EINVAL;
	if (a[1] && (SIG_BIT(a[0]) & SIG_UNCATCHABLE))
		return -LX_EINVAL;
	if (a[1] && copy_from_user(&act, a[1], sizeof(act)))
		return -LX_EFAULT;
	old = p->sig.act[a[0] - 1];
	if (a[2] && copy_to_user(a[2], &old, sizeof(old)))
		return -LX_EFAULT;
	if (!a[1])
		return 0;
	act.mask &= ~SIG_UNCATCHABLE;
	p->sig.act[a[0] - 1] = act;
	if (ignored(&p->sig, (int)a[0]))   /* POSIX: setting SIG_IGN discards a pending one */
		p->sig.pending &= ~SIG_BIT(a[0]);
	signal_recalc(p);
	return 0;
}

long sys_rt_sigprocmask(const uint64_t a[6], struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	uint64_t set = 0, old = p->sig.blocked;

	(void)f;
	if (a[3] != 8)
		return -LX_EINVAL;
	if (a[1] && (a[0] > LX_SIG_SETMASK || copy_from_user(&set, a[1], sizeof(set))))
		return a[0] > LX_SIG_SETMASK ? -LX_EINVAL : -LX_EFAULT;
	if (a[2] && copy_to_user(a[2], &old, sizeof(old)))
		return -LX_EFAULT;
	if (!a[1])
		return 0;
	set &= ~SIG_UNCATCHABLE;
	if (a[0] == LX_SIG_BLOCK)
		p->sig.blocked |= set;
	else if (a[0] == LX_SIG_UNBLOCK)
		p->sig.blocked &= ~set;
	else
		p->sig.blocked = set;
	signal_recalc(p);
	return 0;
}

/*
 * rt_sigsuspend(mask, 8): sleep with mask as the blocked set until a signal that it lets
 * through is pending; always -EINTR. The old mask comes back with the handler's return
 * (its frame holds it) or, when no handler runs, on the way back to ring 3.
 */
long sys_rt_sigsuspend(const uint64_t a[6], struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	uint64_t set;

	(void)f;
	if (a[1] != 8)
		return -LX_EINVAL;
	if (copy_from_user(&set, a[0], sizeof(set)))
		return -LX_EFAULT;
	if (!p->sig.suspended)
		p->sig.saved_blocked = p->sig.blocked;
	p->sig.suspended = true;
	p->sig.blocked = set & ~SIG_UNCATCHABLE;
	signal_recalc(p);
	while (!p->kill_sig)
		proc_sleep_on((uint64_t)&p->sig);   /* only a signal wakes it */
	return -LX_EINTR;
}

/* tkill, tgkill: one thread per process, so the thread id is the pid (musl's raise). */
long sys_tkill(const uint64_t a[6], struct interrupt_frame *f)
{
	(void)f;
	return (int64_t)a[0] <= 0 ? -LX_EINVAL : proc_sys_kill((int)a[0], (int)a[1]);
}

long sys_tgkill(const uint64_t a[6], struct interrupt_frame *f)
{
	(void)f;
	if ((int64_t)a[0] <= 0 || (int64_t)a[1] <= 0)
		return -LX_EINVAL;
	return a[0] != a[1] ? -LX_ESRCH : proc_sys_kill((int)a[1], (int)a[2]);
}

/*
 * The FPU state a frame names, into p->fpu (free while p runs) and the
 * CPU: copied into the kernel first, MXCSR cut to what the CPU accepts, so
 * no frame can make FXRSTOR fault; NULL gives the clean state. -1 when the
 * pointer is outside the user half or the copy faults.
 */
static int restore_fpu(struct proc *p, const struct lx_rt_sigframe *fr)
{
	struct lx_fpstate *fx = (struct lx_fpstate *)p->fpu;
	uint64_t va;

	if (sigframe_fpu_source(fr, &va))
		return -1;
	if (!va)
		sigframe_fpu_clean(fx);
	else if (copy_from_user(fx, va, sizeof(*fx)))
		return -1;
	sigframe_fpu_sanitize(fx, arch_fpu_mxcsr_mask());
	arch_fpu_restore(fx);
	return 0;
}

/*
 * The handler returned through its restorer: the frame sits where the
 * return address was popped from. A frame that does not check out ends the
 * process with SIGSEGV; one that does takes effect through IRETQ.
 */
long sys_rt_sigreturn(const uint64_t a[6], struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	struct lx_rt_sigframe fr;
	uint64_t regs[ARCH_SIGREGS], mask;

	(void)a;
	arch_frame_get_regs(f, regs);
	if (regs[REG_RSP] < 8 || copy_from_user(&fr, regs[REG_RSP] - 8, SIGFRAME_HEAD_BYTES) ||
	    sigframe_check(&fr, regs, &mask) || restore_fpu(p, &fr)) {
		kprintf("proc: %d (%s) killed: bad signal frame at 0x%llx\n", p->pid, p->name,
			(unsigned long long)regs[REG_RSP]);
		proc_exit(LX_W_SIGNAL(LX_SIGSEGV));
	}
	arch_frame_set_regs(f, regs);
	p->sig.blocked = mask;
	cpu_self()->need_resched |= RESCHED_FULL_RETURN;
	signal_recalc(p);
	return (long)regs[REG_RAX];
}
