/*
 * Fuzz target: command line look-ups (lib/cmdline.c). The input gives a key,
 * a value buffer size and a command line; each string sits in a heap block of
 * exactly its size, so a read past a NUL or a write past the value buffer is
 * caught. cmdline_has and cmdline_get are compared with a reference that
 * splits the line into space-separated words first.
 */
#include <string.h>

#include "lib/cmdline.h"
#include "test/fuzz/fuzz.h"

#define MAX_WORDS 512

struct word { const char *s; size_t len; };

static size_t split(const char *s, struct word *w)
{
	size_t n = 0;

	while (*s && n < MAX_WORDS) {
		size_t len = 0;

		if (*s == ' ') {
			s++;
			continue;
		}
		while (s[len] && s[len] != ' ')
			len++;
		w[n++] = (struct word){ s, len };
		s += len;
	}
	return n;
}

static int ref_has(const struct word *w, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].len == strlen(word) && !memcmp(w[i].s, word, w[i].len))
			return 1;
	return 0;
}

/* The last word "key=..."; NULL if none. */
static const struct word *ref_get(const struct word *w, size_t n, const char *key)
{
	size_t k = strlen(key);
	const struct word *found = NULL;

	for (size_t i = 0; i < n; i++)
		if (w[i].len > k && !memcmp(w[i].s, key, k) && w[i].s[k] == '=')
			found = &w[i];
	return found;
}

/* A NUL-terminated heap copy of the next len bytes (cut at an inner NUL). */
static char *take_string(struct fuzz_in *in, size_t len)
{
	char *s;
	size_t n = 0;

	if (len > in->left)
		len = in->left;
	while (n < len && in->p[n])
		n++;
	s = malloc(n + 1);
	memcpy(s, in->p, n);
	s[n] = 0;
	in->p += len;
	in->left -= len;
	return s;
}

static void check_get(const char *line, const char *key, size_t cap,
		      const struct word *w, size_t n)
{
	const struct word *ref = ref_get(w, n, key);
	char *val = cap ? malloc(cap) : NULL;
	int got = cmdline_get(line, key, val, cap);

	if (!ref) {
		FUZZ_CHECK(got == -1);
	} else {
		size_t vlen = ref->len - strlen(key) - 1;
		size_t kept = vlen < cap ? vlen : (cap ? cap - 1 : 0);

		FUZZ_CHECK(got == (int)vlen);
		if (cap) {
			FUZZ_CHECK(!memcmp(val, ref->s + strlen(key) + 1, kept));
			FUZZ_CHECK(val[kept] == 0);
		}
	}
	free(val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct word w[MAX_WORDS];
	struct fuzz_in in = { data, size };
	size_t klen = fuzz_u8(&in) % 16, cap = fuzz_u8(&in) % 12, n;
	char *key = take_string(&in, klen);
	char *line = take_string(&in, in.left);

	n = split(line, w);
	if (n < MAX_WORDS) {
		FUZZ_CHECK(cmdline_has(line, key) == ref_has(w, n, key));
		check_get(line, key, cap, w, n);
		check_get(line, key, 64, w, n);
	}
	free(line);
	free(key);
	return 0;
}
