/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rpmsg_rx.c - the rx paths of both roles against a peer that writes anything.
 *
 * A host and a remote share one region. The input is a program of operations: raw
 * messages the remote writes (any header, any used length), name-service messages
 * of any size, used entries forged into the host's rx ring, descriptors and avail
 * entries forged into the remote's rx ring, byte pokes anywhere in the rings, and
 * ordinary sends and pumps. Neither side may read or write outside the region, and
 * both must keep their bookkeeping consistent (ASan/UBSan watch).
 */
#include <stdint.h>
#include <string.h>

#include "../../src/rpmsg/rpmsg_internal.h"
#include "../../tests/rpmsg/pair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static uint32_t take(struct in *in, unsigned int bytes)
{
	uint32_t v = 0;
	for (unsigned int i = 0; i < bytes; i++) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

static int cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)src;
	(void)priv;
	/* Touch every byte the callback was given: ASan checks the bounds. */
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum ^= ((const uint8_t *)data)[i];
	__asm__ volatile("" ::"r"(sum));
	if (len && (((const uint8_t *)data)[0] & 1))
		rpmsg_hold_rx_buffer(ept, data);
	return 0;
}

static struct rpmsg_device_id ids[] = { { "fz" }, { "" } };
static int probe(struct rpmsg_device *rpdev)
{
	(void)rpdev;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct pair p;
	if (pair_open(&p, 8, 0, take(&in, 1) & 1 ? 0xffffffffu : 1u) != 0) {
		pair_close(&p);
		return 0;
	}
	/* The rx path never waits: no 15 s blocking under the fuzzer. */
	p.host->ns_ept.send_timeout_ns = 0;
	p.dev->ns_ept.send_timeout_ns = 0;
	struct rpmsg_driver hd = { .name = "fz", .id_table = ids, .probe = probe, .callback = cb };
	struct rpmsg_driver dd = hd;
	rpmsg_register_driver(p.host, &hd);
	rpmsg_register_driver(p.dev, &dd);
	struct rpmsg_endpoint he, de;
	rpmsg_create_ept(&he, p.host, 1100, 2000, cb, NULL);
	rpmsg_create_ept(&de, p.dev, 2000, 1100, cb, NULL);
	rpmsg_set_send_timeout(&he, 0);
	rpmsg_set_send_timeout(&de, 0);

	uint8_t payload[RPMSG_BUF_SIZE];
	for (int steps = 0; in.n && steps < 64; steps++) {
		switch (take(&in, 1) % 8) {
		case 0: { /* a raw message from the remote */
			struct virtqueue_buf iov;
			unsigned int out, inn;
			int head = virtqueue_pop(&p.dev->svq, &iov, 1, &out, &inn);
			uint32_t dst = take(&in, 2);
			uint16_t hlen = (uint16_t)take(&in, 2);
			uint32_t used = take(&in, 2);
			uint32_t plen = take(&in, 1);
			if (head < 0 || iov.len < 16)
				break;
			struct rpmsg_hdr h = { .src = 2000, .dst = dst < 60 ? dst : 1100 + dst % 4,
					       .len = hlen };
			memcpy(iov.addr, &h, sizeof(h));
			for (uint32_t i = 0; i < plen && 16 + i < iov.len; i++)
				((uint8_t *)iov.addr)[16 + i] = (uint8_t)take(&in, 1);
			virtqueue_push(&p.dev->svq, (unsigned int)head, used % (iov.len + 1));
			break;
		}
		case 1: { /* a name-service message of some size */
			uint32_t len = take(&in, 1) % 48;
			memset(payload, 0, sizeof(payload));
			for (uint32_t i = 0; i < len; i++)
				payload[i] = (uint8_t)take(&in, 1);
			rpmsg_trysend_offchannel(&de, 2000 + (payload[0] & 3), RPMSG_NS_ADDR, payload, len);
			break;
		}
		case 2: { /* a forged used entry in the host's rx ring */
			uint8_t *u = p.host->rvq.used;
			uint16_t idx;
			memcpy(&idx, u + 2, 2);
			uint32_t id = take(&in, 1), len = take(&in, 2);
			memcpy(u + 4 + 8 * (idx % 8), &id, 4);
			memcpy(u + 8 + 8 * (idx % 8), &len, 4);
			idx = (uint16_t)(idx + 1 + (take(&in, 1) % 3 == 0 ? take(&in, 2) : 0));
			memcpy(u + 2, &idx, 2);
			break;
		}
		case 3: { /* a forged descriptor + avail entry in the remote's rx ring */
			uint8_t *d = p.host->svq.desc, *a = p.host->svq.avail;
			unsigned int i = take(&in, 1) % 8;
			uint64_t addr = PAIR_DA + (uint64_t)take(&in, 4) % (p.mem_size + 4096);
			uint32_t len = take(&in, 2);
			uint16_t flags = (uint16_t)(take(&in, 1) & 7), next = (uint16_t)take(&in, 1);
			memcpy(d + 16 * i, &addr, 8);
			memcpy(d + 16 * i + 8, &len, 4);
			memcpy(d + 16 * i + 12, &flags, 2);
			memcpy(d + 16 * i + 14, &next, 2);
			uint16_t idx;
			memcpy(&idx, a + 2, 2);
			uint16_t head = (uint16_t)take(&in, 1);
			memcpy(a + 4 + 2 * (idx % 8), &head, 2);
			idx++;
			memcpy(a + 2, &idx, 2);
			break;
		}
		case 4: { /* poke a byte anywhere in the two rings */
			uint32_t off = take(&in, 2) % (uint32_t)(p.buf_da - PAIR_DA);
			p.mem[off] = (uint8_t)take(&in, 1);
			break;
		}
		case 5: { /* ordinary traffic */
			uint32_t len = take(&in, 2) % 520;
			memset(payload, (int)len, sizeof(payload));
			rpmsg_trysend(&he, payload, len);
			rpmsg_trysend(&de, payload, len);
			break;
		}
		case 6: /* release whatever is held, then deliver */
		case 7:
			pair_pump(&p);
			break;
		}
	}
	pair_pump(&p);
	rpmsg_poll(&he);
	rpmsg_poll(&de);
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
	return 0;
}
