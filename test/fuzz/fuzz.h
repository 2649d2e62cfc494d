/*
 * Helpers shared by the fuzz targets: FUZZ_CHECK for invariants (prints the
 * broken one and aborts, so libFuzzer saves the input) and a reader that
 * takes fixed-width values off the front of the input, zeros once it is
 * used up. Host-only code: built with clang, libFuzzer and the sanitizers.
 */
#ifndef EMBER_TEST_FUZZ_H
#define EMBER_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",      \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* A private heap copy of the rest of the input, so reads past it are caught. */
static inline uint8_t *fuzz_rest(struct fuzz_in *in, size_t *len)
{
	uint8_t *copy = malloc(in->left ? in->left : 1);

	for (size_t i = 0; i < in->left; i++)
		copy[i] = in->p[i];
	*len = in->left;
	in->p += in->left;
	in->left = 0;
	return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
