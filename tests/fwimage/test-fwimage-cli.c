// SPDX-License-Identifier: MIT
/*
 * test-fwimage-cli.c - "uproc inspect" as a user runs it: on the sample images
 * it exits 0 and prints the table; on malformed images (written to files in the
 * build tree from fw_cases.c) it exits 1 and names the file and the fault.
 *
 * Usage: test-fwimage-cli UPROC WORKDIR [SAMPLE.elf...]
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "fw_builder.h"

struct cli_env {
	const char *uproc;
	const char *workdir;
	char **samples;
	int nsamples;
};

/* Run "uproc ARGS" with stdout and stderr into one buffer; returns the exit code. */
static int run_uproc(const struct cli_env *env, const char *args, char *out, size_t outlen)
{
	char cmd[4096], log[1024];
	FILE *f;
	size_t n;
	int status;

	snprintf(log, sizeof(log), "%s/inspect.log", env->workdir);
	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s' 2>&1", env->uproc, args, log);
	status = system(cmd);
	assert_true(status != -1 && WIFEXITED(status));
	f = fopen(log, "r");
	assert_non_null(f);
	n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	fclose(f);
	return WEXITSTATUS(status);
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

static void test_samples(void **state)
{
	const struct cli_env *env = *state;
	static char out[65536];
	char args[2048];
	int i;

	if (env->nsamples == 0)
		skip();
	for (i = 0; i < env->nsamples; i++) {
		snprintf(args, sizeof(args), "inspect '%s'", env->samples[i]);
		assert_int_equal(run_uproc(env, args, out, sizeof(out)), 0);
		assert_non_null(strstr(out, env->samples[i]));
		assert_non_null(strstr(out, "entry 0x100000"));
		assert_non_null(strstr(out, "Loadable segments: 3\n"));
		assert_non_null(strstr(out, "  [2] da 0x120000 memsz 0x1000 filesz 0x0"));
		assert_non_null(strstr(out, "Resource table: section"));
		assert_non_null(strstr(out, "Entry 0 is of type carveout\n  Device Address 0x100000\n"));
		assert_non_null(strstr(out, "Entry 2 is of type vdev\n  ID 7\n"));
		assert_non_null(strstr(out, "  Vring 1\n    Device Address 0xffffffff\n"
					    "    Alignment 4096\n    Number of buffers 256\n"));
	}
}

static void test_malformed_files(void **state)
{
	const struct cli_env *env = *state;
	struct fwb *b = malloc(sizeof(*b));
	static char out[65536];
	char path[1024], args[2048];
	size_t c;
	int ret, checked = 0;

	assert_non_null(b);
	for (c = 0; c < fwb_num_cases; c++) {
		const struct fwb_case *k = &fwb_cases[c];

		if (k->flags)	/* inspect accepts images without a table */
			continue;
		fwb_build(b, k->only_class ? (enum uproc_elf_class)k->only_class : UPROC_ELF32,
			  UPROC_BIG_ENDIAN);
		k->mutate(b);
		snprintf(path, sizeof(path), "%s/%s.elf", env->workdir, k->name);
		write_file(path, b->buf, b->size);
		snprintf(args, sizeof(args), "inspect '%s'", path);
		ret = run_uproc(env, args, out, sizeof(out));
		if (ret != 1 || !strstr(out, k->msg) || !strstr(out, path)) {
			print_error("%s: exit %d, output:\n%s\n", k->name, ret, out);
			fail();
		}
		checked++;
	}
	print_message("%d malformed files refused by uproc inspect\n", checked);
	free(b);
}

static void test_mixed_and_usage(void **state)
{
	const struct cli_env *env = *state;
	struct fwb *b = malloc(sizeof(*b));
	static char out[65536];
	char good[1024], bad[1024], args[4096];

	assert_non_null(b);
	fwb_build(b, UPROC_ELF64, UPROC_LITTLE_ENDIAN);
	snprintf(good, sizeof(good), "%s/good.elf", env->workdir);
	write_file(good, b->buf, b->size);
	snprintf(bad, sizeof(bad), "%s/missing.elf", env->workdir);
	remove(bad);

	/* a good file is printed even when another one fails */
	snprintf(args, sizeof(args), "inspect '%s' '%s'", bad, good);
	assert_int_equal(run_uproc(env, args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "missing.elf: No such file or directory"));
	assert_non_null(strstr(out, "Unknown resource type found: 5 [hdr: offset 0xe4]"));
	assert_non_null(strstr(out, "warning: resource 4: unsupported resource type 5"));

	/* an image without a table is valid for inspect */
	b->buf[FWB_SHSTR_OFF + FWB_NAME_RSC + 1] = 'R';
	write_file(good, b->buf, b->size);
	snprintf(args, sizeof(args), "inspect '%s'", good);
	assert_int_equal(run_uproc(env, args, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "No resource table found\n"));

	assert_int_equal(run_uproc(env, "inspect", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "usage: uproc inspect"));
	assert_int_equal(run_uproc(env, "", out, sizeof(out)), 2);
	assert_int_equal(run_uproc(env, "help", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "inspect"));
	assert_int_equal(run_uproc(env, "no-such-command", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "unknown subcommand 'no-such-command'"));
	free(b);
}

int main(int argc, char **argv)
{
	struct cli_env env;

	if (argc < 3) {
		fprintf(stderr, "usage: %s UPROC WORKDIR [SAMPLE...]\n", argv[0]);
		return 2;
	}
	env.uproc = argv[1];
	env.workdir = argv[2];
	env.samples = argv + 3;
	env.nsamples = argc - 3;
	mkdir(env.workdir, 0755);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_samples, &env),
		cmocka_unit_test_prestate(test_malformed_files, &env),
		cmocka_unit_test_prestate(test_mixed_and_usage, &env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
