// SPDX-License-Identifier: MIT
/*
 * test-remoteproc-coredump.c - coredumps read back and parsed as ELF core files
 * (headers, program headers, the note, the memory contents at the crash), the
 * "enabled" / "inline" / "disabled" mechanisms, inline dumps holding recovery until
 * released or timed out, and dumps of ELF32 big-endian firmware.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rproc_test_util.h"

static int setup_with(void **state, bool big_endian32)
{
	struct rproc_fixture *f = calloc(1, sizeof(*f));
	struct uproc_hostmem_config cfg = { .name = "cd", .main = fw_idle_main };
	static uint8_t ram[0x200];
	struct tb t;

	rproc_fixture_open(f, "cd.elf", &cfg);
	if (!big_endian32) {
		tb_init(&t, UPROC_LITTLE_ENDIAN, 3);
		tb_carveout(&t, RPROC_RSC_CARVEOUT, 0x100000, RPROC_RSC_ADDR_ANY, 0x20000, "ram");
		tb_carveout(&t, RPROC_RSC_CARVEOUT, RPROC_RSC_ADDR_ANY, RPROC_RSC_ADDR_ANY, 0x2000, "heap");
		/* inside "ram": dumped once, as part of it */
		tb_carveout(&t, RPROC_RSC_CARVEOUT, 0x118000, RPROC_RSC_ADDR_ANY, 0x1000, "inner");
		assert_int_equal(tfw_simple(f->fw, &t), 0);
	} else {
		struct tfw fw = {
			.cls = UPROC_ELF32, .order = UPROC_BIG_ENDIAN, .machine = 8,
			.entry = 0x100040, .nsegs = 1,
			.seg = { { .da = 0x100000, .data = ram, .filesz = sizeof(ram),
				   .memsz = 0x1000 } },
			.table_da = 0x110000,
		};

		memset(ram, 0xA5, sizeof(ram));
		tb_init(&t, UPROC_BIG_ENDIAN, 1);
		tb_carveout(&t, RPROC_RSC_CARVEOUT, 0x100000, RPROC_RSC_ADDR_ANY, 0x20000, "ram");
		fw.table = t.buf;
		fw.table_size = t.size;
		assert_int_equal(tfw_write(&fw, f->fw), 0);
	}
	assert_int_equal(rproc_add(f->rproc), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_be32(void **state)
{
	return setup_with(state, true);
}

static int teardown(void **state)
{
	struct rproc_fixture *f = *state;

	rproc_fixture_close(f);
	free(f);
	return 0;
}

/* ---- an ELF core reader, independent of the writer ------------------------------------ */

struct core_seg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct core {
	uint8_t *data;
	size_t size;
	bool is64;
	enum uproc_byte_order order;
	uint16_t type, machine, phnum;
	uint64_t entry;
	struct core_seg seg[16];
};

static uint64_t rd(const struct core *c, size_t off, unsigned int width)
{
	assert_true(off + width <= c->size);
	if (width == 2)
		return uproc_get16(c->data + off, c->order);
	if (width == 4)
		return uproc_get32(c->data + off, c->order);
	return uproc_get64(c->data + off, c->order);
}

static void read_core(struct rproc *rproc, struct core *c)
{
	ssize_t size = rproc_coredump_size(rproc);
	size_t phoff, phent;

	assert_true(size > 64);
	c->size = (size_t)size;
	c->data = malloc(c->size + 1);
	/* Read in odd pieces to exercise offsets across the header/segment edges. */
	for (size_t off = 0; off < c->size;) {
		ssize_t n = rproc_coredump_read(rproc, c->data + off, 1000, off);

		assert_true(n > 0);
		off += (size_t)n;
	}
	assert_int_equal(rproc_coredump_read(rproc, c->data, 10, c->size), 0);
	assert_memory_equal(c->data, "\177ELF", 4);
	c->is64 = c->data[4] == 2;
	c->order = c->data[5] == 1 ? UPROC_LITTLE_ENDIAN : UPROC_BIG_ENDIAN;
	assert_int_equal(c->data[6], 1);
	c->type = (uint16_t)rd(c, 16, 2);
	c->machine = (uint16_t)rd(c, 18, 2);
	assert_int_equal(rd(c, 20, 4), 1);
	c->entry = c->is64 ? rd(c, 24, 8) : rd(c, 24, 4);
	phoff = c->is64 ? rd(c, 32, 8) : rd(c, 28, 4);
	phent = c->is64 ? rd(c, 54, 2) : rd(c, 42, 2);
	c->phnum = (uint16_t)(c->is64 ? rd(c, 56, 2) : rd(c, 44, 2));
	assert_int_equal(phent, c->is64 ? 56 : 32);
	assert_true(c->phnum <= 16);
	for (unsigned int i = 0; i < c->phnum; i++) {
		size_t p = phoff + phent * i;
		struct core_seg *s = &c->seg[i];

		s->type = (uint32_t)rd(c, p, 4);
		if (c->is64) {
			s->offset = rd(c, p + 8, 8);
			s->vaddr = rd(c, p + 16, 8);
			s->paddr = rd(c, p + 24, 8);
			s->filesz = rd(c, p + 32, 8);
			s->memsz = rd(c, p + 40, 8);
		} else {
			s->offset = rd(c, p + 4, 4);
			s->vaddr = rd(c, p + 8, 4);
			s->paddr = rd(c, p + 12, 4);
			s->filesz = rd(c, p + 16, 4);
			s->memsz = rd(c, p + 20, 4);
		}
		assert_true(s->offset + s->filesz <= c->size);
	}
}

static const struct core_seg *core_load(const struct core *c, uint64_t da)
{
	for (unsigned int i = 0; i < c->phnum; i++)
		if (c->seg[i].type == 1 && c->seg[i].vaddr == da)
			return &c->seg[i];
	return NULL;
}

static bool is_running(void *arg)
{
	return rproc_get_state(arg) == RPROC_RUNNING && !rproc_is_recovering(arg);
}

static bool is_dump_wait(void *arg)
{
	return rproc_coredump_size(arg) > 0;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_enabled_dump_is_valid_core(void **state)
{
	struct rproc_fixture *f = *state;
	const struct core_seg *ram, *note = NULL;
	struct core c;
	uint8_t *p;
	uint64_t heap_da;

	assert_int_equal(rproc_get_coredump(f->rproc), RPROC_COREDUMP_DISABLED);
	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_ENABLED), 0);
	assert_int_equal(rproc_set_coredump(f->rproc, (enum rproc_dump_mechanism)7), -EINVAL);
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_coredump_size(f->rproc), -ENOENT);

	/* What the remote had in memory when it died. */
	p = rproc_da_to_va(f->rproc, 0x100800, 16, NULL);
	memcpy(p, "crash-marker-123", 16);

	rproc_report_crash(f->rproc, RPROC_MMUFAULT);
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_coredump_count(f->rproc), 1);

	read_core(f->rproc, &c);
	assert_int_equal(c.type, 4);		/* ET_CORE */
	assert_true(c.is64);
	assert_int_equal(c.order, UPROC_LITTLE_ENDIAN);
	assert_int_equal(c.machine, 62);
	assert_int_equal(c.entry, 0x100010);
	/* a note, then the memories: ram, heap */
	assert_int_equal(c.phnum, 3);
	assert_int_equal(c.seg[0].type, 4);
	note = &c.seg[0];
	assert_int_equal(note->filesz, 28);
	assert_int_equal(rd(&c, note->offset, 4), 6);
	assert_int_equal(rd(&c, note->offset + 4, 4), 8);
	assert_int_equal(rd(&c, note->offset + 8, 4), 1);
	assert_string_equal((char *)c.data + note->offset + 12, "UPROC");
	assert_int_equal(rd(&c, note->offset + 24, 4), 1);	/* boot count at the crash */

	ram = core_load(&c, 0x100000);
	assert_non_null(ram);
	assert_int_equal(ram->paddr, 0x100000);
	assert_int_equal(ram->filesz, 0x20000);
	assert_int_equal(ram->memsz, 0x20000);
	assert_memory_equal(c.data + ram->offset + 0x800, "crash-marker-123", 16);
	assert_int_equal(c.data[ram->offset], 1);	/* the loaded image */
	heap_da = c.seg[2].vaddr;
	assert_true(heap_da >= UPROC_HOSTMEM_WINDOW_DA);
	assert_int_equal(c.seg[2].filesz, 0x2000);

	/* Recovery reloaded the firmware: the marker is gone from the live memory. */
	p = rproc_da_to_va(f->rproc, 0x100800, 16, NULL);
	assert_memory_not_equal(p, "crash-marker-123", 16);

	/* The file is the same bytes. */
	char path[300];
	snprintf(path, sizeof(path), "%s/core", f->dir);
	assert_int_equal(rproc_coredump_save(f->rproc, path), 0);
	FILE *fp = fopen(path, "rb");
	uint8_t *file = malloc(c.size + 1);
	assert_int_equal(fread(file, 1, c.size + 1, fp), c.size);
	fclose(fp);
	assert_memory_equal(file, c.data, c.size);
	free(file);
	free(c.data);

	assert_int_equal(rproc_coredump_release(f->rproc), 0);
	assert_int_equal(rproc_coredump_release(f->rproc), -ENOENT);
	assert_int_equal(rproc_coredump_size(f->rproc), -ENOENT);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_disabled_no_dump(void **state)
{
	struct rproc_fixture *f = *state;

	assert_int_equal(rproc_boot(f->rproc), 0);
	rproc_report_crash(f->rproc, RPROC_WATCHDOG);
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_coredump_count(f->rproc), 0);
	assert_int_equal(rproc_coredump_size(f->rproc), -ENOENT);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_inline_blocks_recovery_until_released(void **state)
{
	struct rproc_fixture *f = *state;
	struct core c;
	uint8_t *p;

	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_INLINE), 0);
	assert_int_equal(rproc_boot(f->rproc), 0);
	p = rproc_da_to_va(f->rproc, 0x100100, 4, NULL);
	memcpy(p, "LIVE", 4);
	rproc_report_crash(f->rproc, RPROC_FATAL_ERROR);
	assert_true(pump(f->loop, is_dump_wait, f->rproc, PUMP_WAIT_MS));

	/* Waiting: stopped (offline, as Linux shows it) however long the loop runs. */
	pump_for(f->loop, 150);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	assert_true(rproc_is_recovering(f->rproc));
	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_ENABLED), -EBUSY);
	assert_int_equal(rproc_recover(f->rproc), -EBUSY);

	/* The inline dump reads the remote's memory itself. */
	read_core(f->rproc, &c);
	const struct core_seg *ram = core_load(&c, 0x100000);
	assert_non_null(ram);
	assert_memory_equal(c.data + ram->offset + 0x100, "LIVE", 4);
	free(c.data);

	/* Reading does not release it; releasing lets recovery finish. */
	pump_for(f->loop, 20);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	assert_int_equal(rproc_coredump_release(f->rproc), 0);
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_crash_count(f->rproc), 1);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_inline_timeout(void **state)
{
	struct rproc_fixture *f = *state;

	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_INLINE), 0);
	rproc_set_coredump_timeout(f->rproc, 100);
	assert_int_equal(rproc_boot(f->rproc), 0);
	rproc_report_crash(f->rproc, RPROC_FATAL_ERROR);
	assert_true(pump(f->loop, is_dump_wait, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	/* Nobody reads it: after the timeout the dump is dropped and recovery goes on. */
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_coredump_size(f->rproc), -ENOENT);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_shutdown_while_dump_waits(void **state)
{
	struct rproc_fixture *f = *state;
	struct core c;

	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_INLINE), 0);
	assert_int_equal(rproc_boot(f->rproc), 0);
	rproc_report_crash(f->rproc, RPROC_FATAL_ERROR);
	assert_true(pump(f->loop, is_dump_wait, f->rproc, PUMP_WAIT_MS));
	/* Stopping a crashed processor ends the recovery; the dump outlives its memory. */
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	assert_false(rproc_is_recovering(f->rproc));
	read_core(f->rproc, &c);
	assert_non_null(core_load(&c, 0x100000));
	free(c.data);
	pump_for(f->loop, 20);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	assert_int_equal(rproc_coredump_release(f->rproc), 0);
	/* It boots again afterwards. */
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_custom_segments(void **state)
{
	struct rproc_fixture *f = *state;
	struct core c;

	assert_int_equal(rproc_coredump_add_segment(f->rproc, 0x100000, 0), -EINVAL);
	assert_int_equal(rproc_coredump_add_segment(f->rproc, 0x100100, 0x100), 0);
	assert_int_equal(rproc_coredump_add_segment(f->rproc, 0x700000, 0x100), 0); /* unmapped */
	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_ENABLED), 0);
	rproc_set_recovery(f->rproc, false);
	assert_int_equal(rproc_boot(f->rproc), 0);
	rproc_report_crash(f->rproc, RPROC_FATAL_ERROR);
	pump_for(f->loop, 30);
	/* Recovery disabled: no dump until "recover". */
	assert_int_equal(rproc_coredump_size(f->rproc), -ENOENT);
	assert_int_equal(rproc_recover(f->rproc), 0);
	read_core(f->rproc, &c);
	assert_int_equal(c.phnum, 2);
	assert_int_equal(c.seg[1].vaddr, 0x100100);
	assert_int_equal(c.seg[1].filesz, 0x100);
	assert_int_equal(c.data[c.seg[1].offset], (uint8_t)(0x100 * 7 + 1));
	free(c.data);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_elf32_big_endian_dump(void **state)
{
	struct rproc_fixture *f = *state;
	const struct core_seg *ram;
	struct core c;

	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_ENABLED), 0);
	assert_int_equal(rproc_boot(f->rproc), 0);
	rproc_report_crash(f->rproc, RPROC_FATAL_ERROR);
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	read_core(f->rproc, &c);
	assert_false(c.is64);
	assert_int_equal(c.order, UPROC_BIG_ENDIAN);
	assert_int_equal(c.type, 4);
	assert_int_equal(c.machine, 8);
	assert_int_equal(c.entry, 0x100040);
	/* MIPS32 firmware sees its memories through kseg0: vaddr 0x80000000 + da. */
	assert_null(core_load(&c, 0x100000));
	ram = core_load(&c, 0x80100000);
	assert_non_null(ram);
	assert_int_equal(ram->paddr, 0x100000);
	assert_int_equal(ram->filesz, 0x20000);
	assert_int_equal(c.data[ram->offset + 0x10], 0xA5);
	assert_int_equal(c.data[ram->offset + 0x300], 0);
	free(c.data);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enabled_dump_is_valid_core, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_no_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inline_blocks_recovery_until_released, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_inline_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_while_dump_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_custom_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf32_big_endian_dump, setup_be32, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
