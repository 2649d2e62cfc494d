/*
 * /tmp in kernel memory (see tmpfs.h): a table of named, growable buffers.
 */
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/tmpfs.h"
#include "kernel/proc/uaccess.h"
#include "lib/string.h"

struct tmp_file {
	bool used;                 /* the slot holds a file (linked or still open) */
	bool linked;               /* visible under /tmp */
	char name[TMPFS_NAME_MAX];
	uint8_t *data;
	uint64_t size, cap;
	int refs;                  /* open files */
};

static struct tmp_file files[TMPFS_FILES];

static int find(const char *name)
{
	for (int i = 0; i < TMPFS_FILES; i++)
		if (files[i].used && files[i].linked && !strcmp(files[i].name, name))
			return i;
	return -LX_ENOENT;
}

static void release(struct tmp_file *f)
{
	kfree(f->data);
	memset(f, 0, sizeof(*f));
}

static int create(const char *name)
{
	for (int i = 0; i < TMPFS_FILES; i++) {
		if (files[i].used)
			continue;
		files[i].used = files[i].linked = true;
		memcpy(files[i].name, name, strlen(name) + 1);
		return i;
	}
	return -LX_ENOSPC;
}

int tmpfs_open(const char *name, bool want_create, bool trunc)
{
	size_t n = strlen(name);
	int i;

	if (!n || strchr(name, '/'))
		return -LX_EINVAL;
	if (n >= TMPFS_NAME_MAX)
		return -LX_ENAMETOOLONG;
	i = find(name);
	if (i < 0 && want_create)
		i = create(name);
	if (i < 0)
		return i;
	if (trunc)
		files[i].size = 0;
	files[i].refs++;
	return i;
}

void tmpfs_close(int i)
{
	if (--files[i].refs == 0 && !files[i].linked)
		release(&files[i]);
}

long tmpfs_read(int i, uint64_t off, uint64_t ubuf, size_t n)
{
	struct tmp_file *f = &files[i];

	if (off >= f->size)
		return 0;
	if (n > f->size - off)
		n = f->size - off;
	return copy_to_user(ubuf, f->data + off, n) ? -LX_EFAULT : (long)n;
}

static int grow(struct tmp_file *f, uint64_t need)
{
	uint64_t cap = f->cap ? f->cap : 256;
	uint8_t *d;

	while (cap < need)
		cap *= 2;
	if (cap > TMPFS_FILE_MAX)
		cap = TMPFS_FILE_MAX;
	d = krealloc(f->data, cap);
	if (!d)
		return -LX_ENOMEM;
	f->data = d;
	f->cap = cap;
	return 0;
}

long tmpfs_write(int i, uint64_t off, uint64_t ubuf, size_t n)
{
	struct tmp_file *f = &files[i];
	int err;

	if (off > TMPFS_FILE_MAX || n > TMPFS_FILE_MAX - off)
		return -LX_EFBIG;
	if (off + n > f->cap && (err = grow(f, off + n)))
		return err;
	if (off > f->size)
		memset(f->data + f->size, 0, off - f->size);
	if (copy_from_user(f->data + off, ubuf, n))
		return -LX_EFAULT;
	if (off + n > f->size)
		f->size = off + n;
	return (long)n;
}

uint64_t tmpfs_size(int i)
{
	return files[i].size;
}

int tmpfs_unlink(const char *name)
{
	int i = find(name);

	if (i < 0)
		return i;
	files[i].linked = false;
	if (!files[i].refs)
		release(&files[i]);
	return 0;
}

int tmpfs_rename(const char *from, const char *to, bool noreplace)
{
	size_t n = strlen(to);
	int i = find(from), j;

	if (!n || strchr(to, '/'))
		return -LX_EINVAL;
	if (n >= TMPFS_NAME_MAX)
		return -LX_ENAMETOOLONG;
	if (i < 0)
		return i;
	j = find(to);
	if (j == i)
		return noreplace ? -LX_EEXIST : 0;
	if (j >= 0 && noreplace)
		return -LX_EEXIST;
	if (j >= 0)
		tmpfs_unlink(to);
	memcpy(files[i].name, to, n + 1);
	return 0;
}

const char *tmpfs_next(uint32_t *cursor)
{
	for (uint32_t i = *cursor; i < TMPFS_FILES; i++) {
		if (files[i].used && files[i].linked) {
			*cursor = i + 1;
			return files[i].name;
		}
	}
	*cursor = TMPFS_FILES;
	return NULL;
}

unsigned tmpfs_count(void)
{
	unsigned n = 0;

	for (int i = 0; i < TMPFS_FILES; i++)
		n += files[i].used;
	return n;
}
