// SPDX-License-Identifier: MIT
/*
 * native_paths.c - where the core programs (uproc-native-stub, uproc-emu-core) are.
 *
 * Compiled twice (src/backends/native/CMakeLists.txt). The build tree's library
 * (UPROC_HELPER_BUILT_STUB/EMU set) looks beside the running program first, as an
 * installed uproc or uprocd finds <prefix>/libexec/uproc from <prefix>/bin, then at
 * the build tree's programs, then in the configured installation. The installed
 * library (no build paths) looks beside the module that holds this code (the shared
 * library: <libdir>/UPROC_LIBDIR_TO_LIBEXEC; a static link: the program), beside the
 * running program, then in the configured installation: a relocated or staged
 * (DESTDIR) installation finds its own core programs, and never a build tree's.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "native_internal.h"

#ifndef UPROC_LIBEXEC_DIR
#define UPROC_LIBEXEC_DIR "/usr/local/libexec/uproc"
#endif
#if defined(UPROC_HELPER_BUILT_STUB) && !defined(UPROC_HELPER_BUILT_EMU)
#define UPROC_HELPER_BUILT_EMU "" /* not built: the emulated core is not found */
#endif
#ifndef UPROC_LIBDIR_TO_LIBEXEC
#define UPROC_LIBDIR_TO_LIBEXEC "../libexec"
#endif

/* @dir/@rel/uproc/@name into @buf if it is an executable file. */
static bool try_dir(const char *dir, const char *rel, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/uproc/%s", dir, rel, name);

	return n > 0 && (size_t)n < len && access(buf, X_OK) == 0;
}

/* The folder of @file (a path) into @dir; false if it has none. */
static bool dir_of(const char *file, char *dir, size_t len)
{
	const char *slash = strrchr(file, '/');

	if (!slash || (size_t)(slash - file) >= len)
		return false;
	memcpy(dir, file, (size_t)(slash - file));
	dir[slash - file] = '\0';
	return true;
}

const char *upi_native_helper_path(const char *name, char *buf, size_t len)
{
	char exe[PATH_MAX], dir[PATH_MAX];
	ssize_t n;
	Dl_info info;

#ifndef UPROC_HELPER_BUILT_STUB
	/* The module holding this code: the shared library, or a static program. */
	if (dladdr((void *)upi_native_helper_path, &info) && info.dli_fname &&
	    info.dli_fname[0] == '/' && dir_of(info.dli_fname, dir, sizeof(dir)) &&
	    (try_dir(dir, UPROC_LIBDIR_TO_LIBEXEC, name, buf, len) ||
	     try_dir(dir, "../libexec", name, buf, len)))
		return buf;
#else
	(void)info;
#endif
	/* Beside the running program: <prefix>/bin or sbin -> <prefix>/libexec/uproc. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (dir_of(exe, dir, sizeof(dir)) && try_dir(dir, "../libexec", name, buf, len))
			return buf;
	}
#ifdef UPROC_HELPER_BUILT_STUB
	/* The build tree's programs (tests and programs run from the build). */
	const char *built = strcmp(name, "uproc-emu-core") ? UPROC_HELPER_BUILT_STUB
							   : UPROC_HELPER_BUILT_EMU;
	if (access(built, X_OK) == 0 && (size_t)snprintf(buf, len, "%s", built) < len)
		return buf;
#endif
	/* The installation it was configured for; also what an error names. */
	if ((size_t)snprintf(buf, len, "%s/%s", UPROC_LIBEXEC_DIR, name) >= len)
		return name;
	return buf;
}
