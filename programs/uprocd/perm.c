/* SPDX-License-Identifier: MIT */
/*
 * perm.c - who may change things: root, or a member of the configured group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/* Is @gid among the supplementary groups of process @pid? */
static bool in_groups_of(pid_t pid, gid_t gid)
{
	char path[64], line[4096];
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Groups:", 7))
			continue;
		char *save = NULL;
		for (char *t = strtok_r(line + 7, " \t\n", &save); t;
		     t = strtok_r(NULL, " \t\n", &save)) {
			if ((gid_t)strtoul(t, NULL, 10) == gid) {
				found = true;
				break;
			}
		}
		break;
	}
	fclose(f);
	return found;
}

bool uprocd_may_write(const struct uprocd *d, uid_t uid, gid_t gid, pid_t pid)
{
	if (uid == 0)
		return true;
	if (!d->cfg.has_group)
		return false;
	if (gid == d->cfg.group)
		return true;
	return pid > 0 && in_groups_of(pid, d->cfg.group);
}
