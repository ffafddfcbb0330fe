// SPDX-License-Identifier: MIT
/*
 * fuzz-daemon-config.c - uprocd's configuration parser on arbitrary text: it must
 * accept or refuse with a message, never crash, leak or read past the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uprocd_config cfg;
	char err[256];
	/* An exact-size copy, so a read past the end is caught by the sanitizer. */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	memset(&cfg, 0, sizeof(cfg));
	err[0] = 0;
	int ret = uprocd_config_parse(&cfg, text, size, err, sizeof(err));
	if (ret == -EINVAL && !err[0])
		__builtin_trap();	/* a refusal always says why */
	if (ret == 0)
		uprocd_config_free(&cfg);
	free(text);
	return 0;
}
