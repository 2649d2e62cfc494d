/*
 * Frame reference counts, the core (see frame_ref.h): one byte per frame
 * holding the holders beyond the first, updated with compare-and-swap so
 * that concurrent shares and drops never lose a count. Pure code on the
 * caller's table; no locks, no printing.
 */
#include "kernel/mm/frame_ref.h"
#include "kernel/mm/pmm.h"
#include "lib/errno.h"
#include "lib/string.h"

size_t frame_refs_bytes(uint64_t frames)
{
	return (size_t)frames;
}

void frame_refs_init(struct frame_refs *r, void *mem, uint64_t frames)
{
	r->extra = mem;
	r->frames = mem ? frames : 0;
	if (mem)
		memset(mem, 0, frame_refs_bytes(frames));
}

static uint8_t *slot(const struct frame_refs *r, uint64_t phys)
{
	uint64_t f = phys / PMM_FRAME_SIZE;

	return r->extra && f < r->frames ? &r->extra[f] : NULL;
}

int frame_refs_share(struct frame_refs *r, uint64_t phys)
{
	uint8_t *s = slot(r, phys), v;

	if (!s)
		return -E_NOENT;
	v = __atomic_load_n(s, __ATOMIC_RELAXED);
	do {
		if (v == FRAME_REF_MAX - 1)
			return -E_BUSY;
	} while (!__atomic_compare_exchange_n(s, &v, (uint8_t)(v + 1), false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return 0;
}

int frame_refs_drop(struct frame_refs *r, uint64_t phys)
{
	uint8_t *s = slot(r, phys), v;

	if (!s)
		return -E_NOENT;
	v = __atomic_load_n(s, __ATOMIC_ACQUIRE);
	do {
		if (v == 0)
			return 1;     /* the last holder: nobody else can add one now */
	} while (!__atomic_compare_exchange_n(s, &v, (uint8_t)(v - 1), false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return 0;
}

unsigned frame_refs_holders(const struct frame_refs *r, uint64_t phys)
{
	const uint8_t *s = slot(r, phys);

	return s ? 1u + __atomic_load_n(s, __ATOMIC_ACQUIRE) : 1u;
}
