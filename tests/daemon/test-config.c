/* SPDX-License-Identifier: MIT */
/*
 * test-config.c - uprocd's configuration parser and firmware name resolution.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fw_resolve.h"

static int parse(struct uprocd_config *c, const char *text, char *err)
{
	return uprocd_config_parse(c, text, strlen(text), err, 256);
}

static void test_full_file(void **state)
{
	struct uprocd_config c;
	char err[256];
	const char *text =
		"# uprocd test\n"
		"[uprocd]\n"
		"root = /tmp/x/root\n"
		"runtime_dir=/tmp/x/run\n"
		"group = 65534\n"
		"firmware_path = /lib/fw1:/lib/fw2\n"
		"\n"
		"[remoteproc dsp0]\n"
		"  backend = native  \n"
		"firmware = echo.elf\n"
		"memory = 1M\n"
		"cpu = 1\n"
		"auto_boot = yes\n"
		"recovery = disabled\n"
		"coredump = inline\n"
		"; second one takes defaults\n"
		"[remoteproc m4_1]\n"
		"firmware_path = /opt/fw\n"
		"firmware_path = /opt/fw-b\n";

	assert_int_equal(parse(&c, text, err), 0);
	assert_string_equal(c.root, "/tmp/x/root");
	assert_string_equal(c.runtime_dir, "/tmp/x/run");
	assert_string_equal(c.socket, "/tmp/x/run/uprocd.sock");
	assert_true(c.has_group);
	assert_int_equal(c.group, 65534);
	assert_int_equal(c.n_procs, 2);

	const struct uprocd_proc_config *p = uprocd_config_find(&c, "dsp0");
	assert_non_null(p);
	assert_string_equal(p->firmware, "echo.elf");
	assert_int_equal(p->memory, 1 << 20);
	assert_int_equal(p->cpu, 1);
	assert_true(p->auto_boot);
	assert_false(p->recovery);
	assert_int_equal(p->coredump, 2);
	assert_int_equal(p->n_fw_dirs, 2);
	assert_string_equal(p->fw_dirs[1], "/lib/fw2");

	p = uprocd_config_find(&c, "m4_1");
	assert_non_null(p);
	assert_null(p->firmware);
	assert_int_equal(p->cpu, -1);
	assert_false(p->auto_boot);
	assert_true(p->recovery);
	assert_int_equal(p->coredump, 0);
	assert_int_equal(p->n_fw_dirs, 2);
	assert_string_equal(p->fw_dirs[0], "/opt/fw");
	assert_string_equal(p->fw_dirs[1], "/opt/fw-b");
	assert_null(uprocd_config_find(&c, "nope"));
	uprocd_config_free(&c);
}

static void test_defaults(void **state)
{
	struct uprocd_config c;
	char err[256];

	assert_int_equal(parse(&c, "[remoteproc a]\n", err), 0);
	assert_string_equal(c.root, "/run/uproc");
	assert_string_equal(c.socket, "/run/uprocd/uprocd.sock");
	assert_false(c.has_group);
	assert_int_equal(c.procs[0].n_fw_dirs, 1);
	assert_string_equal(c.procs[0].fw_dirs[0], "/lib/firmware");
	uprocd_config_free(&c);
}

static void expect_error(const char *text, const char *words)
{
	struct uprocd_config c;
	char err[256];

	assert_int_equal(parse(&c, text, err), -EINVAL);
	if (!strstr(err, words))
		fail_msg("error '%s' lacks '%s'", err, words);
}

static void test_errors(void **state)
{
	expect_error("root = /x\n", "line 1: 'root' outside any section");
	expect_error("[uprocd]\nbogus = 1\n", "line 2: unknown key 'bogus'");
	expect_error("[uprocd]\nroot = relative\n", "not an absolute path");
	expect_error("[foo]\n", "unknown section [foo]");
	expect_error("[remoteproc]\n", "unknown section");
	expect_error("[remoteproc a/b]\n", "bad processor name 'a/b'");
	expect_error("[remoteproc ../x]\n", "bad processor name");
	expect_error("[remoteproc a]\n[remoteproc a]\n", "line 2: processor 'a' defined twice");
	expect_error("[remoteproc a]\nbackend = qemu\n", "unknown backend 'qemu'");
	expect_error("[remoteproc a]\nmemory = 12Q\n", "bad memory size");
	expect_error("[remoteproc a]\nmemory = 99999999999999999999\n", "bad memory size");
	expect_error("[remoteproc a]\nmemory = 20000000000G\n", "bad memory size");
	expect_error("[remoteproc a]\ncpu = -2\n", "bad cpu");
	expect_error("[remoteproc a]\nauto_boot = maybe\n", "auto_boot takes yes or no");
	expect_error("[remoteproc a]\ncoredump = sometimes\n", "coredump takes");
	expect_error("[remoteproc a]\nrecovery = recover\n", "recovery takes");
	expect_error("[remoteproc a]\nfirmware_path = fw\n", "not an absolute directory");
	expect_error("[remoteproc a]\nfirmware = ../../etc/passwd\n", "leaves its firmware");
	expect_error("[remoteproc a]\nfirmware\n", "line 2: expected key = value");
	expect_error("[remoteproc a\n", "line 1: a section header");
	expect_error("[uprocd]\ngroup = no-such-group-here\n", "unknown group");

	struct uprocd_config c;
	char err[256];
	assert_int_equal(uprocd_config_parse(&c, "[uprocd]\0x", 10, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
}

static void test_sizes(void **state)
{
	uint64_t v;

	assert_int_equal(uprocd_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(uprocd_parse_size("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(uprocd_parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(uprocd_parse_size("2MiB", &v), 0);
	assert_int_equal(v, 2u << 20);
	assert_int_equal(uprocd_parse_size("1g", &v), 0);
	assert_int_equal(v, 1u << 30);
	assert_int_equal(uprocd_parse_size("-1", &v), -EINVAL);
	assert_int_equal(uprocd_parse_size("1KX", &v), -EINVAL);
	assert_int_equal(uprocd_parse_size("", &v), -EINVAL);
	assert_int_equal(uprocd_parse_size("17179869184G", &v), -ERANGE);
}

static void test_inline_comments(void **state)
{
	struct uprocd_config c;
	char err[256];
	const char *text =
		"[uprocd]\n"
		"root = /run/uproc            # the control tree\n"
		"runtime_dir = /run/uprocd\t; sockets\n"
		"firmware_path = /lib/fw#1   # a '#' inside a word stays\n"
		"[remoteproc dsp0]   # a section\n"
		"firmware = echo.elf # comment\n"
		"watchdog = 500ms\n"
		"[remoteproc dsp1]\n"
		"watchdog = disabled   # off\n"
		"[remoteproc dsp2]\n"
		"watchdog = 2s\n";

	assert_int_equal(parse(&c, text, err), 0);
	assert_string_equal(c.root, "/run/uproc");
	assert_string_equal(c.runtime_dir, "/run/uprocd");
	assert_string_equal(c.fw_dirs[0], "/lib/fw#1");
	assert_string_equal(c.procs[0].firmware, "echo.elf");
	assert_int_equal(c.procs[0].watchdog_ms, 500);
	assert_int_equal(c.procs[0].firmware_line, 6);
	assert_int_equal(c.procs[0].fw_dirs_line, 4);	/* inherited from [uprocd] */
	assert_int_equal(c.procs[1].watchdog_ms, 0);
	assert_int_equal(c.procs[2].watchdog_ms, 2000);
	uprocd_config_free(&c);

	assert_int_equal(parse(&c, "[remoteproc a]\n", err), 0);
	assert_int_equal(c.procs[0].watchdog_ms, UPROCD_WATCHDOG_MS_DEFAULT);
	assert_int_equal(c.procs[0].recovery_burst, 5);
	assert_int_equal(c.procs[0].recovery_interval_ms, 10000);
	uprocd_config_free(&c);
	expect_error("[remoteproc a]\nwatchdog = often\n", "line 2: watchdog takes a period");

	/* the recovery limit: a count (0: none) in a period */
	assert_int_equal(parse(&c, "[remoteproc a]\nrecovery_limit_burst = 3\n"
				   "recovery_limit_interval = 1500ms\n[remoteproc b]\n"
				   "recovery_limit_burst = 0\n", err), 0);
	assert_int_equal(c.procs[0].recovery_burst, 3);
	assert_int_equal(c.procs[0].recovery_interval_ms, 1500);
	assert_int_equal(c.procs[1].recovery_burst, 0);
	uprocd_config_free(&c);
	expect_error("[remoteproc a]\nrecovery_limit_burst = -1\n",
		     "line 2: recovery_limit_burst takes a number");
	expect_error("[remoteproc a]\nrecovery_limit_interval = 0s\n",
		     "line 2: recovery_limit_interval takes a period");
	expect_error("[uprocd]\ngroup = no-such-group-here  # c\n",
		     "line 2: unknown group 'no-such-group-here' (create it: groupadd");
}

/* ---- what would fail at start ---------------------------------------------------- */

struct found {
	char text[2048];
	unsigned int n;
};

static void collect(void *arg, unsigned int line, const char *msg)
{
	struct found *f = arg;
	size_t used = strlen(f->text);

	snprintf(f->text + used, sizeof(f->text) - used, "%u: %s\n", line, msg);
	f->n++;
}

static void expect_found(const struct found *f, const char *words)
{
	if (!strstr(f->text, words))
		fail_msg("problems\n%s lack '%s'", f->text, words);
}

static void test_check(void **state)
{
	struct uprocd_config c;
	struct found f = { "", 0 };
	char err[256], text[2048];

	snprintf(text, sizeof(text),
		 "[uprocd]\n"				/* 1 */
		 "firmware_path = %s\n"		/* 2 */
		 "[remoteproc good]\n"			/* 3 */
		 "firmware = echo.elf\n"		/* 4 */
		 "[remoteproc small]\n"		/* 5 */
		 "firmware = echo.elf\n"		/* 6 */
		 "memory = 1M\n"			/* 7 */
		 "[remoteproc nocpu]\n"		/* 8 */
		 "cpu = 4000\n"			/* 9 */
		 "[remoteproc nodir]\n"		/* 10 */
		 "firmware_path = /nonexistent/uproc-fw\n" /* 11 */
		 "firmware = echo.elf\n"		/* 12 */
		 "[remoteproc nofw]\n"			/* 13 */
		 "firmware = none.elf\n"		/* 14 */
		 "[remoteproc odd]\n"			/* 15 */
		 "memory = 5000\n",			/* 16 */
		 UPROC_TEST_FW_DIR);
	assert_int_equal(parse(&c, text, err), 0);
	assert_int_equal(uprocd_config_check(&c, collect, &f), 5);
	expect_found(&f, "7: [remoteproc small] memory 1M is too small for echo.elf: it is "
			 "linked up to 0x300000 (memory = 2M at least)");
	expect_found(&f, "9: [remoteproc nocpu] cpu 4000 does not exist");
	expect_found(&f, "11: [remoteproc nodir] firmware_path /nonexistent/uproc-fw: no such "
			 "directory");
	expect_found(&f, "14: [remoteproc nofw] firmware none.elf: not found in "
			 UPROC_TEST_FW_DIR);
	expect_found(&f, "16: [remoteproc odd] memory 5000 is not a whole number of 4K pages");
	if (strstr(f.text, "[remoteproc good]"))
		fail_msg("a good processor reported:\n%s", f.text);
	uprocd_config_free(&c);
}

/* ---- firmware resolution in a scratch tree ------------------------------------- */

struct fwtree {
	char base[64];
	char fw[96];
	char fw2[96];
	char *dirs[2];
};

static void put_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

static int tree_setup(void **state)
{
	struct fwtree *t = calloc(1, sizeof(*t));
	char p[256];

	strcpy(t->base, "/tmp/uprocd-fwtest-XXXXXX");
	if (!mkdtemp(t->base))
		return -1;
	snprintf(t->fw, sizeof(t->fw), "%s/fw", t->base);
	snprintf(t->fw2, sizeof(t->fw2), "%s/fw2", t->base);
	mkdir(t->fw, 0755);
	mkdir(t->fw2, 0755);
	snprintf(p, sizeof(p), "%s/sub", t->fw);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/echo.elf", t->fw);
	put_file(p);
	snprintf(p, sizeof(p), "%s/sub/tty.elf", t->fw);
	put_file(p);
	snprintf(p, sizeof(p), "%s/only2.elf", t->fw2);
	put_file(p);
	snprintf(p, sizeof(p), "%s/secret", t->base);
	put_file(p);
	snprintf(p, sizeof(p), "%s/link-in.elf", t->fw);
	assert_int_equal(symlink("sub/tty.elf", p), 0);
	snprintf(p, sizeof(p), "%s/link-up", t->fw);
	assert_int_equal(symlink("../secret", p), 0);
	snprintf(p, sizeof(p), "%s/link-abs", t->fw);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	t->dirs[0] = t->fw;
	t->dirs[1] = t->fw2;
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct fwtree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->base);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void test_resolve(void **state)
{
	struct fwtree *t = *state;
	char out[PATH_MAX], want[PATH_MAX], p[256];

	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "echo.elf", out, sizeof(out)), 0);
	snprintf(p, sizeof(p), "%s/echo.elf", t->fw);
	assert_non_null(realpath(p, want));
	assert_string_equal(out, want);

	/* second directory, subdirectory, symlink staying inside */
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "only2.elf", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "/fw2/only2.elf"));
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "sub/tty.elf", out, sizeof(out)), 0);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "link-in.elf", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "/fw/sub/tty.elf"));
	/* an absolute path inside a directory */
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, want, out, sizeof(out)), 0);

	/* refused: climbing out, absolute elsewhere, symlinks out */
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "../secret", out, sizeof(out)), -EACCES);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "sub/../../secret", out, sizeof(out)),
			 -EACCES);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "/etc/passwd", out, sizeof(out)), -EACCES);
	snprintf(p, sizeof(p), "%s/../secret", t->fw);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, p, out, sizeof(out)), -EACCES);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "link-up", out, sizeof(out)), -EACCES);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "link-abs", out, sizeof(out)), -EACCES);

	/* not there, not a file, empty */
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "none.elf", out, sizeof(out)), -ENOENT);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "sub", out, sizeof(out)), -EINVAL);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "", out, sizeof(out)), -EINVAL);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "a\nb", out, sizeof(out)), -EINVAL);
	assert_int_equal(uprocd_fw_resolve(t->dirs, 2, "echo.elf", out, 4), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_inline_comments),
		cmocka_unit_test(test_check),
		cmocka_unit_test_setup_teardown(test_resolve, tree_setup, tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
