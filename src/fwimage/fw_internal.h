/* SPDX-License-Identifier: MIT */
/*
 * fw_internal.h - helpers shared by the firmware-image sources (not installed).
 */
#ifndef UPROC_FW_INTERNAL_H
#define UPROC_FW_INTERNAL_H

#include "uproc/errno.h"
#include "uproc/fwimage.h"

/* The name shown in messages when the caller gave none. */
#define FW_DEFAULT_NAME "firmware"

/*
 * upi_fw_fail() - write "NAME: " and the formatted reason into @err (when non-NULL).
 * Always returns -EINVAL so a check can read "return upi_fw_fail(...)".
 */
int upi_fw_fail(struct uproc_fw_error *err, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* upi_fw_fail_errno() - the same with an explicit negative errno as the result. */
int upi_fw_fail_errno(int ret, struct uproc_fw_error *err, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* fw_is_pow2() - true for 1, 2, 4, ... (false for 0). */
static inline int fw_is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

#endif /* UPROC_FW_INTERNAL_H */
