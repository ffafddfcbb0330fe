// SPDX-License-Identifier: MIT
/*
 * rsc_table.c - resource table validation, decoding and write-back.
 *
 * The table is untrusted input: every offset and count is checked against the
 * table's size with 64-bit sums before a byte is read, and every field is read
 * in the firmware's byte order through uproc_get32().
 */
#include <stddef.h>
#include <string.h>

#include "fw_internal.h"

#define RSC_HDR_SIZE sizeof(struct rproc_rsc_table)	/* ver, num, reserved[2] */
#define RSC_ENTRY_HDR_SIZE sizeof(struct rproc_rsc_hdr)	/* type */
#define RSC_4GIB (UINT64_C(1) << 32)

const char *uproc_rsc_kind_name(enum uproc_rsc_kind kind)
{
	switch (kind) {
	case UPROC_RSC_CARVEOUT:
		return "carveout";
	case UPROC_RSC_DEVMEM:
		return "devmem";
	case UPROC_RSC_TRACE:
		return "trace";
	case UPROC_RSC_VDEV:
		return "vdev";
	case UPROC_RSC_VENDOR:
		return "vendor";
	case UPROC_RSC_UNKNOWN:
	default:
		return "unknown";
	}
}

static enum uproc_rsc_kind rsc_kind_of(uint32_t type)
{
	if (type < RPROC_RSC_LAST)
		return (enum uproc_rsc_kind)type;
	if (type >= RPROC_RSC_VENDOR_START && type <= RPROC_RSC_VENDOR_END)
		return UPROC_RSC_VENDOR;
	return UPROC_RSC_UNKNOWN;
}

/* Copy a fixed 32-byte name field, always terminated, never read past 32 bytes. */
static void rsc_copy_name(char dst[UPROC_RSC_NAME_LEN + 1], const uint8_t *src)
{
	memcpy(dst, src, UPROC_RSC_NAME_LEN);
	dst[UPROC_RSC_NAME_LEN] = '\0';
}

/* True when [addr, addr + len) stays below 4 GiB, the reach of a u32 address. */
static int rsc_fits_4gib(uint32_t addr, uint32_t len)
{
	return (uint64_t)addr + len <= RSC_4GIB;
}

/* Carveout and devmem share one layout (struct rproc_rsc_carveout). */
static int rsc_decode_mem(const struct uproc_rsc_table *t, struct uproc_rsc_entry *e,
			  const uint8_t *body, const char *name, struct uproc_fw_error *err)
{
	struct uproc_rsc_mem *m = &e->u.carveout;
	const char *what = uproc_rsc_kind_name(e->kind);

	if (e->avail < sizeof(struct rproc_rsc_carveout))
		return upi_fw_fail(err, name, "resource %u (%s): needs %zu bytes, %u left in the table",
			       e->index, what, sizeof(struct rproc_rsc_carveout), e->avail);
	m->da = uproc_get32(body + offsetof(struct rproc_rsc_carveout, da), t->order);
	m->pa = uproc_get32(body + offsetof(struct rproc_rsc_carveout, pa), t->order);
	m->len = uproc_get32(body + offsetof(struct rproc_rsc_carveout, len), t->order);
	m->flags = uproc_get32(body + offsetof(struct rproc_rsc_carveout, flags), t->order);
	m->reserved = uproc_get32(body + offsetof(struct rproc_rsc_carveout, reserved), t->order);
	rsc_copy_name(m->name, body + offsetof(struct rproc_rsc_carveout, name));
	if (m->reserved)
		return upi_fw_fail(err, name, "resource %u (%s \"%s\"): reserved is 0x%x, must be 0",
			       e->index, what, m->name, m->reserved);
	if (m->da != RPROC_RSC_ADDR_ANY && !rsc_fits_4gib(m->da, m->len))
		return upi_fw_fail(err, name, "resource %u (%s \"%s\"): da 0x%x + len 0x%x passes 4 GiB",
			       e->index, what, m->name, m->da, m->len);
	if (m->pa != RPROC_RSC_ADDR_ANY && !rsc_fits_4gib(m->pa, m->len))
		return upi_fw_fail(err, name, "resource %u (%s \"%s\"): pa 0x%x + len 0x%x passes 4 GiB",
			       e->index, what, m->name, m->pa, m->len);
	return 0;
}

static int rsc_decode_trace(const struct uproc_rsc_table *t, struct uproc_rsc_entry *e,
			    const uint8_t *body, const char *name, struct uproc_fw_error *err)
{
	struct uproc_rsc_trace *tr = &e->u.trace;

	if (e->avail < sizeof(struct rproc_rsc_trace))
		return upi_fw_fail(err, name, "resource %u (trace): needs %zu bytes, %u left in the table",
			       e->index, sizeof(struct rproc_rsc_trace), e->avail);
	tr->da = uproc_get32(body + offsetof(struct rproc_rsc_trace, da), t->order);
	tr->len = uproc_get32(body + offsetof(struct rproc_rsc_trace, len), t->order);
	tr->reserved = uproc_get32(body + offsetof(struct rproc_rsc_trace, reserved), t->order);
	rsc_copy_name(tr->name, body + offsetof(struct rproc_rsc_trace, name));
	if (tr->reserved)
		return upi_fw_fail(err, name, "resource %u (trace \"%s\"): reserved is 0x%x, must be 0",
			       e->index, tr->name, tr->reserved);
	if (!rsc_fits_4gib(tr->da, tr->len))
		return upi_fw_fail(err, name, "resource %u (trace \"%s\"): da 0x%x + len 0x%x passes 4 GiB",
			       e->index, tr->name, tr->da, tr->len);
	return 0;
}

static int rsc_decode_vring(const struct uproc_rsc_table *t, struct uproc_rsc_entry *e,
			    unsigned int i, const char *name, struct uproc_fw_error *err)
{
	struct uproc_rsc_vring *vr = &e->u.vdev.vring[i];
	uint32_t off = e->offset + RSC_ENTRY_HDR_SIZE + sizeof(struct rproc_rsc_vdev) +
		       i * sizeof(struct rproc_rsc_vdev_vring);
	const uint8_t *p = t->data + off;	/* in bounds: the vdev size check came first */

	vr->offset = off;
	vr->da = uproc_get32(p + offsetof(struct rproc_rsc_vdev_vring, da), t->order);
	vr->align = uproc_get32(p + offsetof(struct rproc_rsc_vdev_vring, align), t->order);
	vr->num = uproc_get32(p + offsetof(struct rproc_rsc_vdev_vring, num), t->order);
	vr->notifyid = uproc_get32(p + offsetof(struct rproc_rsc_vdev_vring, notifyid), t->order);
	vr->pa = uproc_get32(p + offsetof(struct rproc_rsc_vdev_vring, pa), t->order);

	if (!vr->num || !vr->align)
		return upi_fw_fail(err, name,
			       "resource %u (vdev): vring %u: num %u and align %u must be non-zero",
			       e->index, i, vr->num, vr->align);
	if (!fw_is_pow2(vr->num) || vr->num > UPROC_VRING_MAX_NUM)
		return upi_fw_fail(err, name,
			       "resource %u (vdev): vring %u: num %u is not a power of two up to %u",
			       e->index, i, vr->num, UPROC_VRING_MAX_NUM);
	if (!fw_is_pow2(vr->align))
		return upi_fw_fail(err, name,
			       "resource %u (vdev): vring %u: align %u is not a power of two",
			       e->index, i, vr->align);
	return 0;
}

static int rsc_decode_vdev(const struct uproc_rsc_table *t, struct uproc_rsc_entry *e,
			   const uint8_t *body, const char *name, struct uproc_fw_error *err)
{
	struct uproc_rsc_vdev *v = &e->u.vdev;
	uint64_t need;
	unsigned int i;
	int ret;

	if (e->avail < sizeof(struct rproc_rsc_vdev))
		return upi_fw_fail(err, name, "resource %u (vdev): needs %zu bytes, %u left in the table",
			       e->index, sizeof(struct rproc_rsc_vdev), e->avail);
	v->id = uproc_get32(body + offsetof(struct rproc_rsc_vdev, id), t->order);
	v->notifyid = uproc_get32(body + offsetof(struct rproc_rsc_vdev, notifyid), t->order);
	v->dfeatures = uproc_get32(body + offsetof(struct rproc_rsc_vdev, dfeatures), t->order);
	v->gfeatures = uproc_get32(body + offsetof(struct rproc_rsc_vdev, gfeatures), t->order);
	v->config_len = uproc_get32(body + offsetof(struct rproc_rsc_vdev, config_len), t->order);
	v->status = body[offsetof(struct rproc_rsc_vdev, status)];
	v->num_of_vrings = body[offsetof(struct rproc_rsc_vdev, num_of_vrings)];
	v->reserved[0] = body[offsetof(struct rproc_rsc_vdev, reserved)];
	v->reserved[1] = body[offsetof(struct rproc_rsc_vdev, reserved) + 1];

	/* Linux's order: size (vrings and config space), reserved, vring count. */
	need = sizeof(struct rproc_rsc_vdev) +
	       (uint64_t)v->num_of_vrings * sizeof(struct rproc_rsc_vdev_vring) + v->config_len;
	if (need > e->avail)
		return upi_fw_fail(err, name,
			       "resource %u (vdev): num_of_vrings %u and config_len %u need %llu bytes, %u left in the table",
			       e->index, v->num_of_vrings, v->config_len,
			       (unsigned long long)need, e->avail);
	if (v->reserved[0] || v->reserved[1])
		return upi_fw_fail(err, name, "resource %u (vdev): reserved bytes are %u, %u; must be 0",
			       e->index, v->reserved[0], v->reserved[1]);
	if (v->num_of_vrings > UPROC_RSC_MAX_VRINGS)
		return upi_fw_fail(err, name, "resource %u (vdev): num_of_vrings %u, at most %u",
			       e->index, v->num_of_vrings, UPROC_RSC_MAX_VRINGS);
	for (i = 0; i < v->num_of_vrings; i++) {
		ret = rsc_decode_vring(t, e, i, name, err);
		if (ret)
			return ret;
	}
	v->config_offset = e->offset + RSC_ENTRY_HDR_SIZE + sizeof(struct rproc_rsc_vdev) +
			   v->num_of_vrings * (uint32_t)sizeof(struct rproc_rsc_vdev_vring);
	return 0;
}

/* Bounds-check and decode entry @index; @name/@err only for messages. */
static int rsc_decode(const struct uproc_rsc_table *t, uint32_t index,
		      struct uproc_rsc_entry *e, const char *name, struct uproc_fw_error *err)
{
	uint64_t header_end = RSC_HDR_SIZE + (uint64_t)t->num * sizeof(uint32_t);
	uint32_t offset;
	const uint8_t *body;

	memset(e, 0, sizeof(*e));
	e->index = index;
	if (index >= t->num)
		return -ERANGE;
	if (header_end > t->size)	/* only if the bytes shrank under us */
		return -EINVAL;
	offset = uproc_get32(t->data + RSC_HDR_SIZE + (uint64_t)index * sizeof(uint32_t),
			     t->order);
	e->offset = offset;
	if (offset < header_end)
		return upi_fw_fail(err, name,
			       "resource %u: offset 0x%x points into the table header (which ends at 0x%llx)",
			       index, offset, (unsigned long long)header_end);
	if (offset > t->size || t->size - offset < RSC_ENTRY_HDR_SIZE)
		return upi_fw_fail(err, name,
			       "resource %u: offset 0x%x leaves no room for its 4-byte header in a %u-byte table",
			       index, offset, t->size);
	e->avail = t->size - offset - (uint32_t)RSC_ENTRY_HDR_SIZE;
	e->type = uproc_get32(t->data + offset, t->order);
	e->kind = rsc_kind_of(e->type);
	body = t->data + offset + RSC_ENTRY_HDR_SIZE;

	switch (e->kind) {
	case UPROC_RSC_CARVEOUT:
	case UPROC_RSC_DEVMEM:
		return rsc_decode_mem(t, e, body, name, err);
	case UPROC_RSC_TRACE:
		return rsc_decode_trace(t, e, body, name, err);
	case UPROC_RSC_VDEV:
		return rsc_decode_vdev(t, e, body, name, err);
	case UPROC_RSC_VENDOR:
	case UPROC_RSC_UNKNOWN:
	default:
		e->u.raw.body_offset = offset + (uint32_t)RSC_ENTRY_HDR_SIZE;
		e->u.raw.avail = e->avail;
		return 0;
	}
}

int uproc_rsc_table_parse(struct uproc_rsc_table *table, const void *data, size_t size,
			  enum uproc_byte_order order, const char *name,
			  struct uproc_fw_error *err)
{
	struct uproc_rsc_table t = { .data = data, .order = order };
	struct uproc_rsc_entry e;
	uint32_t reserved[2];
	uint64_t header_end;
	uint32_t i;
	int ret;

	if (!table || (!data && size))
		return -EINVAL;
	if (size < RSC_HDR_SIZE)
		return upi_fw_fail(err, name,
			       "resource table: %zu bytes, smaller than its %zu-byte header",
			       size, RSC_HDR_SIZE);
	if (size > UINT32_MAX)
		return upi_fw_fail(err, name, "resource table: %zu bytes, more than 4 GiB", size);
	t.size = (uint32_t)size;
	t.ver = uproc_get32(t.data + offsetof(struct rproc_rsc_table, ver), order);
	t.num = uproc_get32(t.data + offsetof(struct rproc_rsc_table, num), order);
	reserved[0] = uproc_get32(t.data + offsetof(struct rproc_rsc_table, reserved), order);
	reserved[1] = uproc_get32(t.data + offsetof(struct rproc_rsc_table, reserved) + 4, order);
	if (t.ver != 1)
		return upi_fw_fail(err, name, "resource table: version %u, only 1 is supported", t.ver);
	if (reserved[0] || reserved[1])
		return upi_fw_fail(err, name, "resource table: reserved words 0x%x, 0x%x; must be 0",
			       reserved[0], reserved[1]);
	header_end = RSC_HDR_SIZE + (uint64_t)t.num * sizeof(uint32_t);
	if (header_end > t.size)
		return upi_fw_fail(err, name,
			       "resource table: %u entries need a %llu-byte header, the table has %u bytes",
			       t.num, (unsigned long long)header_end, t.size);
	for (i = 0; i < t.num; i++) {
		ret = rsc_decode(&t, i, &e, name, err);
		if (ret)
			return ret;
		if (e.kind == UPROC_RSC_UNKNOWN)
			t.unknown++;
	}
	*table = t;
	return (int)(t.num > INT32_MAX ? INT32_MAX : t.num);
}

int uproc_rsc_get(const struct uproc_rsc_table *table, uint32_t index,
		  struct uproc_rsc_entry *entry)
{
	if (!table || !entry)
		return -EINVAL;
	return rsc_decode(table, index, entry, NULL, NULL);
}

int uproc_rsc_write32(void *table, size_t size, size_t offset, uint32_t value,
		      enum uproc_byte_order order)
{
	if (!table || !uproc_range_ok(offset, sizeof(uint32_t), size))
		return -ERANGE;
	uproc_put32((uint8_t *)table + offset, value, order);
	return 0;
}

int uproc_rsc_write8(void *table, size_t size, size_t offset, uint8_t value)
{
	if (!table || !uproc_range_ok(offset, 1, size))
		return -ERANGE;
	((uint8_t *)table)[offset] = value;
	return 0;
}

int uproc_rsc_read32(const void *table, size_t size, size_t offset, uint32_t *value,
		     enum uproc_byte_order order)
{
	if (!table || !value || !uproc_range_ok(offset, sizeof(uint32_t), size))
		return -ERANGE;
	*value = uproc_get32((const uint8_t *)table + offset, order);
	return 0;
}
