// SPDX-License-Identifier: MIT
/*
 * test-fwimage-samples.c - the sample firmware images built from
 * firmware/samples/sample_fw.c by real compilers (x86-64 ELF64 LE, ARM ELF32 LE,
 * MIPS ELF32 BE) parse to exactly the values their source and linker script
 * declare. A sample whose cross compiler is missing is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uproc/fwimage.h"

struct sample {
	const char *path;		/* NULL: not built on this machine */
	enum uproc_elf_class cls;
	enum uproc_byte_order order;
	uint16_t machine;
};

#ifndef UPROC_SAMPLE_X86_64
#define UPROC_SAMPLE_X86_64 NULL
#endif
#ifndef UPROC_SAMPLE_ARM
#define UPROC_SAMPLE_ARM NULL
#endif
#ifndef UPROC_SAMPLE_MIPS
#define UPROC_SAMPLE_MIPS NULL
#endif

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (size_t)len;
	return buf;
}

static void check_segments(const struct uproc_fw_image *img)
{
	struct uproc_fw_segment s;

	assert_int_equal(img->phnum, 3);
	assert_int_equal(img->nsegs, 3);
	assert_int_equal(uproc_fw_get_segment(img, 0, &s), 1);
	assert_int_equal(s.da, 0x100000);
	assert_int_equal(s.flags, 5);
	assert_true(s.filesz > 0x10 && s.filesz < 0x1000);	/* code, banner */
	assert_int_equal(s.filesz, s.memsz);
	assert_int_equal(uproc_fw_get_segment(img, 1, &s), 1);
	assert_int_equal(s.da, 0x110000);
	assert_int_equal(s.filesz, 0x11c);
	assert_int_equal(s.memsz, 0x11c);
	assert_int_equal(s.flags, 6);
	assert_int_equal(s.offset, img->rsc_offset);
	assert_int_equal(uproc_fw_get_segment(img, 2, &s), 1);
	assert_int_equal(s.da, 0x120000);
	assert_int_equal(s.filesz, 0);
	assert_int_equal(s.memsz, 0x1000);
	assert_int_equal(s.flags, 6);
}

static void check_table(const struct uproc_fw_image *img)
{
	const struct uproc_rsc_table *t = &img->rsc;
	struct uproc_rsc_entry e;
	unsigned int i;

	assert_true(img->has_rsc_table);
	assert_int_equal(img->rsc_da, 0x110000);
	assert_int_equal(img->rsc_size, 0x11c);
	assert_int_equal(t->num, 5);
	assert_int_equal(t->unknown, 0);
	/* the first word on disk is ver = 1 in the firmware's own order */
	assert_int_equal(t->data[img->order == UPROC_BIG_ENDIAN ? 3 : 0], 1);

	assert_int_equal(uproc_rsc_get(t, 0, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_CARVEOUT);
	assert_int_equal(e.offset, 36);
	assert_int_equal(e.u.carveout.da, 0x100000);
	assert_int_equal(e.u.carveout.pa, RPROC_RSC_ADDR_ANY);
	assert_int_equal(e.u.carveout.len, 0x30000);
	assert_int_equal(e.u.carveout.flags, 0);
	assert_string_equal(e.u.carveout.name, "fw-ram");

	assert_int_equal(uproc_rsc_get(t, 1, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_TRACE);
	assert_int_equal(e.offset, 92);
	assert_int_equal(e.u.trace.da, 0x120000);
	assert_int_equal(e.u.trace.len, 0x1000);
	assert_string_equal(e.u.trace.name, "trace0");

	assert_int_equal(uproc_rsc_get(t, 2, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_VDEV);
	assert_int_equal(e.offset, 140);
	assert_int_equal(e.u.vdev.id, VIRTIO_ID_RPMSG);
	assert_int_equal(e.u.vdev.notifyid, 2);
	assert_int_equal(e.u.vdev.dfeatures, 1);
	assert_int_equal(e.u.vdev.gfeatures, 0);
	assert_int_equal(e.u.vdev.config_len, 8);
	assert_int_equal(e.u.vdev.status, 0);
	assert_int_equal(e.u.vdev.num_of_vrings, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(e.u.vdev.vring[i].da, RPROC_RSC_ADDR_ANY);
		assert_int_equal(e.u.vdev.vring[i].align, 0x1000);
		assert_int_equal(e.u.vdev.vring[i].num, 256);
		assert_int_equal(e.u.vdev.vring[i].notifyid, i);
		assert_int_equal(e.u.vdev.vring[i].pa, 0);
	}
	assert_int_equal(e.u.vdev.config_offset, 140 + 4 + 24 + 40);
	for (i = 0; i < 8; i++)
		assert_int_equal(t->data[e.u.vdev.config_offset + i], i + 1);

	assert_int_equal(uproc_rsc_get(t, 3, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_CARVEOUT);
	assert_int_equal(e.offset, 216);
	assert_int_equal(e.u.carveout.da, RPROC_RSC_ADDR_ANY);
	assert_int_equal(e.u.carveout.pa, RPROC_RSC_ADDR_ANY);
	assert_int_equal(e.u.carveout.len, 0x80000);
	assert_string_equal(e.u.carveout.name, "vdev0buffer");

	assert_int_equal(uproc_rsc_get(t, 4, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_VENDOR);
	assert_int_equal(e.type, 128);
	assert_int_equal(e.offset, 272);
	assert_int_equal(e.u.raw.body_offset, 276);
	assert_int_equal(e.u.raw.avail, 8);
	assert_int_equal(uproc_get32(t->data + 276, img->order), 0x12345678);
	assert_int_equal(uproc_get32(t->data + 280, img->order), 0x9abcdef0);
}

static void test_sample(void **state)
{
	const struct sample *s = *state;
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	uint8_t *data;
	size_t size;
	char text[4096];

	if (!s->path) {
		print_message("sample not built on this machine (no cross compiler): skipped\n");
		skip();
	}
	data = read_file(s->path, &size);
	assert_int_equal(uproc_fw_parse(&img, data, size, s->path, UPROC_FW_REQUIRE_RSC_TABLE,
					&err), 0);
	assert_int_equal(img.elf_class, s->cls);
	assert_int_equal(img.order, s->order);
	assert_int_equal(img.e_machine, s->machine);
	assert_int_equal(img.e_type, 2);	/* ET_EXEC */
	assert_int_equal(img.entry, 0x100000);
	check_segments(&img);
	check_table(&img);
	assert_true(uproc_rsc_table_dump(&img.rsc, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "Entry 2 is of type vdev\n  ID 7\n  Notify ID 2\n"));
	assert_non_null(strstr(text, "  Name vdev0buffer\n"));
	assert_non_null(strstr(text, "Unknown resource type found: 128 [hdr: offset 0x110]\n"));
	free(data);
}

int main(void)
{
	static const struct sample x86_64 = { UPROC_SAMPLE_X86_64, UPROC_ELF64,
					      UPROC_LITTLE_ENDIAN, 62 };
	static const struct sample arm = { UPROC_SAMPLE_ARM, UPROC_ELF32,
					   UPROC_LITTLE_ENDIAN, 40 };
	static const struct sample mips = { UPROC_SAMPLE_MIPS, UPROC_ELF32,
					    UPROC_BIG_ENDIAN, 8 };
	const struct CMUnitTest tests[] = {
		{ "sample-x86_64.elf", test_sample, NULL, NULL, (void *)&x86_64 },
		{ "sample-arm.elf", test_sample, NULL, NULL, (void *)&arm },
		{ "sample-mips.elf", test_sample, NULL, NULL, (void *)&mips },
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
