/*
 * Keyboard layouts: what each typing key types on each level, written from
 * the layouts' charts (the Windows layouts of the same names). Dead keys
 * type their spacing accent (^ ´ ` ¨ ~) at once. Read-only tables: any
 * context.
 */
#include "kernel/input/kbd.h"
#include "lib/compiler.h"
#include "lib/string.h"

/* A key's characters: plain and Shift, then AltGr, then Shift+AltGr. */
#define KEY2(key, plain, shift)			[key] = { plain, shift, 0, 0 }
#define KEY3(key, plain, shift, altgr)		[key] = { plain, shift, altgr, 0 }
#define KEY4(key, plain, shift, altgr, saltgr)	[key] = { plain, shift, altgr, saltgr }

/* A letter whose upper case is 0x20 below it (ASCII and Latin-1). */
#define LETTER(key, c)	KEY2(key, (c), (c) - 0x20)

/* The number row of US-based layouts. */
#define US_NUMBER_ROW \
	KEY2(KBD_KEY_GRAVE, u'`', u'~'), \
	KEY2(KBD_KEY_1, u'1', u'!'), KEY2(KBD_KEY_2, u'2', u'@'), \
	KEY2(KBD_KEY_3, u'3', u'#'), KEY2(KBD_KEY_4, u'4', u'$'), \
	KEY2(KBD_KEY_5, u'5', u'%'), KEY2(KBD_KEY_6, u'6', u'^'), \
	KEY2(KBD_KEY_7, u'7', u'&'), KEY2(KBD_KEY_8, u'8', u'*'), \
	KEY2(KBD_KEY_9, u'9', u'('), KEY2(KBD_KEY_0, u'0', u')')

/* The bottom-row punctuation of US-based layouts. */
#define US_BOTTOM_PUNCTUATION \
	KEY2(KBD_KEY_COMMA, u',', u'<'), KEY2(KBD_KEY_PERIOD, u'.', u'>'), \
	KEY2(KBD_KEY_SLASH, u'/', u'?')

/* US-based layouts type \ | on both backslash keys (ANSI and ISO). */
#define US_BACKSLASHES \
	KEY2(KBD_KEY_BACKSLASH, u'\\', u'|'), KEY2(KBD_KEY_102ND, u'\\', u'|')

static const struct kbd_layout kbd_layout_us = {
	.name = "us",
	.description = "English (US), 104 keys",
	.kp_decimal = u'.',
	.keys = {
		US_NUMBER_ROW,
		KEY2(KBD_KEY_MINUS, u'-', u'_'), KEY2(KBD_KEY_EQUAL, u'=', u'+'),
		LETTER(KBD_KEY_Q, u'q'), LETTER(KBD_KEY_W, u'w'), LETTER(KBD_KEY_E, u'e'),
		LETTER(KBD_KEY_R, u'r'), LETTER(KBD_KEY_T, u't'), LETTER(KBD_KEY_Y, u'y'),
		LETTER(KBD_KEY_U, u'u'), LETTER(KBD_KEY_I, u'i'), LETTER(KBD_KEY_O, u'o'),
		LETTER(KBD_KEY_P, u'p'),
		KEY2(KBD_KEY_LBRACKET, u'[', u'{'), KEY2(KBD_KEY_RBRACKET, u']', u'}'),
		LETTER(KBD_KEY_A, u'a'), LETTER(KBD_KEY_S, u's'), LETTER(KBD_KEY_D, u'd'),
		LETTER(KBD_KEY_F, u'f'), LETTER(KBD_KEY_G, u'g'), LETTER(KBD_KEY_H, u'h'),
		LETTER(KBD_KEY_J, u'j'), LETTER(KBD_KEY_K, u'k'), LETTER(KBD_KEY_L, u'l'),
		KEY2(KBD_KEY_SEMICOLON, u';', u':'), KEY2(KBD_KEY_APOSTROPHE, u'\'', u'"'),
		US_BACKSLASHES,
		LETTER(KBD_KEY_Z, u'z'), LETTER(KBD_KEY_X, u'x'), LETTER(KBD_KEY_C, u'c'),
		LETTER(KBD_KEY_V, u'v'), LETTER(KBD_KEY_B, u'b'), LETTER(KBD_KEY_N, u'n'),
		LETTER(KBD_KEY_M, u'm'),
		US_BOTTOM_PUNCTUATION,
	},
};

static const struct kbd_layout kbd_layout_uk = {
	.name = "uk",
	.description = "English (UK), 105 keys",
	.kp_decimal = u'.',
	.keys = {
		KEY3(KBD_KEY_GRAVE, u'`', u'¬', u'¦'),
		KEY2(KBD_KEY_1, u'1', u'!'), KEY2(KBD_KEY_2, u'2', u'"'),
		KEY2(KBD_KEY_3, u'3', u'£'), KEY3(KBD_KEY_4, u'4', u'$', u'€'),
		KEY2(KBD_KEY_5, u'5', u'%'), KEY2(KBD_KEY_6, u'6', u'^'),
		KEY2(KBD_KEY_7, u'7', u'&'), KEY2(KBD_KEY_8, u'8', u'*'),
		KEY2(KBD_KEY_9, u'9', u'('), KEY2(KBD_KEY_0, u'0', u')'),
		KEY2(KBD_KEY_MINUS, u'-', u'_'), KEY2(KBD_KEY_EQUAL, u'=', u'+'),
		LETTER(KBD_KEY_Q, u'q'), LETTER(KBD_KEY_W, u'w'),
		KEY4(KBD_KEY_E, u'e', u'E', u'é', u'É'),
		LETTER(KBD_KEY_R, u'r'), LETTER(KBD_KEY_T, u't'), LETTER(KBD_KEY_Y, u'y'),
		KEY4(KBD_KEY_U, u'u', u'U', u'ú', u'Ú'),
		KEY4(KBD_KEY_I, u'i', u'I', u'í', u'Í'),
		KEY4(KBD_KEY_O, u'o', u'O', u'ó', u'Ó'),
		LETTER(KBD_KEY_P, u'p'),
		KEY2(KBD_KEY_LBRACKET, u'[', u'{'), KEY2(KBD_KEY_RBRACKET, u']', u'}'),
		KEY4(KBD_KEY_A, u'a', u'A', u'á', u'Á'),
		LETTER(KBD_KEY_S, u's'), LETTER(KBD_KEY_D, u'd'),
		LETTER(KBD_KEY_F, u'f'), LETTER(KBD_KEY_G, u'g'), LETTER(KBD_KEY_H, u'h'),
		LETTER(KBD_KEY_J, u'j'), LETTER(KBD_KEY_K, u'k'), LETTER(KBD_KEY_L, u'l'),
		KEY2(KBD_KEY_SEMICOLON, u';', u':'), KEY2(KBD_KEY_APOSTROPHE, u'\'', u'@'),
		KEY2(KBD_KEY_BACKSLASH, u'#', u'~'), KEY2(KBD_KEY_102ND, u'\\', u'|'),
		LETTER(KBD_KEY_Z, u'z'), LETTER(KBD_KEY_X, u'x'), LETTER(KBD_KEY_C, u'c'),
		LETTER(KBD_KEY_V, u'v'), LETTER(KBD_KEY_B, u'b'), LETTER(KBD_KEY_N, u'n'),
		LETTER(KBD_KEY_M, u'm'),
		US_BOTTOM_PUNCTUATION,
	},
};

/* German T1 (QWERTZ). ^ ´ ` are dead keys on the real layout. */
static const struct kbd_layout kbd_layout_de = {
	.name = "de",
	.description = "German (QWERTZ), 105 keys",
	.kp_decimal = u',',
	.keys = {
		KEY2(KBD_KEY_GRAVE, u'^', u'°'),
		KEY2(KBD_KEY_1, u'1', u'!'), KEY3(KBD_KEY_2, u'2', u'"', u'²'),
		KEY3(KBD_KEY_3, u'3', u'§', u'³'), KEY2(KBD_KEY_4, u'4', u'$'),
		KEY2(KBD_KEY_5, u'5', u'%'), KEY2(KBD_KEY_6, u'6', u'&'),
		KEY3(KBD_KEY_7, u'7', u'/', u'{'), KEY3(KBD_KEY_8, u'8', u'(', u'['),
		KEY3(KBD_KEY_9, u'9', u')', u']'), KEY3(KBD_KEY_0, u'0', u'=', u'}'),
		KEY3(KBD_KEY_MINUS, u'ß', u'?', u'\\'), KEY2(KBD_KEY_EQUAL, u'´', u'`'),
		KEY3(KBD_KEY_Q, u'q', u'Q', u'@'), LETTER(KBD_KEY_W, u'w'),
		KEY3(KBD_KEY_E, u'e', u'E', u'€'),
		LETTER(KBD_KEY_R, u'r'), LETTER(KBD_KEY_T, u't'), LETTER(KBD_KEY_Y, u'z'),
		LETTER(KBD_KEY_U, u'u'), LETTER(KBD_KEY_I, u'i'), LETTER(KBD_KEY_O, u'o'),
		LETTER(KBD_KEY_P, u'p'),
		LETTER(KBD_KEY_LBRACKET, u'ü'), KEY3(KBD_KEY_RBRACKET, u'+', u'*', u'~'),
		LETTER(KBD_KEY_A, u'a'), LETTER(KBD_KEY_S, u's'), LETTER(KBD_KEY_D, u'd'),
		LETTER(KBD_KEY_F, u'f'), LETTER(KBD_KEY_G, u'g'), LETTER(KBD_KEY_H, u'h'),
		LETTER(KBD_KEY_J, u'j'), LETTER(KBD_KEY_K, u'k'), LETTER(KBD_KEY_L, u'l'),
		LETTER(KBD_KEY_SEMICOLON, u'ö'), LETTER(KBD_KEY_APOSTROPHE, u'ä'),
		KEY2(KBD_KEY_BACKSLASH, u'#', u'\''), KEY3(KBD_KEY_102ND, u'<', u'>', u'|'),
		LETTER(KBD_KEY_Z, u'y'), LETTER(KBD_KEY_X, u'x'), LETTER(KBD_KEY_C, u'c'),
		LETTER(KBD_KEY_V, u'v'), LETTER(KBD_KEY_B, u'b'), LETTER(KBD_KEY_N, u'n'),
		KEY3(KBD_KEY_M, u'm', u'M', u'µ'),
		KEY2(KBD_KEY_COMMA, u',', u';'), KEY2(KBD_KEY_PERIOD, u'.', u':'),
		KEY2(KBD_KEY_SLASH, u'-', u'_'),
	},
};

/* French AZERTY: digits need Shift. ^ ¨ ~ ` are dead keys on the real layout. */
static const struct kbd_layout kbd_layout_fr = {
	.name = "fr",
	.description = "French (AZERTY), 105 keys",
	.kp_decimal = u'.',
	.keys = {
		KEY2(KBD_KEY_GRAVE, u'²', 0),
		KEY2(KBD_KEY_1, u'&', u'1'), KEY3(KBD_KEY_2, u'é', u'2', u'~'),
		KEY3(KBD_KEY_3, u'"', u'3', u'#'), KEY3(KBD_KEY_4, u'\'', u'4', u'{'),
		KEY3(KBD_KEY_5, u'(', u'5', u'['), KEY3(KBD_KEY_6, u'-', u'6', u'|'),
		KEY3(KBD_KEY_7, u'è', u'7', u'`'), KEY3(KBD_KEY_8, u'_', u'8', u'\\'),
		KEY3(KBD_KEY_9, u'ç', u'9', u'^'), KEY3(KBD_KEY_0, u'à', u'0', u'@'),
		KEY3(KBD_KEY_MINUS, u')', u'°', u']'), KEY3(KBD_KEY_EQUAL, u'=', u'+', u'}'),
		LETTER(KBD_KEY_Q, u'a'), LETTER(KBD_KEY_W, u'z'),
		KEY3(KBD_KEY_E, u'e', u'E', u'€'),
		LETTER(KBD_KEY_R, u'r'), LETTER(KBD_KEY_T, u't'), LETTER(KBD_KEY_Y, u'y'),
		LETTER(KBD_KEY_U, u'u'), LETTER(KBD_KEY_I, u'i'), LETTER(KBD_KEY_O, u'o'),
		LETTER(KBD_KEY_P, u'p'),
		KEY2(KBD_KEY_LBRACKET, u'^', u'¨'), KEY3(KBD_KEY_RBRACKET, u'$', u'£', u'¤'),
		LETTER(KBD_KEY_A, u'q'), LETTER(KBD_KEY_S, u's'), LETTER(KBD_KEY_D, u'd'),
		LETTER(KBD_KEY_F, u'f'), LETTER(KBD_KEY_G, u'g'), LETTER(KBD_KEY_H, u'h'),
		LETTER(KBD_KEY_J, u'j'), LETTER(KBD_KEY_K, u'k'), LETTER(KBD_KEY_L, u'l'),
		LETTER(KBD_KEY_SEMICOLON, u'm'), KEY2(KBD_KEY_APOSTROPHE, u'ù', u'%'),
		KEY2(KBD_KEY_BACKSLASH, u'*', u'µ'), KEY2(KBD_KEY_102ND, u'<', u'>'),
		LETTER(KBD_KEY_Z, u'w'), LETTER(KBD_KEY_X, u'x'), LETTER(KBD_KEY_C, u'c'),
		LETTER(KBD_KEY_V, u'v'), LETTER(KBD_KEY_B, u'b'), LETTER(KBD_KEY_N, u'n'),
		KEY2(KBD_KEY_M, u',', u'?'),
		KEY2(KBD_KEY_COMMA, u';', u'.'), KEY2(KBD_KEY_PERIOD, u':', u'/'),
		KEY2(KBD_KEY_SLASH, u'!', u'§'),
	},
};

static const struct kbd_layout kbd_layout_dvorak = {
	.name = "dvorak",
	.description = "English (US, Dvorak), 104 keys",
	.kp_decimal = u'.',
	.keys = {
		US_NUMBER_ROW,
		KEY2(KBD_KEY_MINUS, u'[', u'{'), KEY2(KBD_KEY_EQUAL, u']', u'}'),
		KEY2(KBD_KEY_Q, u'\'', u'"'), KEY2(KBD_KEY_W, u',', u'<'),
		KEY2(KBD_KEY_E, u'.', u'>'),
		LETTER(KBD_KEY_R, u'p'), LETTER(KBD_KEY_T, u'y'), LETTER(KBD_KEY_Y, u'f'),
		LETTER(KBD_KEY_U, u'g'), LETTER(KBD_KEY_I, u'c'), LETTER(KBD_KEY_O, u'r'),
		LETTER(KBD_KEY_P, u'l'),
		KEY2(KBD_KEY_LBRACKET, u'/', u'?'), KEY2(KBD_KEY_RBRACKET, u'=', u'+'),
		LETTER(KBD_KEY_A, u'a'), LETTER(KBD_KEY_S, u'o'), LETTER(KBD_KEY_D, u'e'),
		LETTER(KBD_KEY_F, u'u'), LETTER(KBD_KEY_G, u'i'), LETTER(KBD_KEY_H, u'd'),
		LETTER(KBD_KEY_J, u'h'), LETTER(KBD_KEY_K, u't'), LETTER(KBD_KEY_L, u'n'),
		LETTER(KBD_KEY_SEMICOLON, u's'), KEY2(KBD_KEY_APOSTROPHE, u'-', u'_'),
		US_BACKSLASHES,
		KEY2(KBD_KEY_Z, u';', u':'),
		LETTER(KBD_KEY_X, u'q'), LETTER(KBD_KEY_C, u'j'), LETTER(KBD_KEY_V, u'k'),
		LETTER(KBD_KEY_B, u'x'), LETTER(KBD_KEY_N, u'b'), LETTER(KBD_KEY_M, u'm'),
		LETTER(KBD_KEY_COMMA, u'w'), LETTER(KBD_KEY_PERIOD, u'v'),
		LETTER(KBD_KEY_SLASH, u'z'),
	},
};

/* Colemak; the Caps Lock key stays Caps Lock (no Backspace remap). */
static const struct kbd_layout kbd_layout_colemak = {
	.name = "colemak",
	.description = "English (US, Colemak), 104 keys",
	.kp_decimal = u'.',
	.keys = {
		US_NUMBER_ROW,
		KEY2(KBD_KEY_MINUS, u'-', u'_'), KEY2(KBD_KEY_EQUAL, u'=', u'+'),
		LETTER(KBD_KEY_Q, u'q'), LETTER(KBD_KEY_W, u'w'), LETTER(KBD_KEY_E, u'f'),
		LETTER(KBD_KEY_R, u'p'), LETTER(KBD_KEY_T, u'g'), LETTER(KBD_KEY_Y, u'j'),
		LETTER(KBD_KEY_U, u'l'), LETTER(KBD_KEY_I, u'u'), LETTER(KBD_KEY_O, u'y'),
		KEY2(KBD_KEY_P, u';', u':'),
		KEY2(KBD_KEY_LBRACKET, u'[', u'{'), KEY2(KBD_KEY_RBRACKET, u']', u'}'),
		LETTER(KBD_KEY_A, u'a'), LETTER(KBD_KEY_S, u'r'), LETTER(KBD_KEY_D, u's'),
		LETTER(KBD_KEY_F, u't'), LETTER(KBD_KEY_G, u'd'), LETTER(KBD_KEY_H, u'h'),
		LETTER(KBD_KEY_J, u'n'), LETTER(KBD_KEY_K, u'e'), LETTER(KBD_KEY_L, u'i'),
		LETTER(KBD_KEY_SEMICOLON, u'o'), KEY2(KBD_KEY_APOSTROPHE, u'\'', u'"'),
		US_BACKSLASHES,
		LETTER(KBD_KEY_Z, u'z'), LETTER(KBD_KEY_X, u'x'), LETTER(KBD_KEY_C, u'c'),
		LETTER(KBD_KEY_V, u'v'), LETTER(KBD_KEY_B, u'b'), LETTER(KBD_KEY_N, u'k'),
		LETTER(KBD_KEY_M, u'm'),
		US_BOTTOM_PUNCTUATION,
	},
};

/* The first one is the default. */
static const struct kbd_layout *const kbd_layouts[] = {
	&kbd_layout_us,
	&kbd_layout_uk,
	&kbd_layout_de,
	&kbd_layout_fr,
	&kbd_layout_dvorak,
	&kbd_layout_colemak,
};

const struct kbd_layout *kbd_layout_at(size_t index)
{
	if (index >= ARRAY_SIZE(kbd_layouts))
		return NULL;
	return kbd_layouts[index];
}

const struct kbd_layout *kbd_layout_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(kbd_layouts); i++) {
		if (strcmp(kbd_layouts[i]->name, name) == 0)
			return kbd_layouts[i];
	}
	return NULL;
}
