/* SPDX-License-Identifier: MIT */
/* core_test_fw.h - commands of the native core's test firmware (mailbox bits). */
#ifndef CORE_TEST_FW_H
#define CORE_TEST_FW_H

enum core_test_cmd {
	CORE_TEST_PING = 0,    /* answer with a kick of bit 0, trace "ping N" */
	CORE_TEST_FAULT = 1,   /* store to CORE_TEST_FAULT_ADDR: SIGSEGV */
	CORE_TEST_SYSCALL = 2, /* getpid(): SIGSYS */
	CORE_TEST_ILLEGAL = 3, /* ud2: SIGILL */
	CORE_TEST_HANG = 4,    /* spin forever */
	CORE_TEST_EXIT = 5,    /* exit_group(CORE_TEST_EXIT_CODE) */
	CORE_TEST_BAD_FD = 6,  /* close(0): SIGSYS */
	CORE_TEST_DIVIDE = 7,  /* 1 / 0: SIGFPE */
	CORE_TEST_TIME = 8,    /* trace "now NS", answer with a kick of bit 8 */
	CORE_TEST_ALLOC = 9,   /* exercise the SDK's allocator: trace "alloc ok" or
				  "alloc fail N", answer with a kick of bit 9 */
};

#define CORE_TEST_FAULT_ADDR 0x8u
#define CORE_TEST_EXIT_CODE 42

#endif /* CORE_TEST_FW_H */
