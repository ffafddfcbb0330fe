/* SPDX-License-Identifier: MIT */
/*
 * uproc/errno.h - the one error convention of every uproc layer.
 *
 * Every function returns 0 or a count on success and a negative errno on failure.
 * Hosted builds use the C library's values; freestanding builds (firmware) get
 * Linux's numbers, so an error code means the same on both sides of a ring.
 */
#ifndef UPROC_ERRNO_H
#define UPROC_ERRNO_H

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
#include <errno.h>
#else
#ifndef EPERM
#define EPERM 1
#endif
#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef EINTR
#define EINTR 4
#endif
#ifndef EIO
#define EIO 5
#endif
#ifndef ENXIO
#define ENXIO 6
#endif
#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef ENOEXEC
#define ENOEXEC 8
#endif
#ifndef EAGAIN
#define EAGAIN 11
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef ENODEV
#define ENODEV 19
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif
#ifndef EPIPE
#define EPIPE 32
#endif
#ifndef ERANGE
#define ERANGE 34
#endif
#ifndef ENOSYS
#define ENOSYS 38
#endif
#ifndef EBADMSG
#define EBADMSG 74
#endif
#ifndef EOVERFLOW
#define EOVERFLOW 75
#endif
#ifndef EMSGSIZE
#define EMSGSIZE 90
#endif
#ifndef EPROTO
#define EPROTO 71
#endif
#ifndef ENOTSUP
#define ENOTSUP 95
#endif
#ifndef EADDRINUSE
#define EADDRINUSE 98
#endif
#ifndef ENOBUFS
#define ENOBUFS 105
#endif
#ifndef ESHUTDOWN
#define ESHUTDOWN 108
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT 110
#endif
#ifndef ECANCELED
#define ECANCELED 125
#endif
#endif /* !hosted */

#endif /* UPROC_ERRNO_H */
