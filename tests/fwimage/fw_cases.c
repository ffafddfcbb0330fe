// SPDX-License-Identifier: MIT
/*
 * fw_cases.c - malformed variants of the base image, each with the errno and
 * the words of the message the reader must answer with.
 */
#include <string.h>

#include "fw_builder.h"

#define VDEV_BODY (FWB_RSC_VDEV + 4)
#define VRING(i) (VDEV_BODY + 24 + (i) * 20)
#define ADDR_MAX(b) ((b)->cls == UPROC_ELF32 ? UINT32_MAX : UINT64_MAX)

/* ---- ELF header ---- */
static void m_truncated_header(struct fwb *b) { b->size = 40; }
static void m_truncated_elf64(struct fwb *b) { b->size = 60; }
static void m_empty(struct fwb *b) { b->size = 0; }
static void m_bad_magic(struct fwb *b) { b->buf[1] = 'X'; }
static void m_bad_class(struct fwb *b) { b->buf[EI_CLASS] = 3; }
static void m_bad_data(struct fwb *b) { b->buf[EI_DATA] = 0; }
static void m_no_phdrs(struct fwb *b) { FWB_EHDR(b, e_phnum, 0); }
static void m_bad_phentsize(struct fwb *b) { FWB_EHDR(b, e_phentsize, 20); }
static void m_phdrs_past_end(struct fwb *b) { FWB_EHDR(b, e_phoff, b->size - 8); }
static void m_huge_phnum(struct fwb *b) { FWB_EHDR(b, e_phnum, 0xffff); }
static void m_phoff_overflow(struct fwb *b) { FWB_EHDR(b, e_phoff, ADDR_MAX(b) - 7); }
static void m_shdrs_past_end(struct fwb *b) { FWB_EHDR(b, e_shoff, b->size - 4); }
static void m_shoff_overflow(struct fwb *b) { FWB_EHDR(b, e_shoff, ADDR_MAX(b) - 7); }
static void m_huge_shnum(struct fwb *b) { FWB_EHDR(b, e_shnum, 0xffff); }
static void m_bad_shentsize(struct fwb *b) { FWB_EHDR(b, e_shentsize, 12); }
static void m_bad_shstrndx(struct fwb *b) { FWB_EHDR(b, e_shstrndx, 9); }
static void m_truncated_file(struct fwb *b) { b->size = FWB_SHOFF + 10; }

/* ---- segments ---- */
static void m_filesz_gt_memsz(struct fwb *b) { FWB_PHDR(b, 0, p_filesz, 0x80); }
static void m_segment_past_end(struct fwb *b) { FWB_PHDR(b, 0, p_offset, b->size - 0x10); }
static void m_segment_offset_overflow(struct fwb *b)
{
	FWB_PHDR(b, 0, p_offset, ADDR_MAX(b) - 0x10);
}
static void m_segment_da_overflow(struct fwb *b) { FWB_PHDR(b, 2, p_paddr, ADDR_MAX(b) - 0x10); }
static void m_segments_overlap(struct fwb *b) { FWB_PHDR(b, 2, p_paddr, FWB_TEXT_DA + 0x3f); }
static void m_too_many_segments(struct fwb *b)
{
	const unsigned int n = UPROC_FW_MAX_SEGMENTS + 1;
	size_t phoff = b->size, i, phsz = fwb_phdr_off(b, 1) - fwb_phdr_off(b, 0);

	FWB_EHDR(b, e_phoff, phoff);
	FWB_EHDR(b, e_phnum, n);
	for (i = 0; i < n; i++) {
		size_t p = phoff + i * phsz;

		FWB_FIELD(b, p, Elf32_Phdr, Elf64_Phdr, p_type, PT_LOAD);
		FWB_FIELD(b, p, Elf32_Phdr, Elf64_Phdr, p_paddr, 0x200000 + i * 0x100);
		FWB_FIELD(b, p, Elf32_Phdr, Elf64_Phdr, p_memsz, 0x100);
	}
	b->size = phoff + n * phsz;
}

/* ---- sections ---- */
static void m_shstrtab_past_end(struct fwb *b) { FWB_SHDR(b, 3, sh_offset, b->size - 4); }
static void m_shstrtab_nobits(struct fwb *b) { FWB_SHDR(b, 3, sh_type, SHT_NOBITS); }
static void m_name_outside(struct fwb *b) { FWB_SHDR(b, 1, sh_name, 0x1000); }
static void m_name_unterminated(struct fwb *b) { FWB_SHDR(b, 3, sh_size, FWB_SHSTR_SIZE - 1); }
static void m_rsc_nobits(struct fwb *b) { FWB_SHDR(b, 2, sh_type, SHT_NOBITS); }
static void m_rsc_past_end(struct fwb *b) { FWB_SHDR(b, 2, sh_size, 0x10000); }
static void m_rsc_offset_overflow(struct fwb *b) { FWB_SHDR(b, 2, sh_offset, ADDR_MAX(b) - 4); }
static void m_two_rsc(struct fwb *b) { FWB_SHDR(b, 1, sh_name, FWB_NAME_RSC); }
static void m_no_rsc(struct fwb *b) { b->buf[FWB_SHSTR_OFF + FWB_NAME_RSC + 1] = 'R'; }
static void m_no_shstrtab(struct fwb *b) { FWB_EHDR(b, e_shstrndx, SHN_UNDEF); }

/* ---- resource table header ---- */
static void m_rsc_headerless(struct fwb *b) { FWB_SHDR(b, 2, sh_size, 12); }
static void m_rsc_bad_version(struct fwb *b) { fwb_rsc32(b, 0, 2); }
static void m_rsc_reserved(struct fwb *b) { fwb_rsc32(b, 12, 1); }
static void m_rsc_huge_num(struct fwb *b) { fwb_rsc32(b, 4, 0xffffffff); }
static void m_rsc_num_too_big(struct fwb *b) { fwb_rsc32(b, 4, 56); }
static void m_rsc_offset_into_header(struct fwb *b) { fwb_rsc32(b, 16, 8); }
static void m_rsc_offset_past_end(struct fwb *b) { fwb_rsc32(b, 32, FWB_RSC_SIZE - 2); }
static void m_rsc_offset_huge(struct fwb *b) { fwb_rsc32(b, 20, 0xfffffffe); }

/* ---- entries ---- */
static void m_carveout_truncated(struct fwb *b)
{
	fwb_rsc32(b, 16, FWB_RSC_SIZE - 20);
	fwb_rsc32(b, FWB_RSC_SIZE - 20, RPROC_RSC_CARVEOUT);
}
static void m_carveout_reserved(struct fwb *b) { fwb_rsc32(b, FWB_RSC_CARVEOUT + 20, 1); }
static void m_carveout_da_overflow(struct fwb *b)
{
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 4, 0xfffff000);
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 12, 0x2000);
}
static void m_carveout_pa_overflow(struct fwb *b) { fwb_rsc32(b, FWB_RSC_CARVEOUT + 8, 0xffff0000); }
static void m_devmem_reserved(struct fwb *b)
{
	fwb_rsc32(b, FWB_RSC_CARVEOUT, RPROC_RSC_DEVMEM);
	fwb_rsc32(b, FWB_RSC_CARVEOUT + 20, 7);
}
static void m_trace_truncated(struct fwb *b)
{
	fwb_rsc32(b, 20, FWB_RSC_SIZE - 30);
	fwb_rsc32(b, FWB_RSC_SIZE - 30, RPROC_RSC_TRACE);
}
static void m_trace_reserved(struct fwb *b) { fwb_rsc32(b, FWB_RSC_TRACE + 12, 2); }
static void m_trace_da_overflow(struct fwb *b) { fwb_rsc32(b, FWB_RSC_TRACE + 4, RPROC_RSC_ADDR_ANY); }
static void m_vdev_truncated(struct fwb *b)
{
	fwb_rsc32(b, 24, FWB_RSC_SIZE - 10);
	fwb_rsc32(b, FWB_RSC_SIZE - 10, RPROC_RSC_VDEV);
}
static void m_vdev_vrings_off_table(struct fwb *b) { fwb_rsc8(b, VDEV_BODY + 21, 9); }
static void m_vdev_three_vrings(struct fwb *b)
{
	fwb_rsc8(b, VDEV_BODY + 21, 3);
	fwb_rsc32(b, VDEV_BODY + 16, 0);
}
static void m_vdev_reserved(struct fwb *b) { fwb_rsc8(b, VDEV_BODY + 22, 1); }
static void m_vdev_config_past_end(struct fwb *b) { fwb_rsc32(b, VDEV_BODY + 16, 0x1000); }
static void m_vdev_config_len_huge(struct fwb *b) { fwb_rsc32(b, VDEV_BODY + 16, 0xffffffff); }
static void m_vring_num_zero(struct fwb *b) { fwb_rsc32(b, VRING(1) + 8, 0); }
static void m_vring_align_zero(struct fwb *b) { fwb_rsc32(b, VRING(0) + 4, 0); }
static void m_vring_num_not_pow2(struct fwb *b) { fwb_rsc32(b, VRING(0) + 8, 100); }
static void m_vring_num_too_big(struct fwb *b) { fwb_rsc32(b, VRING(1) + 8, 65536); }
static void m_vring_align_not_pow2(struct fwb *b) { fwb_rsc32(b, VRING(1) + 4, 3000); }

#define CASE(n, e, m) { #n, m_##n, e, m, 0, 0 }
#define CASE_FLAGS(n, e, m, f) { #n, m_##n, e, m, f, 0 }
#define CASE_CLASS(n, e, m, c) { #n, m_##n, e, m, 0, c }

const struct fwb_case fwb_cases[] = {
	CASE(empty, -EINVAL, "0 bytes, too small for an ELF header (52)"),
	CASE(truncated_header, -EINVAL, "40 bytes, too small for an ELF header (52)"),
	CASE_CLASS(truncated_elf64, -EINVAL, "60 bytes, too small for an ELF64 header (64)",
		   UPROC_ELF64),
	CASE(bad_magic, -EINVAL, "not an ELF file (bad magic 7f 58 4c 46)"),
	CASE(bad_class, -EINVAL, "unsupported ELF class 3"),
	CASE(bad_data, -EINVAL, "unsupported byte order (EI_DATA 0)"),
	CASE(no_phdrs, -EINVAL, "no program headers"),
	CASE(bad_phentsize, -EINVAL, "e_phentsize 20, expected"),
	CASE(phdrs_past_end, -EINVAL, "program headers at 0x"),
	CASE(huge_phnum, -EINVAL, "(65535 x"),
	CASE(phoff_overflow, -EINVAL, "program headers at 0xfffffff"),
	CASE(shdrs_past_end, -EINVAL, "section headers at 0x"),
	CASE(shoff_overflow, -EINVAL, "section headers at 0xfffffff"),
	CASE(huge_shnum, -EINVAL, "section headers at 0x480 (65535 x"),
	CASE(bad_shentsize, -EINVAL, "e_shentsize 12, expected"),
	CASE(bad_shstrndx, -EINVAL, "e_shstrndx 9, but there are only 4 sections"),
	CASE(truncated_file, -EINVAL, "section headers at 0x480 (4 x"),
	CASE(filesz_gt_memsz, -EINVAL, "segment 0: filesz 0x80 > memsz 0x40"),
	CASE(segment_past_end, -EINVAL, "segment 0: file bytes 0x"),
	CASE(segment_offset_overflow, -EINVAL, "run past the end of the file"),
	CASE(segment_da_overflow, -EINVAL, "segment 2: da 0xffffff"),
	CASE(segments_overlap, -EINVAL, "segments 0 and 2 overlap on the device"),
	CASE(too_many_segments, -E2BIG, "more than 256 loadable segments"),
	CASE(shstrtab_past_end, -EINVAL, "section-name table (section 3) at 0x"),
	CASE(shstrtab_nobits, -EINVAL, "section-name table (section 3) has no bytes in the file"),
	CASE(name_outside, -EINVAL, "section 1: name offset 0x1000 is outside the section-name table (0x21 bytes)"),
	CASE(name_unterminated, -EINVAL, "section 3: name at 0x17 is not terminated"),
	CASE(rsc_nobits, -EINVAL, "section 2 (.resource_table) has no bytes in the file (SHT_NOBITS)"),
	CASE(rsc_past_end, -EINVAL, "resource table (section 2) at 0x200, 0x10000 bytes, runs past the end"),
	CASE(rsc_offset_overflow, -EINVAL, "resource table (section 2) at 0xfffffff"),
	CASE(two_rsc, -EINVAL, "two .resource_table sections (1 and 2)"),
	CASE_FLAGS(no_rsc, -ENOENT, "no .resource_table section", UPROC_FW_REQUIRE_RSC_TABLE),
	CASE_FLAGS(no_shstrtab, -ENOENT, "no .resource_table section", UPROC_FW_REQUIRE_RSC_TABLE),
	CASE(rsc_headerless, -EINVAL, "resource table: 12 bytes, smaller than its 16-byte header"),
	CASE(rsc_bad_version, -EINVAL, "resource table: version 2, only 1 is supported"),
	CASE(rsc_reserved, -EINVAL, "resource table: reserved words 0x0, 0x1; must be 0"),
	CASE(rsc_huge_num, -EINVAL, "4294967295 entries need a 17179869196-byte header, the table has 236 bytes"),
	CASE(rsc_num_too_big, -EINVAL, "56 entries need a 240-byte header"),
	CASE(rsc_offset_into_header, -EINVAL, "resource 0: offset 0x8 points into the table header (which ends at 0x24)"),
	CASE(rsc_offset_past_end, -EINVAL, "resource 4: offset 0xea leaves no room for its 4-byte header in a 236-byte table"),
	CASE(rsc_offset_huge, -EINVAL, "resource 1: offset 0xfffffffe leaves no room"),
	CASE(carveout_truncated, -EINVAL, "resource 0 (carveout): needs 52 bytes, 16 left in the table"),
	CASE(carveout_reserved, -EINVAL, "resource 0 (carveout \"ram\"): reserved is 0x1, must be 0"),
	CASE(carveout_da_overflow, -EINVAL, "resource 0 (carveout \"ram\"): da 0xfffff000 + len 0x2000 passes 4 GiB"),
	CASE(carveout_pa_overflow, -EINVAL, "resource 0 (carveout \"ram\"): pa 0xffff0000 + len 0x20000 passes 4 GiB"),
	CASE(devmem_reserved, -EINVAL, "resource 0 (devmem \"ram\"): reserved is 0x7"),
	CASE(trace_truncated, -EINVAL, "resource 1 (trace): needs 44 bytes, 26 left in the table"),
	CASE(trace_reserved, -EINVAL, "resource 1 (trace \"trace0\"): reserved is 0x2, must be 0"),
	CASE(trace_da_overflow, -EINVAL, "resource 1 (trace \"trace0\"): da 0xffffffff + len 0x1000 passes 4 GiB"),
	CASE(vdev_truncated, -EINVAL, "resource 2 (vdev): needs 24 bytes, 6 left in the table"),
	CASE(vdev_vrings_off_table, -EINVAL, "resource 2 (vdev): num_of_vrings 9 and config_len 8 need 212 bytes, 92 left in the table"),
	CASE(vdev_three_vrings, -EINVAL, "resource 2 (vdev): num_of_vrings 3, at most 2"),
	CASE(vdev_reserved, -EINVAL, "resource 2 (vdev): reserved bytes are 1, 0; must be 0"),
	CASE(vdev_config_past_end, -EINVAL, "config_len 4096 need 4160 bytes, 92 left"),
	CASE(vdev_config_len_huge, -EINVAL, "config_len 4294967295 need 4294967359 bytes, 92 left"),
	CASE(vring_num_zero, -EINVAL, "resource 2 (vdev): vring 1: num 0 and align 16 must be non-zero"),
	CASE(vring_align_zero, -EINVAL, "resource 2 (vdev): vring 0: num 8 and align 0 must be non-zero"),
	CASE(vring_num_not_pow2, -EINVAL, "resource 2 (vdev): vring 0: num 100 is not a power of two up to 32768"),
	CASE(vring_num_too_big, -EINVAL, "resource 2 (vdev): vring 1: num 65536 is not a power of two up to 32768"),
	CASE(vring_align_not_pow2, -EINVAL, "resource 2 (vdev): vring 1: align 3000 is not a power of two"),
};

const size_t fwb_num_cases = sizeof(fwb_cases) / sizeof(fwb_cases[0]);
