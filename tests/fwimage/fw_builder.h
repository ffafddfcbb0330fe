/* SPDX-License-Identifier: MIT */
/*
 * fw_builder.h - builds small, valid firmware images in memory (ELF32 or ELF64,
 * either byte order) with a known resource table, and the malformed variants
 * the firmware-image reader must refuse, each paired with its expected error.
 * Shared by the unit tests, the CLI test and the seed-corpus generator.
 */
#ifndef UPROC_TEST_FW_BUILDER_H
#define UPROC_TEST_FW_BUILDER_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/fwimage.h"

/* Room for the largest image a case builds (the many-segments one). */
#define FWB_CAPACITY 32768

/* Fixed layout of the base image (file offsets). */
#define FWB_PHOFF 0x40
#define FWB_PHNUM 3		/* [0] text PT_LOAD, [1] PT_NOTE, [2] table PT_LOAD */
#define FWB_TEXT_OFF 0x100
#define FWB_TEXT_FILESZ 0x20
#define FWB_TEXT_MEMSZ 0x40
#define FWB_TEXT_DA 0x100000
#define FWB_RSC_OFF 0x200
#define FWB_RSC_DA 0x110000
#define FWB_SHSTR_OFF 0x400
#define FWB_SHOFF 0x480
#define FWB_SHNUM 4		/* null, .text, .resource_table, .shstrtab */

/* Offsets inside the base table. */
#define FWB_RSC_NUM 5
#define FWB_RSC_CARVEOUT 36	/* 16 + 5 * 4 */
#define FWB_RSC_TRACE 92	/* + 4 + 52 */
#define FWB_RSC_VDEV 140	/* + 4 + 44 */
#define FWB_RSC_VENDOR 216	/* + 4 + 24 + 2 * 20 + 8 */
#define FWB_RSC_UNKNOWN 228	/* + 4 + 8 */
#define FWB_RSC_SIZE 236	/* + 4 + 4 */
#define FWB_VENDOR_TYPE 200
#define FWB_UNKNOWN_TYPE 5

/** struct fwb - an image under construction. */
struct fwb {
	uint8_t buf[FWB_CAPACITY];
	size_t size;
	enum uproc_elf_class cls;
	enum uproc_byte_order order;
};

/** struct fwb_format - an ELF class and byte order an image can be built in. */
struct fwb_format {
	enum uproc_elf_class cls;
	enum uproc_byte_order order;
	const char *tag;	/* "elf32le", "elf32be", "elf64le", "elf64be" */
};

#define FWB_NUM_FORMATS 4

/* fwb_formats - every class and byte order, in the order of their tags above. */
extern const struct fwb_format fwb_formats[FWB_NUM_FORMATS];

/* fwb_build() - a valid image of @cls and @order. */
void fwb_build(struct fwb *b, enum uproc_elf_class cls, enum uproc_byte_order order);

/* fwb_put() - store @width bytes of @v at @off in the image's byte order. */
void fwb_put(struct fwb *b, size_t off, size_t width, uint64_t v);

/* Store into a field of a class-dependent ELF struct at @base. */
#define FWB_FIELD(b, base, s32, s64, f, v)                                                 \
	((b)->cls == UPROC_ELF32                                                           \
		 ? fwb_put(b, (base) + offsetof(s32, f), sizeof(((s32 *)0)->f), v)          \
		 : fwb_put(b, (base) + offsetof(s64, f), sizeof(((s64 *)0)->f), v))
#define FWB_EHDR(b, f, v) FWB_FIELD(b, 0, Elf32_Ehdr, Elf64_Ehdr, f, v)
#define FWB_PHDR(b, i, f, v) FWB_FIELD(b, fwb_phdr_off(b, i), Elf32_Phdr, Elf64_Phdr, f, v)
#define FWB_SHDR(b, i, f, v) FWB_FIELD(b, fwb_shdr_off(b, i), Elf32_Shdr, Elf64_Shdr, f, v)

size_t fwb_phdr_off(const struct fwb *b, unsigned int i);
size_t fwb_shdr_off(const struct fwb *b, unsigned int i);

/* fwb_rsc32() / fwb_rsc8() - store into the table at @off from its start. */
void fwb_rsc32(struct fwb *b, size_t off, uint32_t v);
void fwb_rsc8(struct fwb *b, size_t off, uint8_t v);

/* Name-table offsets of the base image's section names. */
#define FWB_NAME_TEXT 1
#define FWB_NAME_RSC 7
#define FWB_NAME_SHSTRTAB 23
#define FWB_SHSTR_SIZE 33

/** struct fwb_case - a malformation and the error it must produce. */
struct fwb_case {
	const char *name;
	void (*mutate)(struct fwb *b);
	int err;			/* the negative errno uproc_fw_parse() returns */
	const char *msg;		/* a substring of the message */
	unsigned int flags;		/* uproc_fw_parse() flags */
	int only_class;			/* 0: every class, else UPROC_ELF32/64 */
};

extern const struct fwb_case fwb_cases[];
extern const size_t fwb_num_cases;

#endif /* UPROC_TEST_FW_BUILDER_H */
