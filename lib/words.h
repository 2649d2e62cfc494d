/*
 * Splitting a typed line into words, as a shell does for its arguments: blanks
 * (space, tab) separate words; '...' keeps everything inside as it is; "..." too,
 * except that \" and \\ stand for " and \; outside quotes a backslash takes the next
 * character as it is (a blank, a quote). Quotes join: a'b c'd is one word "ab cd";
 * '' is an empty word. No variables, globs or other expansion.
 * Pure code, any context (the kernel shell's `run`, host tests, a fuzz target).
 */
#ifndef EMBER_LIB_WORDS_H
#define EMBER_LIB_WORDS_H

/*
 * Split the NUL-terminated line in place: each word is moved to the front of its
 * span and NUL-terminated (words never grow, so they fit), argv[0..n) point at them
 * and argv[n] is NULL when n < max. Returns n; -E_INVAL for a quote left open or a
 * backslash at the very end (nothing in argv is usable then); -E_RANGE when the line
 * has more than max words (argv holds the first max).
 */
int words_split(char *line, char **argv, int max);

#endif
