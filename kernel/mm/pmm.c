/*
 * The kernel's frame pool: the pmm core over the boot memory map, its bitmaps
 * in the first usable region that fits (claimed, so never handed out) and
 * read through the direct map. Each call holds interrupts off for its
 * duration; misuse panics with the frame's address.
 */
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/mm/pmm.h"
#include "kernel/smp/spinlock.h"
#include "lib/compiler.h"
#include "lib/errno.h"

/* Every CPU allocates: the pmm state below is under this lock. */
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm", SPIN_RANK_PMM);

static struct pmm pool;
static const struct boot_info *boot;

void pmm_init(const struct boot_info *bi)
{
	size_t bytes = pmm_core_meta_bytes(bi->mem_map, bi->mem_count);
	uint64_t home = pmm_core_find_home(bi->mem_map, bi->mem_count, bytes);
	uint64_t frames = ALIGN_UP((uint64_t)bytes, PMM_FRAME_SIZE) / PMM_FRAME_SIZE;
	uint64_t t0 = arch_timestamp();
	struct pmm_stats st;
	int err;

	if (!home)
		panic("pmm: no usable region holds the %zu bytes of frame bitmaps", bytes);
	err = pmm_core_init(&pool, bi->mem_map, bi->mem_count,
			    (void *)(DIRECT_MAP_BASE + home), bytes);
	if (!err)
		err = pmm_core_claim(&pool, home, frames);
	if (err)
		panic("pmm: cannot build the frame pool: %s", err_name(err));
	boot = bi;
	pmm_get_stats(&st);
	kprintf("pmm: %llu MiB free in %llu frames, bitmaps %zu KiB at %#llx, built in %llu us\n",
		(unsigned long long)(st.free * PMM_FRAME_SIZE >> 20),
		(unsigned long long)st.total, (bytes + 1023) / 1024, (unsigned long long)home,
		bi->tsc_hz ? (unsigned long long)((arch_timestamp() - t0) * 1000000 / bi->tsc_hz) : 0ull);
}

uint64_t pmm_alloc_frame(void)
{
	unsigned long f = spin_lock(&pmm_lock);
	uint64_t phys = pmm_core_alloc(&pool);

	spin_unlock(&pmm_lock, f);
	return phys;
}

/* Panics with the reason a free failed. */
static void free_failed(int err, uint64_t phys, uint64_t n)
{
	if (err == -E_EXIST && n == 1)
		panic("pmm: double free of frame %#llx", (unsigned long long)phys);
	if (err == -E_EXIST)
		panic("pmm: double free inside the run of %llu frames at %#llx",
		      (unsigned long long)n, (unsigned long long)phys);
	panic("pmm: free of %llu frame(s) at %#llx it never handed out (%s)",
	      (unsigned long long)n, (unsigned long long)phys, err_name(err));
}

void pmm_free_frame(uint64_t phys)
{
	pmm_free_run(phys, 1);
}

uint64_t pmm_alloc_run(uint64_t n, uint64_t align)
{
	unsigned long f = spin_lock(&pmm_lock);
	uint64_t phys = pmm_core_alloc_run(&pool, n, align);

	spin_unlock(&pmm_lock, f);
	return phys;
}

void pmm_free_run(uint64_t phys, uint64_t n)
{
	unsigned long f = spin_lock(&pmm_lock);
	int err = pmm_core_free_run(&pool, phys, n);

	spin_unlock(&pmm_lock, f);
	if (err)
		free_failed(err, phys, n);
}

uint64_t pmm_reclaim_boot_memory(void)
{
	unsigned long f;
	uint64_t added;

	ASSERT(boot != NULL);               /* pmm_init ran */
	f = spin_lock(&pmm_lock);
	added = pmm_core_reclaim(&pool, boot->mem_map, boot->mem_count);

	spin_unlock(&pmm_lock, f);
	if (added)
		kprintf("pmm: reclaimed %llu KiB of loader memory\n",
			(unsigned long long)(added * PMM_FRAME_SIZE >> 10));
	return added;
}

bool pmm_owns_frame(uint64_t phys)
{
	return pmm_core_owns(&pool, phys);
}

bool pmm_frame_is_free(uint64_t phys)
{
	return pmm_core_is_free(&pool, phys);
}

void pmm_get_stats(struct pmm_stats *out)
{
	unsigned long f = spin_lock(&pmm_lock);

	pmm_core_stats(&pool, out);
	spin_unlock(&pmm_lock, f);
}

uint64_t pmm_frame_span(void)
{
	return pool.frames;
}

int pmm_check(void)
{
	unsigned long f = spin_lock(&pmm_lock);
	int err = pmm_core_check(&pool);

	spin_unlock(&pmm_lock, f);
	return err;
}
