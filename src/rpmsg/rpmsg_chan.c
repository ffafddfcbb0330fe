/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_chan.c - the bus's channel list and its index, so that an announcement
 * costs the same with a thousand channels as with one.
 *
 * The list (vdev->channels, linked through ->next) keeps the order the rest of the
 * bus iterates in; ->pprev makes removal O(1). Once there are a few channels and
 * the port can allocate, two chained hashes share one bucket array: by name (the
 * lookups of announcements, creation and release) and by address of the struct
 * (chan_listed(): "is this pointer still a channel of ours?" without reading a
 * struct that may have been freed). Without an allocator, or before the first
 * growth, both fall back to walking the list. Lock held for every call.
 */
#include "rpmsg_internal.h"

/* Below this many channels a list walk is as cheap as hashing. */
#define CHAN_INDEX_MIN 16u

static uint32_t name_hash(const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (int i = 0; i < RPMSG_NAME_SIZE && name[i]; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static struct rpmsg_device **name_bucket(struct rpmsg_virtio_device *vdev, const char *name)
{
	return &vdev->chan_buckets[name_hash(name) & (vdev->chan_nbuckets - 1)];
}

static void index_insert(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch)
{
	struct rpmsg_device **b = name_bucket(vdev, ch->name);
	ch->name_next = *b;
	*b = ch;
}

/* Rebuild the index with room for twice the channels; keep the old one on failure. */
static void index_grow(struct rpmsg_virtio_device *vdev)
{
	const struct uproc_port *port = vdev->port;
	uint32_t n = vdev->chan_nbuckets ? vdev->chan_nbuckets * 2 : 2 * CHAN_INDEX_MIN;
	if (!port->alloc || n > (1u << 24))
		return;
	struct rpmsg_device **nb = port->alloc(port->ctx, (size_t)n * sizeof(*nb));
	if (!nb)
		return;
	for (uint32_t i = 0; i < n; i++)
		nb[i] = NULL;
	if (vdev->chan_buckets && port->free)
		port->free(port->ctx, vdev->chan_buckets);
	vdev->chan_buckets = nb;
	vdev->chan_nbuckets = n;
	/* Chains keep the list's order: append, walking the list from its head. */
	for (struct rpmsg_device *c = vdev->channels; c; c = c->next) {
		struct rpmsg_device **pp = name_bucket(vdev, c->name);
		while (*pp)
			pp = &(*pp)->name_next;
		*pp = c;
		c->name_next = NULL;
	}
}

void upi_rpmsg_chan_list_add(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch)
{
	ch->next = vdev->channels;
	if (ch->next)
		ch->next->pprev = &ch->next;
	ch->pprev = &vdev->channels;
	vdev->channels = ch;
	vdev->nchannels++;
	if (vdev->nchannels >= CHAN_INDEX_MIN && vdev->nchannels > vdev->chan_nbuckets)
		index_grow(vdev); /* indexes @ch along with the rest */
	else if (vdev->chan_buckets)
		index_insert(vdev, ch);
}

static void chain_remove(struct rpmsg_device **pp, struct rpmsg_device *ch)
{
	for (; *pp; pp = &(*pp)->name_next) {
		if (*pp == ch) {
			*pp = ch->name_next;
			return;
		}
	}
}

void upi_rpmsg_chan_unlist(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch)
{
	if (!ch->pprev)
		return;
	*ch->pprev = ch->next;
	if (ch->next)
		ch->next->pprev = ch->pprev;
	ch->next = NULL;
	ch->pprev = NULL;
	vdev->nchannels--;
	if (vdev->chan_buckets)
		chain_remove(name_bucket(vdev, ch->name), ch);
	ch->name_next = NULL;
}

/* Is @ch named @name? Names are compared up to the first NUL, RPMSG_NAME_SIZE at most. */
static bool named(const struct rpmsg_device *ch, const char *name)
{
	for (int i = 0; i < RPMSG_NAME_SIZE; i++) {
		if (ch->name[i] != name[i])
			return false;
		if (!name[i])
			return true;
	}
	return true;
}

struct rpmsg_device *upi_rpmsg_chan_next_named(struct rpmsg_virtio_device *vdev,
					   struct rpmsg_device *after, const char *name)
{
	struct rpmsg_device *c;
	if (vdev->chan_buckets) {
		c = after ? after->name_next : *name_bucket(vdev, name);
		while (c && !named(c, name))
			c = c->name_next;
		return c;
	}
	c = after ? after->next : vdev->channels;
	while (c && !named(c, name))
		c = c->next;
	return c;
}

void upi_rpmsg_chan_index_free(struct rpmsg_virtio_device *vdev)
{
	if (vdev->chan_buckets && vdev->port->free)
		vdev->port->free(vdev->port->ctx, vdev->chan_buckets);
	vdev->chan_buckets = NULL;
	vdev->chan_nbuckets = 0;
}
