/*
 * The loader's file hand-off: reads the ESP's \ember folder (every file and
 * directory under it, through the UEFI Simple File System of the volume we
 * were loaded from) and packs it into one file-tree archive (lib/filetree.h)
 * in kernel-typed pages, which the kernel keeps and serves as its read-only
 * root. No \ember folder means an empty tree, not an error; a file that
 * cannot be read, or a name that is not ASCII, is skipped with one line.
 *
 * Context: boot services, before loader_build_paging (the archive lies in
 * the direct map like all RAM).
 */
#include "efi/loader.h"
#include "lib/filetree.h"
#include "lib/memmap.h"
#include "lib/string.h"

#define FILES_MAX       512                 /* entries in the tree */
#define FILES_DEPTH     8                   /* directory levels under \ember */
#define FILES_BYTES_MAX (256ull << 20)      /* all file data together */
#define NAMES_BYTES     (FILES_MAX * 64)
#define INFO_BYTES      1024                /* EFI_FILE_INFO + a 255-char name */

struct files_state {
	struct ftree_input in[FILES_MAX];
	uint32_t idx[FILES_MAX];
	size_t n;
	char names[NAMES_BYTES];
	size_t names_used;
	uint64_t bytes;
};

/* 50 KiB: from the pool, as a static it would be 50 KiB of zeros in BOOTX64.EFI
 * (gnu-efi's link keeps .bss in the file's .data). */
static struct files_state *fs;

/* path + "/" + wide name as ASCII into the name pool; NULL if it does not fit or is not ASCII. */
static const char *add_name(const char *path, const CHAR16 *wide)
{
	char *out = fs->names + fs->names_used;
	size_t room = NAMES_BYTES - fs->names_used, n = 0, pl = strlen(path);

	if (pl + 2 > room)
		return NULL;
	memcpy(out, path, pl);
	n = pl;
	if (pl)
		out[n++] = '/';
	for (; *wide; wide++) {
		if (*wide >= 0x80 || *wide < 0x20 || *wide == '/' || n + 1 >= room ||
		    n >= FTREE_NAME_MAX)
			return NULL;
		out[n++] = (char)*wide;
	}
	out[n++] = '\0';
	fs->names_used += n;
	return out;
}

static EFI_STATUS read_file(EFI_FILE_HANDLE dir, const EFI_FILE_INFO *info, struct ftree_input *e)
{
	EFI_FILE_HANDLE f;
	UINTN size = info->FileSize;
	void *buf = NULL;
	EFI_STATUS st;

	if (fs->bytes + size > FILES_BYTES_MAX)
		return EFI_OUT_OF_RESOURCES;
	st = dir->Open(dir, &f, (CHAR16 *)info->FileName, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	if (size) {
		st = BS->AllocatePool(EfiLoaderData, size, &buf);
		if (!EFI_ERROR(st))
			st = f->Read(f, &size, buf);
		if (!EFI_ERROR(st) && size != info->FileSize)
			st = EFI_DEVICE_ERROR;
	}
	f->Close(f);
	if (EFI_ERROR(st)) {
		if (buf)
			BS->FreePool(buf);
		return st;
	}
	e->data = buf;
	e->size = size;
	fs->bytes += size;
	return EFI_SUCCESS;
}

static void walk(EFI_FILE_HANDLE dir, const char *path, unsigned depth);

/* One directory entry: record it, read a file, descend into a directory. */
static void visit(EFI_FILE_HANDLE dir, const char *path, const EFI_FILE_INFO *info, unsigned depth)
{
	struct ftree_input *e = &fs->in[fs->n];
	const char *name = add_name(path, info->FileName);
	bool is_dir = info->Attribute & EFI_FILE_DIRECTORY;
	EFI_FILE_HANDLE sub;
	EFI_STATUS st;

	if (!name || fs->n == FILES_MAX || (is_dir && depth + 1 >= FILES_DEPTH)) {
		loader_info("files: skipping an entry of ember/%s (name, count or depth limit)", path);
		return;
	}
	e->name = name;
	e->type = is_dir ? FTREE_DIR : FTREE_FILE;
	if (!is_dir) {
		st = read_file(dir, info, e);
		if (EFI_ERROR(st)) {
			loader_error(st, "files: cannot read ember/%s; skipped", name);
			return;
		}
		fs->n++;
		return;
	}
	fs->n++;
	if (!EFI_ERROR(dir->Open(dir, &sub, (CHAR16 *)info->FileName, EFI_FILE_MODE_READ, 0))) {
		walk(sub, name, depth + 1);
		sub->Close(sub);
	}
}

static bool dot_name(const CHAR16 *s)
{
	return s[0] == L'.' && (s[1] == 0 || (s[1] == L'.' && s[2] == 0));
}

static void walk(EFI_FILE_HANDLE dir, const char *path, unsigned depth)
{
	UINT64 info_buf[INFO_BYTES / 8];
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;

	for (;;) {
		UINTN size = sizeof(info_buf);

		if (EFI_ERROR(dir->Read(dir, &size, info)) || size == 0)
			return;
		if (!dot_name(info->FileName))
			visit(dir, path, info, depth);
	}
}

/* Packs fs->in into kernel-typed pages and records them in the boot info. */
static EFI_STATUS pack(struct loader *ld)
{
	uint64_t bytes = ftree_bytes(fs->in, fs->n), phys;
	int64_t n;

	phys = loader_alloc_pages(ld, UEFI_MEM_EMBER_KERNEL, (bytes + 4095) / 4096);
	if (!phys) {
		loader_error(EFI_OUT_OF_RESOURCES, "files: no memory for %llu bytes of ember/",
			     (unsigned long long)bytes);
		return EFI_OUT_OF_RESOURCES;
	}
	n = ftree_write((void *)phys, bytes, fs->in, fs->n, fs->idx);
	if (n < 0) {
		loader_error(EFI_LOAD_ERROR, "files: packing ember/ failed (%d)", (int)n);
		return EFI_LOAD_ERROR;
	}
	ld->bi->files = DIRECT_MAP_BASE + phys;
	ld->bi->files_size = (uint64_t)n;
	return EFI_SUCCESS;
}

EFI_STATUS loader_read_files(struct loader *ld)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root, dir;
	EFI_STATUS st = EFI_SUCCESS;

	if (EFI_ERROR(BS->HandleProtocol(ld->image, &LoadedImageProtocol, (void **)&li)))
		return EFI_SUCCESS;
	root = loader_open_root(li->DeviceHandle);
	if (!root)
		return EFI_SUCCESS;
	if (EFI_ERROR(BS->AllocatePool(EfiLoaderData, sizeof(*fs), (void **)&fs))) {
		root->Close(root);
		loader_error(EFI_OUT_OF_RESOURCES, "files: no memory for the file list");
		return EFI_OUT_OF_RESOURCES;
	}
	memset(fs, 0, sizeof(*fs));
	if (!EFI_ERROR(root->Open(root, &dir, L"ember", EFI_FILE_MODE_READ, 0))) {
		walk(dir, "", 0);
		dir->Close(dir);
		st = pack(ld);
		loader_info("files: %u entries, %llu bytes from ember/", (unsigned)fs->n,
			    (unsigned long long)fs->bytes);
	}
	root->Close(root);
	for (size_t i = 0; i < fs->n; i++)
		if (fs->in[i].data)
			BS->FreePool((void *)fs->in[i].data);
	BS->FreePool(fs);
	fs = NULL;
	return st;
}
