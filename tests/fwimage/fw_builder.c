// SPDX-License-Identifier: MIT
/*
 * fw_builder.c - the valid base image of the firmware-image tests.
 */
#include <string.h>

#include "fw_builder.h"

void fwb_put(struct fwb *b, size_t off, size_t width, uint64_t v)
{
	if (off > sizeof(b->buf) || width > sizeof(b->buf) - off)
		return;
	switch (width) {
	case 1:
		b->buf[off] = (uint8_t)v;
		break;
	case 2:
		uproc_put16(b->buf + off, (uint16_t)v, b->order);
		break;
	case 4:
		uproc_put32(b->buf + off, (uint32_t)v, b->order);
		break;
	default:
		uproc_put64(b->buf + off, v, b->order);
		break;
	}
}

size_t fwb_phdr_off(const struct fwb *b, unsigned int i)
{
	return FWB_PHOFF + i * (b->cls == UPROC_ELF32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr));
}

size_t fwb_shdr_off(const struct fwb *b, unsigned int i)
{
	return FWB_SHOFF + i * (b->cls == UPROC_ELF32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr));
}

void fwb_rsc32(struct fwb *b, size_t off, uint32_t v)
{
	fwb_put(b, FWB_RSC_OFF + off, 4, v);
}

void fwb_rsc8(struct fwb *b, size_t off, uint8_t v)
{
	fwb_put(b, FWB_RSC_OFF + off, 1, v);
}

static void fwb_name(struct fwb *b, size_t off, const char *name)
{
	memcpy(b->buf + FWB_RSC_OFF + off, name, strlen(name));
}

static void fwb_table(struct fwb *b)
{
	size_t v = FWB_RSC_VDEV + 4, r;
	unsigned int i;

	fwb_rsc32(b, 0, 1);
	fwb_rsc32(b, 4, FWB_RSC_NUM);
	fwb_rsc32(b, 16, FWB_RSC_CARVEOUT);
	fwb_rsc32(b, 20, FWB_RSC_TRACE);
	fwb_rsc32(b, 24, FWB_RSC_VDEV);
	fwb_rsc32(b, 28, FWB_RSC_VENDOR);
	fwb_rsc32(b, 32, FWB_RSC_UNKNOWN);

	fwb_rsc32(b, FWB_RSC_CARVEOUT, RPROC_RSC_CARVEOUT);
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 4, 0x100000);		/* da */
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 8, RPROC_RSC_ADDR_ANY);	/* pa */
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 12, 0x20000);		/* len */
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 16, 0x3);		/* flags */
	fwb_name(b, FWB_RSC_CARVEOUT + 24, "ram");

	fwb_rsc32(b, FWB_RSC_TRACE, RPROC_RSC_TRACE);
	fwb_rsc32(b, FWB_RSC_TRACE + 4, 0x118000);
	fwb_rsc32(b, FWB_RSC_TRACE + 8, 0x1000);
	fwb_name(b, FWB_RSC_TRACE + 16, "trace0");

	fwb_rsc32(b, FWB_RSC_VDEV, RPROC_RSC_VDEV);
	fwb_rsc32(b, v + 0, VIRTIO_ID_RPMSG);
	fwb_rsc32(b, v + 4, 3);			/* notifyid */
	fwb_rsc32(b, v + 8, 1);			/* dfeatures */
	fwb_rsc32(b, v + 12, 0);		/* gfeatures */
	fwb_rsc32(b, v + 16, 8);		/* config_len */
	fwb_rsc8(b, v + 21, 2);			/* num_of_vrings */
	for (i = 0; i < 2; i++) {
		r = v + 24 + i * 20;
		fwb_rsc32(b, r + 0, RPROC_RSC_ADDR_ANY);	/* da */
		fwb_rsc32(b, r + 4, 16);		/* align */
		fwb_rsc32(b, r + 8, 8);			/* num */
		fwb_rsc32(b, r + 12, i);		/* notifyid */
		fwb_rsc32(b, r + 16, 0);		/* pa */
	}
	for (i = 0; i < 8; i++)
		fwb_rsc8(b, v + 64 + i, (uint8_t)(0xa0 + i));

	fwb_rsc32(b, FWB_RSC_VENDOR, FWB_VENDOR_TYPE);
	fwb_rsc32(b, FWB_RSC_VENDOR + 4, 0x11111111);
	fwb_rsc32(b, FWB_RSC_VENDOR + 8, 0x22222222);

	fwb_rsc32(b, FWB_RSC_UNKNOWN, FWB_UNKNOWN_TYPE);
	fwb_rsc32(b, FWB_RSC_UNKNOWN + 4, 0x33333333);
}

static void fwb_phdr(struct fwb *b, unsigned int i, uint32_t type, uint64_t off, uint64_t da,
		     uint64_t filesz, uint64_t memsz, uint32_t flags)
{
	FWB_PHDR(b, i, p_type, type);
	FWB_PHDR(b, i, p_offset, off);
	FWB_PHDR(b, i, p_vaddr, da);
	FWB_PHDR(b, i, p_paddr, da);
	FWB_PHDR(b, i, p_filesz, filesz);
	FWB_PHDR(b, i, p_memsz, memsz);
	FWB_PHDR(b, i, p_flags, flags);
	FWB_PHDR(b, i, p_align, 0x10);
}

static void fwb_shdr(struct fwb *b, unsigned int i, uint32_t name, uint32_t type, uint64_t addr,
		     uint64_t off, uint64_t size)
{
	FWB_SHDR(b, i, sh_name, name);
	FWB_SHDR(b, i, sh_type, type);
	FWB_SHDR(b, i, sh_addr, addr);
	FWB_SHDR(b, i, sh_offset, off);
	FWB_SHDR(b, i, sh_size, size);
	FWB_SHDR(b, i, sh_addralign, 4);
}

const struct fwb_format fwb_formats[FWB_NUM_FORMATS] = {
	{ UPROC_ELF32, UPROC_LITTLE_ENDIAN, "elf32le" },
	{ UPROC_ELF32, UPROC_BIG_ENDIAN, "elf32be" },
	{ UPROC_ELF64, UPROC_LITTLE_ENDIAN, "elf64le" },
	{ UPROC_ELF64, UPROC_BIG_ENDIAN, "elf64be" },
};

void fwb_build(struct fwb *b, enum uproc_elf_class cls, enum uproc_byte_order order)
{
	int is32 = cls == UPROC_ELF32;

	memset(b, 0, sizeof(*b));
	b->cls = cls;
	b->order = order;
	b->size = fwb_shdr_off(b, FWB_SHNUM);

	memcpy(b->buf, ELFMAG, SELFMAG);
	b->buf[EI_CLASS] = (uint8_t)cls;
	b->buf[EI_DATA] = order == UPROC_BIG_ENDIAN ? ELFDATA2MSB : ELFDATA2LSB;
	b->buf[EI_VERSION] = EV_CURRENT;
	FWB_EHDR(b, e_type, ET_EXEC);
	FWB_EHDR(b, e_machine, !is32 ? EM_X86_64 : order == UPROC_BIG_ENDIAN ? EM_MIPS : EM_ARM);
	FWB_EHDR(b, e_version, EV_CURRENT);
	FWB_EHDR(b, e_entry, FWB_TEXT_DA);
	FWB_EHDR(b, e_phoff, FWB_PHOFF);
	FWB_EHDR(b, e_shoff, FWB_SHOFF);
	FWB_EHDR(b, e_ehsize, is32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr));
	FWB_EHDR(b, e_phentsize, is32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr));
	FWB_EHDR(b, e_phnum, FWB_PHNUM);
	FWB_EHDR(b, e_shentsize, is32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr));
	FWB_EHDR(b, e_shnum, FWB_SHNUM);
	FWB_EHDR(b, e_shstrndx, 3);

	fwb_phdr(b, 0, PT_LOAD, FWB_TEXT_OFF, FWB_TEXT_DA, FWB_TEXT_FILESZ, FWB_TEXT_MEMSZ,
		 PF_R | PF_X);
	fwb_phdr(b, 1, PT_NOTE, FWB_TEXT_OFF, 0, 8, 8, PF_R);
	fwb_phdr(b, 2, PT_LOAD, FWB_RSC_OFF, FWB_RSC_DA, FWB_RSC_SIZE, FWB_RSC_SIZE,
		 PF_R | PF_W);
	memset(b->buf + FWB_TEXT_OFF, 0x90, FWB_TEXT_FILESZ);

	fwb_table(b);

	memcpy(b->buf + FWB_SHSTR_OFF, "\0.text\0.resource_table\0.shstrtab", FWB_SHSTR_SIZE);
	fwb_shdr(b, 1, FWB_NAME_TEXT, SHT_PROGBITS, FWB_TEXT_DA, FWB_TEXT_OFF, FWB_TEXT_FILESZ);
	fwb_shdr(b, 2, FWB_NAME_RSC, SHT_PROGBITS, FWB_RSC_DA, FWB_RSC_OFF, FWB_RSC_SIZE);
	fwb_shdr(b, 3, FWB_NAME_SHSTRTAB, SHT_STRTAB, 0, FWB_SHSTR_OFF, FWB_SHSTR_SIZE);
}
