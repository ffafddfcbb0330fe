/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_ns.c - the name service (address 53), channels and the drivers bound to
 * them by name.
 *
 * Channels come from both directions: created locally (rpmsg_create_channel(),
 * announced to the peer) or announced by the peer (NS create). A driver whose id
 * table has the name is bound: a default endpoint, probe(), then an announcement
 * of this side's address (for local channels always; for the peer's channels on
 * the host unless no_announce_back). An NS create naming a local channel that has
 * no destination yet binds that channel to the announced address instead of
 * creating a new one, which is what lets the remote send first. A local channel
 * still without a destination also takes it from the first message it receives.
 * NS destroy removes the peer's channel (or unbinds a local one from that address).
 */
#include "rpmsg_internal.h"

static bool name_eq(const char *a, const char *b)
{
	for (int i = 0; i < RPMSG_NAME_SIZE; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return true;
}

static bool name_valid(const char *name)
{
	if (!name || !name[0])
		return false;
	for (int i = 0; i < RPMSG_NAME_SIZE; i++)
		if (!name[i])
			return true;
	return false;
}

static void name_copy(char *dst, const char *src)
{
	int i = 0;
	for (; i < RPMSG_NAME_SIZE - 1 && src[i]; i++)
		dst[i] = src[i];
	for (; i < RPMSG_NAME_SIZE; i++)
		dst[i] = 0;
}

static bool driver_matches(const struct rpmsg_driver *drv, const char *name)
{
	if (!drv->id_table)
		return false;
	for (const struct rpmsg_device_id *id = drv->id_table; id->name[0]; id++)
		if (name_eq(id->name, name))
			return true;
	return false;
}

static struct rpmsg_driver *driver_for(struct rpmsg_virtio_device *vdev, const char *name)
{
	for (struct rpmsg_driver *d = vdev->drivers; d; d = d->next)
		if (driver_matches(d, name))
			return d;
	return NULL;
}

/* Is @ch, held by the caller, still a channel of the bus? Lock held. */
static bool chan_listed(const struct rpmsg_device *ch)
{
	return upi_rpmsg_chan_is_listed(ch);
}

/* Take @ch off the list; the list's reference passes to the caller. Lock held. */
static void chan_unlist(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch)
{
	if (!chan_listed(ch))
		return;
	upi_rpmsg_chan_unlist(vdev, ch);
	if (!ch->announce && !(ch->state & CHAN_ADOPTED))
		vdev->peer_channels--;
}

/* Every channel named @name, in list order. */
#define for_each_named(vdev, c, name)                                                  \
	for (struct rpmsg_device *c = upi_rpmsg_chan_next_named(vdev, NULL, name); c;  \
	     c = upi_rpmsg_chan_next_named(vdev, c, name))

static void chan_wait_idle(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch)
{
	while ((ch->state & CHAN_BUSY) && vdev->port->wait)
		vdev->port->wait(vdev->port->ctx, UPROC_PORT_FOREVER);
}

static void chan_set_idle(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch)
{
	ch->state &= ~CHAN_BUSY;
	if (vdev->port->wake)
		vdev->port->wake(vdev->port->ctx);
}

static struct rpmsg_device *chan_alloc(struct rpmsg_virtio_device *vdev, const char *name,
				       uint32_t src, uint32_t dst, bool announce)
{
	const struct uproc_port *port = vdev->port;
	if (!port->alloc)
		return NULL;
	struct rpmsg_device *ch = port->alloc(port->ctx, sizeof(*ch));
	if (!ch)
		return NULL;
	__builtin_memset(ch, 0, sizeof(*ch));
	name_copy(ch->name, name);
	ch->src = src;
	ch->dst = dst;
	ch->announce = announce;
	ch->vdev = vdev;
	ch->state = CHAN_ALLOCED;
	ch->refs = 1; /* the list's, once listed */
	vdev->refs++; /* a channel holds its bus */
	return ch;
}

/* Take a reference on @ch. Lock held. */
static struct rpmsg_device *chan_get_locked(struct rpmsg_device *ch)
{
	ch->refs++;
	return ch;
}

/* Drop a reference; the last one frees @ch and drops its hold on the bus. Unlocked. */
static void chan_put(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch)
{
	upi_rpmsg_lock(vdev);
	uint32_t left = --ch->refs;
	upi_rpmsg_unlock(vdev);
	if (left)
		return;
	if ((ch->state & CHAN_ALLOCED) && vdev->port->free)
		vdev->port->free(vdev->port->ctx, ch);
	rpmsg_virtio_put(vdev);
}

void rpmsg_channel_get(struct rpmsg_device *ch)
{
	if (!ch)
		return;
	upi_rpmsg_lock(ch->vdev);
	chan_get_locked(ch);
	upi_rpmsg_unlock(ch->vdev);
}

void rpmsg_channel_put(struct rpmsg_device *ch)
{
	if (ch)
		chan_put(ch->vdev, ch);
}

static int ns_send_how(struct rpmsg_virtio_device *vdev, const char *name, uint32_t addr,
		       uint32_t flags, bool wait)
{
	if (!vdev->ns)
		return -ENXIO;
	struct rpmsg_ns_msg m;
	name_copy(m.name, name);
	m.addr = vdev->swap ? uproc_swap32(addr) : addr;
	m.flags = vdev->swap ? uproc_swap32(flags) : flags;
	return upi_rpmsg_send(&vdev->ns_ept, addr, RPMSG_NS_ADDR, &m, sizeof(m), wait);
}

static int ns_send(struct rpmsg_virtio_device *vdev, const char *name, uint32_t addr,
		   uint32_t flags)
{
	return ns_send_how(vdev, name, addr, flags, true);
}

/*
 * Send the create announcements that found no tx buffer. Binding can happen on the
 * rx path (an NS create from the peer), which must never wait for a buffer that
 * only this thread could reclaim; so it tries once and leaves the rest to here,
 * called from rpmsg_virtio_handle_kick() when buffers come back. Unlocked.
 */
void upi_rpmsg_ns_flush_pending(struct rpmsg_virtio_device *vdev)
{
	for (;;) {
		upi_rpmsg_lock(vdev);
		struct rpmsg_device *ch = vdev->channels;
		while (ch && !(ch->state & CHAN_ANNOUNCE_PENDING))
			ch = ch->next;
		if (!ch) {
			vdev->announce_pending = false;
			upi_rpmsg_unlock(vdev);
			return;
		}
		ch->state &= ~CHAN_ANNOUNCE_PENDING;
		chan_get_locked(ch);
		char name[RPMSG_NAME_SIZE];
		name_copy(name, ch->name);
		uint32_t src = ch->src;
		upi_rpmsg_unlock(vdev);
		int err = ns_send_how(vdev, name, src, RPMSG_NS_CREATE, false);
		if (err == -ENOMEM) {
			upi_rpmsg_lock(vdev);
			if (chan_listed(ch) && (ch->state & CHAN_BOUND) && ch->src == src)
				ch->state |= CHAN_ANNOUNCE_PENDING;
			upi_rpmsg_unlock(vdev);
		}
		chan_put(vdev, ch);
		if (err == -ENOMEM)
			return;
	}
}

int rpmsg_announce_create(struct rpmsg_endpoint *ept, const char *name)
{
	if (!ept || !ept->vdev || !name_valid(name))
		return -EINVAL;
	int err = ns_send(ept->vdev, name, ept->addr, RPMSG_NS_CREATE);
	upi_rpmsg_report(ept->vdev);
	return err;
}

int rpmsg_announce_destroy(struct rpmsg_endpoint *ept, const char *name)
{
	if (!ept || !ept->vdev || !name_valid(name))
		return -EINVAL;
	int err = ns_send(ept->vdev, name, ept->addr, RPMSG_NS_DESTROY);
	upi_rpmsg_report(ept->vdev);
	return err;
}

/*
 * Only the host answers the peer's announcements with its own address. Were both
 * sides to do it, an announcement from a bare endpoint (no channel of that name on
 * its side) would bounce back and forth creating channels.
 */
static bool announces_back(const struct rpmsg_virtio_device *vdev)
{
	return vdev->role == VIRTIO_ROLE_DRIVER && !vdev->cfg.no_announce_back;
}

/*
 * Bind a driver to @ch if one matches: endpoint, probe, announcement. Unlocked; the
 * caller holds a reference on @ch, so that whatever happens to the channel while the
 * lock is dropped, @ch is this channel and no other.
 */
static void chan_bind(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch)
{
	upi_rpmsg_lock(vdev);
	if (vdev->shutdown || !chan_listed(ch) || (ch->state & (CHAN_BOUND | CHAN_BUSY))) {
		upi_rpmsg_unlock(vdev);
		return;
	}
	struct rpmsg_driver *drv = driver_for(vdev, ch->name);
	if (!drv) {
		upi_rpmsg_unlock(vdev);
		return;
	}
	struct rpmsg_endpoint *ept = &ch->ept_storage;
	upi_rpmsg_ept_prepare(ept, vdev, ch->dst, drv->callback, NULL);
	ept->rpdev = ch;
	int err = upi_rpmsg_ept_link(vdev, ept, ch->src);
	if (err) {
		rpmsg_log(vdev, UPROC_LOG_WARN, "no endpoint for channel", ch->name,
			  (uint32_t)-err);
		upi_rpmsg_unlock(vdev);
		return;
	}
	ch->src = ept->addr;
	ch->ept = ept;
	ch->drv = drv;
	ch->state |= CHAN_BUSY;
	vdev->cb_depth++;
	upi_rpmsg_unlock(vdev);

	err = drv->probe ? drv->probe(ch) : 0;

	upi_rpmsg_lock(vdev);
	vdev->cb_depth--;
	upi_rpmsg_unlock(vdev);

	if (err) {
		rpmsg_destroy_ept(ept);
		upi_rpmsg_lock(vdev);
		rpmsg_log(vdev, UPROC_LOG_WARN, "probe failed for channel", ch->name,
			  (uint32_t)-err);
		ch->ept = NULL;
		ch->drv = NULL;
		chan_set_idle(vdev, ch);
		upi_rpmsg_unlock(vdev);
		return;
	}
	upi_rpmsg_lock(vdev);
	ch->state |= CHAN_BOUND;
	bool announce = vdev->ns && !(ch->state & CHAN_ADOPTED) &&
			(ch->announce || announces_back(vdev));
	uint32_t src = ch->src;
	char name[RPMSG_NAME_SIZE];
	name_copy(name, ch->name);
	chan_set_idle(vdev, ch);
	upi_rpmsg_unlock(vdev);
	if (announce) {
		err = ns_send_how(vdev, name, src, RPMSG_NS_CREATE, false);
		if (err == -ENOMEM) {
			upi_rpmsg_lock(vdev);
			if (chan_listed(ch) && (ch->state & CHAN_BOUND) && ch->src == src) {
				ch->state |= CHAN_ANNOUNCE_PENDING;
				vdev->announce_pending = true;
			}
			upi_rpmsg_unlock(vdev);
		} else if (err) {
			upi_rpmsg_lock(vdev);
			rpmsg_log(vdev, UPROC_LOG_WARN, "announce failed for channel", name,
				  (uint32_t)-err);
			upi_rpmsg_unlock(vdev);
		}
	}
}

/*
 * Unbind @ch's driver: optional destroy announcement, remove, endpoint. Unlocked;
 * the caller holds a reference on @ch.
 */
static void chan_unbind(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch,
			bool announce_destroy)
{
	upi_rpmsg_lock(vdev);
	chan_wait_idle(vdev, ch);
	if (!(ch->state & CHAN_BOUND)) {
		upi_rpmsg_unlock(vdev);
		return;
	}
	ch->state |= CHAN_BUSY;
	/* A create that never went out needs no destroy. */
	bool announce = announce_destroy && vdev->ns && !vdev->shutdown &&
			(ch->announce || announces_back(vdev)) &&
			!(ch->state & (CHAN_ANNOUNCE_PENDING | CHAN_ADOPTED));
	ch->state &= ~CHAN_ANNOUNCE_PENDING;
	upi_rpmsg_unlock(vdev);

	/*
	 * Never wait here: teardown runs on the host's loop thread, the one thread that
	 * could reclaim a buffer, and a remote that holds them all would block it for
	 * the send timeout per channel. A destroy that finds no free buffer is dropped:
	 * such a remote is not serving its queues, and a remote that is reset or
	 * re-attached learns the channels again anyway.
	 */
	if (announce && ns_send_how(vdev, ch->name, ch->src, RPMSG_NS_DESTROY, false) == -ENOMEM) {
		upi_rpmsg_lock(vdev);
		rpmsg_log(vdev, UPROC_LOG_DEBUG, "no buffer for the destroy announcement of", ch->name,
			  ch->src);
		upi_rpmsg_unlock(vdev);
	}
	if (ch->drv->remove) {
		upi_rpmsg_lock(vdev);
		vdev->cb_depth++;
		upi_rpmsg_unlock(vdev);
		ch->drv->remove(ch);
		upi_rpmsg_lock(vdev);
		vdev->cb_depth--;
		upi_rpmsg_unlock(vdev);
	}
	rpmsg_destroy_ept(&ch->ept_storage);

	upi_rpmsg_lock(vdev);
	ch->ept = NULL;
	ch->drv = NULL;
	ch->state &= ~CHAN_BOUND;
	chan_set_idle(vdev, ch);
	upi_rpmsg_unlock(vdev);
}

/* ---- the name-service endpoint ----------------------------------------------------- */

/* Tell the embedder what an announcement from the peer changed. Unlocked. */
static void ns_report(struct rpmsg_virtio_device *vdev, const char *name, uint32_t src,
		      uint32_t dst, bool created)
{
	if (!vdev->cfg.channel)
		return;
	struct rpmsg_channel_info info;
	name_copy(info.name, name);
	info.src = src;
	info.dst = dst;
	vdev->cfg.channel(vdev->cfg.priv, &info, created);
}

/* @ch's (held) local address now, or RPMSG_ADDR_ANY when it went away meanwhile. */
static uint32_t chan_src(struct rpmsg_virtio_device *vdev, const struct rpmsg_device *ch)
{
	upi_rpmsg_lock(vdev);
	uint32_t src = chan_listed(ch) ? ch->src : RPMSG_ADDR_ANY;
	upi_rpmsg_unlock(vdev);
	return src;
}

static void ns_create(struct rpmsg_virtio_device *vdev, const char *name, uint32_t addr)
{
	upi_rpmsg_lock(vdev);
	for_each_named(vdev, c, name) {
		if (c->announce && c->dst == RPMSG_ADDR_ANY) {
			/* Our own channel learns where the peer listens. */
			c->dst = addr;
			if (c->ept)
				c->ept->dst = addr;
			uint32_t src = c->src;
			upi_rpmsg_unlock(vdev);
			ns_report(vdev, name, src, addr, true);
			return;
		}
		if (c->dst == addr) {
			upi_rpmsg_unlock(vdev);
			return; /* already known */
		}
	}
	uint32_t max = vdev->cfg.max_peer_channels ? vdev->cfg.max_peer_channels : 4096;
	if (vdev->peer_channels >= max) {
		vdev->badmsg_pending++;
		rpmsg_warn(vdev, "too many channels from the peer, refused addr/max", addr, max);
		upi_rpmsg_unlock(vdev);
		return;
	}
	struct rpmsg_device *ch = chan_alloc(vdev, name, RPMSG_ADDR_ANY, addr, false);
	if (!ch) {
		rpmsg_log(vdev, UPROC_LOG_WARN, "no memory for channel", name, addr);
		upi_rpmsg_unlock(vdev);
		return;
	}
	vdev->peer_channels++;
	upi_rpmsg_chan_list_add(vdev, ch);
	chan_get_locked(ch);
	upi_rpmsg_unlock(vdev);
	chan_bind(vdev, ch);
	uint32_t src = chan_src(vdev, ch);
	chan_put(vdev, ch);
	ns_report(vdev, name, src, addr, true);
}

static void ns_destroy(struct rpmsg_virtio_device *vdev, const char *name, uint32_t addr)
{
	upi_rpmsg_lock(vdev);
	for_each_named(vdev, c, name) {
		if (c->dst != addr)
			continue;
		uint32_t src = c->src;
		if (c->announce) {
			c->dst = RPMSG_ADDR_ANY; /* the peer's end went away */
			if (c->ept)
				c->ept->dst = RPMSG_ADDR_ANY;
			upi_rpmsg_unlock(vdev);
			ns_report(vdev, name, src, addr, false);
			return;
		}
		chan_unlist(vdev, c);
		upi_rpmsg_unlock(vdev);
		chan_unbind(vdev, c, false);
		chan_put(vdev, c);
		ns_report(vdev, name, src, addr, false);
		return;
	}
	rpmsg_warn(vdev, "destroy announcement for unknown channel, addr", addr, 0);
	upi_rpmsg_unlock(vdev);
}

int upi_rpmsg_ns_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct rpmsg_virtio_device *vdev = priv;
	(void)ept;
	if (len != RPMSG_NS_MSG_SIZE) {
		upi_rpmsg_lock(vdev);
		vdev->badmsg_pending++;
		rpmsg_warn(vdev, "name-service message of wrong size, len/src", (uint32_t)len, src);
		upi_rpmsg_unlock(vdev);
		return 0;
	}
	/* Copy once out of shared memory (data is 4-byte aligned: buffer + 16). */
	uint32_t w[RPMSG_NS_MSG_SIZE / 4];
	for (unsigned int i = 0; i < RPMSG_NS_MSG_SIZE / 4; i++)
		w[i] = uproc_shm_read32((const uint8_t *)data + 4 * i);
	struct rpmsg_ns_msg m;
	__builtin_memcpy(&m, w, sizeof(m));
	m.name[RPMSG_NAME_SIZE - 1] = 0;
	uint32_t addr = vdev->swap ? uproc_swap32(m.addr) : m.addr;
	uint32_t flags = vdev->swap ? uproc_swap32(m.flags) : m.flags;
	if (!m.name[0] || addr == RPMSG_ADDR_ANY ||
	    (flags != RPMSG_NS_CREATE && flags != RPMSG_NS_DESTROY)) {
		upi_rpmsg_lock(vdev);
		vdev->badmsg_pending++;
		rpmsg_warn(vdev, "bad name-service message, addr/flags", addr, flags);
		upi_rpmsg_unlock(vdev);
		return 0;
	}
	if (flags == RPMSG_NS_CREATE)
		ns_create(vdev, m.name, addr);
	else
		ns_destroy(vdev, m.name, addr);
	return 0;
}

/* ---- channels and drivers API -------------------------------------------------------- */

int rpmsg_create_channel(struct rpmsg_virtio_device *vdev, const struct rpmsg_channel_info *info,
			 struct rpmsg_device **out)
{
	if (!vdev || !info || !name_valid(info->name))
		return -EINVAL;
	upi_rpmsg_lock(vdev);
	if (vdev->shutdown) {
		upi_rpmsg_unlock(vdev);
		return -ESHUTDOWN;
	}
	for_each_named(vdev, c, info->name) {
		if (c->announce && (info->src == RPMSG_ADDR_ANY || c->src == info->src)) {
			upi_rpmsg_unlock(vdev);
			return -EEXIST;
		}
	}
	struct rpmsg_device *ch = chan_alloc(vdev, info->name, info->src, info->dst, true);
	if (!ch) {
		upi_rpmsg_unlock(vdev);
		return -ENOMEM;
	}
	upi_rpmsg_chan_list_add(vdev, ch);
	chan_get_locked(ch);
	upi_rpmsg_unlock(vdev);
	chan_bind(vdev, ch);
	if (out)
		*out = ch; /* our reference becomes the caller's */
	else
		chan_put(vdev, ch);
	upi_rpmsg_report(vdev);
	return 0;
}

int rpmsg_release_channel(struct rpmsg_virtio_device *vdev, const struct rpmsg_channel_info *info)
{
	if (!vdev || !info || !name_valid(info->name))
		return -EINVAL;
	upi_rpmsg_lock(vdev);
	struct rpmsg_device *ch = upi_rpmsg_chan_next_named(vdev, NULL, info->name);
	for (; ch; ch = upi_rpmsg_chan_next_named(vdev, ch, info->name))
		if (ch->announce && (info->src == RPMSG_ADDR_ANY || ch->src == info->src))
			break;
	if (!ch) {
		upi_rpmsg_unlock(vdev);
		return -ENOENT;
	}
	chan_unlist(vdev, ch);
	upi_rpmsg_unlock(vdev);
	chan_unbind(vdev, ch, true);
	chan_put(vdev, ch);
	upi_rpmsg_report(vdev);
	return 0;
}

int rpmsg_get_channels(struct rpmsg_virtio_device *vdev, struct rpmsg_channel_info *out,
		       size_t max)
{
	if (!vdev)
		return -EINVAL;
	int n = 0;
	upi_rpmsg_lock(vdev);
	for (struct rpmsg_device *c = vdev->channels; c; c = c->next, n++) {
		if (out && (size_t)n < max) {
			name_copy(out[n].name, c->name);
			out[n].src = c->src;
			out[n].dst = c->dst;
		}
	}
	upi_rpmsg_unlock(vdev);
	return n;
}

int rpmsg_adopt_channel(struct rpmsg_virtio_device *vdev, const struct rpmsg_channel_info *info)
{
	if (!vdev || !info || !name_valid(info->name) || info->src == RPMSG_ADDR_ANY ||
	    info->dst == RPMSG_ADDR_ANY)
		return -EINVAL;
	upi_rpmsg_lock(vdev);
	if (vdev->shutdown) {
		upi_rpmsg_unlock(vdev);
		return -ESHUTDOWN;
	}
	for_each_named(vdev, c, info->name) {
		if (c->src == info->src || c->dst == info->dst) {
			upi_rpmsg_unlock(vdev);
			return -EEXIST;
		}
	}
	struct rpmsg_device *ch = chan_alloc(vdev, info->name, info->src, info->dst, false);
	if (!ch) {
		upi_rpmsg_unlock(vdev);
		return -ENOMEM;
	}
	ch->state |= CHAN_ADOPTED;
	upi_rpmsg_chan_list_add(vdev, ch);
	chan_get_locked(ch);
	upi_rpmsg_unlock(vdev);
	chan_bind(vdev, ch);
	chan_put(vdev, ch);
	upi_rpmsg_report(vdev);
	return 0;
}

struct rpmsg_device *rpmsg_find_channel(struct rpmsg_virtio_device *vdev, const char *name,
					uint32_t dst)
{
	if (!vdev || !name)
		return NULL;
	upi_rpmsg_lock(vdev);
	struct rpmsg_device *ch = upi_rpmsg_chan_next_named(vdev, NULL, name);
	for (; ch; ch = upi_rpmsg_chan_next_named(vdev, ch, name))
		if (dst == RPMSG_ADDR_ANY || ch->dst == dst)
			break;
	if (ch)
		chan_get_locked(ch);
	upi_rpmsg_unlock(vdev);
	return ch;
}

int rpmsg_register_driver(struct rpmsg_virtio_device *vdev, struct rpmsg_driver *drv)
{
	if (!vdev || !drv || !drv->id_table)
		return -EINVAL;
	upi_rpmsg_lock(vdev);
	for (struct rpmsg_driver *d = vdev->drivers; d; d = d->next) {
		if (d == drv) {
			upi_rpmsg_unlock(vdev);
			return -EEXIST;
		}
	}
	drv->next = vdev->drivers;
	vdev->drivers = drv;
	upi_rpmsg_unlock(vdev);
	/*
	 * Bind the channels that were waiting for it, in one walk of the list: the
	 * walk holds a reference on the channel it stands on across the unlocked bind,
	 * and goes on from it while it is still listed (from the head when it went
	 * away meanwhile; bound channels are skipped). chan_bind re-checks each.
	 */
	upi_rpmsg_lock(vdev);
	struct rpmsg_device *ch = vdev->channels;
	while (ch) {
		if ((ch->state & CHAN_BOUND) || !driver_matches(drv, ch->name)) {
			ch = ch->next;
			continue;
		}
		chan_get_locked(ch);
		upi_rpmsg_unlock(vdev);
		chan_bind(vdev, ch);
		upi_rpmsg_lock(vdev);
		if (chan_listed(ch)) {
			ch->refs--; /* the list holds another */
			ch = ch->next;
			continue;
		}
		upi_rpmsg_unlock(vdev);
		chan_put(vdev, ch); /* it may be the last reference */
		upi_rpmsg_lock(vdev);
		ch = vdev->channels;
	}
	upi_rpmsg_unlock(vdev);
	upi_rpmsg_report(vdev);
	return 0;
}

void rpmsg_unregister_driver(struct rpmsg_virtio_device *vdev, struct rpmsg_driver *drv)
{
	if (!vdev || !drv)
		return;
	for (;;) {
		upi_rpmsg_lock(vdev);
		struct rpmsg_device *ch = vdev->channels;
		while (ch && ch->drv != drv)
			ch = ch->next;
		if (ch)
			chan_get_locked(ch);
		upi_rpmsg_unlock(vdev);
		if (!ch)
			break;
		chan_unbind(vdev, ch, true);
		chan_put(vdev, ch);
	}
	upi_rpmsg_lock(vdev);
	for (struct rpmsg_driver **pp = &vdev->drivers; *pp; pp = &(*pp)->next) {
		if (*pp == drv) {
			*pp = drv->next;
			break;
		}
	}
	drv->next = NULL;
	upi_rpmsg_unlock(vdev);
	upi_rpmsg_report(vdev);
}

void upi_rpmsg_channels_teardown(struct rpmsg_virtio_device *vdev)
{
	for (;;) {
		upi_rpmsg_lock(vdev);
		struct rpmsg_device *ch = vdev->channels;
		if (ch) {
			chan_unlist(vdev, ch);
		} else {
			vdev->drivers = NULL;
			upi_rpmsg_chan_index_free(vdev);
		}
		upi_rpmsg_unlock(vdev);
		if (!ch)
			break;
		chan_unbind(vdev, ch, false);
		chan_put(vdev, ch);
	}
}
