// SPDX-License-Identifier: MIT
/*
 * fw_error.c - formatting of the firmware-image error messages.
 */
#include <stdarg.h>
#include <stdio.h>

#include "fw_internal.h"

static void fw_vformat(struct uproc_fw_error *err, const char *name, const char *fmt,
		       va_list ap)
{
	int n;

	if (!err)
		return;
	n = snprintf(err->msg, sizeof(err->msg), "%s: ", name ? name : FW_DEFAULT_NAME);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return;
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
}

int upi_fw_fail(struct uproc_fw_error *err, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fw_vformat(err, name, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int upi_fw_fail_errno(int ret, struct uproc_fw_error *err, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fw_vformat(err, name, fmt, ap);
	va_end(ap);
	return ret;
}
