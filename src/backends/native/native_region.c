// SPDX-License-Identifier: MIT
/*
 * native_region.c - the native core's memories: sealed memfds mapped shared in the
 * host anywhere and in the core at their device address.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "native_internal.h"


void upi_native_region_reset(struct native_region *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

bool upi_native_regions_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	/* Overflow-safe: compare starts against the other's length from its start. */
	if (!alen || !blen)
		return false;
	return a < b ? b - a < alen : a - b < blen;
}

static int check_range(uint64_t da, size_t size)
{
	if (!size || (da | size) & (UPI_PAGE_SIZE - 1))
		return -EINVAL;
	/* The core's user space: above the first 64 KiB, below 2^47. */
	if (da < 0x10000u || da >= (1ull << 47) || size > (1ull << 47) - da)
		return -EINVAL;
	return 0;
}

static void set_name(struct native_region *r, const char *name)
{
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
}

static int map_fd(struct native_region *r)
{
	void *va = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (va == MAP_FAILED)
		return -errno;
	r->va = va;
	return 0;
}

int upi_native_region_create(struct native_region *r, const char *name, uint64_t da, size_t size,
			 uint32_t prot)
{
	char memfd_name[64];
	int ret;

	upi_native_region_reset(r);
	ret = check_range(da, size);
	if (ret)
		return ret;
	set_name(r, name);
	r->da = da;
	r->size = size;
	r->prot = prot;

	snprintf(memfd_name, sizeof(memfd_name), "uproc:%s", r->name);
	r->fd = memfd_create(memfd_name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (r->fd < 0) {
		ret = -errno;
		goto reset;
	}
	if (ftruncate(r->fd, (off_t)size) != 0 ||
	    fcntl(r->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
		ret = -errno;
		goto close_fd;
	}
	ret = map_fd(r);
	if (ret)
		goto close_fd;
	return 0;

close_fd:
	close(r->fd);
reset:
	upi_native_region_reset(r);
	return ret;
}

int upi_native_region_adopt(struct native_region *r, const char *name, int fd, uint64_t da,
			size_t size, uint32_t prot)
{
	struct stat st;
	int ret;

	upi_native_region_reset(r);
	ret = check_range(da, size);
	if (ret)
		goto close_fd;
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < size) {
		ret = -EINVAL;
		goto close_fd;
	}
	set_name(r, name);
	r->da = da;
	r->size = size;
	r->prot = prot;
	r->fd = fd;
	ret = map_fd(r);
	if (ret)
		goto close_fd;
	return 0;

close_fd:
	close(fd);
	upi_native_region_reset(r);
	return ret;
}

void upi_native_region_destroy(struct native_region *r)
{
	if (r->va)
		munmap(r->va, r->size);
	if (r->fd >= 0)
		close(r->fd);
	upi_native_region_reset(r);
}
