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
