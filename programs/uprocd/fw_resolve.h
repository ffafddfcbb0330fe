/* SPDX-License-Identifier: MIT */
/*
 * fw_resolve.h - firmware names resolve only inside the configured directories,
 * as the kernel's firmware search path: no "..", no absolute path elsewhere, no
 * symlink that leads out.
 */
#ifndef UPROCD_FW_RESOLVE_H
#define UPROCD_FW_RESOLVE_H

#include <stddef.h>

/**
 * uprocd_fw_resolve() - find firmware @name in the directories @dirs (in order).
 * @name: a file name relative to a directory, or an absolute path that lies in one
 * @out:  receives the file's canonical absolute path (@outlen bytes)
 * Each lookup is done with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) from the
 * directory, so "..", absolute symlinks and symlinks that climb out are refused by
 * the kernel itself.
 * Returns 0; -EACCES if @name (or a symlink in it) leads outside every directory;
 * -ENOENT if no directory holds it; -EINVAL for an empty name, a newline in it or
 * something that is not a regular file; -ENAMETOOLONG.
 */
int uprocd_fw_resolve(char *const *dirs, unsigned int n_dirs, const char *name, char *out,
		      size_t outlen);

#endif /* UPROCD_FW_RESOLVE_H */
