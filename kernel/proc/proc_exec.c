/*
 * Program images: a process's user pages, loading a user ELF with its
 * stack (argv, envp, auxv) into a fresh address space, and the two ways a
 * program starts: proc_spawn (a new process for the kernel) and proc_execve
 * (the current process's image replaced). The image is built in full before
 * it replaces anything, so a failure leaves the process as it was.
 *
 * Context: proc_spawn from kernel tasks (takes the process lock); the rest
 * from system calls, with the process lock held.
 */
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/frame_ref.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/file.h"
#include "kernel/proc/files.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/uelf.h"
#include "lib/string.h"

#define STACK_BUILD_BYTES (3 * PAGE_SIZE)   /* argv/envp strings, pointers, auxv */

static uint64_t rand_state = 0x9e3779b97f4a7c15ull;

/* A new program image being built, committed to a process on success. */
struct image {
	uint64_t root, pages, brk, entry, sp;
};

static uint64_t rand64(void)
{
	rand_state ^= arch_timestamp();
	rand_state ^= rand_state << 13;
	rand_state ^= rand_state >> 7;
	rand_state ^= rand_state << 17;
	return rand_state;
}

/*
 * Where a static PIE goes: UELF_PIE_BASE plus a random page offset below
 * UELF_PIE_PAGES (28 bits), from the same TSC-mixed generator as AT_RANDOM.
 * Not cryptographic: the layout differs per exec, it is not a secret.
 */
static uint64_t pie_bias(void)
{
	return UELF_PIE_BASE + (rand64() % UELF_PIE_PAGES) * PAGE_SIZE;
}

/* ---- user pages ------------------------------------------------------------------ */

/* A zeroed frame mapped at va in the active address space; its physical address or 0. */
static uint64_t map_new_page(uint64_t *pages, uint64_t va, unsigned flags)
{
	uint64_t frame;

	if (*pages >= PROC_MAX_PAGES)
		return 0;
	frame = pmm_alloc_frame();
	if (!frame)
		return 0;
	memset((void *)(DIRECT_MAP_BASE + frame), 0, PAGE_SIZE);
	if (paging_map(va, frame, PAGE_SIZE, flags | PAGE_USER)) {
		pmm_free_frame(frame);
		return 0;
	}
	++*pages;
	return frame;
}

int proc_map_zero(struct proc *p, uint64_t va, unsigned flags)
{
	if (va >= ARCH_USER_TOP || (va & (PAGE_SIZE - 1)))
		return -LX_EINVAL;
	return map_new_page(&p->pages, va, flags) ? 0 : -LX_ENOMEM;
}

void proc_unmap(struct proc *p, uint64_t va)
{
	struct page_mapping old;

	if (va < ARCH_USER_TOP && !paging_unmap(va, &old)) {
		frame_ref_drop(old.phys);     /* freed with its last holder */
		p->pages--;
	}
}

/* ---- loading a program ------------------------------------------------------ */

/* One PT_LOAD segment: fresh pages, file bytes copied in through the direct map. */
static int load_segment(struct image *im, const uint8_t *file, const struct elf_segment *s)
{
	unsigned flags = ((s->flags & ELF_PF_W) ? PAGE_WRITE : 0) |
			 ((s->flags & ELF_PF_X) ? PAGE_EXEC : 0);
	uint64_t va = s->vaddr & ~(PAGE_SIZE - 1), end = s->vaddr + s->memsz;

	for (; va < end; va += PAGE_SIZE) {
		uint64_t frame = map_new_page(&im->pages, va, flags), lo, hi;

		if (!frame)
			return -LX_ENOMEM;
		lo = va > s->vaddr ? va : s->vaddr;
		hi = va + PAGE_SIZE < s->vaddr + s->filesz ? va + PAGE_SIZE : s->vaddr + s->filesz;
		if (lo < hi)
			memcpy((void *)(DIRECT_MAP_BASE + frame + (lo - va)),
			       file + s->offset + (lo - s->vaddr), hi - lo);
	}
	if (end > im->brk)
		im->brk = end;
	return 0;
}

/* The user stack: mapped, then the argv/envp/auxv block copied into its top pages. */
static int load_stack(struct image *im, const struct uelf *prog, const char *const *argv,
		      int argc, const char *const *envp, int envc)
{
	struct uelf_stack_args a = { argv, argc, envp, envc, prog, { 0 } };
	uint64_t r0 = rand64(), r1 = rand64(), va;
	uint8_t *buf;
	struct page_mapping m;

	memcpy(a.random, &r0, 8);
	memcpy(a.random + 8, &r1, 8);
	for (va = PROC_STACK_TOP - PROC_STACK_PAGES * PAGE_SIZE; va < PROC_STACK_TOP; va += PAGE_SIZE)
		if (!map_new_page(&im->pages, va, PAGE_WRITE))
			return -LX_ENOMEM;
	buf = kmalloc(STACK_BUILD_BYTES);
	if (!buf)
		return -LX_ENOMEM;
	im->sp = uelf_build_stack(buf, STACK_BUILD_BYTES, PROC_STACK_TOP, &a);
	for (va = PROC_STACK_TOP - STACK_BUILD_BYTES; im->sp && va < PROC_STACK_TOP; va += PAGE_SIZE) {
		paging_translate(va, &m);
		memcpy((void *)(DIRECT_MAP_BASE + m.phys),
		       buf + (va - (PROC_STACK_TOP - STACK_BUILD_BYTES)), PAGE_SIZE);
	}
	kfree(buf);
	return im->sp ? 0 : -LX_E2BIG;
}

/*
 * Builds path's program in a new address space (left active on success,
 * the previous one restored on failure).
 */
static int load_program(struct image *im, const char *path, const char *const *argv, int argc,
			const char *const *envp, int envc)
{
	struct ftree_node n;
	struct uelf prog;
	const char *why;
	uint64_t prev = arch_as_current();
	int err = 0;

	memset(im, 0, sizeof(*im));
	if (files_lookup(path, &n))
		return -LX_ENOENT;
	if (n.type != FTREE_FILE)
		return -LX_EACCES;
	if (uelf_check_at(n.data, n.size, pie_bias(), &prog, &why)) {
		kprintf("exec: %s: not a program Ember runs: %s\n", path, why);
		return -LX_ENOEXEC;
	}
	im->root = arch_as_new();
	if (!im->root)
		return -LX_ENOMEM;
	arch_as_activate(im->root);
	for (unsigned i = 0; i < prog.img.count && !err; i++)
		err = load_segment(im, n.data, &prog.img.seg[i]);
	if (!err)
		err = load_stack(im, &prog, argv, argc, envp, envc);
	if (err) {
		arch_as_activate(prev);
		arch_as_destroy(im->root);
		return err;
	}
	im->brk = (im->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	im->entry = prog.img.entry;
	return 0;
}

static void set_name(struct proc *p, const char *path)
{
	const char *base = path;

	for (const char *s = path; *s; s++)
		if (*s == '/' && s[1])
			base = s + 1;
	size_t n = strnlen(base, PROC_NAME_MAX - 1);

	memcpy(p->name, base, n);
	p->name[n] = '\0';
}

static void commit_image(struct proc *p, const struct image *im, const char *path)
{
	size_t n = strnlen(path, sizeof(p->exe) - 1);

	memmove(p->exe, path, n);    /* path may be p->exe itself (execve of /proc/self/exe) */
	p->exe[n] = '\0';
	p->root = im->root;
	p->pages = im->pages;
	p->brk_start = p->brk = im->brk;
	p->mmap_next = PROC_MMAP_BASE;
	p->fs_base = 0;
	set_name(p, path);
}

/* ---- starting one ------------------------------------------------------------ */

/* The console as p's descriptors 0-2; false when there is none (out of memory). */
static bool give_console(struct proc *p)
{
	struct file *con = file_console();

	if (!con)
		return false;
	p->fd[0] = con;
	p->fd[1] = file_get(con);
	p->fd[2] = file_get(con);
	return true;
}

/* proc_spawn with the process lock held: the new pid, or a negative errno and nothing kept. */
static int spawn_locked(const char *path, const char *const *argv, int argc,
			const char *const *envp, int envc)
{
	struct proc *p = proc_alloc_slot();
	struct image im;
	int err;

	if (!p)
		return -LX_EAGAIN;
	err = load_program(&im, path, argv, argc, envp, envc);
	if (!err) {
		arch_as_activate(0);          /* built in its own space: back to the kernel's */
		if (!give_console(p)) {
			arch_as_destroy(im.root);
			err = -LX_ENOMEM;
		}
	}
	if (err) {
		pmm_free_run(p->kstack, PROC_KSTACK_PAGES);
		proc_free_slot(p);
		return err;
	}
	commit_image(p, &im, path);
	p->reaped_by_kernel = true;
	p->ksp = arch_user_stack_init(proc_kstack_top(p), im.entry, im.sp, &p->frame);
	proc_make_runnable(p);
	return p->pid;
}

int proc_spawn(const char *path, const char *const *argv, int argc,
	       const char *const *envp, int envc)
{
	unsigned long irq = spin_lock(&proc_lock);
	int pid = spawn_locked(path, argv, argc, envp, envc);

	spin_unlock(&proc_lock, irq);
	return pid;
}

const char *proc_exe_path(const char *path)
{
	return strcmp(path, PROC_SELF_EXE) ? path : proc_current()->exe;
}

int proc_execve(const char *path, const char *const *argv, int argc,
		const char *const *envp, int envc)
{
	struct proc *p = proc_current();
	struct image im;
	uint64_t old = p->root;
	int err = load_program(&im, path, argv, argc, envp, envc);

	if (err)
		return err;
	arch_as_destroy(old);        /* the new space is active already */
	commit_image(p, &im, path);
	arch_set_tls(0);
	arch_fpu_clean(p->fpu);      /* a new program starts from the clean state */
	arch_fpu_restore(p->fpu);
	signal_exec(&p->sig);
	for (int i = 0; i < PROC_MAX_FDS; i++) {
		if (p->fd[i] && p->cloexec[i]) {
			file_put(p->fd[i]);
			p->fd[i] = NULL;
		}
		p->cloexec[i] = false;
	}
	arch_frame_reset(p->frame, im.entry, im.sp);
	return 0;
}
