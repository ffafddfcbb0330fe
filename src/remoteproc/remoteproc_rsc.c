// SPDX-License-Identifier: MIT
/*
 * remoteproc_rsc.c - handling the resource table, on the host's cached copy:
 * carveouts, device memory, trace buffers, vdevs (remoteproc_vdev.c), vendor
 * entries; write-back of host-chosen values; trace buffer reads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "remoteproc_internal.h"

int upi_rproc_table_write32(struct rproc *rproc, size_t offset, uint32_t value)
{
	int ret;

	if (!rproc->cached_table)
		return -EINVAL;
	ret = uproc_rsc_write32(rproc->cached_table, rproc->table_sz, offset, value, rproc->order);
	/* The remote reads its own copy: mirror the write there (never read it back). */
	if (!ret && rproc->loaded_table) {
		uint32_t v = uproc_order32(value, rproc->order);

		if (((uintptr_t)(rproc->loaded_table + offset) & 3u) == 0)
			uproc_shm_write32(rproc->loaded_table + offset, v);
		else
			memcpy(rproc->loaded_table + offset, &v, sizeof(v));
	}
	return ret;
}

int upi_rproc_table_write8(struct rproc *rproc, size_t offset, uint8_t value)
{
	int ret;

	if (!rproc->cached_table)
		return -EINVAL;
	ret = uproc_rsc_write8(rproc->cached_table, rproc->table_sz, offset, value);
	if (!ret && rproc->loaded_table)
		uproc_shm_store8(rproc->loaded_table + offset, value, memory_order_release);
	return ret;
}

/*
 * Linux's rproc_check_carveout_da(): a region registered under the entry's name
 * serves it when the entry fits: its length, and a fixed da inside the region.
 */
static int rproc_check_carveout_da(struct rproc *rproc, const struct rproc_mem_entry *mem,
				   uint32_t da, uint32_t len)
{
	if (len > mem->len)
		return rproc_err(rproc, -EINVAL,
				 "carveout %s: the firmware asks 0x%x bytes, the region has 0x%zx",
				 mem->name, len, mem->len);
	if (da != RPROC_RSC_ADDR_ANY && mem->da == RPROC_RSC_ADDR_ANY)
		return rproc_err(rproc, -EINVAL,
				 "carveout %s: fixed da 0x%x asked of a region placed by the host",
				 mem->name, da);
	if (da != RPROC_RSC_ADDR_ANY &&
	    (da < mem->da || !uproc_range_ok(da - mem->da, len, mem->len)))
		return rproc_err(rproc, -EINVAL,
				 "carveout %s: the firmware asks da 0x%x, the region is at 0x%llx (0x%zx bytes)",
				 mem->name, da, (unsigned long long)mem->da, mem->len);
	return 0;
}

static int rproc_handle_carveout(struct rproc *rproc, const struct uproc_rsc_entry *e)
{
	const struct uproc_rsc_mem *rsc = &e->u.carveout;
	struct rproc_mem_entry *mem;
	int ret;

	if (rsc->len == 0)
		return rproc_err(rproc, -EINVAL, "carveout %s (entry %u) has length 0", rsc->name,
				 e->index);
	mem = rproc_find_carveout_by_name(rproc, rsc->name);
	if (mem) {
		if (mem->has_rsc)
			return rproc_err(rproc, -ENOMEM,
					 "carveout %s is already tied to another table entry",
					 rsc->name);
		if (!mem->registered_by_backend && !mem->allocated) {
			/* A vring the core registered: the firmware's carveout places it. */
			if (rsc->len < mem->len)
				return rproc_err(rproc, -EINVAL,
						 "carveout %s: 0x%x bytes, the vring needs 0x%zx",
						 rsc->name, rsc->len, mem->len);
			mem->da = rsc->da;
			mem->len = rsc->len;
		}
		ret = rproc_check_carveout_da(rproc, mem, rsc->da, rsc->len);
		if (ret < 0)
			return ret;
		mem->has_rsc = true;
		mem->rsc_offset = e->offset;
		mem->flags = rsc->flags;
		return 0;
	}
	mem = upi_rproc_mem_new(rsc->name, rsc->da, rsc->len);
	if (!mem)
		return rproc_err(rproc, -ENOMEM, "no memory for carveout %s", rsc->name);
	mem->has_rsc = true;
	mem->rsc_offset = e->offset;
	mem->flags = rsc->flags;
	upi_rproc_add_mem(rproc, mem, false);
	return 0;
}

/*
 * Device memory: on a SoC a window onto a peripheral, mapped through the remote's
 * IOMMU. Backends here have no IOMMU: a region already registered under the entry's
 * name (or covering its da) serves; otherwise the backend allocates memory at the
 * fixed da, a stand-in for the device window that the host can also see.
 */
static int rproc_handle_devmem(struct rproc *rproc, const struct uproc_rsc_entry *e)
{
	const struct uproc_rsc_mem *rsc = &e->u.devmem;
	struct rproc_mem_entry *mem;

	if (rsc->len == 0 || rsc->da == RPROC_RSC_ADDR_ANY)
		return rproc_err(rproc, -EINVAL, "devmem %s (entry %u): needs a da and a length",
				 rsc->name, e->index);
	if (rproc_find_carveout_by_name(rproc, rsc->name) ||
	    rproc_da_to_va(rproc, rsc->da, rsc->len, NULL))
		return 0;
	if (!rproc->ops->mem_alloc) {
		rproc_warn(rproc, "devmem %s: the backend maps no device memory, skipped", rsc->name);
		return 0;
	}
	mem = upi_rproc_mem_new(rsc->name, rsc->da, rsc->len);
	if (!mem)
		return rproc_err(rproc, -ENOMEM, "no memory for devmem %s", rsc->name);
	mem->flags = rsc->flags;
	upi_rproc_add_mem(rproc, mem, false);
	return 0;
}

static int rproc_handle_trace(struct rproc *rproc, const struct uproc_rsc_entry *e)
{
	const struct uproc_rsc_trace *rsc = &e->u.trace;
	struct rproc_trace *t;

	/* Linux boots both of these: a zero-length trace reads empty, and it has no
	 * limit on their number. uproc keeps a bounded table (the firmware is not
	 * trusted with the host's memory): the ones beyond it are skipped. */
	if (rsc->len == 0)
		rproc_warn(rproc, "trace %s (entry %u) has length 0: it reads empty", rsc->name,
			   e->index);
	if (rproc->ntraces >= RPROC_MAX_TRACES) {
		rproc_warn(rproc, "trace %s (entry %u): more than %d trace buffers, skipped",
			   rsc->name, e->index, RPROC_MAX_TRACES);
		return 0;
	}
	t = &rproc->traces[rproc->ntraces++];
	t->da = rsc->da;
	t->len = rsc->len;
	snprintf(t->name, sizeof(t->name), "%s", rsc->name);
	/* Like Linux, the da is translated when the buffer is read: it may be loaded later. */
	return 0;
}

static int rproc_handle_vendor(struct rproc *rproc, const struct uproc_rsc_entry *e)
{
	int ret;

	if (!rproc->ops->handle_rsc) {
		rproc_warn(rproc, "vendor resource type %u (entry %u) skipped: no handler", e->type,
			   e->index);
		return 0;
	}
	ret = rproc->ops->handle_rsc(rproc, e->type, rproc->cached_table + e->u.raw.body_offset,
				     (int)e->u.raw.body_offset, (int)e->u.raw.avail);
	if (ret == RPROC_RSC_IGNORED)
		rproc_warn(rproc, "vendor resource type %u (entry %u) ignored by the backend",
			   e->type, e->index);
	else if (ret < 0)
		return rproc_err(rproc, ret, "vendor resource type %u (entry %u): the backend failed (%d)",
				 e->type, e->index, ret);
	return 0;
}

int rproc_handle_resources(struct rproc *rproc, bool attaching)
{
	if (!rproc->cached_table)
		return 0;
	for (uint32_t i = 0; i < rproc->table.num; i++) {
		struct uproc_rsc_entry e;
		int ret;

		ret = uproc_rsc_get(&rproc->table, i, &e);
		if (ret < 0)
			return rproc_err(rproc, ret, "resource table entry %u unreadable", i);
		switch (e.kind) {
		case UPROC_RSC_CARVEOUT:
			ret = attaching ? 0 : rproc_handle_carveout(rproc, &e);
			break;
		case UPROC_RSC_DEVMEM:
			ret = attaching ? 0 : rproc_handle_devmem(rproc, &e);
			break;
		case UPROC_RSC_TRACE:
			ret = rproc_handle_trace(rproc, &e);
			break;
		case UPROC_RSC_VDEV:
			ret = upi_rproc_handle_vdev(rproc, &e, attaching);
			break;
		case UPROC_RSC_VENDOR:
			ret = rproc_handle_vendor(rproc, &e);
			break;
		default:
			rproc_warn(rproc, "unsupported resource type %u (entry %u) skipped", e.type, i);
			ret = 0;
			break;
		}
		if (ret < 0)
			return ret;
	}
	return upi_rproc_vdev_add_buffers(rproc);
}

int rproc_trace_count(struct rproc *rproc)
{
	int n;

	UPI_RPROC_ON_LOOP(rproc);
	n = (int)rproc->ntraces;
	return n;
}

ssize_t rproc_trace_read(struct rproc *rproc, unsigned int index, char *buf, size_t len)
{
	struct rproc_trace t;
	const char *va;
	size_t n;

	UPI_RPROC_ON_LOOP(rproc);
	if (!buf || !len)
		return -EINVAL;
	if (index >= rproc->ntraces)
		return -ENOENT;
	t = rproc->traces[index];

	/* On the loop thread: no lifecycle operation unmaps the memory while we copy. */
	va = t.len ? rproc_da_to_va(rproc, t.da, t.len, NULL) : ""; /* length 0: empty */
	if (!va) {
		n = (size_t)snprintf(buf, len, "Trace %s not available\n", t.name);
		if (n >= len)
			n = len - 1;
	} else {
		/* The remote writes it concurrently: copy at most len - 1 bytes, up to a NUL. */
		n = 0;
		while (n < t.len && n + 1 < len) {
			char c = (char)uproc_shm_load8(va + n, memory_order_relaxed);
			if (!c)
				break;
			buf[n++] = c;
		}
		buf[n] = '\0';
	}
	return (ssize_t)n;
}

const char *rproc_trace_name(struct rproc *rproc, unsigned int index)
{
	const char *name = NULL;

	UPI_RPROC_ON_LOOP(rproc);
	if (index < rproc->ntraces)
		name = rproc->traces[index].name;
	return name;
}
