// SPDX-License-Identifier: MIT
/*
 * remoteproc_attr.c - the processor's attributes (Linux's sysfs and debugfs
 * semantics): state, name, firmware and its search path, recovery, coredump,
 * auto-boot, counters, logging, and what backends read of the loaded firmware.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "remoteproc_internal.h"

/* ---- attributes --------------------------------------------------------------------- */

enum rproc_state rproc_get_state(struct rproc *rproc)
{
	enum rproc_state s;

	UPI_RPROC_ON_LOOP(rproc);
	s = rproc->state;
	/* Linux has stopped the processor (state offline) before it waits for an
	 * inline dump to be read; uproc keeps it crashed inside, and shows what
	 * Linux shows. */
	if (s == RPROC_CRASHED && rproc->recovery == RPROC_RECOVERY_DUMP_WAIT)
		s = RPROC_OFFLINE;
	return s;
}

const char *rproc_state_string(enum rproc_state state)
{
	static const char *const names[] = {
		[RPROC_OFFLINE] = "offline",	[RPROC_SUSPENDED] = "suspended",
		[RPROC_RUNNING] = "running",	[RPROC_CRASHED] = "crashed",
		[RPROC_DELETED] = "deleted",	[RPROC_ATTACHED] = "attached",
		[RPROC_DETACHED] = "detached",
	};

	if ((unsigned int)state < RPROC_LAST)
		return names[state];
	return "invalid";
}

const char *rproc_get_name(struct rproc *rproc)
{
	return rproc->name;
}

size_t rproc_get_firmware(struct rproc *rproc, char *buf, size_t len)
{
	size_t n;

	UPI_RPROC_ON_LOOP(rproc);
	n = strlen(rproc->firmware);
	if (len)
		snprintf(buf, len, "%s", rproc->firmware);
	return n;
}

int rproc_set_firmware(struct rproc *rproc, const char *firmware)
{
	size_t n;
	int ret = 0;

	UPI_RPROC_ON_LOOP(rproc);
	if (!firmware)
		return rproc_err(rproc, -EINVAL, "no firmware name given");
	n = strcspn(firmware, "\n");
	if (n == 0)
		return rproc_err(rproc, -EINVAL, "empty firmware name");
	if (n >= RPROC_FW_NAME_MAX)
		return rproc_err(rproc, -ENAMETOOLONG, "firmware name longer than %d bytes",
				 RPROC_FW_NAME_MAX - 1);
	if (rproc->state != RPROC_OFFLINE || rproc->power > 0) {
		ret = -EBUSY;
	} else {
		memcpy(rproc->firmware, firmware, n);
		rproc->firmware[n] = '\0';
	}
	if (ret)
		rproc_err(rproc, ret, "can't change the firmware unless offline");
	return ret;
}

void rproc_set_recovery(struct rproc *rproc, bool enabled)
{
	UPI_RPROC_ON_LOOP(rproc);
	rproc->recovery_disabled = !enabled;
}

bool rproc_get_recovery(struct rproc *rproc)
{
	bool v;

	UPI_RPROC_ON_LOOP(rproc);
	v = !rproc->recovery_disabled;
	return v;
}

int rproc_set_coredump(struct rproc *rproc, enum rproc_dump_mechanism mech)
{
	int ret = 0;

	UPI_RPROC_ON_LOOP(rproc);
	if (mech != RPROC_COREDUMP_DISABLED && mech != RPROC_COREDUMP_ENABLED &&
	    mech != RPROC_COREDUMP_INLINE)
		return rproc_err(rproc, -EINVAL, "unknown coredump mechanism %d", (int)mech);
	if (rproc->state == RPROC_CRASHED)
		ret = -EBUSY;
	else
		rproc->dump_conf = mech;
	if (ret)
		rproc_err(rproc, ret, "can't change the coredump setting while crashed");
	return ret;
}

enum rproc_dump_mechanism rproc_get_coredump(struct rproc *rproc)
{
	enum rproc_dump_mechanism m;

	UPI_RPROC_ON_LOOP(rproc);
	m = rproc->dump_conf;
	return m;
}

const char *rproc_coredump_string(enum rproc_dump_mechanism mech)
{
	switch (mech) {
	case RPROC_COREDUMP_DISABLED:
		return "disabled";
	case RPROC_COREDUMP_ENABLED:
		return "enabled";
	case RPROC_COREDUMP_INLINE:
		return "inline";
	}
	return "invalid";
}

void rproc_set_auto_boot(struct rproc *rproc, bool auto_boot)
{
	UPI_RPROC_ON_LOOP(rproc);
	rproc->auto_boot = auto_boot;
}

bool rproc_get_auto_boot(struct rproc *rproc)
{
	bool v;

	UPI_RPROC_ON_LOOP(rproc);
	v = rproc->auto_boot;
	return v;
}

void rproc_set_detach_running(struct rproc *rproc, bool allow)
{
	UPI_RPROC_ON_LOOP(rproc);
	rproc->detach_running = allow;
}

void rproc_set_rsc_table_optional(struct rproc *rproc, bool optional)
{
	UPI_RPROC_ON_LOOP(rproc);
	rproc->table_optional = optional;
}

void rproc_set_byte_order(struct rproc *rproc, enum uproc_byte_order order)
{
	UPI_RPROC_ON_LOOP(rproc);
	rproc->order = order;
}

unsigned int rproc_get_crash_count(struct rproc *rproc)
{
	unsigned int n;

	UPI_RPROC_ON_LOOP(rproc);
	n = rproc->crash_cnt;
	return n;
}

int rproc_get_last_crash(struct rproc *rproc, enum rproc_crash_type *type)
{
	int ret = -ENOENT;

	UPI_RPROC_ON_LOOP(rproc);
	if (rproc->crash_cnt) {
		*type = rproc->last_crash;
		ret = 0;
	}
	return ret;
}

int rproc_get_crash_reason(struct rproc *rproc, char *buf, size_t len, unsigned int *streak)
{
	UPI_RPROC_ON_LOOP(rproc);
	if (len)
		snprintf(buf, len, "%s", rproc->crash_reason);
	if (streak)
		*streak = rproc->crash_streak;
	return rproc->crash_cnt ? 0 : -ENOENT;
}

unsigned int rproc_get_power(struct rproc *rproc)
{
	unsigned int n;

	UPI_RPROC_ON_LOOP(rproc);
	n = rproc->power;
	return n;
}

uint64_t rproc_get_boot_addr(struct rproc *rproc)
{
	UPI_RPROC_ON_LOOP(rproc);
	return rproc->bootaddr;
}

int rproc_add_fw_path(struct rproc *rproc, const char *dir)
{
	int ret = 0;

	UPI_RPROC_ON_LOOP(rproc);
	if (!dir || !*dir || strlen(dir) >= RPROC_FW_NAME_MAX)
		return -EINVAL;
	if (rproc->nfw_paths >= RPROC_MAX_FW_PATHS)
		ret = -ENOSPC;
	else
		snprintf(rproc->fw_paths[rproc->nfw_paths++], RPROC_FW_NAME_MAX, "%s", dir);
	return ret;
}

void rproc_clear_fw_paths(struct rproc *rproc)
{
	UPI_RPROC_ON_LOOP(rproc);
	rproc->nfw_paths = 0;
}

void *rproc_loaded_rsc_table(struct rproc *rproc, size_t *size)
{
	UPI_RPROC_ON_LOOP(rproc);
	if (size)
		*size = rproc->loaded_table ? rproc->table_sz : 0;
	return rproc->loaded_table;
}

enum uproc_byte_order rproc_get_byte_order(struct rproc *rproc)
{
	enum uproc_byte_order o;

	UPI_RPROC_ON_LOOP(rproc);
	o = rproc->order;
	return o;
}

uint16_t rproc_get_machine(struct rproc *rproc, unsigned int *elf_class)
{
	uint16_t m;

	UPI_RPROC_ON_LOOP(rproc);
	m = rproc->e_machine;
	if (elf_class)
		*elf_class = (unsigned int)rproc->elf_class;
	return m;
}
