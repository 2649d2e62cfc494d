/*
 * Fuzz target: the shell's word splitting (lib/words.c). The line sits in a heap
 * block of exactly its size, so a read or write past its NUL is caught. The result is
 * compared with a reference that builds each word in its own buffer, state by state
 * (blank, word, single-quoted, double-quoted), instead of compacting in place; every
 * argv entry must point inside the line and argv[n] be NULL.
 */
#include <string.h>

#include "lib/errno.h"
#include "lib/words.h"
#include "test/fuzz/fuzz.h"

#define MAXW 8
#define MAXLEN 512

enum state { BLANK, WORD, SQ, DQ };

struct ref { int n; char w[MAXW][MAXLEN + 1]; size_t len[MAXW]; };

static int ref_push(struct ref *r, enum state *st, char c)
{
	if (*st == BLANK) {
		if (r->n == MAXW)
			return -E_RANGE;
		r->len[r->n++] = 0;
		*st = WORD;
	}
	if (c)
		r->w[r->n - 1][r->len[r->n - 1]++] = c;
	return 0;
}

static int ref_split(const char *s, struct ref *r)
{
	enum state st = BLANK;

	r->n = 0;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i], nx = s[i + 1];
		int err = 0;

		if (st == SQ)
			st = c == '\'' ? WORD : (r->w[r->n - 1][r->len[r->n - 1]++] = c, SQ);
		else if (st == DQ && c == '"')
			st = WORD;
		else if (st == DQ && c == '\\' && (nx == '"' || nx == '\\'))
			r->w[r->n - 1][r->len[r->n - 1]++] = nx, i++;
		else if (st == DQ)
			r->w[r->n - 1][r->len[r->n - 1]++] = c;
		else if (c == ' ' || c == '\t')
			st = BLANK;
		else if (c == '\'' || c == '"')
			err = ref_push(r, &st, 0), st = err ? st : (c == '"' ? DQ : SQ);
		else if (c == '\\' && (err = ref_push(r, &st, 0)) == 0) {
			if (!nx)
				return -E_INVAL;   /* after the word count: a 9th word is E_RANGE */
			r->w[r->n - 1][r->len[r->n - 1]++] = nx;
			i++;
		} else if (c != '\\')
			err = ref_push(r, &st, c);
		if (err)
			return err;
	}
	return st == SQ || st == DQ ? -E_INVAL : r->n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ref ref;
	char *argv[MAXW + 1];
	size_t n = 0;
	char *line;
	int got, want;

	if (size > MAXLEN)
		size = MAXLEN;
	while (n < size && data[n])
		n++;
	line = malloc(n + 1);
	memcpy(line, data, n);
	line[n] = 0;
	want = ref_split(line, &ref);
	got = words_split(line, argv, MAXW);
	FUZZ_CHECK(got == want);
	for (int i = 0; i < got; i++) {
		FUZZ_CHECK(argv[i] >= line && argv[i] + ref.len[i] <= line + n);
		FUZZ_CHECK(strlen(argv[i]) == ref.len[i]);
		FUZZ_CHECK(!memcmp(argv[i], ref.w[i], ref.len[i]));
	}
	if (got >= 0 && got < MAXW)
		FUZZ_CHECK(argv[got] == NULL);
	free(line);
	return 0;
}
