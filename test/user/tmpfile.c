/*
 * tmpfile: /tmp is writable and the rest read-only. Creates, appends,
 * reads back, lists, seeks, unlinks; writes to the tree must fail with
 * EROFS. Prints "tmpfile: ok" or the first thing that went wrong.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FAIL(what) do { printf("tmpfile: %s failed (errno %d)\n", what, errno); return 1; } while (0)

int main(void)
{
	char buf[64] = { 0 };
	int fd = open("/tmp/note", O_CREAT | O_TRUNC | O_WRONLY, 0644), found = 0;
	DIR *d;
	struct dirent *e;

	if (fd < 0 || write(fd, "hello ", 6) != 6)
		FAIL("create");
	close(fd);
	fd = open("/tmp/note", O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "tmp", 3) != 3)
		FAIL("append");
	close(fd);
	fd = open("/tmp/note", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) != 9 || strcmp(buf, "hello tmp"))
		FAIL("read back");
	if (lseek(fd, 6, SEEK_SET) != 6 || read(fd, buf, 3) != 3 || memcmp(buf, "tmp", 3))
		FAIL("seek");
	close(fd);
	if (!(d = opendir("/tmp")))
		FAIL("opendir");
	while ((e = readdir(d)))
		found |= !strcmp(e->d_name, "note");
	closedir(d);
	if (!found)
		FAIL("list");
	if (unlink("/tmp/note") || open("/tmp/note", O_RDONLY) >= 0 || errno != ENOENT)
		FAIL("unlink");
	if (open("/bin/new", O_CREAT | O_WRONLY, 0644) >= 0 || errno != EROFS)
		FAIL("read-only tree");
	printf("tmpfile: ok\n");
	return 0;
}
