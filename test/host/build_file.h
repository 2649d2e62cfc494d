/*
 * Host tests: read a file the build made (a font, a kernel) into memory.
 * Runs in the host test process, before cmocka starts. Test binaries live in
 * build/host/bin/, so a build file REL is found at <dir of argv[0]>/../../REL,
 * whatever the BUILD directory is called. Header-only: every host test that
 * includes it gets its own static copy, and no Makefile rule is needed.
 */
#ifndef TEST_HOST_BUILD_FILE_H
#define TEST_HOST_BUILD_FILE_H

#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Read <build>/REL into a malloc'd buffer: 0 and *data/*size on success; -1
 * with a message naming the make target that builds it otherwise. */
static inline int build_file_read(const char *argv0, const char *rel,
				  uint8_t **data, size_t *size)
{
	char dir[4096], path[4200];
	FILE *fp;
	long n;
	int ok;

	snprintf(dir, sizeof(dir), "%s", argv0);
	snprintf(path, sizeof(path), "%s/../../%s", dirname(dir), rel);
	fp = fopen(path, "rb");
	if (!fp || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) <= 0) {
		fprintf(stderr, "%s: cannot read %s: build it first with `make build/%s`\n",
			argv0, path, rel);
		if (fp)
			fclose(fp);
		return -1;
	}
	rewind(fp);
	*size = (size_t)n;
	*data = malloc(*size);
	ok = *data && fread(*data, 1, *size, fp) == *size;
	fclose(fp);
	return ok ? 0 : -1;
}

#endif
