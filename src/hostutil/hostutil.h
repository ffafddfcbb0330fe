/* SPDX-License-Identifier: MIT */
/*
 * hostutil.h - helpers shared by uproc's host libraries and programs, each
 * written once: a monotonic clock, mkdir -p, the page granularity of the memory
 * uproc gives a remote, and the default runtime directory.
 *
 * Internal to the project (not installed): names carry the upi_ prefix.
 */
#ifndef UPROC_HOSTUTIL_H
#define UPROC_HOSTUTIL_H

#include <stdint.h>
#include <sys/types.h>

/*
 * UPI_PAGE_SIZE - the granularity of every memory region the host allocates,
 * maps or shares with a remote (carveouts, vrings, buffer areas, the native
 * core's fixed mappings). A constant, not sysconf(): region layouts must not
 * change with the machine.
 */
#define UPI_PAGE_SIZE 4096u

/* upi_page_align() - @n rounded up to UPI_PAGE_SIZE (no overflow check: callers bound @n). */
static inline uint64_t upi_page_align(uint64_t n)
{
	return (n + UPI_PAGE_SIZE - 1) & ~(uint64_t)(UPI_PAGE_SIZE - 1);
}

/*
 * UPI_RUNTIME_DIR_DEFAULT - uproc's runtime directory when none is configured:
 * uprocd's, and the parent of the native cores' registry, so that every host on
 * the machine (the daemon, `uproc run`, a library user) finds the same cores.
 */
#define UPI_RUNTIME_DIR_DEFAULT "/run/uprocd"

/* upi_now_ns() - CLOCK_MONOTONIC in nanoseconds. */
uint64_t upi_now_ns(void);

/* upi_now_ms() - CLOCK_MONOTONIC in milliseconds. */
static inline uint64_t upi_now_ms(void)
{
	return upi_now_ns() / 1000000u;
}

/*
 * upi_mkdir_p() - create @path and any missing parents (parents 0755, @path
 * itself @mode; existing directories are left as they are).
 * Returns 0, -ENAMETOOLONG, or the -errno of the mkdir that failed.
 */
int upi_mkdir_p(const char *path, mode_t mode);

/*
 * UPI_ON_LOOP_THREAD() - the loop-affinity check at an entry point: in builds
 * without NDEBUG, an entry point of something that belongs to @loop called off
 * @loop's thread aborts, naming the function and @object; with NDEBUG it costs
 * nothing. A NULL @loop is not checked (nothing to compare with). The file that
 * uses it includes uproc/loop.h.
 */
#ifdef NDEBUG
#define UPI_ON_LOOP_THREAD(loop, object) ((void)0)
#else
#define UPI_ON_LOOP_THREAD(loop, object)                                                   \
	do {                                                                               \
		const struct uproc_loop *upi_loop_ = (loop);                               \
		if (upi_loop_ && !uproc_loop_on_thread(upi_loop_))                         \
			upi_loop_affinity_fail(__func__, (object));                        \
	} while (0)
#endif

/* upi_loop_affinity_fail() - report an entry point called off its loop thread; aborts. */
void upi_loop_affinity_fail(const char *function, const char *object) __attribute__((noreturn));

#endif /* UPROC_HOSTUTIL_H */
