// SPDX-License-Identifier: MIT
/*
 * remoteproc_mem.c - the processor's memory regions (carveouts, vrings, buffer
 * areas, backend RAM) and device-address translation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remoteproc_internal.h"

void upi_rproc_add_mem(struct rproc *rproc, struct rproc_mem_entry *mem, bool by_backend)
{
	struct rproc_mem_entry **pp;

	mem->next = NULL;
	mem->registered_by_backend = by_backend;
	if (mem->va)
		mem->allocated = true;
	for (pp = &rproc->carveouts; *pp; pp = &(*pp)->next)
		;
	*pp = mem;
}

void rproc_add_carveout(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	UPI_RPROC_ON_LOOP(rproc);
	upi_rproc_add_mem(rproc, mem, true);
}

struct rproc_mem_entry *upi_rproc_mem_new(const char *name, uint64_t da, size_t len)
{
	struct rproc_mem_entry *mem = calloc(1, sizeof(*mem));

	if (!mem)
		return NULL;
	snprintf(mem->name, sizeof(mem->name), "%s", name);
	mem->da = da;
	mem->len = len;
	mem->fd = -1;
	return mem;
}

struct rproc_mem_entry *rproc_find_carveout_by_name(struct rproc *rproc, const char *name)
{
	struct rproc_mem_entry *found = NULL;

	for (struct rproc_mem_entry *m = rproc->carveouts; m; m = m->next) {
		if (!strcmp(m->name, name)) {
			found = m;
			break;
		}
	}
	return found;
}

void *rproc_da_to_va(struct rproc *rproc, uint64_t da, size_t len, bool *is_iomem)
{
	void *va = NULL;

	UPI_RPROC_ON_LOOP(rproc);
	if (is_iomem)
		*is_iomem = false;
	for (struct rproc_mem_entry *m = rproc->carveouts; m; m = m->next) {
		/* Only once allocated (set under the lock after va and da) are they read. */
		if (!m->allocated || !m->va || m->da == RPROC_RSC_ADDR_ANY || da < m->da)
			continue;
		if (!uproc_range_ok(da - m->da, len, m->len))
			continue;
		va = (uint8_t *)m->va + (da - m->da);
		break;
	}
	if (!va && rproc->ops->da_to_va)
		va = rproc->ops->da_to_va(rproc, da, len, is_iomem);
	return va;
}

/* Write a carveout's placement back into its table entry (Linux does da, pa, len). */
static int rproc_carveout_write_back(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	size_t off = mem->rsc_offset + sizeof(struct rproc_rsc_hdr);
	int ret;

	if (!mem->has_rsc || !rproc->cached_table)
		return 0;
	if (mem->da > UINT32_MAX || mem->len > UINT32_MAX)
		return rproc_err(rproc, -ERANGE,
				 "carveout %s placed at da 0x%llx: does not fit the 32-bit table",
				 mem->name, (unsigned long long)mem->da);
	ret = upi_rproc_table_write32(rproc, off + offsetof(struct rproc_rsc_carveout, da),
				  (uint32_t)mem->da);
	if (!ret)
		/* The remote sees its memory at da: that is its physical address too. */
		ret = upi_rproc_table_write32(rproc, off + offsetof(struct rproc_rsc_carveout, pa),
					  (uint32_t)mem->da);
	if (!ret)
		ret = upi_rproc_table_write32(rproc, off + offsetof(struct rproc_rsc_carveout, len),
					  (uint32_t)mem->len);
	return ret;
}

int upi_rproc_alloc_registered_carveouts(struct rproc *rproc)
{
	for (struct rproc_mem_entry *m = rproc->carveouts; m; m = m->next) {
		int ret;

		if (!m->allocated) {
			if (!rproc->ops->mem_alloc)
				return rproc_err(rproc, -ENOMEM,
						 "carveout %s: the backend cannot allocate memory",
						 m->name);
			ret = rproc->ops->mem_alloc(rproc, m);
			if (ret < 0)
				return rproc_err(rproc, ret,
						 "carveout %s (%zu bytes at da 0x%llx): allocation failed (%d)",
						 m->name, m->len, (unsigned long long)m->da, ret);
			if (!m->va || m->da == RPROC_RSC_ADDR_ANY) {
				if (rproc->ops->mem_release)
					rproc->ops->mem_release(rproc, m);
				return rproc_err(rproc, -EINVAL,
						 "carveout %s: the backend gave no address", m->name);
			}
			m->allocated = true;
		}
		ret = rproc_carveout_write_back(rproc, m);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void upi_rproc_release_carveouts(struct rproc *rproc)
{
	struct rproc_mem_entry *list;

	list = rproc->carveouts;
	rproc->carveouts = NULL;

	while (list) {
		struct rproc_mem_entry *next = list->next;

		if (list->allocated && rproc->ops->mem_release)
			rproc->ops->mem_release(rproc, list);
		free(list);
		list = next;
	}
}

int rproc_carveouts_dump(struct rproc *rproc, char *buf, size_t len)
{
	size_t n = 0;

	UPI_RPROC_ON_LOOP(rproc);
	if (!buf && len)
		return -EINVAL;
	if (len)
		buf[0] = '\0';
	for (struct rproc_mem_entry *m = rproc->carveouts; m; m = m->next) {
		if (!m->allocated)
			continue;
		/* Linux's formats: %pK (16 hex digits, no prefix), %pad (0x and 16
		 * digits; the host sees the memory at da), 0x%x for the 32-bit da. */
		int w = snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0,
				 "Carveout memory entry:\n\tName: %s\n\tVirtual address: %016llx\n"
				 "\tDMA address: 0x%016llx\n\tDevice address: 0x%x\n"
				 "\tLength: 0x%zx Bytes\n\n",
				 m->name, (unsigned long long)(uintptr_t)m->va,
				 (unsigned long long)m->da, (unsigned int)m->da, m->len);
		if (w > 0)
			n += (size_t)w;
	}
	return n > INT32_MAX ? -EOVERFLOW : (int)n;
}

int rproc_for_each_mem(struct rproc *rproc,
		       int (*fn)(const struct rproc_mem_entry *mem, void *arg), void *arg)
{
	int n = 0;

	UPI_RPROC_ON_LOOP(rproc);
	for (struct rproc_mem_entry *m = rproc->carveouts; m; m = m->next) {
		if (!m->allocated)
			continue;	/* being set up by a boot */
		if (fn) {
			int ret = fn(m, arg);

			if (ret)
				return ret;
		}
		n++;
	}
	return n;
}
