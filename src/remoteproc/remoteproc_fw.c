// SPDX-License-Identifier: MIT
/*
 * remoteproc_fw.c - reading the firmware file (a path, or a name looked up in the
 * processor's search path), parsing it, loading its segments and keeping the host's
 * copy of its resource table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remoteproc_internal.h"

/* Largest firmware file read (a remote's image, not a disk image). */
#define RPROC_FW_MAX_SIZE (256u << 20)
/* From this size on, buffers and copies are arranged to take few page faults. */
#define RPROC_FW_BIG (2u << 20)

/*
 * A buffer for a file of @size bytes, released with free(). A big one is aligned
 * to and asked for in huge pages, where the kernel allows them: a page fault per
 * 2 MiB instead of one per 4 KiB, which is most of a big image's read.
 */
static uint8_t *file_buffer(size_t size)
{
	if (size < RPROC_FW_BIG)
		return malloc(size ? size : 1);
	size_t len = (size + RPROC_FW_BIG - 1) & ~(size_t)(RPROC_FW_BIG - 1);
	uint8_t *buf = aligned_alloc(RPROC_FW_BIG, len);
#ifdef MADV_HUGEPAGE
	if (buf)
		(void)madvise(buf, len, MADV_HUGEPAGE); /* a hint: fine if refused */
#endif
	return buf;
}

/*
 * Fault in the pages of [@va, @va + @len) writable in one call before a big copy
 * there (instead of one fault per page during the copy). A hint: any failure
 * (an old kernel, memory that is not a mapping of its own) is ignored.
 */
static void prefault(uint8_t *va, size_t len)
{
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif
	if (len < (64u << 10))
		return;
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return;
	uintptr_t start = (uintptr_t)va & ~((uintptr_t)page - 1);
	(void)madvise((void *)start, (uintptr_t)va + len - start, MADV_POPULATE_WRITE);
}

static int read_whole_file(const char *path, uint8_t **out, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto close_fd;
	}
	if ((uint64_t)st.st_size > RPROC_FW_MAX_SIZE) {
		ret = -EFBIG;
		goto close_fd;
	}
	buf = file_buffer((size_t)st.st_size);
	if (!buf) {
		ret = -ENOMEM;
		goto close_fd;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			free(buf);
			goto close_fd;
		}
		done += (size_t)n;
	}
	*out = buf;
	*size = done;
	ret = 0;
close_fd:
	close(fd);
	return ret;
}

void upi_rproc_release_firmware(struct rproc *rproc)
{
	free(rproc->fw_data);
	rproc->fw_data = NULL;
	rproc->fw_size = 0;
}

int upi_rproc_request_firmware(struct rproc *rproc)
{
	char name[RPROC_FW_NAME_MAX];
	char path[2 * RPROC_FW_NAME_MAX + 2];
	char dirs[RPROC_MAX_FW_PATHS][RPROC_FW_NAME_MAX];
	struct uproc_fw_error err;
	unsigned int ndirs;
	unsigned int flags;
	int ret = -ENOENT;

	memcpy(name, rproc->firmware, sizeof(name));
	ndirs = rproc->nfw_paths;
	memcpy(dirs, rproc->fw_paths, sizeof(dirs));
	flags = rproc->table_optional ? 0 : UPROC_FW_REQUIRE_RSC_TABLE;

	if (!name[0])
		return rproc_err(rproc, -EINVAL, "no firmware set");

	upi_rproc_release_firmware(rproc);
	upi_rproc_boot_phase(rproc, NULL); /* what came before is not the read */
	if (strchr(name, '/') || ndirs == 0) {
		snprintf(path, sizeof(path), "%s", name);
		ret = read_whole_file(path, &rproc->fw_data, &rproc->fw_size);
	} else {
		for (unsigned int i = 0; i < ndirs; i++) {
			snprintf(path, sizeof(path), "%.*s/%.*s", RPROC_FW_NAME_MAX - 1, dirs[i],
				 RPROC_FW_NAME_MAX - 1, name);
			ret = read_whole_file(path, &rproc->fw_data, &rproc->fw_size);
			if (ret != -ENOENT)
				break;
		}
	}
	if (ret < 0) {
		if (strchr(name, '/') || ndirs == 0)
			return rproc_err(rproc, ret, "firmware %s: can't read it: %s", path,
					 strerror(-ret));
		return rproc_err(rproc, ret, "firmware %s: %s in the %u search path(s)", name,
				 ret == -ENOENT ? "not found" : strerror(-ret), ndirs);
	}

	upi_rproc_boot_phase(rproc, &rproc->boot_now.read);
	ret = uproc_fw_parse(&rproc->fw, rproc->fw_data, rproc->fw_size, rproc->firmware, flags,
			     &err);
	if (ret < 0) {
		upi_rproc_release_firmware(rproc);
		return rproc_err(rproc, ret, "%s", err.msg);
	}
	/* uproc_fw_parse() borrowed the name: point it at storage that stays. */
	rproc->fw.name = rproc->firmware;
	return 0;
}

int upi_rproc_load_segments(struct rproc *rproc)
{
	const struct uproc_fw_image *img = &rproc->fw;

	if (!rproc->fw_data)
		return rproc_err(rproc, -EINVAL, "no firmware loaded");
	for (unsigned int i = 0; i < img->phnum; i++) {
		struct uproc_fw_segment seg;
		uint8_t *va;
		int ret;

		ret = uproc_fw_get_segment(img, i, &seg);
		if (ret < 0)
			return rproc_err(rproc, ret, "firmware %s: program header %u unreadable",
					 img->name, i);
		if (ret == 0)
			continue;
		if (seg.memsz > SIZE_MAX)
			return rproc_err(rproc, -EINVAL, "segment %u too large", i);
		va = rproc_da_to_va(rproc, seg.da, (size_t)seg.memsz, NULL);
		if (!va)
			return rproc_err(rproc, -EINVAL,
					 "firmware %s: segment %u at da 0x%llx (0x%llx bytes) is in no memory of the processor",
					 img->name, i, (unsigned long long)seg.da,
					 (unsigned long long)seg.memsz);
		/* uproc_fw_parse() checked [offset, offset + filesz) is inside the file. */
		if (seg.filesz) {
			prefault(va, (size_t)seg.filesz);
			memcpy(va, img->data + seg.offset, (size_t)seg.filesz);
		}
		if (seg.memsz > seg.filesz)
			memset(va + seg.filesz, 0, (size_t)(seg.memsz - seg.filesz));
	}
	return 0;
}

void upi_rproc_free_table(struct rproc *rproc)
{
	free(rproc->cached_table);
	rproc->cached_table = NULL;
	rproc->table_sz = 0;
	memset(&rproc->table, 0, sizeof(rproc->table));
	rproc->loaded_table = NULL;
}

int upi_rproc_cache_table(struct rproc *rproc, const void *table, size_t size,
		      enum uproc_byte_order order)
{
	struct uproc_fw_error err;
	uint8_t *copy;
	int ret;

	if (size < sizeof(struct rproc_rsc_table) || size > UINT32_MAX)
		return rproc_err(rproc, -EINVAL, "resource table of %zu bytes", size);
	copy = malloc(size);
	if (!copy)
		return rproc_err(rproc, -ENOMEM, "no memory for the resource table copy");
	/* One read of the remote's bytes; only the copy is used from now on. */
	memcpy(copy, table, size);
	ret = uproc_rsc_table_parse(&rproc->table, copy, size, order, rproc->name, &err);
	if (ret < 0) {
		free(copy);
		return rproc_err(rproc, ret, "%s", err.msg);
	}
	free(rproc->cached_table);
	rproc->cached_table = copy;
	rproc->table_sz = size;
	rproc->order = order;
	return 0;
}

int rproc_rsc_table_show(struct rproc *rproc, char *buf, size_t len)
{
	UPI_RPROC_ON_LOOP(rproc);
	return uproc_rsc_table_dump(rproc->cached_table ? &rproc->table : NULL, buf, len);
}
