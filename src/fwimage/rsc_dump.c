// SPDX-License-Identifier: MIT
/*
 * rsc_dump.c - a resource table as text, in the words of Linux's debugfs file
 * remoteprocN/resource_table, so scripts written against one read the other.
 */
#include <stdarg.h>
#include <stdio.h>

#include "fw_internal.h"

/* snprintf-style accumulator: counts the whole text, writes what fits. */
struct dump_out {
	char *buf;
	size_t len;
	size_t pos;
	int failed;
};

static void dump_printf(struct dump_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dump_printf(struct dump_out *o, const char *fmt, ...)
{
	char *dst = NULL;
	size_t room = 0;
	va_list ap;
	int n;

	if (o->pos < o->len) {
		dst = o->buf + o->pos;
		room = o->len - o->pos;
	}
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		o->failed = 1;
	else
		o->pos += (size_t)n;
}

static void dump_mem(struct dump_out *o, const struct uproc_rsc_entry *e,
		     const struct uproc_rsc_mem *m)
{
	dump_printf(o, "Entry %u is of type %s\n", e->index, uproc_rsc_kind_name(e->kind));
	dump_printf(o, "  Device Address 0x%x\n", m->da);
	dump_printf(o, "  Physical Address 0x%x\n", m->pa);
	dump_printf(o, "  Length 0x%x Bytes\n", m->len);
	dump_printf(o, "  Flags 0x%x\n", m->flags);
	dump_printf(o, "  Reserved (should be zero) [%d]\n", (int32_t)m->reserved);
	dump_printf(o, "  Name %s\n\n", m->name);
}

static void dump_trace(struct dump_out *o, const struct uproc_rsc_entry *e)
{
	const struct uproc_rsc_trace *t = &e->u.trace;

	dump_printf(o, "Entry %u is of type %s\n", e->index, uproc_rsc_kind_name(e->kind));
	dump_printf(o, "  Device Address 0x%x\n", t->da);
	dump_printf(o, "  Length 0x%x Bytes\n", t->len);
	dump_printf(o, "  Reserved (should be zero) [%d]\n", (int32_t)t->reserved);
	dump_printf(o, "  Name %s\n\n", t->name);
}

static void dump_vdev(struct dump_out *o, const struct uproc_rsc_entry *e)
{
	const struct uproc_rsc_vdev *v = &e->u.vdev;
	unsigned int j;

	dump_printf(o, "Entry %u is of type %s\n", e->index, uproc_rsc_kind_name(e->kind));
	dump_printf(o, "  ID %d\n", (int32_t)v->id);
	dump_printf(o, "  Notify ID %d\n", (int32_t)v->notifyid);
	dump_printf(o, "  Device features 0x%x\n", v->dfeatures);
	dump_printf(o, "  Guest features 0x%x\n", v->gfeatures);
	dump_printf(o, "  Config length 0x%x\n", v->config_len);
	dump_printf(o, "  Status 0x%x\n", v->status);
	dump_printf(o, "  Number of vrings %d\n", v->num_of_vrings);
	dump_printf(o, "  Reserved (should be zero) [%d][%d]\n\n", v->reserved[0], v->reserved[1]);
	for (j = 0; j < v->num_of_vrings && j < UPROC_RSC_MAX_VRINGS; j++) {
		const struct uproc_rsc_vring *vr = &v->vring[j];

		dump_printf(o, "  Vring %u\n", j);
		dump_printf(o, "    Device Address 0x%x\n", vr->da);
		dump_printf(o, "    Alignment %d\n", (int32_t)vr->align);
		dump_printf(o, "    Number of buffers %d\n", (int32_t)vr->num);
		dump_printf(o, "    Notify ID %d\n", (int32_t)vr->notifyid);
		dump_printf(o, "    Physical Address 0x%x\n\n", vr->pa);
	}
}

int uproc_rsc_table_dump(const struct uproc_rsc_table *table, char *buf, size_t len)
{
	struct dump_out o = { .buf = buf, .len = len };
	struct uproc_rsc_entry e;
	uint32_t i;

	if (!buf && len)
		return -EINVAL;
	if (len)
		buf[0] = '\0';
	if (!table) {
		dump_printf(&o, "No resource table found\n");
		return o.failed || o.pos > INT32_MAX ? -EINVAL : (int)o.pos;
	}
	for (i = 0; i < table->num; i++) {
		if (uproc_rsc_get(table, i, &e)) {
			dump_printf(&o, "Entry %u is malformed\n", i);
			continue;
		}
		switch (e.kind) {
		case UPROC_RSC_CARVEOUT:
			dump_mem(&o, &e, &e.u.carveout);
			break;
		case UPROC_RSC_DEVMEM:
			dump_mem(&o, &e, &e.u.devmem);
			break;
		case UPROC_RSC_TRACE:
			dump_trace(&o, &e);
			break;
		case UPROC_RSC_VDEV:
			dump_vdev(&o, &e);
			break;
		case UPROC_RSC_VENDOR:
		case UPROC_RSC_UNKNOWN:
		default:
			dump_printf(&o, "Unknown resource type found: %d [hdr: offset 0x%x]\n",
				    (int32_t)e.type, e.offset);
			break;
		}
		if (o.failed || o.pos > INT32_MAX)
			return -EINVAL;
	}
	return o.failed || o.pos > INT32_MAX ? -EINVAL : (int)o.pos;
}
