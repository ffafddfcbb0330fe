/* SPDX-License-Identifier: MIT */
/*
 * uproc/fwimage.h - firmware images: ELF reader and resource-table parser.
 *
 * Reads a remote processor's firmware file (ELF32 or ELF64, either byte order)
 * from a caller-owned buffer and yields what a loader needs: the boot address,
 * the loadable segments (PT_LOAD with p_memsz != 0, placed at p_paddr) and the
 * resource table (section ".resource_table"), decoded into host-order structs.
 *
 * Everything is validated once, up front, with the checks Linux makes when it
 * boots a firmware (rproc_elf_sanity_check, rproc_elf_load_segments,
 * rproc_elf_find_table, rproc_handle_resources) plus the ones it leaves out
 * (overflow-safe sums, names that run off their section, vring sizes a split
 * virtqueue can use). A malformed image is refused with a negative errno and a
 * message naming the file, the part at fault and why.
 *
 * Nothing here allocates: the parsed descriptions point into the caller's buffer
 * and stay valid as long as it does. No global state; every function may be
 * called from any thread on distinct objects.
 *
 * The remoteproc core keeps its own copy of the raw table bytes: it decodes
 * entries from that copy with uproc_rsc_get() (each entry carries its offset in
 * the table) and writes host-chosen values back with uproc_rsc_write32() /
 * uproc_rsc_write8() in the firmware's byte order, at offsets built from the wire
 * structs of uproc/rsc_table.h (for example vring.offset +
 * offsetof(struct rproc_rsc_vdev_vring, da)).
 */
#ifndef UPROC_FWIMAGE_H
#define UPROC_FWIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/errno.h"
#include "uproc/rsc_table.h"
#include "uproc/shm.h"

/* Longest error message, terminating NUL included. */
#define UPROC_FW_MSG_MAX 256

/* Most loadable segments an image may have (each is a mapping for the loader). */
#define UPROC_FW_MAX_SEGMENTS 256

/* Most vrings a vdev entry may declare (Linux: rvdev->vring[2]). */
#define UPROC_RSC_MAX_VRINGS 2

/* Largest split-virtqueue size (virtio 1.x, 2.7: queue size <= 32768). */
#define UPROC_VRING_MAX_NUM 32768u

/* Length of the name field of carveout, devmem and trace entries. */
#define UPROC_RSC_NAME_LEN 32

/** struct uproc_fw_error - why a parse failed. @msg: "file: part: reason". */
struct uproc_fw_error {
	char msg[UPROC_FW_MSG_MAX];
};

/* ---- resource table -------------------------------------------------------- */

/** enum uproc_rsc_kind - how an entry's type is handled. */
enum uproc_rsc_kind {
	UPROC_RSC_CARVEOUT = RPROC_RSC_CARVEOUT,
	UPROC_RSC_DEVMEM = RPROC_RSC_DEVMEM,
	UPROC_RSC_TRACE = RPROC_RSC_TRACE,
	UPROC_RSC_VDEV = RPROC_RSC_VDEV,
	UPROC_RSC_UNKNOWN,	/* 4..127 and > 512: Linux warns and skips it */
	UPROC_RSC_VENDOR,	/* 128..512: handed to the backend's handle_rsc hook */
};

/**
 * struct uproc_rsc_mem - a carveout or devmem entry, host order.
 * @name: the entry's name, cut at 32 bytes and always NUL-terminated.
 */
struct uproc_rsc_mem {
	uint32_t da;
	uint32_t pa;
	uint32_t len;
	uint32_t flags;
	uint32_t reserved;
	char name[UPROC_RSC_NAME_LEN + 1];
};

/** struct uproc_rsc_trace - a trace-buffer entry, host order. */
struct uproc_rsc_trace {
	uint32_t da;
	uint32_t len;
	uint32_t reserved;
	char name[UPROC_RSC_NAME_LEN + 1];
};

/**
 * struct uproc_rsc_vring - one vring of a vdev, host order.
 * @offset: where this struct rproc_rsc_vdev_vring starts, from the table's start.
 */
struct uproc_rsc_vring {
	uint32_t da;
	uint32_t align;
	uint32_t num;
	uint32_t notifyid;
	uint32_t pa;
	uint32_t offset;
};

/**
 * struct uproc_rsc_vdev - a virtio device entry, host order.
 * @config_offset: where its config space (@config_len bytes) starts in the table.
 */
struct uproc_rsc_vdev {
	uint32_t id;
	uint32_t notifyid;
	uint32_t dfeatures;
	uint32_t gfeatures;
	uint32_t config_len;
	uint8_t status;
	uint8_t num_of_vrings;
	uint8_t reserved[2];
	struct uproc_rsc_vring vring[UPROC_RSC_MAX_VRINGS];
	uint32_t config_offset;
};

/**
 * struct uproc_rsc_raw - an entry uproc does not decode (unknown or vendor).
 * @body_offset: offset of the bytes after the 4-byte header, from the table's start
 *               (Linux passes this as handle_rsc's @offset)
 * @avail:       bytes from @body_offset to the end of the table (handle_rsc's @avail)
 */
struct uproc_rsc_raw {
	uint32_t body_offset;
	uint32_t avail;
};

/**
 * struct uproc_rsc_entry - one decoded entry.
 * @index:  its position in the table's offset array
 * @type:   the raw type word
 * @kind:   how it is handled; selects the member of @u
 * @offset: where its struct rproc_rsc_hdr starts, from the table's start
 * @avail:  bytes after the header up to the end of the table
 */
struct uproc_rsc_entry {
	uint32_t index;
	uint32_t type;
	enum uproc_rsc_kind kind;
	uint32_t offset;
	uint32_t avail;
	union {
		struct uproc_rsc_mem carveout;
		struct uproc_rsc_mem devmem;
		struct uproc_rsc_trace trace;
		struct uproc_rsc_vdev vdev;
		struct uproc_rsc_raw raw;
	} u;
};

/**
 * struct uproc_rsc_table - a validated view of a resource table's bytes.
 * All fields read-only after uproc_rsc_table_parse().
 * @data:  the table's bytes (borrowed: the caller keeps them alive and unchanged
 *         in size; the host may write fields back, see uproc_rsc_write32())
 * @size:  the table's size in bytes (the section's sh_size)
 * @order: byte order of every field (the firmware's)
 * @ver:   table version (1)
 * @num:   number of entries
 * @unknown: number of entries of unknown type (warn about them)
 */
struct uproc_rsc_table {
	const uint8_t *data;
	uint32_t size;
	enum uproc_byte_order order;
	uint32_t ver;
	uint32_t num;
	uint32_t unknown;
};

/**
 * uproc_rsc_table_parse() - validate a resource table and describe it.
 * @table: filled on success
 * @data:  the table's bytes, @size long (borrowed, see struct uproc_rsc_table)
 * @order: the firmware's byte order
 * @name:  the file name to put in messages (may be NULL)
 * @err:   receives the message on failure (may be NULL)
 *
 * Checks the header (size >= 16, ver == 1, reserved == 0, the offset array
 * fits) and every entry (it starts after the offset array and its body fits in
 * what is left; reserved fields zero; vdev: at most two vrings, each with a
 * non-zero power-of-two num <= 32768 and align, the config space inside the
 * table; addresses plus lengths that do not pass 4 GiB). Overflow-safe for any
 * input; reads only within [data, data + size).
 *
 * Return: the number of entries, or -EINVAL (malformed; message in @err).
 */
int uproc_rsc_table_parse(struct uproc_rsc_table *table, const void *data, size_t size,
			  enum uproc_byte_order order, const char *name,
			  struct uproc_fw_error *err);

/**
 * uproc_rsc_get() - decode entry @index of a parsed table.
 * @table: parsed by uproc_rsc_table_parse()
 * @index: 0 .. table->num - 1
 * @entry: filled in host order on success
 *
 * Re-reads the bytes, so values the host wrote back are seen; bounds are
 * checked again, so it is safe even if the bytes changed since the parse.
 *
 * Return: 0, -ERANGE if @index >= num, -EINVAL if the entry no longer fits.
 */
int uproc_rsc_get(const struct uproc_rsc_table *table, uint32_t index,
		  struct uproc_rsc_entry *entry);

/**
 * uproc_rsc_kind_name() - "carveout", "devmem", "trace", "vdev", "unknown", "vendor".
 */
const char *uproc_rsc_kind_name(enum uproc_rsc_kind kind);

/**
 * uproc_rsc_write32() - store @value at byte @offset of a table in @order.
 * @table: the host's copy of the table bytes, @size long
 *
 * For write-back of carveout da/pa, vring da/notifyid, vdev gfeatures.
 * Entries may overlap (Linux does not forbid it), so a write can change another
 * entry; uproc_rsc_get() re-validates and reports such an entry as -EINVAL.
 * Return: 0, or -ERANGE when [offset, offset + 4) is outside the table.
 */
int uproc_rsc_write32(void *table, size_t size, size_t offset, uint32_t value,
		      enum uproc_byte_order order);

/** uproc_rsc_write8() - store one byte (vdev status). Return: 0 or -ERANGE. */
int uproc_rsc_write8(void *table, size_t size, size_t offset, uint8_t value);

/** uproc_rsc_read32() - load a u32 of @order at @offset. Return: 0 or -ERANGE. */
int uproc_rsc_read32(const void *table, size_t size, size_t offset, uint32_t *value,
		     enum uproc_byte_order order);

/**
 * uproc_rsc_table_dump() - the table as text, in the words of Linux's debugfs
 * file remoteprocN/resource_table (rproc_rsc_table_show): entry by entry, every
 * field. Unknown and vendor entries show their table offset where Linux shows a
 * pointer. A NULL @table prints "No resource table found".
 * @buf, @len: output, always NUL-terminated when @len > 0 (like snprintf)
 *
 * Return: the length of the whole text (excluding the NUL), which may exceed
 * @len - 1 (call again with a larger buffer), or -EINVAL.
 */
int uproc_rsc_table_dump(const struct uproc_rsc_table *table, char *buf, size_t len);

/* ---- ELF image -------------------------------------------------------------- */

/** enum uproc_elf_class - ELFCLASS32 / ELFCLASS64, with their e_ident values. */
enum uproc_elf_class {
	UPROC_ELF32 = 1,
	UPROC_ELF64 = 2,
};

/* Flags of uproc_fw_parse(). */
#define UPROC_FW_REQUIRE_RSC_TABLE 0x1u	/* no ".resource_table": -ENOENT (Linux's default) */

/**
 * struct uproc_fw_segment - one loadable segment (PT_LOAD with p_memsz != 0).
 * @phdr:   its index in the program header table
 * @da:     device address it is loaded at (p_paddr)
 * @vaddr:  p_vaddr, informative
 * @offset: p_offset: its bytes in the file
 * @filesz: bytes copied from the file (<= @memsz)
 * @memsz:  bytes it occupies at @da; the rest after @filesz is zero-filled
 * @flags:  p_flags (PF_X 1, PF_W 2, PF_R 4)
 */
struct uproc_fw_segment {
	unsigned int phdr;
	uint64_t da;
	uint64_t vaddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
	uint32_t flags;
};

/**
 * struct uproc_fw_image - a validated firmware image. Read-only after parse.
 * @data, @size:  the file's bytes (borrowed from the caller)
 * @name:         the name used in messages (borrowed; "firmware" when none given)
 * @elf_class:    ELF32 or ELF64
 * @order:        the firmware's byte order (EI_DATA)
 * @e_type, @e_machine: from the ELF header (Linux checks neither)
 * @entry:        boot address (e_entry)
 * @phoff, @phnum: program header table
 * @shoff, @shnum, @shstrndx: section header table
 * @nsegs:        number of loadable segments
 * @has_rsc_table: a ".resource_table" section was found
 * @rsc_section:  its index in the section header table
 * @rsc_offset, @rsc_size: its bytes in the file
 * @rsc_da:       its address (sh_addr), where the loaded copy lives on the device
 * @rsc:          the parsed table (valid when @has_rsc_table)
 */
struct uproc_fw_image {
	const uint8_t *data;
	size_t size;
	const char *name;
	enum uproc_elf_class elf_class;
	enum uproc_byte_order order;
	uint16_t e_type;
	uint16_t e_machine;
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum;
	uint64_t shoff;
	uint16_t shnum;
	uint16_t shstrndx;
	unsigned int nsegs;
	bool has_rsc_table;
	uint16_t rsc_section;
	uint64_t rsc_offset;
	uint64_t rsc_size;
	uint64_t rsc_da;
	struct uproc_rsc_table rsc;
};

/**
 * uproc_fw_parse() - validate a firmware image and describe it.
 * @img:   filled on success
 * @data:  the file's bytes, @size long; caller-owned, must outlive @img
 * @name:  file name for messages (borrowed; may be NULL)
 * @flags: UPROC_FW_REQUIRE_RSC_TABLE or 0
 * @err:   receives the message on failure (may be NULL)
 *
 * Runs, in order: the ELF header checks (size, magic, class, byte order,
 * version, header entry sizes, section and program header tables inside the
 * file, at least one program header), uproc_fw_check_segments(), the section
 * lookup (".resource_table" through the section-name string table, names
 * bounded and terminated) and uproc_rsc_table_parse() on the table's bytes.
 *
 * Return: 0; -EINVAL for a malformed image; -E2BIG for more than
 * UPROC_FW_MAX_SEGMENTS loadable segments; -ENOENT when the table is required
 * and missing. The message is in @err.
 */
int uproc_fw_parse(struct uproc_fw_image *img, const void *data, size_t size,
		   const char *name, unsigned int flags, struct uproc_fw_error *err);

/**
 * uproc_fw_check_segments() - check that every loadable segment can be loaded:
 * p_filesz <= p_memsz, [p_offset, p_offset + p_filesz) inside the file,
 * p_paddr + p_memsz within the class's address space (no wrap), at most
 * UPROC_FW_MAX_SEGMENTS of them, and no two overlapping on the device.
 * @img: with its header fields filled (uproc_fw_parse() calls this itself)
 *
 * Return: the number of loadable segments, or -EINVAL / -E2BIG with @err set.
 */
int uproc_fw_check_segments(const struct uproc_fw_image *img, struct uproc_fw_error *err);

/**
 * uproc_fw_get_segment() - decode program header @phdr.
 * @seg: filled when it is loadable
 *
 * Return: 1 if it is a loadable segment, 0 if it is not (other type or empty),
 * -ERANGE if @phdr >= img->phnum.
 */
int uproc_fw_get_segment(const struct uproc_fw_image *img, unsigned int phdr,
			 struct uproc_fw_segment *seg);

/**
 * uproc_fw_machine_name() - a short name for an e_machine value ("x86-64",
 * "ARM", "MIPS", ...), or NULL when unknown.
 */
const char *uproc_fw_machine_name(uint16_t e_machine);

#endif /* UPROC_FWIMAGE_H */
