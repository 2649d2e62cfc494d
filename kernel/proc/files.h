/*
 * The kernel's read-only root file system: the file-tree archive the loader
 * built from the ESP's ember/ folder (lib/filetree.h, kernel/boot_info.h),
 * checked once at boot and then served in place (its pages are kernel
 * memory, never freed). "ember/bin/hello" on the stick is "/bin/hello" here.
 *
 * files_init: main flow, once. The look-ups read only immutable data: any
 * context, any CPU.
 */
#ifndef EMBER_KERNEL_PROC_FILES_H
#define EMBER_KERNEL_PROC_FILES_H

#include <stddef.h>

#include "kernel/boot_info.h"
#include "lib/filetree.h"

/* Checks the archive (a bad one is reported and served as an empty tree). */
void files_init(const struct boot_info *bi);

/* The checked tree (count 0 when the loader handed none). */
const struct ftree *files_tree(void);

/*
 * The node of an absolute, normalised path ("/", "/bin/hello"): 0, -E_NOENT,
 * or -E_INVAL (relative, or with ".", "..", or empty components).
 */
int files_lookup(const char *path, struct ftree_node *out);

#endif
