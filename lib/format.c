/*
 * The printf engine declared in format.h. A directive is parsed into a
 * struct fmt_spec, its argument fetched at the width its length modifier
 * names, and the result laid out as C99 7.19.6.1 describes. Integers are
 * converted into a small stack buffer; padding and precision zeros are
 * streamed, so any width works without a buffer of that size.
 * Pure: no floating point, no allocation, no global state, any context.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define FMT_INT_MAX	0x7fffffff
#define FMT_NONE	(-1)		/* no precision given */

/* Flags of a directive. */
#define FMT_LEFT	(1u << 0)	/* '-': pad on the right */
#define FMT_ZERO	(1u << 1)	/* '0': pad integers with zeros */
#define FMT_PLUS	(1u << 2)	/* '+': sign even when positive */
#define FMT_SPACE	(1u << 3)	/* ' ': space where a '+' would go */
#define FMT_ALT		(1u << 4)	/* '#': 0x prefix, leading octal 0 */

enum fmt_len {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_T,
	FMT_LEN_J,
};

/* One parsed directive: %[flags][width][.precision][length]conv */
struct fmt_spec {
	unsigned int flags;
	int width;		/* 0 when none */
	int prec;		/* FMT_NONE when none */
	enum fmt_len len;
	char conv;		/* '\0' when the string ended inside the directive */
};

struct fmt_out {
	fmt_emit_fn emit;
	void *ctx;
	int count;
	bool overflow;		/* more than INT_MAX characters: stop */
};

/* The sink of fmt_vsnprintf: keeps what fits, counts nothing itself. */
struct fmt_buf {
	char *buf;
	size_t size;
	size_t pos;
};

/* %zd reads a ptrdiff_t as "the signed type corresponding to size_t". */
_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t), "ptrdiff_t and size_t differ");

static void fmt_put(struct fmt_out *out, char c)
{
	if (out->count == FMT_INT_MAX) {
		out->overflow = true;
		return;
	}
	out->emit(c, out->ctx);
	out->count++;
}

/* n may be negative (nothing to pad) or huge (stops at the overflow). */
static void fmt_pad(struct fmt_out *out, char c, int64_t n)
{
	for (; n > 0 && !out->overflow; n--)
		fmt_put(out, c);
}

static void fmt_write(struct fmt_out *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n && !out->overflow; i++)
		fmt_put(out, s[i]);
}

/* ---- parsing a directive ------------------------------------------------------- */

/* Decimal digits at *p into *val; false when the number exceeds INT_MAX. */
static bool fmt_parse_num(const char **p, int *val)
{
	int64_t v = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++) {
		v = v * 10 + (**p - '0');
		if (v > FMT_INT_MAX)
			return false;
	}
	*val = (int)v;
	return true;
}

static unsigned int fmt_parse_flags(const char **p)
{
	unsigned int flags = 0;

	for (;; (*p)++) {
		switch (**p) {
		case '-': flags |= FMT_LEFT; break;
		case '0': flags |= FMT_ZERO; break;
		case '+': flags |= FMT_PLUS; break;
		case ' ': flags |= FMT_SPACE; break;
		case '#': flags |= FMT_ALT; break;
		default: return flags;
		}
	}
}

/* Width: digits, or '*' taking an int where a negative one means '-'. */
static bool fmt_parse_width(const char **p, struct fmt_spec *spec, va_list *ap)
{
	int w;

	if (**p != '*')
		return fmt_parse_num(p, &spec->width);
	(*p)++;
	w = va_arg(*ap, int);
	if (w < 0) {
		if (w < -FMT_INT_MAX)
			return false;	/* -INT_MIN does not fit */
		spec->flags |= FMT_LEFT;
		w = -w;
	}
	spec->width = w;
	return true;
}

/* Precision: '.' then digits (none means 0), or '*' where negative = none. */
static bool fmt_parse_prec(const char **p, struct fmt_spec *spec, va_list *ap)
{
	int prec;

	if (**p != '.')
		return true;
	(*p)++;
	if (**p != '*')
		return fmt_parse_num(p, &spec->prec);
	(*p)++;
	prec = va_arg(*ap, int);
	spec->prec = prec < 0 ? FMT_NONE : prec;
	return true;
}

static enum fmt_len fmt_parse_len(const char **p)
{
	char c = **p;

	if (!c || !strchr("hlztjLqZ", c))
		return FMT_LEN_NONE;
	(*p)++;
	if (c == 'h' && **p == 'h') {
		(*p)++;
		return FMT_LEN_HH;
	}
	if (c == 'l' && **p == 'l') {
		(*p)++;
		return FMT_LEN_LL;
	}
	switch (c) {
	case 'h': return FMT_LEN_H;
	case 'l': return FMT_LEN_L;
	case 'z': return FMT_LEN_Z;
	case 'Z': return FMT_LEN_Z;      /* old glibc spelling of z */
	case 'L': return FMT_LEN_LL;     /* glibc: L on an integer conversion is ll */
	case 'q': return FMT_LEN_LL;     /* BSD "quad" */
	case 't': return FMT_LEN_T;
	default: return FMT_LEN_J;
	}
}

/*
 * Parses the directive after its '%', leaving *p just past it (or on the
 * terminating NUL). False when a width or precision overflows an int.
 */
static bool fmt_parse_spec(const char **p, struct fmt_spec *spec, va_list *ap)
{
	spec->flags = fmt_parse_flags(p);
	spec->width = 0;
	spec->prec = FMT_NONE;
	if (!fmt_parse_width(p, spec, ap) || !fmt_parse_prec(p, spec, ap))
		return false;
	spec->len = fmt_parse_len(p);
	spec->conv = **p;
	if (spec->conv)
		(*p)++;
	return true;
}

/* ---- fetching integer arguments ------------------------------------------------ */

/* The argument of %d/%i, narrowed or widened as its length modifier says. */
static int64_t fmt_arg_signed(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case FMT_LEN_HH: return (signed char)va_arg(*ap, int);
	case FMT_LEN_H: return (short)va_arg(*ap, int);
	case FMT_LEN_L: return va_arg(*ap, long);
	case FMT_LEN_LL: return va_arg(*ap, long long);
	case FMT_LEN_Z: return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_T: return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

/* The argument of %u/%x/%X/%o. */
static uint64_t fmt_arg_unsigned(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case FMT_LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L: return va_arg(*ap, unsigned long);
	case FMT_LEN_LL: return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z: return va_arg(*ap, size_t);
	case FMT_LEN_T: return (size_t)va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned int);
	}
}

/* ---- integers ------------------------------------------------------------------- */

/* Enough for 2^64 - 1 in octal, the longest case (22 digits). */
#define FMT_DIGITS_MAX	24

/*
 * Writes v's digits backwards ending at end and returns where they start.
 * Hex and octal shift; only decimal divides, and by a constant.
 */
static char *fmt_digits(char *end, uint64_t v, int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int shift = base == 16 ? 4 : 3;
	char *p = end;

	do {
		if (base == 10) {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} else {
			*--p = set[v & ((uint64_t)base - 1)];
			v >>= shift;
		}
	} while (v);
	return p;
}

/*
 * Lays out [spaces][sign][prefix][zeros][digits][spaces]. Zeros come from
 * the precision, or fill the width under '0' when there is no precision and
 * no '-'. 64-bit sums: width and precision may each be INT_MAX.
 */
static void fmt_layout(struct fmt_out *out, const struct fmt_spec *spec,
		       const char *digits, int ndigits, char sign, const char *prefix)
{
	int64_t nprefix = (sign ? 1 : 0) + (int64_t)strlen(prefix);
	int64_t zeros = spec->prec > ndigits ? spec->prec - ndigits : 0;
	int64_t body;

	if ((spec->flags & (FMT_ZERO | FMT_LEFT)) == FMT_ZERO && spec->prec == FMT_NONE)
		zeros = spec->width - nprefix - ndigits;
	if (zeros < 0)
		zeros = 0;
	body = nprefix + zeros + ndigits;
	if (!(spec->flags & FMT_LEFT))
		fmt_pad(out, ' ', spec->width - body);
	if (sign)
		fmt_put(out, sign);
	fmt_write(out, prefix, strlen(prefix));
	fmt_pad(out, '0', zeros);
	fmt_write(out, digits, (size_t)ndigits);
	if (spec->flags & FMT_LEFT)
		fmt_pad(out, ' ', spec->width - body);
}

/* Prints magnitude v in base with the given sign; handles '#' and ".0". */
static void fmt_number(struct fmt_out *out, const struct fmt_spec *spec,
		       uint64_t v, int base, char sign)
{
	char buf[FMT_DIGITS_MAX];
	char *end = buf + sizeof(buf);
	char *digits = end;
	const char *prefix = "";

	if (v != 0 || spec->prec != 0)
		digits = fmt_digits(end, v, base, spec->conv == 'X');
	if ((spec->flags & FMT_ALT) && base == 16 && v != 0)
		prefix = spec->conv == 'X' ? "0X" : "0x";
	/* '#o' guarantees a leading 0, unless the precision already gives one. */
	if ((spec->flags & FMT_ALT) && base == 8 && spec->prec <= end - digits &&
	    (digits == end || *digits != '0'))
		prefix = "0";
	fmt_layout(out, spec, digits, (int)(end - digits), sign, prefix);
}

/* The sign character of a non-negative value under '+' and ' '. */
static char fmt_plus_sign(const struct fmt_spec *spec)
{
	if (spec->flags & FMT_PLUS)
		return '+';
	return (spec->flags & FMT_SPACE) ? ' ' : '\0';
}

static void fmt_conv_signed(struct fmt_out *out, const struct fmt_spec *spec, va_list *ap)
{
	int64_t v = fmt_arg_signed(spec->len, ap);

	if (v < 0)	/* 0 - (uint64_t)v: INT64_MIN's magnitude without overflow */
		fmt_number(out, spec, 0 - (uint64_t)v, 10, '-');
	else
		fmt_number(out, spec, (uint64_t)v, 10, fmt_plus_sign(spec));
}

static void fmt_conv_unsigned(struct fmt_out *out, const struct fmt_spec *spec, va_list *ap)
{
	uint64_t v = fmt_arg_unsigned(spec->len, ap);
	int base = spec->conv == 'u' ? 10 : spec->conv == 'o' ? 8 : 16;

	fmt_number(out, spec, v, base, '\0');
}

/* ---- characters, strings and pointers ----------------------------------------- */

/* n bytes of s padded to the width with spaces ('0' does not apply). */
static void fmt_padded(struct fmt_out *out, const struct fmt_spec *spec,
		       const char *s, size_t n)
{
	int64_t pad = spec->width - (int64_t)n;

	if (!(spec->flags & FMT_LEFT))
		fmt_pad(out, ' ', pad);
	fmt_write(out, s, n);
	if (spec->flags & FMT_LEFT)
		fmt_pad(out, ' ', pad);
}

static void fmt_conv_char(struct fmt_out *out, const struct fmt_spec *spec, va_list *ap)
{
	char c = (char)(unsigned char)va_arg(*ap, int);

	fmt_padded(out, spec, &c, 1);
}

/*
 * A precision bounds the bytes read, so s need not be NUL-terminated then.
 * NULL prints "(null)", or nothing if the precision cannot hold it (glibc).
 */
static void fmt_conv_string(struct fmt_out *out, const struct fmt_spec *spec, va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t n;

	if (!s)
		s = spec->prec == FMT_NONE || spec->prec >= 6 ? "(null)" : "";
	if (spec->prec == FMT_NONE)
		n = strlen(s);
	else
		n = strnlen(s, (size_t)spec->prec);
	fmt_padded(out, spec, s, n);
}

/*
 * glibc's %p: NULL is "(nil)" padded with spaces; anything else is %#lx
 * that, unlike %x, honours '+' and ' '. Length modifiers are ignored.
 */
static void fmt_conv_pointer(struct fmt_out *out, const struct fmt_spec *spec, va_list *ap)
{
	uintptr_t v = (uintptr_t)va_arg(*ap, void *);
	struct fmt_spec hex = *spec;

	if (!v) {
		fmt_padded(out, spec, "(nil)", 5);
		return;
	}
	hex.flags |= FMT_ALT;
	hex.conv = 'x';
	fmt_number(out, &hex, v, 16, fmt_plus_sign(spec));
}

/* ---- the driver ------------------------------------------------------------------ */

/* %lc and %ls take wide characters, which Ember does not have. */
static bool fmt_is_wide(const struct fmt_spec *spec)
{
	return (spec->conv == 'c' || spec->conv == 's') && spec->len == FMT_LEN_L;
}

/*
 * Prints one directive; start points at its '%' and end just past it, so an
 * unsupported one is echoed exactly as written.
 */
static void fmt_convert(struct fmt_out *out, const struct fmt_spec *spec,
			va_list *ap, const char *start, const char *end)
{
	if (fmt_is_wide(spec)) {
		fmt_write(out, start, (size_t)(end - start));
		return;
	}
	switch (spec->conv) {
	case 'd': case 'i':
		fmt_conv_signed(out, spec, ap);
		break;
	case 'u': case 'x': case 'X': case 'o':
		fmt_conv_unsigned(out, spec, ap);
		break;
	case 'c':
		fmt_conv_char(out, spec, ap);
		break;
	case 's':
		fmt_conv_string(out, spec, ap);
		break;
	case 'p':
		fmt_conv_pointer(out, spec, ap);
		break;
	case '%':
		fmt_put(out, '%');	/* glibc ignores flags and width here */
		break;
	default:
		fmt_write(out, start, (size_t)(end - start));
	}
}

int fmt_format(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out out = { .emit = emit, .ctx = ctx };
	struct fmt_spec spec;
	const char *start;
	va_list args;
	bool ok = true;

	va_copy(args, ap);	/* helpers need a va_list *, which a parameter cannot give */
	while (*fmt && ok && !out.overflow) {
		if (*fmt != '%') {
			fmt_put(&out, *fmt++);
			continue;
		}
		start = fmt++;
		ok = fmt_parse_spec(&fmt, &spec, &args);
		if (ok)
			fmt_convert(&out, &spec, &args, start, fmt);
	}
	va_end(args);
	return ok && !out.overflow ? out.count : -E_RANGE;
}

static void fmt_buf_emit(char c, void *ctx)
{
	struct fmt_buf *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos++] = c;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = { .buf = buf, .size = size, .pos = 0 };
	int ret = fmt_format(fmt_buf_emit, &b, fmt, ap);

	if (size > 0)
		buf[b.pos] = '\0';
	return ret;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
