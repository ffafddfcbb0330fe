// SPDX-License-Identifier: MIT
/*
 * fuzz_rsc.c - libFuzzer target: the resource-table parser on raw table bytes.
 * Input: one byte whose low bit picks the byte order (0 little, 1 big), then
 * the table. An accepted table is decoded entry by entry, dumped, and written
 * back to; every decoded range must lie inside the table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uproc/fwimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uproc_rsc_table t;
	struct uproc_fw_error err;
	struct uproc_rsc_entry e;
	enum uproc_byte_order order;
	uint8_t *copy;
	char text[1024];
	uint32_t i;
	int n;

	if (size < 1)
		return 0;
	order = (data[0] & 1) ? UPROC_BIG_ENDIAN : UPROC_LITTLE_ENDIAN;
	/* an exact-size copy so that any overread is caught */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	n = uproc_rsc_table_parse(&t, copy, size - 1, order, "fuzz.rsc", &err);
	if (n < 0) {
		if (strlen(err.msg) < 10)
			abort();
		free(copy);
		return 0;
	}
	for (i = 0; i < t.num; i++) {
		if (uproc_rsc_get(&t, i, &e))
			abort();
		if (e.offset + 4 + (uint64_t)e.avail != t.size)
			abort();
		if (e.kind == UPROC_RSC_VDEV &&
		    (e.u.vdev.num_of_vrings > UPROC_RSC_MAX_VRINGS ||
		     (uint64_t)e.u.vdev.config_offset + e.u.vdev.config_len > t.size))
			abort();
	}
	/* write-back may change overlapping entries: decoding after it may fail */
	for (i = 0; i < t.num; i++) {
		if (uproc_rsc_get(&t, i, &e) || e.kind != UPROC_RSC_VDEV)
			continue;
		for (unsigned int j = 0; j < e.u.vdev.num_of_vrings; j++)
			if (uproc_rsc_write32(copy, t.size, e.u.vdev.vring[j].offset,
					      RPROC_RSC_ADDR_ANY, order))
				abort();
	}
	uproc_rsc_table_dump(&t, text, sizeof(text));
	free(copy);
	return 0;
}
