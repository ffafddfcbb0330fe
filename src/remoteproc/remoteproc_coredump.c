// SPDX-License-Identifier: MIT
/*
 * remoteproc_coredump.c - the coredump of a crashed remote (Linux's rproc_coredump):
 * an ELF core file (ET_CORE) of the firmware's class, byte order and machine, its
 * e_entry the boot address, a PT_NOTE with the backend's notes (registers), and one
 * PT_LOAD per memory region (paddr = da; vaddr = da too, but for MIPS32 firmware,
 * which sees its memories through kseg0) holding its contents.
 *
 * "enabled": the contents are copied at once; "inline": the dump reads the remote's
 * memory when it is read, and recovery waits until it is released (or a timeout).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remoteproc_internal.h"

#define ELF_ET_CORE 4
#define ELF_PT_LOAD 1
#define ELF_PT_NOTE 4
#define ELF_PF_RWX 7
#define ELF_EM_MIPS 8
#define ELF_SEG_ALIGN 16u

struct dump_region {
	uint64_t da;
	size_t len;
	const uint8_t *va;
};

struct dump_regions {
	struct dump_region r[RPROC_MAX_DUMP_SEGMENTS];
	unsigned int n;
};

void upi_rproc_dump_free(struct rproc_dump *dump)
{
	if (!dump)
		return;
	free(dump->head);
	free(dump->copy);
	free(dump);
}

static int collect_mem(const struct rproc_mem_entry *mem, void *arg)
{
	struct dump_regions *regs = arg;

	if (!mem->va || !mem->len || regs->n >= RPROC_MAX_DUMP_SEGMENTS)
		return 0;
	regs->r[regs->n].da = mem->da;
	regs->r[regs->n].len = mem->len;
	regs->r[regs->n].va = mem->va;
	regs->n++;
	return 0;
}

static void collect_regions(struct rproc *rproc, struct dump_regions *regs)
{
	struct rproc_dump_seg segs[RPROC_MAX_DUMP_SEGMENTS];
	unsigned int nsegs;

	regs->n = 0;
	nsegs = rproc->ndump_segs;
	memcpy(segs, rproc->dump_segs, sizeof(segs));

	if (!nsegs) {
		unsigned int kept = 0;

		rproc_for_each_mem(rproc, collect_mem, regs);
		/* A memory inside another (a carveout in the RAM) is dumped once, in it. */
		for (unsigned int i = 0; i < regs->n; i++) {
			bool inside = false;

			for (unsigned int j = 0; j < regs->n && !inside; j++) {
				const struct dump_region *a = &regs->r[i], *b = &regs->r[j];

				if (i == j || a->da < b->da || !uproc_range_ok(a->da - b->da, a->len, b->len))
					continue;
				/* identical ranges: keep the first */
				inside = a->da != b->da || a->len != b->len || j < i;
			}
			if (!inside)
				regs->r[kept++] = regs->r[i];
		}
		regs->n = kept;
		return;
	}
	for (unsigned int i = 0; i < nsegs; i++) {
		const uint8_t *va = rproc_da_to_va(rproc, segs[i].da, segs[i].len, NULL);

		if (!va) {
			rproc_warn(rproc, "coredump: segment at da 0x%llx (0x%zx bytes) not mapped, skipped",
				   (unsigned long long)segs[i].da, segs[i].len);
			continue;
		}
		regs->r[regs->n].da = segs[i].da;
		regs->r[regs->n].len = segs[i].len;
		regs->r[regs->n].va = va;
		regs->n++;
	}
}

/* Write an ELF header and program headers of @cls / @order into @p. */
static void put_ehdr(uint8_t *p, bool is64, enum uproc_byte_order order, uint16_t machine,
		     uint64_t entry, uint16_t phnum)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	memcpy(p, magic, 4);
	p[4] = is64 ? 2 : 1;					/* EI_CLASS */
	p[5] = order == UPROC_LITTLE_ENDIAN ? 1 : 2;		/* EI_DATA */
	p[6] = 1;						/* EI_VERSION */
	p[7] = 0;						/* ELFOSABI_NONE */
	uproc_put16(p + 16, ELF_ET_CORE, order);
	uproc_put16(p + 18, machine, order);
	uproc_put32(p + 20, 1, order);				/* EV_CURRENT */
	if (is64) {
		uproc_put64(p + 24, entry, order);
		uproc_put64(p + 32, 64, order);			/* e_phoff */
		uproc_put16(p + 52, 64, order);			/* e_ehsize */
		uproc_put16(p + 54, 56, order);			/* e_phentsize */
		uproc_put16(p + 56, phnum, order);
	} else {
		uproc_put32(p + 24, (uint32_t)entry, order);
		uproc_put32(p + 28, 52, order);
		uproc_put16(p + 40, 52, order);
		uproc_put16(p + 42, 32, order);
		uproc_put16(p + 44, phnum, order);
	}
}

static void put_phdr(uint8_t *p, bool is64, enum uproc_byte_order order, uint32_t type,
		     uint64_t offset, uint64_t vaddr, uint64_t addr, uint64_t size, uint32_t flags,
		     uint64_t align)
{
	if (is64) {
		uproc_put32(p + 0, type, order);
		uproc_put32(p + 4, flags, order);
		uproc_put64(p + 8, offset, order);
		uproc_put64(p + 16, vaddr, order);
		uproc_put64(p + 24, addr, order);
		uproc_put64(p + 32, size, order);
		uproc_put64(p + 40, size, order);
		uproc_put64(p + 48, align, order);
	} else {
		uproc_put32(p + 0, type, order);
		uproc_put32(p + 4, (uint32_t)offset, order);
		uproc_put32(p + 8, (uint32_t)vaddr, order);
		uproc_put32(p + 12, (uint32_t)addr, order);
		uproc_put32(p + 16, (uint32_t)size, order);
		uproc_put32(p + 20, (uint32_t)size, order);
		uproc_put32(p + 24, flags, order);
		uproc_put32(p + 28, (uint32_t)align, order);
	}
}

/*
 * Where the firmware sees a memory: its device address, except for 32-bit MIPS,
 * whose firmware runs in kseg0 and sees the low 512 MiB of device addresses at
 * 0x80000000 + da (the address a debugger finds in its pointers and stack).
 */
static uint64_t dump_vaddr(const struct rproc *rproc, bool is64, uint64_t da, size_t len)
{
	if (rproc->e_machine == ELF_EM_MIPS && !is64 && da < 0x20000000u &&
	    len <= 0x20000000u - da)
		return 0x80000000u | da;
	return da;
}

static int rproc_dump_build(struct rproc *rproc, bool inline_dump, struct rproc_dump **out)
{
	bool is64 = rproc->elf_class != UPROC_ELF32;
	enum uproc_byte_order order = rproc->order;
	struct dump_regions *regs;
	struct rproc_dump *dump;
	ssize_t note_len = 0;
	size_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;
	uint64_t off;
	uint16_t phnum;
	unsigned int kept = 0;
	int ret;

	regs = calloc(1, sizeof(*regs));
	dump = calloc(1, sizeof(*dump));
	if (!regs || !dump) {
		ret = -ENOMEM;
		goto fail;
	}
	collect_regions(rproc, regs);
	/* An ELF32 core cannot hold memories above 4 GiB. */
	for (unsigned int i = 0; i < regs->n; i++) {
		if (!is64 && (regs->r[i].da > UINT32_MAX || regs->r[i].len > UINT32_MAX - regs->r[i].da))
			continue;
		regs->r[kept++] = regs->r[i];
	}
	regs->n = kept;
	if (!regs->n) {
		ret = rproc_err(rproc, -ENOENT, "coredump: no memory to dump");
		goto fail;
	}

	if (rproc->ops->coredump_notes) {
		note_len = rproc->ops->coredump_notes(rproc, NULL, 0);
		if (note_len < 0) {
			rproc_warn(rproc, "coredump: the backend has no notes (%zd)", note_len);
			note_len = 0;
		}
		if (note_len > (1 << 20))
			note_len = 0;
	}
	phnum = (uint16_t)(regs->n + (note_len ? 1 : 0));
	off = ehsize + phsize * phnum;
	dump->head_len = (size_t)off + (size_t)note_len;
	dump->head_len = (dump->head_len + ELF_SEG_ALIGN - 1) & ~(size_t)(ELF_SEG_ALIGN - 1);
	dump->head = calloc(1, dump->head_len);
	if (!dump->head) {
		ret = -ENOMEM;
		goto fail;
	}
	if (note_len) {
		ssize_t got = rproc->ops->coredump_notes(rproc, dump->head + off, (size_t)note_len);

		if (got < 0 || got > note_len)
			got = 0;
		note_len = got;
	}
	put_ehdr(dump->head, is64, order, rproc->e_machine, rproc->bootaddr, phnum);

	uint8_t *ph = dump->head + ehsize;
	if (phnum > regs->n) {
		put_phdr(ph, is64, order, ELF_PT_NOTE, off, 0, 0, (uint64_t)note_len, 0, 4);
		ph += phsize;
	}
	off = dump->head_len;
	size_t total_mem = 0;
	for (unsigned int i = 0; i < regs->n; i++) {
		put_phdr(ph, is64, order, ELF_PT_LOAD, off,
			 dump_vaddr(rproc, is64, regs->r[i].da, regs->r[i].len), regs->r[i].da,
			 regs->r[i].len, ELF_PF_RWX, ELF_SEG_ALIGN);
		ph += phsize;
		dump->seg[i].offset = off;
		dump->seg[i].len = regs->r[i].len;
		dump->seg[i].src = regs->r[i].va;
		off += regs->r[i].len;
		total_mem += regs->r[i].len;
	}
	dump->nsegs = regs->n;
	dump->total = (size_t)off;
	dump->inline_dump = inline_dump;

	if (!inline_dump) {
		uint8_t *p;

		dump->copy = malloc(total_mem ? total_mem : 1);
		if (!dump->copy) {
			ret = rproc_err(rproc, -ENOMEM, "coredump: no memory for 0x%zx bytes", total_mem);
			goto fail;
		}
		p = dump->copy;
		for (unsigned int i = 0; i < dump->nsegs; i++) {
			memcpy(p, dump->seg[i].src, dump->seg[i].len);
			dump->seg[i].src = p;
			p += dump->seg[i].len;
		}
	}
	free(regs);
	*out = dump;
	return 0;

fail:
	free(regs);
	upi_rproc_dump_free(dump);
	return ret;
}

int upi_rproc_coredump(struct rproc *rproc)
{
	enum rproc_dump_mechanism conf;
	struct rproc_dump *dump = NULL, *old;
	int ret;

	conf = rproc->dump_conf;
	if (conf == RPROC_COREDUMP_DISABLED)
		return 0;

	ret = rproc_dump_build(rproc, conf == RPROC_COREDUMP_INLINE, &dump);
	if (ret < 0)
		return ret;
	old = rproc->dump;
	rproc->dump = dump;
	rproc->ndumps++;
	upi_rproc_dump_free(old);
	upi_rproc_notify(rproc, RPROC_EVENT_COREDUMP);
	return conf == RPROC_COREDUMP_INLINE ? 1 : 0;
}

/* Before the memories go: an inline dump becomes a copy, so it stays readable. */
void upi_rproc_dump_unpin_memory(struct rproc *rproc)
{
	struct rproc_dump *dump;
	size_t total = 0;
	uint8_t *copy, *p;

	dump = rproc->dump;
	if (!dump || !dump->inline_dump)
		return;
	for (unsigned int i = 0; i < dump->nsegs; i++)
		total += dump->seg[i].len;
	copy = malloc(total ? total : 1);
	if (!copy) {
		/* Can't keep it: drop it rather than point at freed memory. */
		rproc->dump = NULL;
		upi_rproc_dump_free(dump);
		return;
	}
	p = copy;
	for (unsigned int i = 0; i < dump->nsegs; i++) {
		memcpy(p, dump->seg[i].src, dump->seg[i].len);
		dump->seg[i].src = p;
		p += dump->seg[i].len;
	}
	dump->copy = copy;
	dump->inline_dump = false;
}

ssize_t rproc_coredump_size(struct rproc *rproc)
{
	ssize_t n;

	UPI_RPROC_ON_LOOP(rproc);
	n = rproc->dump ? (ssize_t)rproc->dump->total : -ENOENT;
	return n;
}

ssize_t rproc_coredump_read(struct rproc *rproc, void *buf, size_t len, uint64_t offset)
{
	const struct rproc_dump *dump;
	uint8_t *out = buf;
	size_t done = 0;

	UPI_RPROC_ON_LOOP(rproc);
	if (!buf && len)
		return -EINVAL;
	/* Held across the copy: release and unpin wait for a reader to finish. */
	dump = rproc->dump;
	if (!dump)
		return -ENOENT;
	while (done < len && offset < dump->total) {
		size_t n;

		if (offset < dump->head_len) {
			n = dump->head_len - (size_t)offset;
			if (n > len - done)
				n = len - done;
			memcpy(out + done, dump->head + offset, n);
		} else {
			unsigned int i = 0;

			while (i < dump->nsegs && offset >= dump->seg[i].offset + dump->seg[i].len)
				i++;
			if (i == dump->nsegs)
				break;
			size_t in = (size_t)(offset - dump->seg[i].offset);
			n = dump->seg[i].len - in;
			if (n > len - done)
				n = len - done;
			memcpy(out + done, dump->seg[i].src + in, n);
		}
		done += n;
		offset += n;
	}
	return (ssize_t)done;
}

int rproc_coredump_save(struct rproc *rproc, const char *path)
{
	uint8_t chunk[65536];
	uint64_t off = 0;
	int fd, ret = 0;

	UPI_RPROC_ON_LOOP(rproc);
	if (!path)
		return -EINVAL;
	if (rproc_coredump_size(rproc) < 0)
		return -ENOENT;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return rproc_err(rproc, -errno, "coredump: can't create %s", path);
	for (;;) {
		ssize_t n = rproc_coredump_read(rproc, chunk, sizeof(chunk), off);

		if (n <= 0) {
			ret = (int)n;
			break;
		}
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(fd, chunk + w, (size_t)(n - w));

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				ret = rproc_err(rproc, -errno, "coredump: writing %s failed", path);
				goto out;
			}
			w += k;
		}
		off += (uint64_t)n;
	}
out:
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

unsigned int rproc_coredump_count(struct rproc *rproc)
{
	unsigned int n;

	UPI_RPROC_ON_LOOP(rproc);
	n = rproc->ndumps;
	return n;
}

void rproc_set_coredump_timeout(struct rproc *rproc, uint32_t ms)
{
	UPI_RPROC_ON_LOOP(rproc);
	rproc->dump_timeout_ms = ms;
}

int rproc_coredump_add_segment(struct rproc *rproc, uint64_t da, size_t len)
{
	int ret = 0;

	UPI_RPROC_ON_LOOP(rproc);
	if (!len)
		return -EINVAL;
	if (rproc->ndump_segs >= RPROC_MAX_DUMP_SEGMENTS) {
		ret = -ENOSPC;
	} else {
		rproc->dump_segs[rproc->ndump_segs].da = da;
		rproc->dump_segs[rproc->ndump_segs].len = len;
		rproc->ndump_segs++;
	}
	return ret;
}
