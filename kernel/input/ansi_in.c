/*
 * The terminal input decoder (see ansi_in.h): a four-state machine. Ground
 * state runs bytes through the UTF-8 decoder and maps code points; ESC opens
 * a sequence; '[' (CSI) and 'O' (SS3) collect parameters up to a final byte
 * that names the key.
 */
#include "kernel/input/ansi_in.h"
#include "lib/compiler.h"

enum {
	ANSI_GROUND,
	ANSI_ESC,                /* ESC seen */
	ANSI_CSI,                /* ESC [ seen: parameters, then a final byte */
	ANSI_SS3,                /* ESC O seen: one final byte */
};

#define ASCII_BS   0x08
#define ASCII_TAB  0x09
#define ASCII_LF   0x0a
#define ASCII_CR   0x0d
#define ASCII_ESC  0x1b
#define ASCII_DEL  0x7f
#define PARAM_MAX  9999

/* US key positions of the letters a..z. */
static const uint8_t letter_keys[26] = {
	KBD_KEY_A, KBD_KEY_B, KBD_KEY_C, KBD_KEY_D, KBD_KEY_E, KBD_KEY_F, KBD_KEY_G,
	KBD_KEY_H, KBD_KEY_I, KBD_KEY_J, KBD_KEY_K, KBD_KEY_L, KBD_KEY_M, KBD_KEY_N,
	KBD_KEY_O, KBD_KEY_P, KBD_KEY_Q, KBD_KEY_R, KBD_KEY_S, KBD_KEY_T, KBD_KEY_U,
	KBD_KEY_V, KBD_KEY_W, KBD_KEY_X, KBD_KEY_Y, KBD_KEY_Z,
};

/* ESC [ n ~ by n. */
static const uint8_t tilde_keys[25] = {
	[1] = KBD_KEY_HOME, [2] = KBD_KEY_INSERT, [3] = KBD_KEY_DELETE,
	[4] = KBD_KEY_END, [5] = KBD_KEY_PAGE_UP, [6] = KBD_KEY_PAGE_DOWN,
	[7] = KBD_KEY_HOME, [8] = KBD_KEY_END,
	[11] = KBD_KEY_F1, [12] = KBD_KEY_F2, [13] = KBD_KEY_F3, [14] = KBD_KEY_F4,
	[15] = KBD_KEY_F5, [17] = KBD_KEY_F6, [18] = KBD_KEY_F7, [19] = KBD_KEY_F8,
	[20] = KBD_KEY_F9, [21] = KBD_KEY_F10, [23] = KBD_KEY_F11, [24] = KBD_KEY_F12,
};

/* The final byte of ESC [ X or ESC O X, for the keys both forms share. */
static uint16_t final_key(uint8_t c)
{
	switch (c) {
	case 'A': return KBD_KEY_UP;
	case 'B': return KBD_KEY_DOWN;
	case 'C': return KBD_KEY_RIGHT;
	case 'D': return KBD_KEY_LEFT;
	case 'H': return KBD_KEY_HOME;
	case 'F': return KBD_KEY_END;
	default:  return KBD_KEY_NONE;
	}
}

void ansi_in_init(struct ansi_in *a)
{
	*a = (struct ansi_in){ .state = ANSI_GROUND };
	utf8_decoder_init(&a->utf8);
}

bool ansi_in_pending(const struct ansi_in *a)
{
	return a->state != ANSI_GROUND;
}

static size_t emit(struct kbd_event *out, size_t n, uint16_t key, uint16_t mods, uint32_t ch)
{
	if (n >= ANSI_IN_MAX_EVENTS)
		return n;            /* cannot happen: see ANSI_IN_MAX_EVENTS */
	out[n] = (struct kbd_event){
		.key = key, .phys = key, .mods = mods, .pressed = true, .ch = ch,
	};
	return n + 1;
}

/* The key at the US position of a printable ASCII character, if it has one. */
static uint16_t ascii_key(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return letter_keys[cp - 'a'];
	if (cp >= 'A' && cp <= 'Z')
		return letter_keys[cp - 'A'];
	if (cp == '0')
		return KBD_KEY_0;
	if (cp >= '1' && cp <= '9')
		return (uint16_t)(KBD_KEY_1 + (cp - '1'));
	if (cp == ' ')
		return KBD_KEY_SPACE;
	return KBD_KEY_NONE;
}

/* One code point in ground state. */
static size_t ground_cp(struct ansi_in *a, uint32_t cp, struct kbd_event *out, size_t n)
{
	bool after_cr = a->after_cr;

	a->after_cr = cp == ASCII_CR;
	switch (cp) {
	case ASCII_CR:
		return emit(out, n, KBD_KEY_ENTER, 0, '\n');
	case ASCII_LF:
		return after_cr ? n : emit(out, n, KBD_KEY_ENTER, 0, '\n');
	case ASCII_BS:
	case ASCII_DEL:
		return emit(out, n, KBD_KEY_BACKSPACE, 0, '\b');
	case ASCII_TAB:
		return emit(out, n, KBD_KEY_TAB, 0, '\t');
	case ASCII_ESC:
		a->state = ANSI_ESC;
		return n;
	}
	if (cp >= 1 && cp <= 26)
		return emit(out, n, letter_keys[cp - 1], KBD_MOD_LCTRL, cp);
	if (cp < 0x20 || (cp >= 0x80 && cp < 0xa0))
		return n;            /* NUL, Ctrl+\ ] ^ _ and C1 controls: nothing */
	return emit(out, n, ascii_key(cp), 0, cp);
}

static size_t ground(struct ansi_in *a, uint8_t byte, struct kbd_event *out, size_t n)
{
	uint32_t cps[2];
	size_t count = utf8_feed(&a->utf8, byte, cps);

	for (size_t i = 0; i < count; i++)
		n = ground_cp(a, cps[i], out, n);
	return n;
}

/* xterm's modifier parameter: 1 + (1 Shift, 2 Alt, 4 Ctrl, 8 Meta). */
static uint16_t xterm_mods(const struct ansi_in *a)
{
	unsigned m = a->nparams >= 2 && a->params[1] > 1 ? a->params[1] - 1u : 0;
	uint16_t mods = 0;

	if (m & 1)
		mods |= KBD_MOD_LSHIFT;
	if (m & 2)
		mods |= KBD_MOD_LALT;
	if (m & 4)
		mods |= KBD_MOD_LCTRL;
	if (m & 8)
		mods |= KBD_MOD_LGUI;
	return mods;
}

/* The final byte of a CSI sequence: the key it names, if any. */
static size_t csi_final(struct ansi_in *a, uint8_t c, struct kbd_event *out, size_t n)
{
	uint16_t key = KBD_KEY_NONE, mods = xterm_mods(a);
	unsigned p0 = a->nparams ? a->params[0] : 0;

	a->state = ANSI_GROUND;
	if (a->ignore)
		return n;
	if (c == '~' && p0 < ARRAY_SIZE(tilde_keys))
		key = tilde_keys[p0];
	else if (c == 'Z' && a->nparams == 0)
		return emit(out, n, KBD_KEY_TAB, KBD_MOD_LSHIFT, '\t');
	else if (c != '~' && p0 <= 1)
		key = final_key(c);
	return key ? emit(out, n, key, mods, 0) : n;
}

static void csi_param(struct ansi_in *a, uint8_t c)
{
	if (c == ';') {
		if (a->nparams == 0)
			a->nparams = 1;          /* ";5A": an empty first number */
		if (a->nparams < ANSI_IN_MAX_PARAMS)
			a->params[a->nparams] = 0;
		if (a->nparams <= ANSI_IN_MAX_PARAMS)
			a->nparams++;            /* extra numbers are read and ignored */
		return;
	}
	if (a->nparams == 0) {
		a->nparams = 1;
		a->params[0] = 0;
	}
	if (a->nparams <= ANSI_IN_MAX_PARAMS) {
		uint16_t *p = &a->params[a->nparams - 1];
		*p = (uint16_t)MIN(*p * 10u + (c - '0'), (unsigned)PARAM_MAX);
	}
}

static void open_sequence(struct ansi_in *a, uint8_t state)
{
	a->state = state;
	a->ignore = false;
	a->nparams = 0;
	a->params[0] = a->params[1] = 0;
}

/* Bytes after ESC, ESC [ or ESC O. A byte that does not belong ends it. */
static size_t in_sequence(struct ansi_in *a, uint8_t c, struct kbd_event *out, size_t n)
{
	switch (a->state) {
	case ANSI_ESC:
		if (c == '[' || c == 'O') {
			open_sequence(a, c == '[' ? ANSI_CSI : ANSI_SS3);
			return n;
		}
		a->state = ANSI_GROUND;
		if (c >= 0x20 && c < 0x7f)          /* ESC x: Alt+x */
			return emit(out, n, ascii_key(c), KBD_MOD_LALT, c);
		n = emit(out, n, KBD_KEY_ESCAPE, 0, ASCII_ESC);
		return ground(a, c, out, n);       /* ESC ESC opens a new sequence */
	case ANSI_SS3:
		a->state = ANSI_GROUND;
		if (c >= 'P' && c <= 'S')
			return emit(out, n, (uint16_t)(KBD_KEY_F1 + (c - 'P')), 0, 0);
		if (final_key(c))
			return emit(out, n, final_key(c), 0, 0);
		if (c >= 0x40 && c <= 0x7e)
			return n;                  /* unknown SS3 key: swallowed */
		return ground(a, c, out, n);
	default:                                   /* ANSI_CSI */
		if ((c >= '0' && c <= '9') || c == ';') {
			csi_param(a, c);
			return n;
		}
		if (c == ':' || (c >= 0x20 && c <= 0x2f) || (c >= 0x3c && c <= 0x3f)) {
			a->ignore = true;          /* private or intermediate bytes */
			return n;
		}
		if (c >= 0x40 && c <= 0x7e)
			return csi_final(a, c, out, n);
		a->state = ANSI_GROUND;            /* broken: decode c afresh */
		return ground(a, c, out, n);
	}
}

size_t ansi_in_feed(struct ansi_in *a, uint8_t byte, struct kbd_event out[ANSI_IN_MAX_EVENTS])
{
	if (a->state == ANSI_GROUND)
		return ground(a, byte, out, 0);
	a->after_cr = false;
	return in_sequence(a, byte, out, 0);
}

size_t ansi_in_flush(struct ansi_in *a, struct kbd_event *out)
{
	bool lone_esc = a->state == ANSI_ESC;

	a->state = ANSI_GROUND;
	if (!lone_esc)
		return 0;
	*out = (struct kbd_event){
		.key = KBD_KEY_ESCAPE, .phys = KBD_KEY_ESCAPE, .pressed = true, .ch = ASCII_ESC,
	};
	return 1;
}
