/*
 * libFuzzer target for the file-tree archive checker: any input either is
 * refused with a reason, or every entry it accepted can be looked up by its
 * own name, lies inside the input, and every directory's children are
 * entries whose parent it is.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/filetree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_node(const struct ftree *t, const uint8_t *data, size_t size,
		       const struct ftree_node *n)
{
	struct ftree_node again, child;
	uint32_t cur = 0, kids = 0;

	if ((const uint8_t *)n->name < data || (const uint8_t *)n->name + n->name_len > data + size)
		abort();
	if (n->type == FTREE_FILE && (n->data < data || n->data + n->size > data + size))
		abort();
	if (ftree_lookup(t, n->name, n->name_len, &again) || again.index != n->index)
		abort();
	while (ftree_next_child(t, n, &cur, &child) == 0)
		if (++kids > t->count)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftree t;
	struct ftree_node n;
	const char *why = NULL;

	if (ftree_open(&t, data, size, &why)) {
		if (!why || t.base)
			abort();
		return 0;
	}
	for (uint32_t i = 0; i < t.count; i++) {
		if (ftree_node_at(&t, i, &n))
			abort();
		check_node(&t, data, size, &n);
	}
	return 0;
}
