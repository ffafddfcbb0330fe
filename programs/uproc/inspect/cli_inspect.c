// SPDX-License-Identifier: MIT
/*
 * cli_inspect.c - "uproc inspect FIRMWARE...": what a firmware image holds, as
 * the loader will see it, or the exact reason it would be refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_inspect.h"
#include "uproc/errno.h"
#include "uproc/fwimage.h"

/* Firmware files larger than this are refused before reading. */
#define INSPECT_MAX_FILE (256u << 20)

static void inspect_usage(FILE *out)
{
	fprintf(out,
		"usage: uproc inspect FIRMWARE...\n"
		"  Print each firmware image's ELF summary, loadable segments and\n"
		"  resource table; exit 1 if any image is malformed.\n");
}

/*
 * Read a whole regular file into a new buffer; -errno on failure: -EISDIR for a
 * directory, -ENOTSUP for anything else that is not a regular file (a FIFO or a
 * device would block or never end). Opened without blocking, so a FIFO with no
 * writer does not hang the open.
 */
static int inspect_read_file(const char *path, uint8_t **data, size_t *size)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;
	int ret = 0;
	struct stat st;

	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -ENOTSUP;
		close(fd);
		return ret;
	}
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *n;

			if (cap >= INSPECT_MAX_FILE) {
				ret = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			n = realloc(buf, cap);
			if (!n) {
				ret = -ENOMEM;
				break;
			}
			buf = n;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				ret = -EIO;
			break;
		}
	}
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	*data = buf;
	*size = len;
	return 0;
}

static const char *inspect_type_name(uint16_t e_type)
{
	switch (e_type) {
	case 1:
		return "REL";
	case 2:
		return "EXEC";
	case 3:
		return "DYN";
	case 4:
		return "CORE";
	default:
		return "other";
	}
}

static void inspect_print_header(const struct uproc_fw_image *img)
{
	const char *machine = uproc_fw_machine_name(img->e_machine);

	printf("%s: ELF%d %s-endian, machine %s (%u), type %s (%u), entry 0x%llx\n",
	       img->name, img->elf_class == UPROC_ELF32 ? 32 : 64,
	       img->order == UPROC_BIG_ENDIAN ? "big" : "little",
	       machine ? machine : "unknown", img->e_machine,
	       inspect_type_name(img->e_type), img->e_type,
	       (unsigned long long)img->entry);
	printf("  %u program headers at 0x%llx, %u section headers at 0x%llx, %zu bytes\n",
	       img->phnum, (unsigned long long)img->phoff, img->shnum,
	       (unsigned long long)img->shoff, img->size);
}

static void inspect_print_segments(const struct uproc_fw_image *img)
{
	struct uproc_fw_segment s;
	unsigned int i;

	printf("Loadable segments: %u\n", img->nsegs);
	for (i = 0; i < img->phnum; i++) {
		if (uproc_fw_get_segment(img, i, &s) != 1)
			continue;
		printf("  [%u] da 0x%llx memsz 0x%llx filesz 0x%llx offset 0x%llx flags %c%c%c\n",
		       s.phdr, (unsigned long long)s.da, (unsigned long long)s.memsz,
		       (unsigned long long)s.filesz, (unsigned long long)s.offset,
		       s.flags & 4 ? 'R' : '-', s.flags & 2 ? 'W' : '-', s.flags & 1 ? 'X' : '-');
	}
}

/* Warnings Linux would print while handling the table (rproc_handle_resources). */
static void inspect_warn_entries(const struct uproc_fw_image *img)
{
	struct uproc_rsc_entry e;
	uint32_t i;

	for (i = 0; i < img->rsc.num; i++) {
		if (uproc_rsc_get(&img->rsc, i, &e))
			continue;
		if (e.kind == UPROC_RSC_UNKNOWN)
			fprintf(stderr, "%s: warning: resource %u: unsupported resource type %u (skipped)\n",
				img->name, i, e.type);
	}
}

static int inspect_print_table(const struct uproc_fw_image *img)
{
	const struct uproc_rsc_table *t = img->has_rsc_table ? &img->rsc : NULL;
	char *text;
	int len;

	if (t)
		printf("Resource table: section %u at offset 0x%llx, 0x%llx bytes, da 0x%llx, "
		       "version %u, %u entries\n",
		       img->rsc_section, (unsigned long long)img->rsc_offset,
		       (unsigned long long)img->rsc_size, (unsigned long long)img->rsc_da,
		       t->ver, t->num);
	len = uproc_rsc_table_dump(t, NULL, 0);
	if (len < 0)
		return len;
	text = malloc((size_t)len + 1);
	if (!text)
		return -ENOMEM;
	uproc_rsc_table_dump(t, text, (size_t)len + 1);
	fputs(text, stdout);
	free(text);
	if (t)
		inspect_warn_entries(img);
	return 0;
}

static int inspect_one(const char *path)
{
	struct uproc_fw_error err;
	struct uproc_fw_image img;
	uint8_t *data = NULL;
	size_t size = 0;
	int ret;

	ret = inspect_read_file(path, &data, &size);
	if (ret) {
		if (ret == -ENOTSUP)
			fprintf(stderr, "uproc inspect: %s: not a regular file (a FIFO, socket or "
				"device): refused\n", path);
		else
			fprintf(stderr, "uproc inspect: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	ret = uproc_fw_parse(&img, data, size, path, 0, &err);
	if (ret) {
		fprintf(stderr, "uproc inspect: %s (%s)\n", err.msg, strerror(-ret));
		free(data);
		return ret;
	}
	inspect_print_header(&img);
	inspect_print_segments(&img);
	ret = inspect_print_table(&img);
	if (ret)
		fprintf(stderr, "uproc inspect: %s: cannot print the table: %s\n", path,
			strerror(-ret));
	free(data);
	return ret;
}

int uproc_cmd_inspect(int argc, char **argv)
{
	int i, first = 1, status = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		inspect_usage(stdout);
		return 0;
	}
	if (argc < 2) {
		inspect_usage(stderr);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (!first)
			putchar('\n');
		first = 0;
		if (inspect_one(argv[i]))
			status = 1;
	}
	fflush(stdout);
	return status;
}
