// SPDX-License-Identifier: MIT
/*
 * emu_dev.c - the devices every emulated core has (uproc/emulated.h): the mailbox,
 * which speaks the host's doorbell protocol (uproc/native.h) on the firmware's
 * behalf, and the timer (mtime/mtimecmp at 1 MHz of host time).
 *
 * The host's bits are taken from the control page into PENDING whenever the
 * firmware reads PENDING or IRQ_STATUS and whenever the block hook sees them.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "emu.h"

static uint32_t fold_bits(uint64_t bits)
{
	uint32_t low = (uint32_t)(bits & ((1u << UPROC_EMU_MBOX_HIGH) - 1));
	return low | ((bits >> UPROC_EMU_MBOX_HIGH) ? 1u << UPROC_EMU_MBOX_HIGH : 0);
}

uint64_t emu_us(const struct emu *emu)
{
	return (upi_now_ns() - emu->start_ns) / 1000u;
}

uint64_t emu_dev_deadline(const struct emu *emu)
{
	if (emu->mtimecmp == UINT64_MAX)
		return UINT64_MAX;
	if (emu->mtimecmp > UINT64_MAX / 2000u)
		return UINT64_MAX;
	return emu->start_ns + emu->mtimecmp * 1000u;
}

uint32_t emu_dev_poll(struct emu *emu)
{
	uint32_t lines = 0;

	if (uproc_native_mbox_peek(&emu->ctl->to_core))
		emu->pending |= fold_bits(uproc_native_mbox_take(&emu->ctl->to_core));
	if ((emu->irq_en & 1) && emu->pending)
		lines |= 1u << UPROC_EMU_IRQ_MBOX;
	if (emu->mtimecmp != UINT64_MAX && emu_us(emu) >= emu->mtimecmp)
		lines |= 1u << UPROC_EMU_IRQ_TIMER;
	return lines;
}

static void ring_host(struct emu *emu, uint32_t notifyid)
{
	static const uint64_t one = 1;

	if (uproc_native_mbox_post(&emu->ctl->to_host, notifyid)) {
		uproc_shm_fetch_add64(&emu->ctl->to_host.doorbells, 1, memory_order_relaxed);
		(void)!write(emu->db_out, &one, sizeof(one));
	}
}

static uint64_t mbox_read(uc_engine *uc, uint64_t off, unsigned size, void *arg)
{
	struct emu *emu = arg;
	(void)uc;

	if (size != 4 || (off & 3)) {
		emu_fault_access(emu, UPROC_EMU_END_DEVICE, (uint32_t)(UPROC_EMU_MBOX_DA + off),
				 false);
		return 0;
	}
	switch (off) {
	case UPROC_EMU_MBOX_MAGIC:
		return UPROC_EMU_MBOX_MAGIC_VALUE;
	case UPROC_EMU_MBOX_VERSION:
		return UPROC_EMU_MBOX_VERSION_VALUE;
	case UPROC_EMU_MBOX_PENDING:
		emu_dev_poll(emu);
		return emu->pending;
	case UPROC_EMU_MBOX_IRQ_EN:
		return emu->irq_en;
	case UPROC_EMU_MBOX_HOST_EPOCH:
		return uproc_shm_load32(&emu->ctl->host_epoch, memory_order_acquire);
	case UPROC_EMU_MBOX_NOW_LO: {
		uint64_t ns = upi_now_ns() - emu->start_ns;
		emu->now_hi = (uint32_t)(ns >> 32);
		return (uint32_t)ns;
	}
	case UPROC_EMU_MBOX_NOW_HI:
		return emu->now_hi;
	case UPROC_EMU_MBOX_IRQ_STATUS:
		return emu_dev_poll(emu);
	default:
		return 0;
	}
}

static void mbox_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *arg)
{
	struct emu *emu = arg;
	uint32_t v = (uint32_t)value;
	(void)uc;

	if (size != 4 || (off & 3)) {
		emu_fault_access(emu, UPROC_EMU_END_DEVICE, (uint32_t)(UPROC_EMU_MBOX_DA + off),
				 true);
		return;
	}
	switch (off) {
	case UPROC_EMU_MBOX_NOTIFY:
		ring_host(emu, v);
		break;
	case UPROC_EMU_MBOX_ACK:
		emu->pending &= ~v;
		break;
	case UPROC_EMU_MBOX_IRQ_EN:
		emu->irq_en = v & 1;
		emu->attention = 1; /* the line may be asserted now */
		break;
	case UPROC_EMU_MBOX_HEARTBEAT:
		uproc_shm_fetch_add64(&emu->ctl->heartbeat, 1, memory_order_relaxed);
		break;
	case UPROC_EMU_MBOX_EXIT:
		emu->exit_code = (int)(v & 0xff);
		emu->stop = EMU_STOP_EXIT;
		uc_emu_stop(emu->uc);
		break;
	default:
		break;
	}
}

static uint64_t timer_read(uc_engine *uc, uint64_t off, unsigned size, void *arg)
{
	struct emu *emu = arg;
	(void)uc;

	if (size != 4 || (off & 3)) {
		emu_fault_access(emu, UPROC_EMU_END_DEVICE, (uint32_t)(UPROC_EMU_TIMER_DA + off),
				 false);
		return 0;
	}
	switch (off) {
	case UPROC_EMU_TIMER_MTIMECMP_LO:
		return (uint32_t)emu->mtimecmp;
	case UPROC_EMU_TIMER_MTIMECMP_HI:
		return (uint32_t)(emu->mtimecmp >> 32);
	case UPROC_EMU_TIMER_MTIME_LO: {
		uint64_t us = emu_us(emu);
		emu->mtime_hi = (uint32_t)(us >> 32);
		return (uint32_t)us;
	}
	case UPROC_EMU_TIMER_MTIME_HI:
		return emu->mtime_hi;
	default:
		return 0;
	}
}

static void timer_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *arg)
{
	struct emu *emu = arg;
	uint32_t v = (uint32_t)value;
	(void)uc;

	if (size != 4 || (off & 3)) {
		emu_fault_access(emu, UPROC_EMU_END_DEVICE, (uint32_t)(UPROC_EMU_TIMER_DA + off),
				 true);
		return;
	}
	switch (off) {
	case UPROC_EMU_TIMER_MTIMECMP_LO:
		emu->mtimecmp = (emu->mtimecmp & ~0xffffffffull) | v;
		break;
	case UPROC_EMU_TIMER_MTIMECMP_HI:
		emu->mtimecmp = (emu->mtimecmp & 0xffffffffull) | (uint64_t)v << 32;
		break;
	default:
		return;
	}
	emu->attention = 1;
	emu_arm_alarm(emu, emu_dev_deadline(emu));
}

int emu_dev_map(struct emu *emu)
{
	uc_err e;

	emu->mtimecmp = UINT64_MAX;
	e = uc_mmio_map(emu->uc, UPROC_EMU_MBOX_DA, UPROC_EMU_MBOX_SIZE, mbox_read, emu,
			mbox_write, emu);
	if (e == UC_ERR_OK)
		e = uc_mmio_map(emu->uc, UPROC_EMU_TIMER_DA, UPROC_EMU_TIMER_SIZE, timer_read, emu,
				timer_write, emu);
	return (int)e;
}
