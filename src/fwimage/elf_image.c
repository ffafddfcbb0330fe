// SPDX-License-Identifier: MIT
/*
 * elf_image.c - the ELF side of a firmware image: header, program headers
 * (loadable segments) and the section lookup that finds ".resource_table".
 *
 * Fields are read by offset through uproc_get*() in the file's byte order, so
 * ELF32 and ELF64 of either order are handled by the same code, and nothing is
 * read before the range it lies in has been checked against the file's size.
 */
#include <elf.h>
#include <stddef.h>
#include <string.h>

#include "fw_internal.h"

#define RSC_SECTION_NAME ".resource_table"

/* Read a field of a class-dependent struct: the 32-bit or the 64-bit layout. */
#define ELF_FIELD(img, p, s32, s64, field)                                                 \
	((img)->elf_class == UPROC_ELF32 ? elf_get(img, p, offsetof(s32, field),            \
						   sizeof(((s32 *)0)->field))                     \
					 : elf_get(img, p, offsetof(s64, field),            \
						   sizeof(((s64 *)0)->field)))
#define EHDR(img, f) ELF_FIELD(img, (img)->data, Elf32_Ehdr, Elf64_Ehdr, f)
#define PHDR(img, p, f) ELF_FIELD(img, p, Elf32_Phdr, Elf64_Phdr, f)
#define SHDR(img, p, f) ELF_FIELD(img, p, Elf32_Shdr, Elf64_Shdr, f)

static uint64_t elf_get(const struct uproc_fw_image *img, const uint8_t *p, size_t off,
			size_t width)
{
	switch (width) {
	case 1:
		return p[off];
	case 2:
		return uproc_get16(p + off, img->order);
	case 4:
		return uproc_get32(p + off, img->order);
	default:
		return uproc_get64(p + off, img->order);
	}
}

static size_t elf_phdr_size(const struct uproc_fw_image *img)
{
	return img->elf_class == UPROC_ELF32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
}

static size_t elf_shdr_size(const struct uproc_fw_image *img)
{
	return img->elf_class == UPROC_ELF32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr);
}

const char *uproc_fw_machine_name(uint16_t e_machine)
{
	switch (e_machine) {
	case EM_386:
		return "x86";
	case EM_X86_64:
		return "x86-64";
	case EM_ARM:
		return "ARM";
	case EM_AARCH64:
		return "AArch64";
	case EM_MIPS:
		return "MIPS";
	case EM_RISCV:
		return "RISC-V";
	case EM_PPC:
		return "PowerPC";
	case EM_XTENSA:
		return "Xtensa";
	case EM_TI_C6000:
		return "TI C6000";
	case EM_ARC_COMPACT:
		return "ARC";
	default:
		return NULL;
	}
}

/* The ELF header: identity, then the two header tables inside the file. */
static int elf_check_header(struct uproc_fw_image *img, struct uproc_fw_error *err)
{
	const uint8_t *id = img->data;
	const char *name = img->name;
	uint64_t len;
	uint16_t phentsize, shentsize;

	if (img->size < sizeof(Elf32_Ehdr))
		return upi_fw_fail(err, name, "%zu bytes, too small for an ELF header (%zu)",
			       img->size, sizeof(Elf32_Ehdr));
	if (memcmp(id, ELFMAG, SELFMAG) != 0)
		return upi_fw_fail(err, name, "not an ELF file (bad magic %02x %02x %02x %02x)",
			       id[0], id[1], id[2], id[3]);
	if (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)
		return upi_fw_fail(err, name, "unsupported ELF class %u (1 = ELF32, 2 = ELF64)",
			       id[EI_CLASS]);
	img->elf_class = (enum uproc_elf_class)id[EI_CLASS];
	if (img->elf_class == UPROC_ELF64 && img->size < sizeof(Elf64_Ehdr))
		return upi_fw_fail(err, name, "%zu bytes, too small for an ELF64 header (%zu)",
			       img->size, sizeof(Elf64_Ehdr));
	if (id[EI_DATA] == ELFDATA2LSB)
		img->order = UPROC_LITTLE_ENDIAN;
	else if (id[EI_DATA] == ELFDATA2MSB)
		img->order = UPROC_BIG_ENDIAN;
	else
		return upi_fw_fail(err, name, "unsupported byte order (EI_DATA %u)", id[EI_DATA]);
	/* EI_VERSION and e_version are not looked at, as Linux does not: nothing
	 * the loader reads depends on them, and firmware Linux boots must boot. */

	img->e_type = (uint16_t)EHDR(img, e_type);
	img->e_machine = (uint16_t)EHDR(img, e_machine);
	img->entry = EHDR(img, e_entry);
	img->phoff = EHDR(img, e_phoff);
	img->phnum = (uint16_t)EHDR(img, e_phnum);
	img->shoff = EHDR(img, e_shoff);
	img->shnum = (uint16_t)EHDR(img, e_shnum);
	img->shstrndx = (uint16_t)EHDR(img, e_shstrndx);
	phentsize = (uint16_t)EHDR(img, e_phentsize);
	shentsize = (uint16_t)EHDR(img, e_shentsize);

	if (img->phnum == 0)
		return upi_fw_fail(err, name, "no program headers, so no loadable segments");
	if (phentsize != elf_phdr_size(img))
		return upi_fw_fail(err, name, "e_phentsize %u, expected %zu", phentsize,
			       elf_phdr_size(img));
	len = (uint64_t)img->phnum * phentsize;
	if (!uproc_range_ok(img->phoff, len, img->size))
		return upi_fw_fail(err, name,
			       "program headers at 0x%llx (%u x %u bytes) run past the end of the file (%zu bytes)",
			       (unsigned long long)img->phoff, img->phnum, phentsize, img->size);
	if (img->shnum && shentsize != elf_shdr_size(img))
		return upi_fw_fail(err, name, "e_shentsize %u, expected %zu", shentsize,
			       elf_shdr_size(img));
	len = (uint64_t)img->shnum * elf_shdr_size(img);
	if (!uproc_range_ok(img->shoff, len, img->size))
		return upi_fw_fail(err, name,
			       "section headers at 0x%llx (%u x %zu bytes) run past the end of the file (%zu bytes)",
			       (unsigned long long)img->shoff, img->shnum, elf_shdr_size(img),
			       img->size);
	if (img->shnum && img->shstrndx >= img->shnum)
		return upi_fw_fail(err, name, "e_shstrndx %u, but there are only %u sections",
			       img->shstrndx, img->shnum);
	return 0;
}

int uproc_fw_get_segment(const struct uproc_fw_image *img, unsigned int phdr,
			 struct uproc_fw_segment *seg)
{
	const uint8_t *p;
	uint64_t off;

	if (!img || !seg)
		return -EINVAL;
	if (phdr >= img->phnum)
		return -ERANGE;
	off = img->phoff + (uint64_t)phdr * elf_phdr_size(img);
	if (!uproc_range_ok(off, elf_phdr_size(img), img->size))
		return -ERANGE;
	p = img->data + off;
	if (PHDR(img, p, p_type) != PT_LOAD)
		return 0;
	seg->phdr = phdr;
	seg->memsz = PHDR(img, p, p_memsz);
	if (seg->memsz == 0)
		return 0;
	seg->da = PHDR(img, p, p_paddr);
	seg->vaddr = PHDR(img, p, p_vaddr);
	seg->offset = PHDR(img, p, p_offset);
	seg->filesz = PHDR(img, p, p_filesz);
	seg->flags = (uint32_t)PHDR(img, p, p_flags);
	return 1;
}

/* True when [da, da + memsz) fits the class's address space without wrapping. */
static int elf_da_range_ok(const struct uproc_fw_image *img, const struct uproc_fw_segment *s)
{
	if (img->elf_class == UPROC_ELF32)
		return s->da + s->memsz <= (UINT64_C(1) << 32);
	return s->memsz - 1 <= UINT64_MAX - s->da;	/* memsz != 0 for loadable ones */
}

static int elf_ranges_overlap(const struct uproc_fw_segment *a, const struct uproc_fw_segment *b)
{
	/* Both ranges are known not to wrap: compare their last bytes. */
	return a->da <= b->da + (b->memsz - 1) && b->da <= a->da + (a->memsz - 1);
}

int uproc_fw_check_segments(const struct uproc_fw_image *img, struct uproc_fw_error *err)
{
	struct uproc_fw_segment s, o;
	unsigned int i, j, count = 0;
	int ret;

	if (!img)
		return -EINVAL;
	for (i = 0; i < img->phnum; i++) {
		ret = uproc_fw_get_segment(img, i, &s);
		if (ret < 0)
			return upi_fw_fail(err, img->name, "segment %u: program header outside the file", i);
		if (ret == 0)
			continue;
		if (s.filesz > s.memsz)
			return upi_fw_fail(err, img->name, "segment %u: filesz 0x%llx > memsz 0x%llx", i,
				       (unsigned long long)s.filesz, (unsigned long long)s.memsz);
		if (!uproc_range_ok(s.offset, s.filesz, img->size))
			return upi_fw_fail(err, img->name,
				       "segment %u: file bytes 0x%llx + 0x%llx run past the end of the file (%zu bytes)",
				       i, (unsigned long long)s.offset, (unsigned long long)s.filesz,
				       img->size);
		if (!elf_da_range_ok(img, &s))
			return upi_fw_fail(err, img->name,
				       "segment %u: da 0x%llx + memsz 0x%llx overflows the %s address space",
				       i, (unsigned long long)s.da, (unsigned long long)s.memsz,
				       img->elf_class == UPROC_ELF32 ? "32-bit" : "64-bit");
		if (++count > UPROC_FW_MAX_SEGMENTS)
			return upi_fw_fail_errno(-E2BIG, err, img->name,
					     "more than %u loadable segments", UPROC_FW_MAX_SEGMENTS);
		/* Earlier segments passed these checks: their ranges do not wrap. */
		for (j = 0; j < i; j++) {
			if (uproc_fw_get_segment(img, j, &o) != 1)
				continue;
			if (elf_ranges_overlap(&s, &o))
				return upi_fw_fail(err, img->name,
					       "segments %u and %u overlap on the device (da 0x%llx + 0x%llx and 0x%llx + 0x%llx)",
					       j, i, (unsigned long long)o.da,
					       (unsigned long long)o.memsz,
					       (unsigned long long)s.da,
					       (unsigned long long)s.memsz);
		}
	}
	return (int)count;
}

/*
 * Find ".resource_table" through the section-name string table. Every section's
 * name must lie inside that table and be terminated there.
 */
static int elf_find_rsc_section(struct uproc_fw_image *img, struct uproc_fw_error *err)
{
	size_t shsz = elf_shdr_size(img);
	const uint8_t *sh, *strtab;
	uint64_t str_off, str_size, off, size;
	uint32_t sh_name;
	unsigned int i;

	if (img->shnum == 0 || img->shstrndx == SHN_UNDEF)
		return 0;
	sh = img->data + img->shoff + (uint64_t)img->shstrndx * shsz;
	if (SHDR(img, sh, sh_type) == SHT_NOBITS)
		return upi_fw_fail(err, img->name,
			       "section-name table (section %u) has no bytes in the file",
			       img->shstrndx);
	str_off = SHDR(img, sh, sh_offset);
	str_size = SHDR(img, sh, sh_size);
	if (!uproc_range_ok(str_off, str_size, img->size))
		return upi_fw_fail(err, img->name,
			       "section-name table (section %u) at 0x%llx, 0x%llx bytes, runs past the end of the file (%zu bytes)",
			       img->shstrndx, (unsigned long long)str_off,
			       (unsigned long long)str_size, img->size);
	strtab = img->data + str_off;

	for (i = 0; i < img->shnum; i++) {
		sh = img->data + img->shoff + (uint64_t)i * shsz;
		sh_name = (uint32_t)SHDR(img, sh, sh_name);
		if (sh_name >= str_size)
			return upi_fw_fail(err, img->name,
				       "section %u: name offset 0x%x is outside the section-name table (0x%llx bytes)",
				       i, sh_name, (unsigned long long)str_size);
		if (!memchr(strtab + sh_name, '\0', str_size - sh_name))
			return upi_fw_fail(err, img->name,
				       "section %u: name at 0x%x is not terminated inside the section-name table",
				       i, sh_name);
		if (strcmp((const char *)strtab + sh_name, RSC_SECTION_NAME) != 0)
			continue;
		if (img->has_rsc_table)
			return upi_fw_fail(err, img->name, "two %s sections (%u and %u)",
				       RSC_SECTION_NAME, img->rsc_section, i);
		if (SHDR(img, sh, sh_type) == SHT_NOBITS)
			return upi_fw_fail(err, img->name,
				       "section %u (%s) has no bytes in the file (SHT_NOBITS)",
				       i, RSC_SECTION_NAME);
		off = SHDR(img, sh, sh_offset);
		size = SHDR(img, sh, sh_size);
		if (!uproc_range_ok(off, size, img->size))
			return upi_fw_fail(err, img->name,
				       "resource table (section %u) at 0x%llx, 0x%llx bytes, runs past the end of the file (%zu bytes)",
				       i, (unsigned long long)off, (unsigned long long)size, img->size);
		img->has_rsc_table = true;
		img->rsc_section = (uint16_t)i;
		img->rsc_offset = off;
		img->rsc_size = size;
		img->rsc_da = SHDR(img, sh, sh_addr);
	}
	return 0;
}

int uproc_fw_parse(struct uproc_fw_image *img, const void *data, size_t size,
		   const char *name, unsigned int flags, struct uproc_fw_error *err)
{
	struct uproc_fw_image tmp = { .data = data, .size = size };
	int ret;

	if (err)
		err->msg[0] = '\0';
	if (!img || (!data && size))
		return -EINVAL;
	tmp.name = name ? name : FW_DEFAULT_NAME;
	ret = elf_check_header(&tmp, err);
	if (ret)
		return ret;
	ret = uproc_fw_check_segments(&tmp, err);
	if (ret < 0)
		return ret;
	tmp.nsegs = (unsigned int)ret;
	ret = elf_find_rsc_section(&tmp, err);
	if (ret)
		return ret;
	if (!tmp.has_rsc_table) {
		if (flags & UPROC_FW_REQUIRE_RSC_TABLE)
			return upi_fw_fail_errno(-ENOENT, err, tmp.name, "no %s section",
					     RSC_SECTION_NAME);
	} else {
		ret = uproc_rsc_table_parse(&tmp.rsc, tmp.data + tmp.rsc_offset,
					    (size_t)tmp.rsc_size, tmp.order, tmp.name, err);
		if (ret < 0)
			return ret;
	}
	*img = tmp;
	return 0;
}
