// SPDX-License-Identifier: MIT
/*
 * gen-seeds.c - writes the seed corpora of the firmware-image fuzz targets:
 * the base image in every class and byte order and every malformed variant
 * (OUTDIR/corpus-elf), and their resource tables prefixed with the byte-order
 * byte the table fuzz target expects (OUTDIR/corpus-rsc). Sample images given
 * on the command line are copied whole and their tables extracted.
 *
 * Usage: fwimage-gen-seeds OUTDIR [SAMPLE.elf...]
 * The committed seeds in fuzz/fwimage/ were made with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_builder.h"

static int write_seed(const char *dir, const char *sub, const char *name, uint8_t order_byte,
		      int with_order, const void *data, size_t size)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	ok = (!with_order || fwrite(&order_byte, 1, 1, f) == 1) &&
	     (size == 0 || fwrite(data, 1, size, f) == size);
	if (fclose(f) != 0 || !ok) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Write @img's table (when it has one that lies in the file) as an rsc seed. */
static int write_table_seed(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	struct uproc_fw_image img;

	if (uproc_fw_parse(&img, data, size, name, 0, NULL) != 0 || !img.has_rsc_table)
		return 0;
	return write_seed(dir, "corpus-rsc", name, (uint8_t)img.order, 1,
			  data + img.rsc_offset, (size_t)img.rsc_size);
}

int main(int argc, char **argv)
{
	static struct fwb b;
	char name[256];
	size_t i, c;
	int k;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OUTDIR [SAMPLE.elf...]\n", argv[0]);
		return 2;
	}
	for (i = 0; i < FWB_NUM_FORMATS; i++) {
		fwb_build(&b, fwb_formats[i].cls, fwb_formats[i].order);
		snprintf(name, sizeof(name), "base-%s", fwb_formats[i].tag);
		if (write_seed(argv[1], "corpus-elf", name, 0, 0, b.buf, b.size) ||
		    write_table_seed(argv[1], name, b.buf, b.size))
			return 1;
	}
	for (c = 0; c < fwb_num_cases; c++) {
		const struct fwb_case *k_case = &fwb_cases[c];
		size_t n = (c % 2) ? 1 : 2;	/* alternate elf32be and elf64le */

		if (k_case->only_class)
			n = k_case->only_class == UPROC_ELF32 ? 1 : 2;
		fwb_build(&b, fwb_formats[n].cls, fwb_formats[n].order);
		k_case->mutate(&b);
		if (b.size > 4096)	/* seeds stay small */
			continue;
		snprintf(name, sizeof(name), "bad-%s", k_case->name);
		if (write_seed(argv[1], "corpus-elf", name, 0, 0, b.buf, b.size))
			return 1;
		/* the table bytes themselves, for the table-parser target */
		if (!strncmp(k_case->name, "rsc_", 4) || !strncmp(k_case->name, "carveout", 8) ||
		    !strncmp(k_case->name, "devmem", 6) || !strncmp(k_case->name, "trace", 5) ||
		    !strncmp(k_case->name, "vdev", 4) || !strncmp(k_case->name, "vring", 5)) {
			if (write_seed(argv[1], "corpus-rsc", name, (uint8_t)b.order, 1,
				       b.buf + FWB_RSC_OFF, FWB_RSC_SIZE))
				return 1;
		}
	}
	for (k = 2; k < argc; k++) {
		FILE *f = fopen(argv[k], "rb");
		uint8_t *data;
		const char *base = strrchr(argv[k], '/');
		long len;

		if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0) {
			perror(argv[k]);
			return 1;
		}
		rewind(f);
		data = malloc((size_t)len);
		if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) {
			perror(argv[k]);
			return 1;
		}
		fclose(f);
		base = base ? base + 1 : argv[k];
		if (write_seed(argv[1], "corpus-elf", base, 0, 0, data, (size_t)len) ||
		    write_table_seed(argv[1], base, data, (size_t)len))
			return 1;
		free(data);
	}
	return 0;
}
