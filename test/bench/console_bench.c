/*
 * Console benchmark: Ember's console (the terminal logic of console.c drawing
 * through fbcon) against a naive full-redraw console written here, both
 * rendering into a 1920x1080 32-bpp memory framebuffer with the real Terminus
 * font. console_bench.py runs it under callgrind, counting only what happens
 * inside bench_measure (--toggle-collect), and divides by the work done.
 *
 *   console_bench ember|naive line|bulk|chunk|wall FONT.psf [COUNT]
 *
 * line:  the screen is filled first (not measured); then COUNT lines of 80
 *        characters and a newline, one write each, so every one scrolls.
 * bulk:  one write of COUNT KiB (default 1024) of such lines, after the fill.
 * wall:  bulk timed with the clock instead (best of five runs).
 * chunk: the same bytes in writes of CHUNK_BYTES.
 * Both consoles draw the same picture: the program compares the two
 * framebuffers after the same text (check=0 when they match).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/console/console.h"
#include "kernel/console/fbcon.h"
#include "lib/psf.h"

#define FB_W        1920u
#define FB_H        1080u
#define LINE_CHARS  80u
#define LINE_BYTES  (LINE_CHARS + 1)
#define CHUNK_BYTES 4096u

/* ---- the naive console: redraws every cell on each scroll ------------------ */

struct naive {
	uint32_t *fb;
	const struct psf_font *font;
	unsigned cols, rows, x, y;
	uint32_t grid[CONSOLE_MAX_CELLS];     /* code points */
};

static void naive_draw(struct naive *n, unsigned cx, unsigned cy)
{
	const struct psf_font *f = n->font;
	const uint8_t *g = psf_glyph(f, n->grid[cy * n->cols + cx]);
	uint32_t fg = fbcon_palette[CONSOLE_DEFAULT_FG], bg = fbcon_palette[CONSOLE_DEFAULT_BG];

	for (unsigned y = 0; y < f->height; y++)
		for (unsigned x = 0; x < f->width; x++) {
			int on = g[y * f->row_bytes + x / 8] & (0x80 >> (x % 8));

			n->fb[(cy * f->height + y) * FB_W + cx * f->width + x] = on ? fg : bg;
		}
}

static void naive_redraw(struct naive *n)
{
	for (unsigned y = 0; y < n->rows; y++)
		for (unsigned x = 0; x < n->cols; x++)
			naive_draw(n, x, y);
}

static void naive_newline(struct naive *n)
{
	n->x = 0;
	if (++n->y < n->rows)
		return;
	n->y = n->rows - 1;
	memmove(n->grid, n->grid + n->cols, (n->rows - 1) * n->cols * sizeof(n->grid[0]));
	for (unsigned x = 0; x < n->cols; x++)
		n->grid[(n->rows - 1) * n->cols + x] = ' ';
	naive_redraw(n);
}

static void naive_write(struct naive *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			naive_newline(n);
			continue;
		}
		if (n->x == n->cols)
			naive_newline(n);
		n->grid[n->y * n->cols + n->x] = (uint8_t)s[i];
		naive_draw(n, n->x++, n->y);
	}
}

static void naive_init(struct naive *n, uint32_t *fb, const struct psf_font *font)
{
	n->fb = fb;
	n->font = font;
	n->cols = FB_W / font->width;
	n->rows = FB_H / font->height;
	n->x = n->y = 0;
	for (unsigned i = 0; i < n->cols * n->rows; i++)
		n->grid[i] = ' ';
	memset(fb, 0, (size_t)FB_W * FB_H * 4);
}

/* ---- the two consoles behind one call ------------------------------------- */

static struct console con;
static struct fbcon fbc;
static struct naive nv;
static int use_naive;

static void setup(uint32_t *fb, const struct psf_font *font)
{
	struct boot_framebuffer mode = {
		.format = FB_BGRX, .width = FB_W, .height = FB_H,
		.pitch = FB_W * 4, .bpp = 32, .size = (uint64_t)FB_W * FB_H * 4,
	};

	if (use_naive) {
		naive_init(&nv, fb, font);
		return;
	}
	if (fbcon_init(&fbc, &mode, fb, font) ||
	    console_attach(&con, &fbcon_ops, &fbc, fbc.cols, fbc.rows)) {
		fprintf(stderr, "console_bench: console setup failed\n");
		exit(1);
	}
	console_set_cursor_visible(&con, false);    /* the naive one has none */
}

static void write_text(const char *s, size_t len)
{
	if (use_naive)
		naive_write(&nv, s, len);
	else
		console_feed(&con, s, len);
}

/* ---- text and the measured section ---------------------------------------- */

/* Line i: words of 2-9 lowercase letters, 80 characters, then a newline. */
static void make_line(char *out, unsigned i)
{
	uint32_t r = i * 2654435761u + 12345u;
	unsigned x = 0, word = 0;

	while (x < LINE_CHARS) {
		r = r * 1103515245u + 12345u;
		if (word >= 2 + (r >> 28) % 8 && x + 1 < LINE_CHARS) {
			out[x++] = ' ';
			word = 0;
		} else {
			out[x++] = (char)('a' + (r >> 16) % 26);
			word++;
		}
	}
	out[LINE_CHARS] = '\n';
}

static char *make_text(unsigned first, unsigned lines)
{
	char *t = malloc((size_t)lines * LINE_BYTES);

	for (unsigned i = 0; t && i < lines; i++)
		make_line(t + (size_t)i * LINE_BYTES, first + i);
	return t;
}

/* Everything callgrind counts: the writes of len bytes in pieces of step. */
__attribute__((noinline)) void bench_measure(const char *t, size_t len, size_t step);
__attribute__((noinline)) void bench_measure(const char *t, size_t len, size_t step)
{
	for (size_t at = 0; at < len; at += step)
		write_text(t + at, len - at < step ? len - at : step);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*size = buf ? (size_t)n : 0;
	if (f)
		fclose(f);
	return buf;
}

/*
 * Both consoles after the same text: do their framebuffers match? The other
 * console is given only the last screenful of lines (whole lines, so the
 * final picture is the same), which keeps the naive one quick.
 */
static int check_same(const struct psf_font *font, const char *t, size_t len)
{
	static uint32_t other[FB_W * FB_H];
	uint32_t *mine = fbc.pixels ? (uint32_t *)fbc.pixels : nv.fb;
	size_t tail = (size_t)(FB_H / font->height) * LINE_BYTES;

	use_naive = !use_naive;
	setup(other, font);
	write_text(t + len - tail, tail);
	use_naive = !use_naive;
	return memcmp(mine, other, sizeof(other)) != 0;
}

int main(int argc, char **argv)
{
	static uint32_t fb[FB_W * FB_H];
	static struct psf_font font;
	static struct psf_map_entry map[CONSOLE_FONT_MAP_MAX];
	unsigned count = argc > 4 ? (unsigned)atoi(argv[4]) : 0, fill, lines;
	size_t font_size, len, step;
	void *font_data;
	char *text;
	double t0, best = 1e9;

	if (argc < 4) {
		fprintf(stderr, "usage: console_bench ember|naive line|bulk|chunk|wall FONT [ROUNDS]\n");
		return 2;
	}
	use_naive = strcmp(argv[1], "naive") == 0;
	font_data = read_file(argv[3], &font_size);
	if (!font_data || psf_parse(&font, font_data, font_size, map, CONSOLE_FONT_MAP_MAX)) {
		fprintf(stderr, "console_bench: cannot load the font %s\n", argv[3]);
		return 1;
	}
	setup(fb, &font);
	fill = FB_H / font.height;                  /* lines that fill the screen */
	if (strcmp(argv[2], "line") == 0)
		lines = count ? count : 100;
	else
		lines = (count ? count : 1024) * 1024 / LINE_BYTES;
	text = make_text(0, fill + lines);
	if (!text)
		return 1;
	write_text(text, (size_t)fill * LINE_BYTES);
	len = (size_t)lines * LINE_BYTES;
	step = strcmp(argv[2], "line") == 0 ? LINE_BYTES :
	       strcmp(argv[2], "chunk") == 0 ? CHUNK_BYTES : len;
	if (strcmp(argv[2], "wall") == 0) {
		for (int i = 0; i < 5; i++) {       /* best of five: least disturbed */
			t0 = now();
			bench_measure(text + (size_t)fill * LINE_BYTES, len, step);
			best = best < now() - t0 ? best : now() - t0;
		}
		printf("design=%s bytes=%zu seconds=%.6f\n", argv[1], len, best);
		return 0;
	}
	bench_measure(text + (size_t)fill * LINE_BYTES, len, step);
	printf("design=%s scenario=%s lines=%u bytes=%zu writes=%zu check=%d\n", argv[1], argv[2],
	       lines, len, (len + step - 1) / step,
	       check_same(&font, text, (size_t)(fill + lines) * LINE_BYTES));
	return 0;
}
