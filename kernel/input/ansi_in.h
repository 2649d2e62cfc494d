/*
 * Keyboard input from a terminal on the serial line: turns the bytes a
 * terminal emulator sends (UTF-8 text, control characters and the ANSI/xterm
 * escape sequences of the editing and function keys) into the same struct
 * kbd_event the PS/2 decoder produces, so the rest of the kernel sees one
 * kind of key press whichever wire it came from.
 *
 *   ESC [ A / B / C / D            Up, Down, Right, Left (also ESC O A..D)
 *   ESC [ H, ESC [ F, ESC [ 1~ 7~  Home; ESC [ 4~ 8~ End (also ESC O H / F)
 *   ESC [ 2~ 3~ 5~ 6~              Insert, Delete, PageUp, PageDown
 *   ESC [ 11~..24~, ESC O P..S     F1..F12
 *   ESC [ Z                        Shift+Tab
 *   ESC [ 1;m X, ESC [ n;m ~       the same with xterm modifiers m (2 Shift,
 *                                  3 Alt, 5 Ctrl, ...)
 *   0x7f and 0x08                  Backspace
 *   CR, LF, CR LF                  one Enter each
 *   0x01..0x1a                     Ctrl+A..Ctrl+Z
 *   ESC x (x printable)            Alt+x, the terminals' "meta sends escape"
 *
 * A lone ESC is a real Escape key only once nothing follows it: the decoder
 * cannot know that, so the caller calls ansi_in_flush() when the line has
 * been quiet for a while (ansi_in_pending() says when that matters).
 * Unknown but well-formed sequences are swallowed whole; a byte that cannot
 * continue a sequence ends it and is then decoded afresh.
 *
 * Serial input has no key releases and no physical keys: every event is a
 * press with repeat = false and phys = key. Letters, digits and space carry
 * the key of their US position (KBD_KEY_A...), other characters
 * KBD_KEY_NONE; Enter, Tab, Backspace and Escape carry their key and the
 * character the PS/2 decoder gives them ('\n', '\t', '\b', 0x1b).
 *
 * Pure logic on caller-owned memory, any context; one struct ansi_in belongs
 * to one consumer.
 */
#ifndef EMBER_KERNEL_ANSI_IN_H
#define EMBER_KERNEL_ANSI_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/input/kbd.h"
#include "lib/utf8.h"

/* The most events one byte can complete (a broken sequence, then itself). */
#define ANSI_IN_MAX_EVENTS 2
#define ANSI_IN_MAX_PARAMS 2     /* numbers kept per sequence: key, modifier */

struct ansi_in {
	uint8_t state;           /* private: ground, after ESC, in CSI, in SS3 */
	bool ignore;             /* private: sequence has bytes we do not handle */
	bool after_cr;           /* private: last byte was CR (CR LF is one Enter) */
	uint8_t nparams;
	uint16_t params[ANSI_IN_MAX_PARAMS];
	struct utf8_decoder utf8;
};

void ansi_in_init(struct ansi_in *a);

/*
 * Decode one byte. Returns how many events it completed (0..ANSI_IN_MAX_EVENTS)
 * and stores them in out[] in order.
 */
size_t ansi_in_feed(struct ansi_in *a, uint8_t byte, struct kbd_event out[ANSI_IN_MAX_EVENTS]);

/* True while an escape sequence is open: a lone ESC may still become a key. */
bool ansi_in_pending(const struct ansi_in *a);

/*
 * The line went quiet: end any open sequence. A lone ESC becomes the Escape
 * key (returns 1, *out filled); a partial sequence is dropped (returns 0).
 */
size_t ansi_in_flush(struct ansi_in *a, struct kbd_event *out);

#endif
