/* SPDX-License-Identifier: MIT */
/*
 * ctl_report.h - the text and JSON answers of the control socket, and the events it
 * streams. Private to programs/uprocd; loop thread unless said otherwise.
 */
#ifndef UPROCD_CTL_REPORT_H
#define UPROCD_CTL_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon.h"

/** uprocd_json_str() - append @len bytes of @s to @t as a quoted, escaped JSON string. */
void uprocd_json_str(struct uprocd_text *t, const void *s, size_t len);

/** uprocd_backend_name() - "native" or "emulated" (what its firmware picks, for auto). */
const char *uprocd_backend_name(struct uprocd_proc *p);

/** uprocd_core_cpu_ms() - CPU time its core process used (ms), -1 when none runs. */
long long uprocd_core_cpu_ms(struct uprocd_proc *p);

/** uprocd_last_trace_line() - the last line of its first trace buffer ("" if none). */
void uprocd_last_trace_line(struct uprocd_proc *p, char *buf, size_t len);

/** uprocd_fw_dirs_text() - its firmware directories, joined by ':'. */
void uprocd_fw_dirs_text(struct uprocd_proc *p, char *buf, size_t len);

/* Each appends one whole answer to @t (text lines, or one JSON document and "\n"). */
void uprocd_report_list(struct uprocd *d, bool json, struct uprocd_text *t);
void uprocd_report_status(struct uprocd_proc *p, bool json, struct uprocd_text *t);
void uprocd_report_channels(struct uprocd_proc *p, bool json, struct uprocd_text *t);
/** uprocd_report_fwlist() - the regular files of its firmware directories. Returns how many. */
int uprocd_report_fwlist(struct uprocd_proc *p, struct uprocd_text *t);

/**
 * uprocd_ctl_event() - stream @json_line (one JSON object, no newline) to every
 * client following events of @p's processor (or of all). Loop thread.
 */
void uprocd_ctl_event(struct uprocd *d, struct uprocd_proc *p, const char *json_line);

/** uprocd_event_rproc() - report lifecycle event @event (enum rproc_event) of @p. */
void uprocd_event_rproc(struct uprocd_proc *p, int event);

/** uprocd_event_channel() - report that the remote announced (or ended) a channel. */
void uprocd_event_channel(struct uprocd_proc *p, const char *name, size_t name_len,
			  unsigned int addr, bool created);

#endif /* UPROCD_CTL_REPORT_H */
