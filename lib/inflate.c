/*
 * DEFLATE decompression (RFC 1951) and the gzip wrapper (RFC 1952), written
 * from the RFCs for the loader's compressed kernel; the contract is in
 * inflate.h. Pure code, any context, no allocation.
 *
 * Huffman codes are canonical (RFC 1951 section 3.2.2): a code is known by
 * how many codes each length has and its symbols in code order. Decoding
 * looks the next FAST_BITS input bits up in a table that answers every code
 * up to that length at once; longer codes (and bit patterns no code uses)
 * are walked one bit at a time through the per-length counts. Every read of
 * the input, every table index and every back-reference is bounds-checked.
 */
#include "lib/inflate.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MAX_BITS   15      /* longest code, RFC 1951 3.2.2 */
#define FAST_BITS  9       /* table lookup for codes up to this length */
#define NUM_LITLEN 288     /* 0-255 literals, 256 end, 257-285 lengths, 286-287 unused */
#define NUM_DIST   32      /* 0-29 distances, 30-31 unused */
#define NUM_CLEN   19      /* code length alphabet, 3.2.7 */
#define MAX_HLIT   286
#define MAX_HDIST  30
#define END_BLOCK  256
#define LEN_CODES  29
#define DIST_CODES 30

/* One canonical Huffman code. fast[] entries are len << 9 | symbol, 0 = slow path. */
struct huff {
	uint16_t count[MAX_BITS + 1];
	uint16_t symbol[NUM_LITLEN];
	uint16_t fast[1u << FAST_BITS];
};

/* Input bits, least significant first (3.1.1), and the output so far. */
struct inflater {
	const uint8_t *in;
	size_t len, pos;
	uint64_t buf;
	unsigned cnt;
	uint8_t *out;
	size_t cap, opos;
	const char *why;
};

/* 3.2.5: base and extra bits of length codes 257-285 and distance codes 0-29. */
static const uint16_t len_base[LEN_CODES] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[LEN_CODES] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[DIST_CODES] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
	513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[DIST_CODES] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
	8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
/* 3.2.7: the order in which code length code lengths are sent. */
static const uint8_t clen_order[NUM_CLEN] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

static int fail(struct inflater *z, int err, const char *why)
{
	z->why = why;
	return err;
}

static void bits_fill(struct inflater *z)
{
	while (z->cnt <= 56 && z->pos < z->len) {
		z->buf |= (uint64_t)z->in[z->pos++] << z->cnt;
		z->cnt += 8;
	}
}

/* The next n (<= 16) bits as a number, first bit lowest. */
static int bits_get(struct inflater *z, unsigned n, unsigned *v)
{
	if (z->cnt < n) {
		bits_fill(z);
		if (z->cnt < n)
			return fail(z, -E_RANGE, "compressed data ends early");
	}
	*v = (unsigned)(z->buf & ((1u << n) - 1));
	z->buf >>= n;
	z->cnt -= n;
	return 0;
}

static unsigned reverse_bits(unsigned code, unsigned len)
{
	unsigned r = 0;

	while (len--) {
		r = (r << 1) | (code & 1);
		code >>= 1;
	}
	return r;
}

/* Count codes per length; reject over-subscribed sets and incomplete ones
 * except a lone code of length 1 (or none), which the RFC's examples allow. */
static int huff_count(struct huff *h, const uint8_t *lens, unsigned n, int allow_incomplete)
{
	int left = 1;
	unsigned i, total = 0;

	memset(h->count, 0, sizeof(h->count));
	for (i = 0; i < n; i++)
		h->count[lens[i]]++;
	h->count[0] = 0;
	for (i = 1; i <= MAX_BITS; i++) {
		left = (left << 1) - h->count[i];
		total += h->count[i];
		if (left < 0)
			return -E_INVAL;
	}
	if (left > 0 && total != 0 && !(allow_incomplete && total == 1 && h->count[1] == 1))
		return -E_INVAL;
	return 0;
}

/* Build h from n code lengths (each 0..15; 0 = symbol unused). */
static int huff_build(struct huff *h, const uint8_t *lens, unsigned n, int allow_incomplete)
{
	uint16_t offs[MAX_BITS + 2], next[MAX_BITS + 1];
	unsigned i, code = 0;

	if (huff_count(h, lens, n, allow_incomplete))
		return -E_INVAL;
	offs[1] = 0;
	for (i = 1; i <= MAX_BITS; i++) {
		offs[i + 1] = (uint16_t)(offs[i] + h->count[i]);
		code = (code + (i > 1 ? h->count[i - 1] : 0)) << 1;
		next[i] = (uint16_t)code;
	}
	memset(h->fast, 0, sizeof(h->fast));
	for (i = 0; i < n; i++) {
		unsigned len = lens[i], r, step;

		if (!len)
			continue;
		h->symbol[offs[len]++] = (uint16_t)i;
		if (len > FAST_BITS)
			continue;
		r = reverse_bits(next[len]++, len);
		for (step = 1u << len; r < (1u << FAST_BITS); r += step)
			h->fast[r] = (uint16_t)(len << 9 | i);
	}
	return 0;
}

/* Codes longer than FAST_BITS, one bit at a time through the counts. */
static int huff_decode_slow(struct inflater *z, const struct huff *h)
{
	unsigned len, code = 0, first = 0, index = 0;
	uint64_t bits = z->buf;

	for (len = 1; len <= MAX_BITS && len <= z->cnt; len++) {
		code |= (unsigned)(bits & 1);
		bits >>= 1;
		if (code - first < h->count[len]) {
			z->buf >>= len;
			z->cnt -= len;
			return h->symbol[index + code - first];
		}
		index += h->count[len];
		first = (first + h->count[len]) << 1;
		code <<= 1;
	}
	if (len <= MAX_BITS)
		return fail(z, -E_RANGE, "compressed data ends early");
	return fail(z, -E_INVAL, "invalid Huffman code");
}

static int huff_decode(struct inflater *z, const struct huff *h)
{
	unsigned e, len;

	if (z->cnt < MAX_BITS)
		bits_fill(z);
	e = h->fast[z->buf & ((1u << FAST_BITS) - 1)];
	len = e >> 9;
	if (e && len <= z->cnt) {
		z->buf >>= len;
		z->cnt -= len;
		return (int)(e & 0x1ff);
	}
	return huff_decode_slow(z, h);
}

static int put_byte(struct inflater *z, unsigned byte)
{
	if (z->opos == z->cap)
		return fail(z, -E_NOSPC, "output larger than its buffer");
	z->out[z->opos++] = (uint8_t)byte;
	return 0;
}

/* A <length, distance> pair: copy from earlier output (3.2.3), maybe overlapping. */
static int copy_match(struct inflater *z, unsigned lsym, const struct huff *dist)
{
	unsigned extra, len, d;
	int dsym, err;

	if (lsym >= LEN_CODES)
		return fail(z, -E_INVAL, "invalid length code");
	if ((err = bits_get(z, len_extra[lsym], &extra)))
		return err;
	len = len_base[lsym] + extra;
	if ((dsym = huff_decode(z, dist)) < 0)
		return dsym;
	if (dsym >= DIST_CODES)
		return fail(z, -E_INVAL, "invalid distance code");
	if ((err = bits_get(z, dist_extra[dsym], &extra)))
		return err;
	d = dist_base[dsym] + extra;
	if (d > z->opos)
		return fail(z, -E_INVAL, "distance reaches before the start of the output");
	if (len > z->cap - z->opos)
		return fail(z, -E_NOSPC, "output larger than its buffer");
	if (d >= len) {                      /* source and destination apart */
		memcpy(z->out + z->opos, z->out + z->opos - d, len);
		z->opos += len;
		return 0;
	}
	for (; len; len--, z->opos++)        /* overlapping: a repeating pattern */
		z->out[z->opos] = z->out[z->opos - d];
	return 0;
}

/* The symbols of one Huffman-coded block, up to its end-of-block code. */
static int inflate_codes(struct inflater *z, const struct huff *lit, const struct huff *dist)
{
	int sym, err;

	for (;;) {
		if ((sym = huff_decode(z, lit)) < 0)
			return sym;
		if (sym < END_BLOCK)
			err = put_byte(z, (unsigned)sym);
		else if (sym == END_BLOCK)
			return 0;
		else
			err = copy_match(z, (unsigned)sym - END_BLOCK - 1, dist);
		if (err)
			return err;
	}
}

/* 3.2.4: byte-aligned LEN, NLEN = ~LEN, then LEN bytes as they are. */
static int inflate_stored(struct inflater *z)
{
	unsigned n, nn;
	int err;

	z->buf >>= z->cnt & 7;
	z->cnt -= z->cnt & 7;
	if ((err = bits_get(z, 16, &n)) || (err = bits_get(z, 16, &nn)))
		return err;
	if (n != (~nn & 0xffff))
		return fail(z, -E_INVAL, "stored block length check failed");
	z->pos -= z->cnt / 8;     /* give back whole bytes read ahead */
	z->buf = 0;
	z->cnt = 0;
	if (n > z->len - z->pos)
		return fail(z, -E_RANGE, "compressed data ends early");
	if (n > z->cap - z->opos)
		return fail(z, -E_NOSPC, "output larger than its buffer");
	memcpy(z->out + z->opos, z->in + z->pos, n);
	z->pos += n;
	z->opos += n;
	return 0;
}

/* 3.2.6: the fixed codes. */
static int inflate_fixed(struct inflater *z)
{
	struct huff lit, dist;
	uint8_t lens[NUM_LITLEN];
	unsigned i;

	for (i = 0; i < NUM_LITLEN; i++)
		lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
	huff_build(&lit, lens, NUM_LITLEN, 0);
	memset(lens, 5, NUM_DIST);
	huff_build(&dist, lens, NUM_DIST, 0);
	return inflate_codes(z, &lit, &dist);
}

/* 3.2.7: code lengths for HLIT + HDIST symbols, run-length coded. */
static int read_lengths(struct inflater *z, const struct huff *clen, uint8_t *lens, unsigned n)
{
	unsigned i = 0, rep, v, fill;
	int sym, err;

	while (i < n) {
		if ((sym = huff_decode(z, clen)) < 0)
			return sym;
		if (sym < 16) {
			lens[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16 && i == 0)
			return fail(z, -E_INVAL, "length repeat with no previous length");
		fill = sym == 16 ? lens[i - 1] : 0;
		err = sym == 16 ? bits_get(z, 2, &v) : sym == 17 ? bits_get(z, 3, &v) : bits_get(z, 7, &v);
		if (err)
			return err;
		rep = v + (sym == 16 ? 3 : sym == 17 ? 3 : 11);
		if (rep > n - i)
			return fail(z, -E_INVAL, "code lengths repeat past the end");
		while (rep--)
			lens[i++] = (uint8_t)fill;
	}
	return 0;
}

static int inflate_dynamic(struct inflater *z)
{
	struct huff lit, dist;
	uint8_t lens[MAX_HLIT + MAX_HDIST];
	unsigned hlit, hdist, hclen, i, v;
	int err;

	if ((err = bits_get(z, 5, &hlit)) || (err = bits_get(z, 5, &hdist)) ||
	    (err = bits_get(z, 4, &hclen)))
		return err;
	hlit += 257;
	hdist += 1;
	hclen += 4;
	if (hlit > MAX_HLIT || hdist > MAX_HDIST)
		return fail(z, -E_INVAL, "too many length or distance codes");
	memset(lens, 0, NUM_CLEN);
	for (i = 0; i < hclen; i++) {
		if ((err = bits_get(z, 3, &v)))
			return err;
		lens[clen_order[i]] = (uint8_t)v;
	}
	if (huff_build(&lit, lens, NUM_CLEN, 0))   /* lit holds the length code for now */
		return fail(z, -E_INVAL, "invalid code length code");
	if ((err = read_lengths(z, &lit, lens, hlit + hdist)))
		return err;
	if (!lens[END_BLOCK])
		return fail(z, -E_INVAL, "no end-of-block code");
	if (huff_build(&lit, lens, hlit, 1))
		return fail(z, -E_INVAL, "invalid literal/length code lengths");
	if (huff_build(&dist, lens + hlit, hdist, 1))
		return fail(z, -E_INVAL, "invalid distance code lengths");
	return inflate_codes(z, &lit, &dist);
}

int inflate_raw(const void *in, size_t len, void *out, size_t cap, size_t *out_len,
		size_t *in_used, const char **why)
{
	struct inflater z = { .in = in, .len = len, .out = out, .cap = cap, .why = "" };
	unsigned final = 0, type;
	int err = 0;

	while (!final && !err) {
		if ((err = bits_get(&z, 1, &final)) || (err = bits_get(&z, 2, &type)))
			break;
		if (type == 0)
			err = inflate_stored(&z);
		else if (type == 1)
			err = inflate_fixed(&z);
		else if (type == 2)
			err = inflate_dynamic(&z);
		else
			err = fail(&z, -E_INVAL, "reserved block type");
	}
	*out_len = z.opos;
	if (in_used)
		*in_used = z.pos - z.cnt / 8;
	if (why)
		*why = err ? z.why : "";
	return err;
}

#define CRC32_POLY 0xedb88320u   /* x^32 + x^26 + ... + 1, bit-reversed */

/*
 * CRC-32 a byte at a time through a 256-entry table built on the stack for
 * each call (about 10,000 instructions): a kilobyte less in BOOTX64.EFI than
 * a constant table, and half the work per byte of a 16-entry one.
 */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t table[256], c;
	unsigned i, k;

	for (i = 0; i < 256; i++) {
		for (c = i, k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32_POLY & -(c & 1));
		table[i] = c;
	}
	crc = ~crc;
	while (len--)
		crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
	return ~crc;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Skip a zero-terminated field (FNAME, FCOMMENT) that must end before end. */
static int skip_string(const uint8_t *p, size_t *pos, size_t end)
{
	while (*pos < end && p[*pos])
		(*pos)++;
	if (*pos == end)
		return -E_RANGE;
	(*pos)++;
	return 0;
}

/* RFC 1952 2.3: the optional fields, in their order; *pos at the first. */
static int gzip_fields(const uint8_t *p, unsigned flg, size_t *pos, size_t end, const char **why)
{
	*why = "gzip header fields run into the trailer";
	if (flg & GZIP_FEXTRA) {
		size_t xlen;

		if (end - *pos < 2)
			return -E_RANGE;
		xlen = (size_t)p[*pos] | (size_t)p[*pos + 1] << 8;
		*pos += 2;
		if (end - *pos < xlen)
			return -E_RANGE;
		*pos += xlen;
	}
	if ((flg & GZIP_FNAME) && skip_string(p, pos, end))
		return -E_RANGE;
	if ((flg & GZIP_FCOMMENT) && skip_string(p, pos, end))
		return -E_RANGE;
	if (flg & GZIP_FHCRC) {
		if (end - *pos < 2)
			return -E_RANGE;
		*why = "gzip header CRC mismatch";
		if ((crc32_update(0, p, *pos) & 0xffff) != ((unsigned)p[*pos] | (unsigned)p[*pos + 1] << 8))
			return -E_INVAL;
		*pos += 2;
	}
	return 0;
}

int gzip_parse(const void *in, size_t len, struct gzip_member *m, const char **why)
{
	const uint8_t *p = in;
	const char *reason = "";
	size_t pos = GZIP_HEADER_MIN, end;
	int err = -E_INVAL;

	memset(m, 0, sizeof(*m));
	if (len < GZIP_HEADER_MIN + GZIP_TRAILER) {
		reason = "too short for a gzip header and trailer";
		err = -E_RANGE;
	} else if (p[0] != GZIP_ID1 || p[1] != GZIP_ID2) {
		reason = "not gzip data (bad magic)";
	} else if (p[2] != GZIP_CM_DEFLATE) {
		reason = "gzip compression method is not DEFLATE";
	} else if (p[3] & GZIP_FRESERVED) {
		reason = "reserved gzip header flags set";
	} else {
		end = len - GZIP_TRAILER;
		err = gzip_fields(p, p[3], &pos, end, &reason);
		m->data_off = pos;
		m->crc32 = get_le32(p + end);
		m->isize = get_le32(p + end + 4);
	}
	if (why)
		*why = err ? reason : "";
	return err;
}

int gzip_inflate(const void *in, size_t len, void *out, size_t cap, size_t *out_len,
		 const char **why)
{
	struct gzip_member m;
	const char *reason;
	size_t used, stream;
	int err;

	*out_len = 0;
	if ((err = gzip_parse(in, len, &m, &reason)))
		goto out;
	stream = len - GZIP_TRAILER - m.data_off;
	err = inflate_raw((const uint8_t *)in + m.data_off, stream, out, cap, out_len, &used, &reason);
	if (err)
		goto out;
	err = -E_INVAL;
	if (used != stream)
		reason = "data between the compressed stream and the gzip trailer";
	else if ((uint32_t)*out_len != m.isize)
		reason = "length differs from the gzip trailer's ISIZE";
	else if (crc32_update(0, out, *out_len) != m.crc32)
		reason = "CRC-32 differs from the gzip trailer's";
	else
		err = 0;
out:
	if (why)
		*why = err ? reason : "";
	return err;
}
