/* SPDX-License-Identifier: MIT */
/* emu_regs.h - device registers of the emulated cores (until uproc/emulated.h). */
#ifndef UPROC_FW_EMU_REGS_H
#define UPROC_FW_EMU_REGS_H

#define UPROC_EMU_MBOX_BASE 0x000F0000u
#define UPROC_EMU_TIMER_BASE 0x000F1000u
#define UPROC_EMU_MBOX_MAGIC 0x00u
#define UPROC_EMU_MBOX_VERSION 0x04u
#define UPROC_EMU_MBOX_NOTIFY 0x08u
#define UPROC_EMU_MBOX_PENDING 0x0Cu
#define UPROC_EMU_MBOX_ACK 0x10u
#define UPROC_EMU_MBOX_IRQ_EN 0x14u
#define UPROC_EMU_MBOX_HEARTBEAT 0x18u
#define UPROC_EMU_MBOX_HOST_EPOCH 0x1Cu
#define UPROC_EMU_MBOX_NOW_LO 0x20u
#define UPROC_EMU_MBOX_NOW_HI 0x24u
#define UPROC_EMU_MBOX_EXIT 0x28u
#define UPROC_EMU_MBOX_MAGIC_VALUE 0x424D5055u

#define UPROC_EMU_CM_MAILBOX_IRQ 0u
#define UPROC_EMU_CM_SYSTICK_HZ 1000000u
#define UPROC_EMU_RV_MTIMECMP 0x0u
#define UPROC_EMU_RV_MTIME 0x8u
#define UPROC_EMU_MIPS_COUNT_HZ 1000000u

#if defined(__mips__)
#define UPROC_EMU_DEVICE_VA(da) (0xA0000000u | (da))
#else
#define UPROC_EMU_DEVICE_VA(da) (da)
#endif

#endif
