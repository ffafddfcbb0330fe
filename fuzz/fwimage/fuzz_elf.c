// SPDX-License-Identifier: MIT
/*
 * fuzz_elf.c - libFuzzer target: uproc_fw_parse() on any bytes, then everything
 * a loader does with an accepted image (segments, entries, dump, write-back on
 * a cached copy of the table). Must never crash, hang or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uproc/fwimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise_table(const struct uproc_rsc_table *t)
{
	struct uproc_rsc_table cached;
	struct uproc_rsc_entry e;
	char text[512];
	uint8_t *copy;
	uint32_t i;

	uproc_rsc_table_dump(t, text, sizeof(text));
	copy = malloc(t->size);
	if (!copy)
		return;
	memcpy(copy, t->data, t->size);
	if (uproc_rsc_table_parse(&cached, copy, t->size, t->order, NULL, NULL) < 0)
		abort();	/* the same bytes must parse the same way */
	/* every entry of an accepted table decodes */
	for (i = 0; i < cached.num && i < 64; i++)
		if (uproc_rsc_get(&cached, i, &e))
			abort();
	/*
	 * Write back as the core does. Entries may overlap (Linux allows it), so a
	 * write can change a later entry: decoding afterwards may fail, never overread.
	 */
	for (i = 0; i < cached.num && i < 64; i++) {
		if (uproc_rsc_get(&cached, i, &e) || e.kind != UPROC_RSC_VDEV ||
		    !e.u.vdev.num_of_vrings)
			continue;
		if (uproc_rsc_write32(copy, t->size, e.u.vdev.vring[0].offset, 0x1000, t->order) ||
		    uproc_rsc_write8(copy, t->size, e.offset + 4 + 20, 7))
			abort();
	}
	uproc_rsc_table_dump(&cached, text, sizeof(text));
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	struct uproc_fw_segment s;
	unsigned int i;

	if (uproc_fw_parse(&img, data, size, "fuzz.elf", 0, &err) != 0) {
		if (strlen(err.msg) < 10)
			abort();	/* every refusal says why */
		return 0;
	}
	for (i = 0; i < img.phnum; i++)
		if (uproc_fw_get_segment(&img, i, &s) == 1 &&
		    (s.filesz > s.memsz || s.offset + s.filesz > size))
			abort();
	if (img.has_rsc_table)
		exercise_table(&img.rsc);
	return 0;
}
