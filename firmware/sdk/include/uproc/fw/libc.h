/* SPDX-License-Identifier: MIT */
/*
 * uproc/fw/libc.h - the few C library functions a firmware gets from the SDK
 * (src/libc.c). The compiler also emits calls to memcpy/memset/memmove/memcmp for
 * struct copies and large initialisers; these definitions satisfy them.
 */
#ifndef UPROC_FW_LIBC_H
#define UPROC_FW_LIBC_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif /* UPROC_FW_LIBC_H */
