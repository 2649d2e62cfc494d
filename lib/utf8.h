/*
 * UTF-8 decoding and encoding.
 *
 * The incremental decoder takes one byte at a time, so text may arrive in
 * pieces (a console write can end in the middle of a character). Malformed
 * input never stops it: each maximal ill-formed subsequence becomes one
 * U+FFFD, as Unicode recommends. Overlong forms, UTF-16 surrogates
 * (U+D800..U+DFFF) and values above U+10FFFF are rejected at the first byte
 * that proves them wrong.
 *
 * Pure: any context, no locks; a decoder belongs to one caller.
 */
#ifndef EMBER_LIB_UTF8_H
#define EMBER_LIB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xfffdu  /* U+FFFD REPLACEMENT CHARACTER */
#define UTF8_MAX_CP      0x10ffffu

/* Zero-initialised (or utf8_decoder_init) means "between characters". */
struct utf8_decoder {
	uint32_t cp;              /* bits gathered so far */
	uint8_t need;             /* continuation bytes still expected */
	uint8_t lo, hi;           /* allowed range of the next byte */
};

void utf8_decoder_init(struct utf8_decoder *d);

/*
 * Feed one byte. Returns how many code points it completed (0, 1 or 2) and
 * stores them in out[]: two when a byte both ends a broken sequence (U+FFFD)
 * and is a complete character itself.
 */
size_t utf8_feed(struct utf8_decoder *d, uint8_t byte, uint32_t out[2]);

/* End of input: true and *cp = U+FFFD if a sequence was left unfinished. */
bool utf8_flush(struct utf8_decoder *d, uint32_t *cp);

/*
 * Decode the one character at the start of buf. Returns its length in bytes
 * (1..4) and stores it in *cp, or -E_INVAL if it is malformed or cut short.
 */
int utf8_decode(const void *buf, size_t len, uint32_t *cp);

/* Encode cp into out; returns 1..4 bytes, or 0 if cp is not a scalar value. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
