/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_ept.c - endpoints: the address table and the endpoint lifecycle.
 *
 * The table is an intrusive chained hash (each endpoint carries its next link), so
 * it needs no storage per endpoint. It starts with the buckets the bus was given
 * and doubles through the port allocator when the load passes 2, so lookup stays
 * O(1) for any number of endpoints. Dynamic addresses come from a cursor that runs
 * from 1024 upward and wraps, skipping taken ones: O(1) expected per allocation,
 * no cap but the address space.
 */
#include "rpmsg_internal.h"

static inline uint32_t ept_hash(uint32_t addr, uint32_t nbuckets)
{
	return (uint32_t)(((uint64_t)addr * 0x9E3779B97F4A7C15ull) >> 32) & (nbuckets - 1);
}

int upi_rpmsg_ept_table_init(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint **buckets,
			 uint32_t nbuckets)
{
	if (!nbuckets || (nbuckets & (nbuckets - 1)))
		return -EINVAL;
	for (uint32_t i = 0; i < nbuckets; i++)
		buckets[i] = NULL;
	vdev->buckets = buckets;
	vdev->nbuckets = nbuckets;
	vdev->nepts = 0;
	vdev->buckets_alloced = false;
	vdev->next_addr = RPMSG_RESERVED_ADDRESSES;
	return 0;
}

void upi_rpmsg_ept_table_deinit(struct rpmsg_virtio_device *vdev)
{
	if (vdev->buckets_alloced && vdev->port->free)
		vdev->port->free(vdev->port->ctx, vdev->buckets);
	vdev->buckets = NULL;
	vdev->nbuckets = 0;
}

struct rpmsg_endpoint *upi_rpmsg_ept_lookup(struct rpmsg_virtio_device *vdev, uint32_t addr)
{
	struct rpmsg_endpoint *e = vdev->buckets[ept_hash(addr, vdev->nbuckets)];
	while (e && e->addr != addr)
		e = e->hash_next;
	return e;
}

/* Double the table when the port can allocate; keep going without it otherwise. */
static void ept_table_grow(struct rpmsg_virtio_device *vdev)
{
	const struct uproc_port *port = vdev->port;
	if (!port->alloc || vdev->nbuckets >= (1u << 30))
		return;
	uint32_t n = vdev->nbuckets * 2;
	struct rpmsg_endpoint **nb = port->alloc(port->ctx, (size_t)n * sizeof(*nb));
	if (!nb)
		return;
	for (uint32_t i = 0; i < n; i++)
		nb[i] = NULL;
	for (uint32_t i = 0; i < vdev->nbuckets; i++) {
		struct rpmsg_endpoint *e = vdev->buckets[i];
		while (e) {
			struct rpmsg_endpoint *next = e->hash_next;
			uint32_t h = ept_hash(e->addr, n);
			e->hash_next = nb[h];
			nb[h] = e;
			e = next;
		}
	}
	if (vdev->buckets_alloced && port->free)
		port->free(port->ctx, vdev->buckets);
	vdev->buckets = nb;
	vdev->nbuckets = n;
	vdev->buckets_alloced = true;
}

int upi_rpmsg_ept_link(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint *ept, uint32_t src)
{
	if (src == RPMSG_ADDR_ANY) {
		/* Addresses 1024..0xFFFFFFFE; the table can never fill them. */
		if (vdev->nepts >= RPMSG_ADDR_ANY - RPMSG_RESERVED_ADDRESSES - 1)
			return -ENOMEM;
		for (;;) {
			uint32_t a = vdev->next_addr;
			vdev->next_addr = (a >= RPMSG_ADDR_ANY - 1) ? RPMSG_RESERVED_ADDRESSES : a + 1;
			if (!upi_rpmsg_ept_lookup(vdev, a)) {
				src = a;
				break;
			}
		}
	} else if (upi_rpmsg_ept_lookup(vdev, src)) {
		return -EADDRINUSE;
	}
	if (vdev->nepts >= vdev->nbuckets)
		ept_table_grow(vdev);
	ept->addr = src;
	uint32_t h = ept_hash(src, vdev->nbuckets);
	ept->hash_next = vdev->buckets[h];
	vdev->buckets[h] = ept;
	ept->state |= EPT_LINKED;
	vdev->nepts++;
	return 0;
}

void upi_rpmsg_ept_unlink(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint *ept)
{
	if (!(ept->state & EPT_LINKED))
		return;
	struct rpmsg_endpoint **pp = &vdev->buckets[ept_hash(ept->addr, vdev->nbuckets)];
	while (*pp && *pp != ept)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = ept->hash_next;
	ept->hash_next = NULL;
	ept->state &= ~EPT_LINKED;
	vdev->nepts--;
}

void upi_rpmsg_ept_prepare(struct rpmsg_endpoint *ept, struct rpmsg_virtio_device *vdev,
		       uint32_t dst, rpmsg_rx_cb_t cb, void *priv)
{
	ept->addr = RPMSG_ADDR_ANY;
	ept->dst = dst;
	ept->rpdev = NULL;
	ept->cb = cb;
	ept->priv = priv;
	ept->vdev = vdev;
	ept->hash_next = NULL;
	ept->send_timeout_ns = (uint64_t)RPMSG_DEFAULT_SEND_TIMEOUT_MS * 1000000u;
	ept->state = 0;
}

int rpmsg_create_ept(struct rpmsg_endpoint *ept, struct rpmsg_virtio_device *vdev,
		     uint32_t src, uint32_t dst, rpmsg_rx_cb_t cb, void *priv)
{
	if (!ept || !vdev)
		return -EINVAL;
	upi_rpmsg_ept_prepare(ept, vdev, dst, cb, priv);
	upi_rpmsg_lock(vdev);
	int err = vdev->shutdown ? -ESHUTDOWN : upi_rpmsg_ept_link(vdev, ept, src);
	upi_rpmsg_unlock(vdev);
	return err;
}

void rpmsg_destroy_ept(struct rpmsg_endpoint *ept)
{
	if (!ept || !ept->vdev)
		return;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	const struct uproc_port *port = vdev->port;
	upi_rpmsg_lock(vdev);
	upi_rpmsg_ept_unlink(vdev, ept);
	ept->state |= EPT_DYING;
	/* Its messages of a run not yet delivered are dropped; a callback of it running
	 * on another thread is waited out. */
	while (upi_rpmsg_rx_busy(vdev, ept) && port->wait)
		port->wait(port->ctx, UPROC_PORT_FOREVER);
	upi_rpmsg_unlock(vdev);
}

void rpmsg_set_send_timeout(struct rpmsg_endpoint *ept, uint32_t ms)
{
	if (!ept)
		return;
	ept->send_timeout_ns = ms == RPMSG_TIMEOUT_FOREVER ? UPROC_PORT_FOREVER
							   : (uint64_t)ms * 1000000u;
}

int rpmsg_get_mtu(struct rpmsg_endpoint *ept)
{
	if (!ept || !ept->vdev)
		return -EINVAL;
	return (int)upi_rpmsg_mtu(ept->vdev);
}
