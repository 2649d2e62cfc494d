/* Command line look-ups (see cmdline.h). Pure, any context. */
#include "lib/cmdline.h"
#include "lib/string.h"

/* Next word: skips spaces, returns its start and sets *len; NULL at the end. */
static const char *next_word(const char *s, size_t *len)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	while (s[n] && s[n] != ' ')
		n++;
	*len = n;
	return s;
}

bool cmdline_has(const char *cmdline, const char *word)
{
	size_t len, wlen = strlen(word);
	const char *w;

	for (w = next_word(cmdline, &len); w; w = next_word(w + len, &len))
		if (len == wlen && !memcmp(w, word, len))
			return true;
	return false;
}

int cmdline_get(const char *cmdline, const char *key, char *val, size_t cap)
{
	size_t len, klen = strlen(key), vlen;
	const char *w;
	int found = -1;

	for (w = next_word(cmdline, &len); w; w = next_word(w + len, &len)) {
		if (len <= klen || memcmp(w, key, klen) || w[klen] != '=')
			continue;
		vlen = len - klen - 1;
		found = (int)vlen;
		if (cap) {
			vlen = vlen < cap - 1 ? vlen : cap - 1;
			memcpy(val, w + klen + 1, vlen);
			val[vlen] = 0;
		}
	}
	return found;
}

static bool is_separator(char c)
{
	return c == ' ' || (unsigned char)c < 0x20 || c == 0x7f;
}

size_t cmdline_append(char *dst, size_t cap, const char *src, size_t len)
{
	size_t n, i = 0, w;

	if (!cap)
		return 0;
	n = strlen(dst);
	while (i < len && src[i]) {
		if (is_separator(src[i])) {
			i++;
			continue;
		}
		for (w = i; w < len && src[w] && !is_separator(src[w]); w++)
			;
		if (n + (n > 0) + (w - i) > cap - 1)
			break;              /* the word does not fit: stop, never cut */
		if (n)
			dst[n++] = ' ';
		for (; i < w; i++)
			dst[n++] = (unsigned char)src[i] > 0x7e ? '?' : src[i];
	}
	dst[n] = 0;
	return n;
}
