/* SPDX-License-Identifier: MIT */
/* image_blob.S - BENCH_BLOB_SIZE bytes of read-only data for image_fw.c. */
	.section .rodata.bench_blob, "a", @progbits
	.globl bench_blob
	.globl bench_blob_last
	.balign 4096
bench_blob:
	.fill BENCH_BLOB_SIZE - 1, 1, 0x5a
bench_blob_last:
	.byte 0xa5
	.section .note.GNU-stack, "", @progbits
