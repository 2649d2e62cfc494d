/*
 * The file-tree archive: how the loader hands the ESP's ember/ folder to the
 * kernel. One contiguous block, little endian, built by the loader with
 * ftree_write() and checked by the kernel with ftree_open() before any entry
 * is read:
 *
 *   struct ftree_header                       at offset 0
 *   struct ftree_entry  entry[count]          at offset 32, sorted by name
 *   names and file data                       anywhere after, inside size
 *
 * Names are paths relative to ember/, '/'-separated, without leading or
 * trailing '/', empty components, "." or ".."; every parent directory has
 * its own entry. The root ("") has no entry. Strict byte order of names
 * makes look-up a binary search and duplicates impossible.
 *
 * Pure code, any context: reads nothing outside the block, allocates nothing,
 * needs no alignment of the data.
 */
#ifndef EMBER_LIB_FILETREE_H
#define EMBER_LIB_FILETREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"

#define FTREE_MAGIC      "EMBERFT1"
#define FTREE_VERSION    1u
#define FTREE_NAME_MAX   255u     /* bytes of one path */
#define FTREE_COUNT_MAX  4096u    /* entries in one archive */
#define FTREE_FILE       1u
#define FTREE_DIR        2u

struct ftree_header {
	char magic[8];            /* FTREE_MAGIC, no NUL */
	uint32_t version;         /* FTREE_VERSION */
	uint32_t count;           /* entries */
	uint64_t size;            /* bytes of the whole archive */
	uint64_t reserved;
} __packed;
_Static_assert(sizeof(struct ftree_header) == 32, "file-tree header is 32 bytes");

struct ftree_entry {
	uint32_t name_off;        /* from the start of the archive */
	uint16_t name_len;        /* 1..FTREE_NAME_MAX, no NUL inside */
	uint16_t type;            /* FTREE_FILE or FTREE_DIR */
	uint64_t data_off;        /* files: from the start; dirs: 0 */
	uint64_t size;            /* files: bytes; dirs: 0 */
	uint64_t reserved;
} __packed;
_Static_assert(sizeof(struct ftree_entry) == 32, "file-tree entry is 32 bytes");

/* A checked archive. Fields belong to filetree.c. */
struct ftree {
	const uint8_t *base;
	uint64_t size;
	uint32_t count;
};

/* One entry as the kernel reads it. */
struct ftree_node {
	uint32_t index;           /* 0..count-1; FTREE_ROOT for the root */
	uint32_t type;            /* FTREE_FILE / FTREE_DIR */
	const char *name;         /* full path, not NUL-terminated */
	size_t name_len;
	const uint8_t *data;      /* files: size bytes; dirs: NULL */
	uint64_t size;
};
#define FTREE_ROOT 0xffffffffu

/*
 * Checks data[0..size) completely: header, every entry, name and data range,
 * name rules, strict order, parents present. 0 and *t filled, or -E_INVAL
 * with *why (if not NULL) set to a one-line English reason.
 */
int ftree_open(struct ftree *t, const void *data, size_t size, const char **why);

/* The node for path (relative, as stored; "" is the root). 0 or -E_NOENT. */
int ftree_lookup(const struct ftree *t, const char *path, size_t len, struct ftree_node *out);

/* Entry i; 0 or -E_NOENT. */
int ftree_node_at(const struct ftree *t, uint32_t i, struct ftree_node *out);

/*
 * Children of directory dir, one per call: start with *cursor = 0; 0 and the
 * next child, or -E_NOENT at the end. Returns the child's last path
 * component in out->name / name_len.
 */
int ftree_next_child(const struct ftree *t, const struct ftree_node *dir, uint32_t *cursor,
		     struct ftree_node *out);

/* ---- building (the loader; host tests) ----------------------------------- */

struct ftree_input {
	const char *name;         /* NUL-terminated relative path */
	uint32_t type;
	const void *data;
	uint64_t size;
};

/* Bytes ftree_write() needs for in[0..n). */
uint64_t ftree_bytes(const struct ftree_input *in, size_t n);

/*
 * Writes the archive of in[0..n) (any order; it sorts a copy of the order in
 * idx[0..n), which the caller provides) into out[0..cap). Returns the bytes
 * written, or a negative -E_NOSPC / -E_INVAL (bad name, duplicate). Output
 * is checked by ftree_open() before it returns success.
 */
int64_t ftree_write(void *out, uint64_t cap, const struct ftree_input *in, size_t n,
		    uint32_t *idx);

#endif
