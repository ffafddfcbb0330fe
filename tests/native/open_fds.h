/* SPDX-License-Identifier: MIT */
/*
 * open_fds.h - how many file descriptors this process has open, for the tests that
 * check that many start/stop cycles leak none.
 */
#ifndef UPROC_TEST_OPEN_FDS_H
#define UPROC_TEST_OPEN_FDS_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/*
 * count_open_fds() - the entries of /proc/self/fd (the directory's own descriptor
 * and "." and ".." included): only a comparison of two counts means anything.
 */
static inline int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#endif /* UPROC_TEST_OPEN_FDS_H */
