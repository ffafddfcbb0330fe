// SPDX-License-Identifier: MIT
/*
 * test-fwimage.c - the firmware-image reader on synthetic images: the valid base
 * image in every class and byte order, every malformed variant of fw_cases.c
 * (exact errno and message), write-back, the debugfs-style dump, and sweeps of
 * truncations and byte flips that must never read out of bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fw_builder.h"

static void check_base(const struct uproc_fw_image *img, enum uproc_elf_class cls,
		       enum uproc_byte_order order)
{
	struct uproc_fw_segment s;
	struct uproc_rsc_entry e;
	unsigned int i;

	assert_int_equal(img->elf_class, cls);
	assert_int_equal(img->order, order);
	assert_int_equal(img->e_type, ET_EXEC);
	assert_int_equal(img->e_machine, cls == UPROC_ELF64 ? EM_X86_64
				       : order == UPROC_BIG_ENDIAN ? EM_MIPS : EM_ARM);
	assert_int_equal(img->entry, FWB_TEXT_DA);
	assert_int_equal(img->phnum, FWB_PHNUM);
	assert_int_equal(img->shnum, FWB_SHNUM);
	assert_int_equal(img->nsegs, 2);

	assert_int_equal(uproc_fw_get_segment(img, 0, &s), 1);
	assert_int_equal(s.phdr, 0);
	assert_int_equal(s.da, FWB_TEXT_DA);
	assert_int_equal(s.offset, FWB_TEXT_OFF);
	assert_int_equal(s.filesz, FWB_TEXT_FILESZ);
	assert_int_equal(s.memsz, FWB_TEXT_MEMSZ);
	assert_int_equal(s.flags, PF_R | PF_X);
	assert_int_equal(uproc_fw_get_segment(img, 1, &s), 0);	/* PT_NOTE */
	assert_int_equal(uproc_fw_get_segment(img, 2, &s), 1);
	assert_int_equal(s.da, FWB_RSC_DA);
	assert_int_equal(s.filesz, FWB_RSC_SIZE);
	assert_int_equal(s.flags, PF_R | PF_W);
	assert_int_equal(uproc_fw_get_segment(img, 3, &s), -ERANGE);

	assert_true(img->has_rsc_table);
	assert_int_equal(img->rsc_section, 2);
	assert_int_equal(img->rsc_offset, FWB_RSC_OFF);
	assert_int_equal(img->rsc_size, FWB_RSC_SIZE);
	assert_int_equal(img->rsc_da, FWB_RSC_DA);
	assert_int_equal(img->rsc.ver, 1);
	assert_int_equal(img->rsc.num, FWB_RSC_NUM);
	assert_int_equal(img->rsc.unknown, 1);
	assert_int_equal(img->rsc.order, order);
	assert_ptr_equal(img->rsc.data, img->data + FWB_RSC_OFF);

	assert_int_equal(uproc_rsc_get(&img->rsc, 0, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_CARVEOUT);
	assert_int_equal(e.offset, FWB_RSC_CARVEOUT);
	assert_int_equal(e.avail, FWB_RSC_SIZE - FWB_RSC_CARVEOUT - 4);
	assert_int_equal(e.u.carveout.da, 0x100000);
	assert_int_equal(e.u.carveout.pa, RPROC_RSC_ADDR_ANY);
	assert_int_equal(e.u.carveout.len, 0x20000);
	assert_int_equal(e.u.carveout.flags, 3);
	assert_string_equal(e.u.carveout.name, "ram");

	assert_int_equal(uproc_rsc_get(&img->rsc, 1, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_TRACE);
	assert_int_equal(e.offset, FWB_RSC_TRACE);
	assert_int_equal(e.u.trace.da, 0x118000);
	assert_int_equal(e.u.trace.len, 0x1000);
	assert_string_equal(e.u.trace.name, "trace0");

	assert_int_equal(uproc_rsc_get(&img->rsc, 2, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_VDEV);
	assert_int_equal(e.type, RPROC_RSC_VDEV);
	assert_int_equal(e.offset, FWB_RSC_VDEV);
	assert_int_equal(e.u.vdev.id, VIRTIO_ID_RPMSG);
	assert_int_equal(e.u.vdev.notifyid, 3);
	assert_int_equal(e.u.vdev.dfeatures, 1);
	assert_int_equal(e.u.vdev.gfeatures, 0);
	assert_int_equal(e.u.vdev.config_len, 8);
	assert_int_equal(e.u.vdev.status, 0);
	assert_int_equal(e.u.vdev.num_of_vrings, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(e.u.vdev.vring[i].da, RPROC_RSC_ADDR_ANY);
		assert_int_equal(e.u.vdev.vring[i].align, 16);
		assert_int_equal(e.u.vdev.vring[i].num, 8);
		assert_int_equal(e.u.vdev.vring[i].notifyid, i);
		assert_int_equal(e.u.vdev.vring[i].pa, 0);
		assert_int_equal(e.u.vdev.vring[i].offset, FWB_RSC_VDEV + 4 + 24 + i * 20);
	}
	assert_int_equal(e.u.vdev.config_offset, FWB_RSC_VDEV + 4 + 24 + 40);
	assert_int_equal(img->rsc.data[e.u.vdev.config_offset], 0xa0);
	assert_int_equal(img->rsc.data[e.u.vdev.config_offset + 7], 0xa7);

	assert_int_equal(uproc_rsc_get(&img->rsc, 3, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_VENDOR);
	assert_int_equal(e.type, FWB_VENDOR_TYPE);
	assert_int_equal(e.offset, FWB_RSC_VENDOR);
	assert_int_equal(e.u.raw.body_offset, FWB_RSC_VENDOR + 4);
	assert_int_equal(e.u.raw.avail, FWB_RSC_SIZE - FWB_RSC_VENDOR - 4);

	assert_int_equal(uproc_rsc_get(&img->rsc, 4, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_UNKNOWN);
	assert_int_equal(e.type, FWB_UNKNOWN_TYPE);
	assert_int_equal(e.u.raw.body_offset, FWB_RSC_UNKNOWN + 4);
	assert_int_equal(e.u.raw.avail, 4);

	assert_int_equal(uproc_rsc_get(&img->rsc, 5, &e), -ERANGE);
}

static void test_base_images(void **state)
{
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	struct fwb *b = malloc(sizeof(*b));
	size_t i;

	assert_non_null(b);
	for (i = 0; i < FWB_NUM_FORMATS; i++) {
		fwb_build(b, fwb_formats[i].cls, fwb_formats[i].order);
		assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "base.elf",
						UPROC_FW_REQUIRE_RSC_TABLE, &err), 0);
		assert_string_equal(err.msg, "");
		check_base(&img, fwb_formats[i].cls, fwb_formats[i].order);
	}
	free(b);
}

static void test_malformed_cases(void **state)
{
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	struct fwb *b = malloc(sizeof(*b));
	char name[96];
	size_t c, i;
	int ret, failures = 0, runs = 0;

	assert_non_null(b);
	for (c = 0; c < fwb_num_cases; c++) {
		const struct fwb_case *k = &fwb_cases[c];

		for (i = 0; i < FWB_NUM_FORMATS; i++) {
			if (k->only_class && k->only_class != (int)fwb_formats[i].cls)
				continue;
			fwb_build(b, fwb_formats[i].cls, fwb_formats[i].order);
			k->mutate(b);
			snprintf(name, sizeof(name), "%s-%s.elf", k->name, fwb_formats[i].tag);
			memset(&img, 0x5a, sizeof(img));
			ret = uproc_fw_parse(&img, b->buf, b->size, name, k->flags, &err);
			runs++;
			if (ret != k->err || !strstr(err.msg, k->msg) ||
			    strncmp(err.msg, name, strlen(name)) != 0) {
				print_error("%s: got %d \"%s\", want %d \"%s\"\n", name, ret,
					    err.msg, k->err, k->msg);
				failures++;
			}
		}
	}
	free(b);
	print_message("%d malformed images checked\n", runs);
	assert_int_equal(failures, 0);
}

/* A missing table is not an error unless the caller requires one. */
static void test_table_optional(void **state)
{
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	struct fwb *b = malloc(sizeof(*b));
	char text[64];

	assert_non_null(b);
	fwb_build(b, UPROC_ELF32, UPROC_LITTLE_ENDIAN);
	b->buf[FWB_SHSTR_OFF + FWB_NAME_RSC + 1] = 'R';
	assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "x", 0, &err), 0);
	assert_false(img.has_rsc_table);
	assert_int_equal(img.nsegs, 2);
	assert_int_equal(uproc_rsc_table_dump(NULL, text, sizeof(text)), 24);
	assert_string_equal(text, "No resource table found\n");
	free(b);
}

/* Limits that are legal must pass: the checks are exact, not approximate. */
static void test_edges_accepted(void **state)
{
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	struct uproc_rsc_entry e;
	struct fwb *b = malloc(sizeof(*b));
	const size_t vr = FWB_RSC_VDEV + 4 + 24;

	assert_non_null(b);
	fwb_build(b, UPROC_ELF32, UPROC_BIG_ENDIAN);
	fwb_rsc32(b, vr + 8, UPROC_VRING_MAX_NUM);		/* vring 0 num 32768 */
	fwb_rsc32(b, vr + 20 + 4, 1);				/* vring 1 align 1 */
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 4, RPROC_RSC_ADDR_ANY);	/* da ANY, any len */
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 12, 0xffffffff);
	fwb_rsc32(b, FWB_RSC_TRACE + 4, 0xfffff000);		/* ends exactly at 4 GiB */
	/* a segment that ends exactly at 4 GiB */
	FWB_PHDR(b, 2, p_paddr, 0x100000000ull - FWB_RSC_SIZE);
	assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "edge", 0, &err), 0);
	assert_int_equal(uproc_rsc_get(&img.rsc, 2, &e), 0);
	assert_int_equal(e.u.vdev.vring[0].num, 32768);
	assert_int_equal(e.u.vdev.vring[1].align, 1);

	/* ELF versions other than 1: Linux does not look, neither does uproc */
	b->buf[EI_VERSION] = 2;
	FWB_EHDR(b, e_version, 0);
	assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "edge", 0, &err), 0);

	/* a devmem entry decodes like a carveout and dumps as "devmem" */
	fwb_build(b, UPROC_ELF64, UPROC_BIG_ENDIAN);
	fwb_rsc32(b, FWB_RSC_CARVEOUT, RPROC_RSC_DEVMEM);
	assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "edge", 0, &err), 0);
	assert_int_equal(uproc_rsc_get(&img.rsc, 0, &e), 0);
	assert_int_equal(e.kind, UPROC_RSC_DEVMEM);
	assert_int_equal(e.u.devmem.len, 0x20000);
	assert_string_equal(e.u.devmem.name, "ram");
	{
		char text[256];

		assert_true(uproc_rsc_table_dump(&img.rsc, text, sizeof(text)) > 0);
		assert_non_null(strstr(text, "Entry 0 is of type devmem\n  Device Address 0x100000\n"));
	}

	/* the config space may end exactly at the end of the table */
	fwb_build(b, UPROC_ELF64, UPROC_LITTLE_ENDIAN);
	fwb_rsc32(b, 32, FWB_RSC_VDEV);	/* entry 4 becomes a second look at the vdev */
	fwb_rsc32(b, 28, FWB_RSC_VDEV);
	fwb_rsc32(b, FWB_RSC_VDEV + 4 + 16, FWB_RSC_SIZE - FWB_RSC_VDEV - 4 - 64);
	assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "edge", 0, &err), 0);
	assert_int_equal(uproc_rsc_get(&img.rsc, 4, &e), 0);
	assert_int_equal(e.u.vdev.config_offset + e.u.vdev.config_len, FWB_RSC_SIZE);
	fwb_rsc32(b, FWB_RSC_VDEV + 4 + 16, FWB_RSC_SIZE - FWB_RSC_VDEV - 4 - 64 + 1);
	assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "edge", 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "need 93 bytes, 92 left"));
	free(b);
}

/* Names filling all 32 bytes are kept whole and terminated. */
static void test_unterminated_names(void **state)
{
	struct uproc_fw_image img;
	struct uproc_rsc_entry e;
	struct fwb *b = malloc(sizeof(*b));
	char *text;
	int len;

	assert_non_null(b);
	fwb_build(b, UPROC_ELF64, UPROC_BIG_ENDIAN);
	memset(b->buf + FWB_RSC_OFF + FWB_RSC_TRACE + 16, 'A', 32);
	assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, NULL, 0, NULL), 0);
	assert_int_equal(uproc_rsc_get(&img.rsc, 1, &e), 0);
	assert_int_equal(strlen(e.u.trace.name), 32);
	len = uproc_rsc_table_dump(&img.rsc, NULL, 0);
	assert_true(len > 0);
	text = malloc((size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(uproc_rsc_table_dump(&img.rsc, text, (size_t)len + 1), len);
	assert_non_null(strstr(text, "  Name AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n\n"));
	free(text);
	free(b);
}

/* The core's write-back path: a cached copy, fields written in the table's order. */
static void test_write_back(void **state)
{
	struct uproc_fw_image img;
	struct uproc_rsc_table t;
	struct uproc_rsc_entry e;
	struct fwb *b = malloc(sizeof(*b));
	uint8_t copy[FWB_RSC_SIZE];
	uint32_t v;
	size_t off;
	size_t i;

	assert_non_null(b);
	for (i = 0; i < FWB_NUM_FORMATS; i++) {
		enum uproc_byte_order order = fwb_formats[i].order;

		fwb_build(b, fwb_formats[i].cls, order);
		assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "wb", 0, NULL), 0);
		memcpy(copy, img.rsc.data, img.rsc.size);
		assert_int_equal(uproc_rsc_table_parse(&t, copy, sizeof(copy), order, "wb", NULL),
				 FWB_RSC_NUM);
		assert_int_equal(uproc_rsc_get(&t, 2, &e), 0);

		off = e.u.vdev.vring[1].offset + offsetof(struct rproc_rsc_vdev_vring, da);
		assert_int_equal(uproc_rsc_write32(copy, sizeof(copy), off, 0x12345678, order), 0);
		assert_int_equal(copy[off], order == UPROC_BIG_ENDIAN ? 0x12 : 0x78);
		off = e.u.vdev.vring[1].offset + offsetof(struct rproc_rsc_vdev_vring, notifyid);
		assert_int_equal(uproc_rsc_write32(copy, sizeof(copy), off, 7, order), 0);
		off = e.offset + sizeof(struct rproc_rsc_hdr) + offsetof(struct rproc_rsc_vdev, status);
		assert_int_equal(uproc_rsc_write8(copy, sizeof(copy), off, 0x07), 0);
		off = e.offset + sizeof(struct rproc_rsc_hdr) + offsetof(struct rproc_rsc_vdev, gfeatures);
		assert_int_equal(uproc_rsc_write32(copy, sizeof(copy), off, 1, order), 0);
		assert_int_equal(uproc_rsc_read32(copy, sizeof(copy), off, &v, order), 0);
		assert_int_equal(v, 1);

		assert_int_equal(uproc_rsc_get(&t, 2, &e), 0);
		assert_int_equal(e.u.vdev.vring[1].da, 0x12345678);
		assert_int_equal(e.u.vdev.vring[1].notifyid, 7);
		assert_int_equal(e.u.vdev.status, 7);
		assert_int_equal(e.u.vdev.gfeatures, 1);
		assert_int_equal(e.u.vdev.vring[0].da, RPROC_RSC_ADDR_ANY);
		/* the image itself is untouched */
		assert_int_equal(uproc_rsc_get(&img.rsc, 2, &e), 0);
		assert_int_equal(e.u.vdev.vring[1].da, RPROC_RSC_ADDR_ANY);

		assert_int_equal(uproc_rsc_write32(copy, sizeof(copy), sizeof(copy) - 4, 1, order), 0);
		assert_int_equal(uproc_rsc_write32(copy, sizeof(copy), sizeof(copy) - 3, 1, order),
				 -ERANGE);
		assert_int_equal(uproc_rsc_write32(copy, sizeof(copy), SIZE_MAX - 1, 1, order),
				 -ERANGE);
		assert_int_equal(uproc_rsc_write8(copy, sizeof(copy), sizeof(copy), 1), -ERANGE);
		assert_int_equal(uproc_rsc_read32(copy, sizeof(copy), sizeof(copy), &v, order),
				 -ERANGE);
	}
	free(b);
}

static const char base_dump[] =
	"Entry 0 is of type carveout\n"
	"  Device Address 0x100000\n"
	"  Physical Address 0xffffffff\n"
	"  Length 0x20000 Bytes\n"
	"  Flags 0x3\n"
	"  Reserved (should be zero) [0]\n"
	"  Name ram\n"
	"\n"
	"Entry 1 is of type trace\n"
	"  Device Address 0x118000\n"
	"  Length 0x1000 Bytes\n"
	"  Reserved (should be zero) [0]\n"
	"  Name trace0\n"
	"\n"
	"Entry 2 is of type vdev\n"
	"  ID 7\n"
	"  Notify ID 3\n"
	"  Device features 0x1\n"
	"  Guest features 0x0\n"
	"  Config length 0x8\n"
	"  Status 0x0\n"
	"  Number of vrings 2\n"
	"  Reserved (should be zero) [0][0]\n"
	"\n"
	"  Vring 0\n"
	"    Device Address 0xffffffff\n"
	"    Alignment 16\n"
	"    Number of buffers 8\n"
	"    Notify ID 0\n"
	"    Physical Address 0x0\n"
	"\n"
	"  Vring 1\n"
	"    Device Address 0xffffffff\n"
	"    Alignment 16\n"
	"    Number of buffers 8\n"
	"    Notify ID 1\n"
	"    Physical Address 0x0\n"
	"\n"
	"Unknown resource type found: 200 [hdr: offset 0xd8]\n"
	"Unknown resource type found: 5 [hdr: offset 0xe4]\n";

static void test_dump(void **state)
{
	struct uproc_fw_image img;
	struct fwb *b = malloc(sizeof(*b));
	char text[2048], small[20];
	size_t i;
	int len = (int)strlen(base_dump);

	assert_non_null(b);
	for (i = 0; i < FWB_NUM_FORMATS; i++) {
		fwb_build(b, fwb_formats[i].cls, fwb_formats[i].order);
		assert_int_equal(uproc_fw_parse(&img, b->buf, b->size, "d", 0, NULL), 0);
		assert_int_equal(uproc_rsc_table_dump(&img.rsc, text, sizeof(text)), len);
		assert_string_equal(text, base_dump);
		assert_int_equal(uproc_rsc_table_dump(&img.rsc, small, sizeof(small)), len);
		assert_int_equal(strlen(small), sizeof(small) - 1);
		assert_memory_equal(small, base_dump, sizeof(small) - 1);
		assert_int_equal(uproc_rsc_table_dump(&img.rsc, NULL, 0), len);
	}
	assert_int_equal(uproc_rsc_table_dump(&img.rsc, NULL, 5), -EINVAL);
	free(b);
}

/* The table parser alone, on raw bytes. */
static void test_raw_table(void **state)
{
	struct uproc_rsc_table t;
	struct uproc_fw_error err;
	uint8_t raw[16] = { 0 };

	assert_int_equal(uproc_rsc_table_parse(&t, NULL, 0, UPROC_LITTLE_ENDIAN, "r", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "r: resource table: 0 bytes"));
	assert_int_equal(uproc_rsc_table_parse(&t, raw, 15, UPROC_LITTLE_ENDIAN, "r", &err),
			 -EINVAL);
	assert_int_equal(uproc_rsc_table_parse(NULL, raw, 16, UPROC_LITTLE_ENDIAN, "r", &err),
			 -EINVAL);
	uproc_put32(raw, 1, UPROC_BIG_ENDIAN);
	assert_int_equal(uproc_rsc_table_parse(&t, raw, 16, UPROC_LITTLE_ENDIAN, "r", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "version 16777216"));
	assert_int_equal(uproc_rsc_table_parse(&t, raw, 16, UPROC_BIG_ENDIAN, "r", &err), 0);
	assert_int_equal(t.num, 0);
	assert_int_equal(t.size, 16);
}

/* Every prefix of a valid image and every single-byte change: no crash, no OOB. */
static void test_sweeps(void **state)
{
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	struct fwb *b = malloc(sizeof(*b));
	struct uproc_fw_segment s;
	struct uproc_rsc_entry e;
	uint8_t *copy;
	char text[4096];
	size_t i, n, pos;
	unsigned int k;
	int ret, ok = 0;

	assert_non_null(b);
	for (i = 0; i < FWB_NUM_FORMATS; i++) {
		fwb_build(b, fwb_formats[i].cls, fwb_formats[i].order);
		for (n = 0; n < b->size; n++) {
			/* an exact-size heap copy, so ASan sees any overread */
			copy = malloc(n ? n : 1);
			assert_non_null(copy);
			memcpy(copy, b->buf, n);
			ret = uproc_fw_parse(&img, copy, n, "t", 0, &err);
			assert_int_equal(ret, -EINVAL);
			assert_true(strlen(err.msg) > 3);
			free(copy);
		}
		copy = malloc(b->size);
		assert_non_null(copy);
		for (pos = 0; pos < b->size; pos++) {
			static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };

			for (k = 0; k < sizeof(values); k++) {
				memcpy(copy, b->buf, b->size);
				copy[pos] = values[k];
				ret = uproc_fw_parse(&img, copy, b->size, "t", 0, &err);
				if (ret)
					continue;
				ok++;
				for (n = 0; n < img.phnum; n++)
					uproc_fw_get_segment(&img, (unsigned int)n, &s);
				for (n = 0; img.has_rsc_table && n < img.rsc.num; n++)
					assert_int_equal(uproc_rsc_get(&img.rsc, (uint32_t)n, &e), 0);
				if (img.has_rsc_table)
					assert_true(uproc_rsc_table_dump(&img.rsc, text, sizeof(text)) >= 0);
			}
		}
		free(copy);
	}
	print_message("%d mutated images were still valid\n", ok);
	assert_true(ok > 0);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_images),
		cmocka_unit_test(test_malformed_cases),
		cmocka_unit_test(test_table_optional),
		cmocka_unit_test(test_edges_accepted),
		cmocka_unit_test(test_unterminated_names),
		cmocka_unit_test(test_write_back),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_raw_table),
		cmocka_unit_test(test_sweeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
