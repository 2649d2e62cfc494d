/*
 * fork: the child gets a copy of the parent's address space (shared
 * copy-on-write, or copied in full with fork.cow=0 on the command line, the
 * benchmark's baseline), its registers with 0 as the call's result, its
 * descriptors, signal actions and mask, and becomes runnable.
 *
 * Context: proc_fork from the fork system call, with the process lock held;
 * proc_fork_init once, from proc_init.
 */
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/kprintf.h"
#include "kernel/mm/frame_ref.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/file.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"
#include "lib/cmdline.h"
#include "lib/string.h"

static bool fork_copies;          /* fork.cow=0: the eager full copy (the benchmark's baseline) */

void proc_fork_init(void)
{
	char val[4];

	frame_ref_init();           /* fork shares frames copy-on-write */
	fork_copies = cmdline_get(boot_info()->cmdline, "fork.cow", val, sizeof(val)) >= 0 &&
		      !strcmp(val, "0");
	if (fork_copies)
		kprintf("proc: fork.cow=0: fork copies every page\n");
}

int proc_fork(struct interrupt_frame *f)
{
	struct proc *p = proc_current(), *c = proc_alloc_slot();

	if (!c)
		return -LX_EAGAIN;
	c->root = fork_copies ? arch_as_fork(p->root, &c->pages) :
				arch_as_fork_cow(p->root, &c->pages);
	if (!c->root) {
		pmm_free_run(c->kstack, PROC_KSTACK_PAGES);
		proc_free_slot(c);
		return -LX_ENOMEM;
	}
	c->ksp = arch_user_stack_init(proc_kstack_top(c), 0, 0, &c->frame);
	memcpy(c->frame, f, arch_frame_size);
	arch_syscall_set_return(c->frame, 0);
	c->ppid = p->pid;
	memcpy(c->name, p->name, sizeof(c->name));
	memcpy(c->cwd, p->cwd, sizeof(c->cwd));
	memcpy(c->exe, p->exe, sizeof(c->exe));
	c->brk_start = p->brk_start;
	c->brk = p->brk;
	c->mmap_next = p->mmap_next;
	c->fs_base = arch_tls();
	arch_fpu_save(c->fpu);       /* the parent's registers as they are now */
	signal_fork(&c->sig, &p->sig);
	for (int i = 0; i < PROC_MAX_FDS; i++) {
		c->fd[i] = p->fd[i] ? file_get(p->fd[i]) : NULL;
		c->cloexec[i] = p->cloexec[i];
	}
	proc_make_runnable(c);
	return c->pid;
}
