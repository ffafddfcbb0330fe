/* SPDX-License-Identifier: MIT */
/*
 * uproc/shm.h - the shared-memory accessor module.
 *
 * Everything uproc reads from or writes to memory that an untrusted peer can also
 * touch (vrings, rpmsg buffers, resource tables, trace buffers) goes through here.
 * This header owns:
 *   - byte order: wire fields in a chosen order (legacy virtio = the host's own,
 *     resource tables = the firmware's), converted on every access;
 *   - single reads: each peer-written field is loaded once into a local with a
 *     relaxed atomic load (no tearing, no re-fetch), and only the local is used;
 *   - ordering: acquire/release loads, stores and fences, C11 <stdatomic.h>;
 *   - bounds: overflow-safe range checks of (offset, length) against a region and
 *     device-address translation.
 *
 * Freestanding: it needs only <stdint.h>, <stddef.h>, <stdbool.h>, <stdatomic.h>,
 * so it compiles into firmware as well as into the host.
 *
 * Barrier pairing convention: a writer publishes data with uproc_shm_store_release*()
 * (or uproc_shm_fence_release() before a relaxed store) of an index; the reader
 * reads that index with uproc_shm_load_acquire*() (or a relaxed load followed by
 * uproc_shm_fence_acquire()) before it touches the data. Call sites name the
 * pairing in a comment.
 */
#ifndef UPROC_SHM_H
#define UPROC_SHM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- byte order -------------------------------------------------------------- */

/** enum uproc_byte_order - the order of multi-byte fields on the wire. */
enum uproc_byte_order {
	UPROC_LITTLE_ENDIAN = 0,
	UPROC_BIG_ENDIAN = 1,
};

/** uproc_host_byte_order() - the byte order of the CPU running this code. */
static inline enum uproc_byte_order uproc_host_byte_order(void)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return UPROC_BIG_ENDIAN;
#else
	return UPROC_LITTLE_ENDIAN;
#endif
}

/*
 * Byte swaps written as shifts: compilers turn them into the CPU's swap instruction
 * where it has one, and never into a libgcc call (__bswapsi2 on RV32IMAC), which
 * freestanding firmware may not have.
 */
static inline uint16_t uproc_swap16(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

static inline uint32_t uproc_swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v & 0xFF00u) << 8) | (v << 24);
}

static inline uint64_t uproc_swap64(uint64_t v)
{
	return (uint64_t)uproc_swap32((uint32_t)v) << 32 | uproc_swap32((uint32_t)(v >> 32));
}

/*
 * uproc_order16/32/64() - convert between the host's order and @order. The same
 * call converts in both directions (a swap is its own inverse).
 */
static inline uint16_t uproc_order16(uint16_t v, enum uproc_byte_order order)
{
	return order == uproc_host_byte_order() ? v : uproc_swap16(v);
}

static inline uint32_t uproc_order32(uint32_t v, enum uproc_byte_order order)
{
	return order == uproc_host_byte_order() ? v : uproc_swap32(v);
}

static inline uint64_t uproc_order64(uint64_t v, enum uproc_byte_order order)
{
	return order == uproc_host_byte_order() ? v : uproc_swap64(v);
}

/*
 * uproc_get16/32/64() - read a field of @order from possibly unaligned bytes.
 * For parsing file images (ELF, resource tables): plain memory, no concurrency.
 */
static inline uint16_t uproc_get16(const void *p, enum uproc_byte_order order)
{
	uint16_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return uproc_order16(v, order);
}

static inline uint32_t uproc_get32(const void *p, enum uproc_byte_order order)
{
	uint32_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return uproc_order32(v, order);
}

static inline uint64_t uproc_get64(const void *p, enum uproc_byte_order order)
{
	uint64_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return uproc_order64(v, order);
}

/* uproc_put16/32/64() - write a field of @order to possibly unaligned bytes. */
static inline void uproc_put16(void *p, uint16_t v, enum uproc_byte_order order)
{
	v = uproc_order16(v, order);
	__builtin_memcpy(p, &v, sizeof(v));
}

static inline void uproc_put32(void *p, uint32_t v, enum uproc_byte_order order)
{
	v = uproc_order32(v, order);
	__builtin_memcpy(p, &v, sizeof(v));
}

static inline void uproc_put64(void *p, uint64_t v, enum uproc_byte_order order)
{
	v = uproc_order64(v, order);
	__builtin_memcpy(p, &v, sizeof(v));
}

/* ---- single, ordered accesses to aligned shared fields ------------------------ */

/*
 * uproc_shm_read16/32/64() - load a naturally aligned field the peer may write,
 * exactly once (relaxed atomic: no tearing, the compiler cannot re-read it).
 * Returns the raw wire value; convert with uproc_order*() where the order differs.
 */
static inline uint16_t uproc_shm_read16(const void *p)
{
	return atomic_load_explicit((const _Atomic uint16_t *)p, memory_order_relaxed);
}

static inline uint32_t uproc_shm_read32(const void *p)
{
	return atomic_load_explicit((const _Atomic uint32_t *)p, memory_order_relaxed);
}

static inline uint64_t uproc_shm_read64(const void *p)
{
	return atomic_load_explicit((const _Atomic uint64_t *)p, memory_order_relaxed);
}

/* uproc_shm_write16/32/64() - store a naturally aligned shared field once (relaxed). */
static inline void uproc_shm_write16(void *p, uint16_t v)
{
	atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_relaxed);
}

static inline void uproc_shm_write32(void *p, uint32_t v)
{
	atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_relaxed);
}

static inline void uproc_shm_write64(void *p, uint64_t v)
{
	atomic_store_explicit((_Atomic uint64_t *)p, v, memory_order_relaxed);
}

/*
 * uproc_shm_read16_swap()/32_swap(), uproc_shm_write16_swap()/32_swap() - the
 * single accesses above for a field whose byte order is not the host's when
 * @swap is true (the device's order, decided once at negotiation): the value
 * returned or written is in the host's order.
 */
static inline uint16_t uproc_shm_read16_swap(const void *p, bool swap)
{
	uint16_t v = uproc_shm_read16(p);
	return swap ? uproc_swap16(v) : v;
}

static inline uint32_t uproc_shm_read32_swap(const void *p, bool swap)
{
	uint32_t v = uproc_shm_read32(p);
	return swap ? uproc_swap32(v) : v;
}

static inline void uproc_shm_write16_swap(void *p, uint16_t v, bool swap)
{
	uproc_shm_write16(p, swap ? uproc_swap16(v) : v);
}

static inline void uproc_shm_write32_swap(void *p, uint32_t v, bool swap)
{
	uproc_shm_write32(p, swap ? uproc_swap32(v) : v);
}

/*
 * uproc_shm_load_acquire16() - load a published index: everything the peer wrote
 * before its paired uproc_shm_store_release16() is visible after this returns.
 */
static inline uint16_t uproc_shm_load_acquire16(const void *p)
{
	return atomic_load_explicit((const _Atomic uint16_t *)p, memory_order_acquire);
}

/*
 * uproc_shm_store_release16() - publish an index: every earlier write (descriptors,
 * ring entries, buffer contents) is visible to a peer that acquires this index.
 */
static inline void uproc_shm_store_release16(void *p, uint16_t v)
{
	atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_release);
}

static inline uint32_t uproc_shm_load_acquire32(const void *p)
{
	return atomic_load_explicit((const _Atomic uint32_t *)p, memory_order_acquire);
}

static inline void uproc_shm_store_release32(void *p, uint32_t v)
{
	atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_release);
}

/*
 * Single accesses with an explicit memory order, for shared fields that are not
 * ring indices: control-page words, mailboxes, status bytes, counters. @mo is a
 * C11 memory_order; call sites name what the order pairs with.
 */
static inline uint8_t uproc_shm_load8(const void *p, memory_order mo)
{
	return atomic_load_explicit((const _Atomic uint8_t *)p, mo);
}

static inline void uproc_shm_store8(void *p, uint8_t v, memory_order mo)
{
	atomic_store_explicit((_Atomic uint8_t *)p, v, mo);
}

static inline uint32_t uproc_shm_load32(const void *p, memory_order mo)
{
	return atomic_load_explicit((const _Atomic uint32_t *)p, mo);
}

static inline void uproc_shm_store32(void *p, uint32_t v, memory_order mo)
{
	atomic_store_explicit((_Atomic uint32_t *)p, v, mo);
}

static inline uint64_t uproc_shm_load64(const void *p, memory_order mo)
{
	return atomic_load_explicit((const _Atomic uint64_t *)p, mo);
}

/* uproc_shm_fetch_add32/64(), _fetch_or64(), _exchange64(): read-modify-write; return the old value. */
static inline uint32_t uproc_shm_fetch_add32(void *p, uint32_t v, memory_order mo)
{
	return atomic_fetch_add_explicit((_Atomic uint32_t *)p, v, mo);
}

static inline uint64_t uproc_shm_fetch_add64(void *p, uint64_t v, memory_order mo)
{
	return atomic_fetch_add_explicit((_Atomic uint64_t *)p, v, mo);
}

static inline uint64_t uproc_shm_fetch_or64(void *p, uint64_t v, memory_order mo)
{
	return atomic_fetch_or_explicit((_Atomic uint64_t *)p, v, mo);
}

static inline uint64_t uproc_shm_exchange64(void *p, uint64_t v, memory_order mo)
{
	return atomic_exchange_explicit((_Atomic uint64_t *)p, v, mo);
}

/*
 * uproc_shm_read_bytes() - copy @len bytes the peer may be writing into the local
 * @dst, each byte read once (relaxed). For records the host only reports (a crash
 * record, a trace buffer): validate the copy, never the shared original.
 */
static inline void uproc_shm_read_bytes(void *dst, const void *src, size_t len)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src;
	for (size_t i = 0; i < len; i++)
		d[i] = uproc_shm_load8(s + i, memory_order_relaxed);
}

/* uproc_shm_fence_acquire() - later loads are not hoisted above earlier loads. */
static inline void uproc_shm_fence_acquire(void)
{
	atomic_thread_fence(memory_order_acquire);
}

/* uproc_shm_fence_release() - earlier stores are visible before later stores. */
static inline void uproc_shm_fence_release(void)
{
	atomic_thread_fence(memory_order_release);
}

/*
 * uproc_shm_fence_full() - a store before it is visible before a load after it.
 * Needed where a side publishes an index and then reads the peer's event index
 * (virtio's EVENT_IDX, "should I kick?"): the store-load order of Dekker's pattern.
 */
static inline void uproc_shm_fence_full(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_THREAD__)
	/*
	 * On x86-64 a locked read-modify-write orders every earlier store before every
	 * later load, as MFENCE does, at a fraction of its cost (MFENCE also waits for
	 * weakly ordered accesses nobody makes here); Linux's smp_mb() is the same
	 * instruction. It adds 0 to a word below the stack pointer (the red zone: no
	 * value changes, no dependency on the word a following return reads); the
	 * "memory" clobber keeps the compiler's order too. ThreadSanitizer builds keep
	 * the C11 fence, which it models.
	 */
	__asm__ volatile("lock orl $0, -4(%%rsp)" ::: "memory", "cc");
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* ---- regions: bounds and device-address translation --------------------------- */

/**
 * struct uproc_shm - a window onto memory shared with a peer.
 * @base: where this side has it mapped (public, read-only after init)
 * @da:   the device address the peer sees at @base
 * @size: length in bytes
 */
struct uproc_shm {
	uint8_t *base;
	uint64_t da;
	uint64_t size;
};

/** uproc_shm_init() - describe @size bytes mapped at @base, seen by the peer at @da. */
static inline void uproc_shm_init(struct uproc_shm *shm, void *base, uint64_t da, uint64_t size)
{
	shm->base = (uint8_t *)base;
	shm->da = da;
	shm->size = size;
}

/*
 * uproc_range_ok() - true when [off, off + len) lies within [0, size), computed
 * without overflow for any 64-bit inputs.
 */
static inline bool uproc_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/*
 * uproc_shm_ptr() - a pointer to @len bytes at offset @off of @shm.
 * Returns NULL when the range is not wholly inside the region.
 */
static inline void *uproc_shm_ptr(const struct uproc_shm *shm, uint64_t off, uint64_t len)
{
	if (!uproc_range_ok(off, len, shm->size))
		return NULL;
	return shm->base + off;
}

/*
 * uproc_shm_da_to_ptr() - translate device address @da of an object of @len
 * bytes into this side's pointer. Returns NULL unless [da, da + len) lies wholly
 * inside the region. This is the only way a peer-supplied address becomes a pointer.
 */
static inline void *uproc_shm_da_to_ptr(const struct uproc_shm *shm, uint64_t da, uint64_t len)
{
	if (da < shm->da)
		return NULL;
	return uproc_shm_ptr(shm, da - shm->da, len);
}

/*
 * uproc_shm_ptr_to_da() - the device address of @p, which must lie inside @shm.
 * Returns UINT64_MAX when it does not.
 */
static inline uint64_t uproc_shm_ptr_to_da(const struct uproc_shm *shm, const void *p)
{
	const uint8_t *b = (const uint8_t *)p;
	if (b < shm->base || (uint64_t)(b - shm->base) >= shm->size)
		return UINT64_MAX;
	return shm->da + (uint64_t)(b - shm->base);
}

#endif /* UPROC_SHM_H */
