/*
 * Inflate benchmark: the loader's inflater (lib/inflate.c, built with the
 * loader's code generation) unpacks the embedded kernel blob once inside
 * bench_measure, which callgrind counts alone (test/bench/image_size.py).
 * Prints "bytes=N crc=ok" so the caller can tell the work was real.
 *
 *   inflate_bench build/gz/kernel.elf.gz
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/inflate.h"

int bench_measure(const void *in, size_t len, void *out, size_t cap, size_t *n);

__attribute__((noinline)) int bench_measure(const void *in, size_t len, void *out, size_t cap,
					    size_t *n)
{
	return gzip_inflate(in, len, out, cap, n, NULL);
}

int main(int argc, char **argv)
{
	struct gzip_member m;
	size_t len, n = 0;
	uint8_t *in, *out;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "rb")))
		return fprintf(stderr, "usage: inflate_bench FILE.gz\n"), 2;
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	in = malloc(len);
	if (!in || fread(in, 1, len, f) != len || gzip_parse(in, len, &m, NULL))
		return fprintf(stderr, "inflate_bench: cannot read %s\n", argv[1]), 1;
	out = malloc(m.isize ? m.isize : 1);
	if (bench_measure(in, len, out, m.isize, &n))
		return fprintf(stderr, "inflate_bench: %s does not inflate\n", argv[1]), 1;
	printf("bytes=%zu crc=ok\n", n);
	return 0;
}
