/*
 * The file-tree archive (see filetree.h): a strict checker and reader for
 * the kernel, a writer for the loader. Pure code over plain memory; the same
 * file runs in host tests and the fuzz target.
 */
#include "lib/errno.h"
#include "lib/filetree.h"
#include "lib/string.h"

#define HDR_SIZE   sizeof(struct ftree_header)
#define ENT_SIZE   sizeof(struct ftree_entry)

static struct ftree_entry entry_at(const struct ftree *t, uint32_t i)
{
	struct ftree_entry e;

	memcpy(&e, t->base + HDR_SIZE + (uint64_t)i * ENT_SIZE, sizeof(e));
	return e;
}

/* Byte-wise comparison of two names of given lengths (shorter first on a tie). */
static int name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = memcmp(a, b, n);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Every component non-empty, not "." or "..", no NUL. */
static bool name_ok(const char *s, size_t n)
{
	size_t start = 0;

	if (n == 0 || n > FTREE_NAME_MAX)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] == '\0')
			return false;
		if (i < n && s[i] != '/')
			continue;
		size_t len = i - start;
		if (len == 0 || (len == 1 && s[start] == '.') ||
		    (len == 2 && s[start] == '.' && s[start + 1] == '.'))
			return false;
		start = i + 1;
	}
	return true;
}

static bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static void fill_node(const struct ftree *t, uint32_t i, const struct ftree_entry *e,
		      struct ftree_node *out)
{
	out->index = i;
	out->type = e->type;
	out->name = (const char *)t->base + e->name_off;
	out->name_len = e->name_len;
	out->data = e->type == FTREE_FILE ? t->base + e->data_off : NULL;
	out->size = e->size;
}

/* Length of the parent's path ("" has length 0), i.e. up to the last '/'. */
static size_t parent_len(const char *s, size_t n)
{
	while (n && s[n - 1] != '/')
		n--;
	return n ? n - 1 : 0;
}

static int check_entry(const struct ftree *t, uint32_t i, const char **why)
{
	struct ftree_entry e = entry_at(t, i), p;
	struct ftree_node parent;
	const char *name;
	size_t plen;

	if (!range_ok(e.name_off, e.name_len, t->size))
		return *why = "a name lies outside the archive", -E_INVAL;
	name = (const char *)t->base + e.name_off;
	if (!name_ok(name, e.name_len))
		return *why = "a name is empty, too long, or has an empty, \".\" or \"..\" component", -E_INVAL;
	if (e.type == FTREE_DIR && (e.size || e.data_off))
		return *why = "a directory has data", -E_INVAL;
	if (e.type != FTREE_DIR && e.type != FTREE_FILE)
		return *why = "an entry has an unknown type", -E_INVAL;
	if (e.type == FTREE_FILE && !range_ok(e.data_off, e.size, t->size))
		return *why = "a file's data lies outside the archive", -E_INVAL;
	if (i > 0) {
		p = entry_at(t, i - 1);
		if (name_cmp((const char *)t->base + p.name_off, p.name_len, name, e.name_len) >= 0)
			return *why = "entries are not in strict name order", -E_INVAL;
	}
	plen = parent_len(name, e.name_len);
	if (plen && (ftree_lookup(t, name, plen, &parent) || parent.type != FTREE_DIR))
		return *why = "an entry's parent directory is missing", -E_INVAL;
	return 0;
}

int ftree_open(struct ftree *t, const void *data, size_t size, const char **why)
{
	struct ftree_header h;
	const char *dummy;

	if (!why)
		why = &dummy;
	t->base = NULL;
	t->size = 0;
	t->count = 0;
	if (!data || size < HDR_SIZE)
		return *why = "archive shorter than its header", -E_INVAL;
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.magic, FTREE_MAGIC, 8) || h.version != FTREE_VERSION)
		return *why = "not a file-tree archive (magic or version)", -E_INVAL;
	if (h.size != size || h.count > FTREE_COUNT_MAX ||
	    (uint64_t)h.count * ENT_SIZE > size - HDR_SIZE)
		return *why = "size or entry count does not fit the archive", -E_INVAL;
	t->base = data;
	t->size = size;
	for (uint32_t i = 0; i < h.count; i++) {
		t->count = i;   /* look-ups while checking see only checked entries */
		if (check_entry(t, i, why)) {
			t->base = NULL;
			t->size = t->count = 0;
			return -E_INVAL;
		}
	}
	t->count = h.count;
	return 0;
}

int ftree_lookup(const struct ftree *t, const char *path, size_t len, struct ftree_node *out)
{
	uint32_t lo = 0, hi = t->count;

	if (len == 0) {
		*out = (struct ftree_node){ .index = FTREE_ROOT, .type = FTREE_DIR, .name = "" };
		return 0;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		struct ftree_entry e = entry_at(t, mid);
		int c = name_cmp((const char *)t->base + e.name_off, e.name_len, path, len);

		if (c == 0) {
			fill_node(t, mid, &e, out);
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -E_NOENT;
}

int ftree_node_at(const struct ftree *t, uint32_t i, struct ftree_node *out)
{
	struct ftree_entry e;

	if (i >= t->count)
		return -E_NOENT;
	e = entry_at(t, i);
	fill_node(t, i, &e, out);
	return 0;
}

int ftree_next_child(const struct ftree *t, const struct ftree_node *dir, uint32_t *cursor,
		     struct ftree_node *out)
{
	struct ftree_node n;
	size_t dl = dir->name_len;

	if (dir->type != FTREE_DIR)
		return -E_NOENT;
	for (uint32_t i = *cursor; i < t->count; i++) {
		ftree_node_at(t, i, &n);
		if (parent_len(n.name, n.name_len) != dl || memcmp(n.name, dir->name, dl))
			continue;
		if (dl && n.name[dl] != '/')
			continue;
		*cursor = i + 1;
		*out = n;
		out->name += dl ? dl + 1 : 0;
		out->name_len -= dl ? dl + 1 : 0;
		return 0;
	}
	*cursor = t->count;
	return -E_NOENT;
}

/* ---- writer ---------------------------------------------------------------- */

uint64_t ftree_bytes(const struct ftree_input *in, size_t n)
{
	uint64_t b = HDR_SIZE + (uint64_t)n * ENT_SIZE;

	for (size_t i = 0; i < n; i++)
		b += strlen(in[i].name) + (in[i].type == FTREE_FILE ? in[i].size : 0);
	return b;
}

static void sort_inputs(const struct ftree_input *in, size_t n, uint32_t *idx)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t v = (uint32_t)i;
		size_t j = i;

		while (j && name_cmp(in[idx[j - 1]].name, strlen(in[idx[j - 1]].name),
				     in[v].name, strlen(in[v].name)) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
}

int64_t ftree_write(void *out, uint64_t cap, const struct ftree_input *in, size_t n,
		    uint32_t *idx)
{
	uint8_t *o = out;
	uint64_t need = ftree_bytes(in, n), at = HDR_SIZE + (uint64_t)n * ENT_SIZE;
	struct ftree_header h = { .version = FTREE_VERSION, .count = (uint32_t)n, .size = need };
	struct ftree t;

	if (need > cap)
		return -E_NOSPC;
	if (n > FTREE_COUNT_MAX || need > UINT32_MAX)   /* name offsets are 32-bit */
		return -E_INVAL;
	sort_inputs(in, n, idx);
	memcpy(h.magic, FTREE_MAGIC, 8);
	memcpy(o, &h, sizeof(h));
	for (size_t k = 0; k < n; k++) {
		const struct ftree_input *f = &in[idx[k]];
		struct ftree_entry e = { .type = (uint16_t)f->type };
		size_t len = strlen(f->name);

		e.name_off = (uint32_t)at;
		e.name_len = (uint16_t)(len > FTREE_NAME_MAX ? 0 : len);
		memcpy(o + at, f->name, len);
		at += len;
		if (f->type == FTREE_FILE) {
			e.data_off = at;
			e.size = f->size;
			if (f->size)
				memcpy(o + at, f->data, f->size);
			at += f->size;
		}
		memcpy(o + HDR_SIZE + k * ENT_SIZE, &e, sizeof(e));
	}
	if (ftree_open(&t, o, need, NULL))
		return -E_INVAL;
	return (int64_t)need;
}
