/* Splitting a typed line into words, with quotes (see words.h). Pure, any context. */
#include "lib/errno.h"
#include "lib/words.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Copy one word from *rp to *wp, removing quotes and escapes; stops at a blank or the
 * end outside quotes. Returns 0 or -E_INVAL (open quote, backslash at the end).
 */
static int word_take(char **rp, char **wp)
{
	char *r = *rp, *w = *wp, quote = 0;

	while (*r && (quote || !is_blank(*r))) {
		char c = *r++;

		if (quote == '\'' && c != '\'') {
			*w++ = c;
		} else if (c == quote) {
			quote = 0;
		} else if (!quote && (c == '\'' || c == '"')) {
			quote = c;
		} else if (c == '\\' && (!quote || *r == '"' || *r == '\\')) {
			if (!*r)
				return -E_INVAL;
			*w++ = *r++;
		} else {
			*w++ = c;
		}
	}
	if (quote)
		return -E_INVAL;
	*rp = r;
	*wp = w;
	return 0;
}

int words_split(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int n = 0, err;
	char end;

	for (;;) {
		while (is_blank(*r))
			r++;
		if (!*r)
			break;
		if (n == max)
			return -E_RANGE;
		argv[n] = w;
		err = word_take(&r, &w);
		if (err)
			return err;
		end = *r;
		*w++ = 0;     /* may land on the blank that ended the word: w <= r */
		n++;
		if (!end)
			break;
		r++;
	}
	if (n < max)
		argv[n] = 0;
	return n;
}
