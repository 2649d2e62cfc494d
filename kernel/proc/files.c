/*
 * The root file tree (see files.h): the loader's archive, checked by
 * ftree_open before anything reads it.
 */
#include "kernel/kprintf.h"
#include "kernel/proc/files.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct ftree tree;

void files_init(const struct boot_info *bi)
{
	const char *why;

	if (!bi->files) {
		kprintf("files: the loader found no ember/ folder: empty root\n");
		return;
	}
	if (ftree_open(&tree, (const void *)bi->files, bi->files_size, &why)) {
		kprintf("files: the loader's archive is refused (%s): empty root\n", why);
		return;
	}
	kprintf("files: %u entries, %llu bytes from the ESP's ember/ folder\n",
		tree.count, (unsigned long long)bi->files_size);
}

const struct ftree *files_tree(void)
{
	return &tree;
}

int files_lookup(const char *path, struct ftree_node *out)
{
	size_t n;

	if (path[0] != '/')
		return -E_INVAL;
	path++;
	n = strlen(path);
	if (n && path[n - 1] == '/')
		n--;                     /* "/bin/" names the directory /bin */
	if (n > FTREE_NAME_MAX)
		return -E_NOENT;
	if (!tree.base)
		return n ? -E_NOENT : ftree_lookup(&tree, "", 0, out);
	return ftree_lookup(&tree, path, n, out);
}
