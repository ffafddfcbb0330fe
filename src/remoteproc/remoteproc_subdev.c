// SPDX-License-Identifier: MIT
/*
 * remoteproc_subdev.c - lifecycle notifications and subdevices (Linux's SSR
 * notifier and rproc_subdev): registration, and the ordered prepare / start /
 * stop / unprepare walks of the boot and shutdown code (stop and unprepare in
 * reverse order, a failure unwinding what was done).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "remoteproc_internal.h"

/* ---- notifiers ------------------------------------------------------------------ */

void upi_rproc_notify(struct rproc *rproc, enum rproc_event event)
{
	struct rproc_notifier snap[RPROC_MAX_NOTIFIERS];

	memcpy(snap, rproc->notifiers, sizeof(snap));
	for (unsigned int i = 0; i < RPROC_MAX_NOTIFIERS; i++)
		if (snap[i].fn)
			snap[i].fn(rproc, event, snap[i].arg);
}

int rproc_notifier_register(struct rproc *rproc, rproc_notify_fn fn, void *arg)
{
	int ret = -ENOSPC;

	UPI_RPROC_ON_LOOP(rproc);
	if (!fn)
		return -EINVAL;
	for (unsigned int i = 0; i < RPROC_MAX_NOTIFIERS; i++) {
		if (rproc->notifiers[i].fn)
			continue;
		rproc->notifiers[i].fn = fn;
		rproc->notifiers[i].arg = arg;
		rproc->notifiers[i].id = ++rproc->next_notifier_id;
		ret = rproc->notifiers[i].id;
		break;
	}
	return ret;
}

int rproc_notifier_unregister(struct rproc *rproc, int id)
{
	int ret = -ENOENT;

	UPI_RPROC_ON_LOOP(rproc);
	for (unsigned int i = 0; i < RPROC_MAX_NOTIFIERS; i++) {
		if (rproc->notifiers[i].fn && rproc->notifiers[i].id == id) {
			memset(&rproc->notifiers[i], 0, sizeof(rproc->notifiers[i]));
			ret = 0;
			break;
		}
	}
	return ret;
}

/* ---- subdevices ------------------------------------------------------------------- */

void rproc_add_subdev(struct rproc *rproc, struct rproc_subdev *subdev)
{
	struct rproc_subdev **pp;

	UPI_RPROC_ON_LOOP(rproc);
	subdev->next = NULL;
	for (pp = &rproc->subdevs; *pp; pp = &(*pp)->next)
		;
	*pp = subdev;
}

void rproc_remove_subdev(struct rproc *rproc, struct rproc_subdev *subdev)
{
	UPI_RPROC_ON_LOOP(rproc);
	for (struct rproc_subdev **pp = &rproc->subdevs; *pp; pp = &(*pp)->next) {
		if (*pp == subdev) {
			*pp = subdev->next;
			break;
		}
	}
	subdev->next = NULL;
}

/*
 * A callback may add or remove subdevices while the list is walked: the walks go
 * by position, looked up again after each callback.
 */
static int rproc_subdevs_count(struct rproc *rproc)
{
	int n = 0;

	for (struct rproc_subdev *s = rproc->subdevs; s; s = s->next)
		n++;
	return n;
}

static struct rproc_subdev *rproc_subdev_at(struct rproc *rproc, int idx)
{
	struct rproc_subdev *s = rproc->subdevs;

	while (idx-- > 0 && s)
		s = s->next;
	return s;
}

void upi_rproc_unprepare_subdevices(struct rproc *rproc)
{
	for (int i = rproc_subdevs_count(rproc) - 1; i >= 0; i--) {
		struct rproc_subdev *s = rproc_subdev_at(rproc, i);

		if (s->unprepare)
			s->unprepare(s);
	}
}

int upi_rproc_prepare_subdevices(struct rproc *rproc)
{
	int n = rproc_subdevs_count(rproc);

	for (int i = 0; i < n; i++) {
		struct rproc_subdev *s = rproc_subdev_at(rproc, i);
		int ret = s->prepare ? s->prepare(s) : 0;

		if (ret < 0) {
			for (i--; i >= 0; i--) {
				s = rproc_subdev_at(rproc, i);
				if (s->unprepare)
					s->unprepare(s);
			}
			return rproc_err(rproc, ret, "preparing subdevice %d failed (%d)", i, ret);
		}
	}
	return 0;
}

int upi_rproc_start_subdevices(struct rproc *rproc)
{
	int n = rproc_subdevs_count(rproc);

	for (int i = 0; i < n; i++) {
		struct rproc_subdev *s = rproc_subdev_at(rproc, i);
		int ret = s->start ? s->start(s) : 0;

		if (ret < 0) {
			int failed = i;

			for (i--; i >= 0; i--) {
				s = rproc_subdev_at(rproc, i);
				if (s->stop)
					s->stop(s, true);
			}
			bool said = rproc->last_error[0] != '\0';
			if (!said)
				rproc_err(rproc, ret, "starting subdevice %d failed (%d)", failed,
					  ret);
			return ret;
		}
	}
	return 0;
}

void upi_rproc_stop_subdevices(struct rproc *rproc, bool crashed)
{
	for (int i = rproc_subdevs_count(rproc) - 1; i >= 0; i--) {
		struct rproc_subdev *s = rproc_subdev_at(rproc, i);

		if (s->stop)
			s->stop(s, crashed);
	}
}

