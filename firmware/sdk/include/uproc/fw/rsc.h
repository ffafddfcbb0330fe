/* SPDX-License-Identifier: MIT */
/*
 * uproc/fw/rsc.h - declaring a firmware's resource table (Linux's wire format,
 * uproc/rsc_table.h) in C.
 *
 * A table is a packed struct: the header, the offset array, then the entries, each
 * an UPROC_FW_RSC_* entry type below (the 4-byte type word followed by the body).
 * Declare it with UPROC_FW_RESOURCE_TABLE so it lands in ".resource_table":
 *
 *   struct my_table {
 *           struct uproc_fw_rsc_header hdr;
 *           uint32_t offset[2];
 *           struct uproc_fw_rsc_trace trace;
 *           struct uproc_fw_rsc_vdev2 rpmsg;
 *   } UPROC_PACKED;
 *
 *   UPROC_FW_RESOURCE_TABLE struct my_table resource_table = {
 *           .hdr = UPROC_FW_RSC_HEADER(2),
 *           .offset = { UPROC_FW_RSC_OFFSET(struct my_table, trace),
 *                       UPROC_FW_RSC_OFFSET(struct my_table, rpmsg) },
 *           .trace = UPROC_FW_RSC_TRACE("trace0"),
 *           .rpmsg = UPROC_FW_RSC_VDEV_RPMSG(256),
 *   };
 *
 * Or use a ready-made table: UPROC_FW_RSC_TABLE_RPMSG(num) and
 * UPROC_FW_RSC_TABLE_CONSOLE(num) define `resource_table` with a trace buffer and
 * one vdev.
 *
 * Vrings and buffers: the host chooses their addresses (da RPROC_RSC_ADDR_ANY) and
 * writes them into the loaded table before it sets DRIVER_OK; the runtime reads
 * them from there (uproc/fw/runtime.h).
 */
#ifndef UPROC_FW_RSC_H
#define UPROC_FW_RSC_H

#include <stddef.h>
#include <stdint.h>

#include "uproc/fw/layout.h"
#include "uproc/rsc_table.h"
#include "uproc/rpmsg.h"

/* Put the table where the host looks for it. */
#define UPROC_FW_RESOURCE_TABLE __attribute__((section(".resource_table"), used, aligned(8)))

/** struct uproc_fw_rsc_header - the table's header, before offset[num]. */
struct uproc_fw_rsc_header {
	uint32_t ver;
	uint32_t num;
	uint32_t reserved[2];
} UPROC_PACKED;

/** struct uproc_fw_rsc_carveout - a carveout entry with its type word. */
struct uproc_fw_rsc_carveout {
	uint32_t type;
	struct rproc_rsc_carveout c;
} UPROC_PACKED;

/** struct uproc_fw_rsc_trace - a trace entry with its type word. */
struct uproc_fw_rsc_trace {
	uint32_t type;
	struct rproc_rsc_trace t;
} UPROC_PACKED;

/**
 * struct uproc_fw_rsc_vdev2 - a vdev entry (type word, struct rproc_rsc_vdev's fields)
 * with two vrings and no config space, spelled out: struct rproc_rsc_vdev ends in a
 * flexible array and cannot be embedded in standard C.
 */
struct uproc_fw_rsc_vdev2 {
	uint32_t type;
	uint32_t id;
	uint32_t notifyid;
	uint32_t dfeatures;
	uint32_t gfeatures;
	uint32_t config_len;
	uint8_t status;
	uint8_t num_of_vrings;
	uint8_t reserved[2];
	struct rproc_rsc_vdev_vring vring[2];
} UPROC_PACKED;

_Static_assert(offsetof(struct uproc_fw_rsc_vdev2, status) ==
		       4 + offsetof(struct rproc_rsc_vdev, status),
	       "uproc_fw_rsc_vdev2 follows rproc_rsc_vdev");
_Static_assert(offsetof(struct uproc_fw_rsc_vdev2, vring) == 4 + sizeof(struct rproc_rsc_vdev),
	       "uproc_fw_rsc_vdev2's vrings follow the vdev body");

#define UPROC_FW_RSC_HEADER(n) { .ver = 1, .num = (n), .reserved = { 0, 0 } }
#define UPROC_FW_RSC_OFFSET(table_type, member) ((uint32_t)offsetof(table_type, member))

/* A carveout of @len bytes at @da (RPROC_RSC_ADDR_ANY: the host chooses). */
#define UPROC_FW_RSC_CARVEOUT(nm, da_, len_) \
	{ .type = RPROC_RSC_CARVEOUT, \
	  .c = { .da = (da_), .pa = RPROC_RSC_ADDR_ANY, .len = (len_), .flags = 0, \
		 .reserved = 0, .name = nm } }

/* The SDK's trace buffer (uproc/fw/trace.h) at the top of RAM. */
#define UPROC_FW_RSC_TRACE(nm) \
	{ .type = RPROC_RSC_TRACE, \
	  .t = { .da = UPROC_FW_TRACE_DA, .len = UPROC_FW_TRACE_SIZE, .reserved = 0, \
		 .name = nm } }

/* Vring alignment the SDK declares (Linux's rpmsg default). */
#define UPROC_FW_VRING_ALIGN 4096u

#define UPROC_FW_RSC_VRING(num_, notifyid_) \
	{ .da = RPROC_RSC_ADDR_ANY, .align = UPROC_FW_VRING_ALIGN, .num = (num_), \
	  .notifyid = (notifyid_), .pa = 0 }

/* A vdev of virtio id @id_ offering @features_, two vrings of @num_ entries. */
#define UPROC_FW_RSC_VDEV(id_, features_, num_, notifyid_) \
	{ .type = RPROC_RSC_VDEV, .id = (id_), .notifyid = (notifyid_), .dfeatures = (features_), \
	  .gfeatures = 0, .config_len = 0, .status = 0, .num_of_vrings = 2, \
	  .reserved = { 0, 0 }, \
	  .vring = { UPROC_FW_RSC_VRING(num_, 2 * (notifyid_)), \
		     UPROC_FW_RSC_VRING(num_, 2 * (notifyid_) + 1) } }

/* An rpmsg vdev (id 7) with the name service. */
#define UPROC_FW_RSC_VDEV_RPMSG(num_) \
	UPROC_FW_RSC_VDEV(VIRTIO_ID_RPMSG, 1u << VIRTIO_RPMSG_F_NS, num_, 0)

/* A virtio console vdev (id 3): receiveq 0 (to the host), transmitq 1 (from it). */
#define UPROC_FW_RSC_VDEV_CONSOLE(num_) UPROC_FW_RSC_VDEV(VIRTIO_ID_CONSOLE, 0u, num_, 0)

/** struct uproc_fw_rsc_table_std - the ready-made table: a trace buffer, one vdev. */
struct uproc_fw_rsc_table_std {
	struct uproc_fw_rsc_header hdr;
	uint32_t offset[2];
	struct uproc_fw_rsc_trace trace;
	struct uproc_fw_rsc_vdev2 vdev;
} UPROC_PACKED;

#define UPROC_FW_RSC_TABLE_STD(vdev_init) \
	UPROC_FW_RESOURCE_TABLE struct uproc_fw_rsc_table_std resource_table = { \
		.hdr = UPROC_FW_RSC_HEADER(2), \
		.offset = { UPROC_FW_RSC_OFFSET(struct uproc_fw_rsc_table_std, trace), \
			    UPROC_FW_RSC_OFFSET(struct uproc_fw_rsc_table_std, vdev) }, \
		.trace = UPROC_FW_RSC_TRACE("trace0"), \
		.vdev = vdev_init, \
	}

/* `resource_table` with a trace buffer and an rpmsg vdev of two @num-entry vrings. */
#define UPROC_FW_RSC_TABLE_RPMSG(num) UPROC_FW_RSC_TABLE_STD(UPROC_FW_RSC_VDEV_RPMSG(num))

/* `resource_table` with a trace buffer and a console vdev of two @num-entry vrings. */
#define UPROC_FW_RSC_TABLE_CONSOLE(num) UPROC_FW_RSC_TABLE_STD(UPROC_FW_RSC_VDEV_CONSOLE(num))

#endif /* UPROC_FW_RSC_H */
