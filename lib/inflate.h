/*
 * DEFLATE (RFC 1951) decompression and the gzip member format (RFC 1952):
 * the loader unpacks the embedded kernel with gzip_inflate() before it
 * validates the ELF. Written from the two RFCs.
 *
 * Pure code, any context: reads nothing outside [in, in + len), writes
 * nothing outside [out, out + cap), allocates nothing (about 5 KiB of
 * tables on the caller's stack), needs no alignment. Every failure returns
 * a negative E* code and, when why is not NULL, a short static reason.
 */
#ifndef EMBER_LIB_INFLATE_H
#define EMBER_LIB_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/* The fixed parts of a gzip member (RFC 1952 section 2.3). */
#define GZIP_ID1      0x1f
#define GZIP_ID2      0x8b
#define GZIP_CM_DEFLATE 8
#define GZIP_FTEXT    0x01
#define GZIP_FHCRC    0x02
#define GZIP_FEXTRA   0x04
#define GZIP_FNAME    0x08
#define GZIP_FCOMMENT 0x10
#define GZIP_FRESERVED 0xe0
#define GZIP_HEADER_MIN  10
#define GZIP_TRAILER     8

/* What a gzip member's header and trailer say. */
struct gzip_member {
	size_t data_off;    /* first byte of the DEFLATE stream */
	uint32_t crc32;     /* trailer: CRC-32 of the uncompressed data */
	uint32_t isize;     /* trailer: its length modulo 2^32 */
};

/* CRC-32 as gzip uses it (ISO 3309, reflected 0xedb88320); start with 0. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

/*
 * Read a gzip member's header (checking the header CRC when FHCRC is set)
 * and its trailer, which are the last 8 bytes of [in, in + len).
 * Errors: -E_INVAL (not gzip, unknown flags, bad header CRC), -E_RANGE
 * (truncated header or fields).
 */
int gzip_parse(const void *in, size_t len, struct gzip_member *m, const char **why);

/*
 * Decompress one raw DEFLATE stream from in into out. *out_len gets the
 * bytes written, *in_used (if not NULL) the bytes of input the stream took,
 * rounded up to a whole byte. Errors: -E_INVAL (corrupt stream: bad block
 * type, bad code lengths, invalid symbol, distance too far back, stored
 * length mismatch), -E_RANGE (input ends inside the stream), -E_NOSPC (the
 * output does not fit in cap).
 */
int inflate_raw(const void *in, size_t len, void *out, size_t cap, size_t *out_len,
		size_t *in_used, const char **why);

/*
 * Decompress a file that is exactly one gzip member: header, stream,
 * trailer and nothing after it. The output's length must equal ISIZE and its
 * CRC-32 the trailer's. Errors as gzip_parse and inflate_raw, and -E_INVAL
 * for a CRC or length mismatch or data after the member.
 */
int gzip_inflate(const void *in, size_t len, void *out, size_t cap, size_t *out_len,
		 const char **why);

#endif
