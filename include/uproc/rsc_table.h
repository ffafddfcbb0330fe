/* SPDX-License-Identifier: MIT */
/*
 * uproc/rsc_table.h - the resource table's wire format, exactly as Linux's
 * include/linux/remoteproc.h lays it out (docs: linux-compat.md).
 *
 * Freestanding: firmware declares its table with these structs (see the SDK's
 * uproc/fw/rsc.h helpers), the host parses tables through uproc/fwimage.h.
 * All fields are in the firmware's byte order; the host never reads these
 * structs in place from an untrusted image, it decodes them field by field.
 *
 * Names: Linux's layout under the rproc_ prefix (Linux's struct resource_table is
 * struct rproc_rsc_table, fw_rsc_carveout is rproc_rsc_carveout, RSC_VDEV is
 * RPROC_RSC_VDEV, FW_RSC_ADDR_ANY is RPROC_RSC_ADDR_ANY): Linux keeps these names
 * in a kernel header, not its uapi, and OpenAMP declares them as well, so a
 * program or firmware that includes one of those beside this one still compiles.
 * The VIRTIO_ID_* and VIRTIO_CONFIG_S_* values are Linux's uapi names with
 * Linux's exact definitions, so they may coexist with <linux/virtio_*.h>.
 */
#ifndef UPROC_RSC_TABLE_H
#define UPROC_RSC_TABLE_H

#include <stdint.h>

#define UPROC_PACKED __attribute__((packed))

/* Resource types. 4..127 are unknown to Linux (skipped with a warning). */
enum rproc_rsc_type {
	RPROC_RSC_CARVEOUT = 0,
	RPROC_RSC_DEVMEM = 1,
	RPROC_RSC_TRACE = 2,
	RPROC_RSC_VDEV = 3,
	RPROC_RSC_LAST = 4,
	RPROC_RSC_VENDOR_START = 128,
	RPROC_RSC_VENDOR_END = 512,
};

/* A device or physical address the host chooses. */
#define RPROC_RSC_ADDR_ANY 0xFFFFFFFFu

/* Return values of a backend's vendor-resource hook. */
enum rproc_rsc_handling {
	RPROC_RSC_HANDLED = 0,
	RPROC_RSC_IGNORED = 1,
};

/* Virtio device ids uproc serves. */
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RPMSG 7

/* Virtio device status bits written into rproc_rsc_vdev.status. */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1
#define VIRTIO_CONFIG_S_DRIVER 2
#define VIRTIO_CONFIG_S_DRIVER_OK 4
#define VIRTIO_CONFIG_S_FEATURES_OK 8
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED 0x80

/** struct rproc_rsc_table - the table header; offset[num] follows. */
struct rproc_rsc_table {
	uint32_t ver;
	uint32_t num;
	uint32_t reserved[2];
	uint32_t offset[];
} UPROC_PACKED;

/** struct rproc_rsc_hdr - the header of every entry. */
struct rproc_rsc_hdr {
	uint32_t type;
	uint8_t data[];
} UPROC_PACKED;

/** struct rproc_rsc_carveout - memory the host allocates (or maps at a fixed da). */
struct rproc_rsc_carveout {
	uint32_t da;
	uint32_t pa;
	uint32_t len;
	uint32_t flags;
	uint32_t reserved;
	uint8_t name[32];
} UPROC_PACKED;

/** struct rproc_rsc_devmem - a device memory region to map for the remote. */
struct rproc_rsc_devmem {
	uint32_t da;
	uint32_t pa;
	uint32_t len;
	uint32_t flags;
	uint32_t reserved;
	uint8_t name[32];
} UPROC_PACKED;

/** struct rproc_rsc_trace - a trace buffer the firmware writes text into. */
struct rproc_rsc_trace {
	uint32_t da;
	uint32_t len;
	uint32_t reserved;
	uint8_t name[32];
} UPROC_PACKED;

/** struct rproc_rsc_vdev_vring - one vring of a vdev. */
struct rproc_rsc_vdev_vring {
	uint32_t da;
	uint32_t align;
	uint32_t num;
	uint32_t notifyid;
	uint32_t pa;
} UPROC_PACKED;

/**
 * struct rproc_rsc_vdev - a virtio device; vring[num_of_vrings] follows, then
 * config_len bytes of the device's config space.
 */
struct rproc_rsc_vdev {
	uint32_t id;
	uint32_t notifyid;
	uint32_t dfeatures;
	uint32_t gfeatures;
	uint32_t config_len;
	uint8_t status;
	uint8_t num_of_vrings;
	uint8_t reserved[2];
	struct rproc_rsc_vdev_vring vring[];
} UPROC_PACKED;

_Static_assert(sizeof(struct rproc_rsc_table) == 16, "resource_table header is 16 bytes");
_Static_assert(sizeof(struct rproc_rsc_hdr) == 4, "rproc_rsc_hdr is 4 bytes");
_Static_assert(sizeof(struct rproc_rsc_carveout) == 52, "rproc_rsc_carveout is 52 bytes");
_Static_assert(sizeof(struct rproc_rsc_devmem) == 52, "rproc_rsc_devmem is 52 bytes");
_Static_assert(sizeof(struct rproc_rsc_trace) == 44, "rproc_rsc_trace is 44 bytes");
_Static_assert(sizeof(struct rproc_rsc_vdev_vring) == 20, "rproc_rsc_vdev_vring is 20 bytes");
_Static_assert(sizeof(struct rproc_rsc_vdev) == 24, "rproc_rsc_vdev is 24 bytes");
_Static_assert(__builtin_offsetof(struct rproc_rsc_vdev, status) == 20, "vdev status at 20");
_Static_assert(__builtin_offsetof(struct rproc_rsc_vdev, num_of_vrings) == 21, "vdev num_of_vrings at 21");

#endif /* UPROC_RSC_TABLE_H */
