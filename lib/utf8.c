/*
 * UTF-8 decoder and encoder: the byte ranges of a well-formed sequence are
 * those of Unicode's table 3-7, checked byte by byte so that a bad sequence is
 * rejected as early as possible. Pure, any context.
 */
#include "lib/utf8.h"
#include "lib/errno.h"

void utf8_decoder_init(struct utf8_decoder *d)
{
	d->cp = 0;
	d->need = 0;
	d->lo = 0x80;
	d->hi = 0xbf;
}

/*
 * Start a character with lead byte b. Returns 1 if b is a whole character
 * (ASCII, stored in d->cp), 0 if continuation bytes must follow, -1 if b can
 * never start a character. The second byte's range excludes overlongs (E0, F0),
 * surrogates (ED) and values above U+10FFFF (F4).
 */
static int utf8_start(struct utf8_decoder *d, uint8_t b)
{
	d->lo = 0x80;
	d->hi = 0xbf;
	if (b < 0x80) {
		d->cp = b;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		d->cp = b & 0x1f;
		d->need = 1;
	} else if (b >= 0xe0 && b <= 0xef) {
		d->cp = b & 0x0f;
		d->need = 2;
		if (b == 0xe0)
			d->lo = 0xa0;
		if (b == 0xed)
			d->hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		d->cp = b & 0x07;
		d->need = 3;
		if (b == 0xf0)
			d->lo = 0x90;
		if (b == 0xf4)
			d->hi = 0x8f;
	} else {
		return -1;
	}
	return 0;
}

/* Take a continuation byte; false if it is outside the allowed range. */
static bool utf8_continue(struct utf8_decoder *d, uint8_t b)
{
	if (b < d->lo || b > d->hi)
		return false;
	d->cp = (d->cp << 6) | (b & 0x3f);
	d->lo = 0x80;
	d->hi = 0xbf;
	d->need--;
	return true;
}

size_t utf8_feed(struct utf8_decoder *d, uint8_t byte, uint32_t out[2])
{
	size_t n = 0;
	int r;

	if (d->need) {
		if (utf8_continue(d, byte)) {
			if (d->need)
				return 0;
			out[0] = d->cp;
			return 1;
		}
		/* The sequence broke off: report it, then read byte afresh. */
		d->need = 0;
		out[n++] = UTF8_REPLACEMENT;
	}
	r = utf8_start(d, byte);
	if (r > 0)
		out[n++] = d->cp;
	else if (r < 0)
		out[n++] = UTF8_REPLACEMENT;
	return n;
}

bool utf8_flush(struct utf8_decoder *d, uint32_t *cp)
{
	if (!d->need)
		return false;
	d->need = 0;
	*cp = UTF8_REPLACEMENT;
	return true;
}

int utf8_decode(const void *buf, size_t len, uint32_t *cp)
{
	const uint8_t *s = buf;
	struct utf8_decoder d;
	size_t i;
	int r;

	if (len == 0)
		return -E_INVAL;
	utf8_decoder_init(&d);
	r = utf8_start(&d, s[0]);
	if (r < 0)
		return -E_INVAL;
	for (i = 1; d.need; i++) {
		if (i >= len || !utf8_continue(&d, s[i]))
			return -E_INVAL;
	}
	*cp = d.cp;
	return (int)i;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > UTF8_MAX_CP)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}
