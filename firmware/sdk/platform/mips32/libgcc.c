// SPDX-License-Identifier: MIT
/*
 * libgcc.c - the 64-bit division helpers gcc calls on MIPS32. Debian's MIPS
 * libgcc is built for Linux (PIC, abicalls, hard float) and does not link into a
 * freestanding kseg0 image, so the SDK carries its own: binary long division,
 * at most 64 rounds.
 */
#include <stdint.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

static uint64_t udivmod(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;

	if (d == 0) {
		/* As the hardware divide would: the firmware's bug, not a trap. */
		*rem = n;
		return UINT64_MAX;
	}
	if ((d >> 32) == 0 && (n >> 32) == 0) {
		*rem = (uint32_t)n % (uint32_t)d;
		return (uint32_t)n / (uint32_t)d;
	}
	for (int i = 63; i >= 0; i--) {
		r = r << 1 | ((n >> i) & 1u);
		if (r >= d) {
			r -= d;
			q |= (uint64_t)1 << i;
		}
	}
	*rem = r;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	return udivmod(n, d, &r);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	(void)udivmod(n, d, &r);
	return r;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t r, q = udivmod(magnitude(n), magnitude(d), &r);

	return (int64_t)(((n < 0) != (d < 0)) ? 0 - q : q);
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;

	(void)udivmod(magnitude(n), magnitude(d), &r);
	return (int64_t)(n < 0 ? 0 - r : r);
}
