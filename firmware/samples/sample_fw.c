// SPDX-License-Identifier: MIT
/*
 * sample_fw.c - a minimal freestanding firmware with a resource table, built for
 * x86-64 (ELF64 LE), ARM (ELF32 LE) and MIPS (ELF32 BE) as test images for the
 * firmware-image reader. It writes one line into its trace buffer and idles.
 *
 * Table: carveout "fw-ram" (fixed da), trace "trace0", an rpmsg vdev (id 7)
 * with two vrings and 8 bytes of config space, carveout "vdev0buffer" (host
 * chooses da and pa), and one vendor resource (type 128).
 */
#include <stdint.h>

#include "uproc/rsc_table.h"

#define SAMPLE_RAM_DA 0x100000u
#define SAMPLE_RAM_LEN 0x30000u
#define SAMPLE_TRACE_DA 0x120000u	/* the .trace section, see sample.ld */
#define SAMPLE_TRACE_LEN 0x1000u
#define SAMPLE_NUM_ENTRIES 5
#define SAMPLE_VENDOR_TYPE 128u

/* The vdev entry spelled out: struct rproc_rsc_vdev ends in a flexible array. */
struct sample_vdev {
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
	uint8_t config[8];
} UPROC_PACKED;

struct sample_vendor {
	uint32_t type;
	uint32_t value[2];
} UPROC_PACKED;

struct sample_rsc_table {
	uint32_t ver;
	uint32_t num;
	uint32_t reserved[2];
	uint32_t offset[SAMPLE_NUM_ENTRIES];
	uint32_t ram_type;
	struct rproc_rsc_carveout ram;
	uint32_t trace_type;
	struct rproc_rsc_trace trace;
	struct sample_vdev vdev;
	uint32_t buf_type;
	struct rproc_rsc_carveout buf;
	struct sample_vendor vendor;
} UPROC_PACKED;

#define SAMPLE_OFF(member) ((uint32_t)__builtin_offsetof(struct sample_rsc_table, member))

__attribute__((section(".resource_table"), used))
const struct sample_rsc_table resource_table = {
	.ver = 1,
	.num = SAMPLE_NUM_ENTRIES,
	.offset = {
		SAMPLE_OFF(ram_type),
		SAMPLE_OFF(trace_type),
		SAMPLE_OFF(vdev),
		SAMPLE_OFF(buf_type),
		SAMPLE_OFF(vendor),
	},
	.ram_type = RPROC_RSC_CARVEOUT,
	.ram = { .da = SAMPLE_RAM_DA, .pa = RPROC_RSC_ADDR_ANY, .len = SAMPLE_RAM_LEN,
		 .flags = 0, .name = "fw-ram" },
	.trace_type = RPROC_RSC_TRACE,
	.trace = { .da = SAMPLE_TRACE_DA, .len = SAMPLE_TRACE_LEN, .name = "trace0" },
	.vdev = {
		.type = RPROC_RSC_VDEV,
		.id = VIRTIO_ID_RPMSG,
		.notifyid = 2,
		.dfeatures = 1,		/* VIRTIO_RPMSG_F_NS */
		.config_len = 8,
		.num_of_vrings = 2,
		.vring = {
			{ .da = RPROC_RSC_ADDR_ANY, .align = 0x1000, .num = 256, .notifyid = 0 },
			{ .da = RPROC_RSC_ADDR_ANY, .align = 0x1000, .num = 256, .notifyid = 1 },
		},
		.config = { 1, 2, 3, 4, 5, 6, 7, 8 },
	},
	.buf_type = RPROC_RSC_CARVEOUT,
	.buf = { .da = RPROC_RSC_ADDR_ANY, .pa = RPROC_RSC_ADDR_ANY, .len = 0x80000,
		 .name = "vdev0buffer" },
	.vendor = { .type = SAMPLE_VENDOR_TYPE, .value = { 0x12345678, 0x9abcdef0 } },
};

static const char sample_banner[] = "sample firmware up\n";

void _start(void);

__attribute__((section(".text.start"), noreturn))
void _start(void)
{
	volatile char *trace = (volatile char *)(uintptr_t)SAMPLE_TRACE_DA;
	unsigned int i;

	for (i = 0; i < sizeof(sample_banner) - 1 && i < SAMPLE_TRACE_LEN - 1; i++)
		trace[i] = sample_banner[i];
	trace[i] = '\0';
	for (;;)
		__asm__ volatile("" ::: "memory");
}
