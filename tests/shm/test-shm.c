// SPDX-License-Identifier: MIT
/* test-shm.c - the shared-memory accessors: byte order, bounds, address translation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "uproc/shm.h"

static void test_byte_order_round_trips(void **state)
{
	uint8_t b[8];
	uproc_put32(b, 0x11223344u, UPROC_BIG_ENDIAN);
	assert_int_equal(b[0], 0x11);
	assert_int_equal(b[3], 0x44);
	assert_int_equal(uproc_get32(b, UPROC_BIG_ENDIAN), 0x11223344u);
	assert_int_equal(uproc_get32(b, UPROC_LITTLE_ENDIAN), 0x44332211u);
	uproc_put16(b + 1, 0xabcd, UPROC_LITTLE_ENDIAN);	/* unaligned */
	assert_int_equal(b[1], 0xcd);
	assert_int_equal(uproc_get16(b + 1, UPROC_LITTLE_ENDIAN), 0xabcd);
	uproc_put64(b, 0x0102030405060708ull, UPROC_BIG_ENDIAN);
	assert_int_equal(b[7], 0x08);
	assert_true(uproc_get64(b, UPROC_BIG_ENDIAN) == 0x0102030405060708ull);
	assert_int_equal(uproc_order32(0x01020304u, uproc_host_byte_order()), 0x01020304u);
}

static void test_range_ok_is_overflow_safe(void **state)
{
	assert_true(uproc_range_ok(0, 16, 16));
	assert_true(uproc_range_ok(16, 0, 16));
	assert_false(uproc_range_ok(17, 0, 16));
	assert_false(uproc_range_ok(8, 9, 16));
	assert_false(uproc_range_ok(8, UINT64_MAX, 16));
	assert_false(uproc_range_ok(UINT64_MAX, 2, UINT64_MAX));
	assert_true(uproc_range_ok(UINT64_MAX - 1, 1, UINT64_MAX));
}

static void test_da_translation_stays_inside(void **state)
{
	uint8_t mem[64];
	struct uproc_shm shm;
	uproc_shm_init(&shm, mem, 0x100000, sizeof(mem));
	assert_ptr_equal(uproc_shm_da_to_ptr(&shm, 0x100000, 64), mem);
	assert_ptr_equal(uproc_shm_da_to_ptr(&shm, 0x100010, 16), mem + 16);
	assert_null(uproc_shm_da_to_ptr(&shm, 0x0fffff, 1));
	assert_null(uproc_shm_da_to_ptr(&shm, 0x100030, 17));
	assert_null(uproc_shm_da_to_ptr(&shm, 0x100040, 1));
	assert_null(uproc_shm_da_to_ptr(&shm, UINT64_MAX, 2));
	assert_true(uproc_shm_ptr_to_da(&shm, mem + 5) == 0x100005);
	assert_true(uproc_shm_ptr_to_da(&shm, mem + 64) == UINT64_MAX);
	assert_null(uproc_shm_ptr(&shm, 60, 5));
}

static void test_single_reads_and_ordered_stores(void **state)
{
	_Alignas(8) uint8_t slot[8] = { 0 };
	uproc_shm_store_release16(slot, 0x1234);
	assert_int_equal(uproc_shm_load_acquire16(slot), 0x1234);
	uproc_shm_write32(slot, 0xdeadbeef);
	assert_int_equal(uproc_shm_read32(slot), 0xdeadbeef);
	uproc_shm_write64(slot, 42);
	uproc_shm_fence_full();
	assert_true(uproc_shm_read64(slot) == 42);
	uproc_shm_store_release32(slot, 7);
	assert_int_equal(uproc_shm_load_acquire32(slot), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_order_round_trips),
		cmocka_unit_test(test_range_ok_is_overflow_safe),
		cmocka_unit_test(test_da_translation_stays_inside),
		cmocka_unit_test(test_single_reads_and_ordered_stores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
