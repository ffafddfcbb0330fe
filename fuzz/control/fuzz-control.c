/* SPDX-License-Identifier: MIT */
/*
 * fuzz-control.c - libFuzzer target for the control protocol's frame parser.
 * Parses every frame in the input in turn, as the daemon does with a client's
 * stream, and checks that a parsed frame rebuilds to the same bytes; escapes every
 * field (as names from a remote are) and checks the result is printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uproc_control.h"
#include "uproc_escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uproc_ctl_buf *b = malloc(sizeof(*b));
	struct uproc_ctl_msg m;

	if (!b)
		return 0;
	while (size > 0) {
		ssize_t n = uproc_ctl_parse(data, size, &m);
		if (n <= 0)
			break;
		uproc_ctl_init(b, (enum uproc_ctl_op)m.op, m.status);
		for (unsigned int i = 0; i < m.nfields; i++)
			uproc_ctl_add(b, m.field[i].data, m.field[i].len);
		ssize_t rebuilt = uproc_ctl_finish(b);
		if (rebuilt != n || memcmp(b->data, data, (size_t)n) != 0)
			abort();
		for (unsigned int i = 0; i < m.nfields; i++) {
			char s[64];
			int r = uproc_ctl_field_str(&m, i, s, sizeof(s));
			if (r >= 0 && strlen(s) != (size_t)r)
				abort();
			static char esc[UPROC_ESCAPE_SIZE(256)];
			size_t len = m.field[i].len < 256 ? m.field[i].len : 256;
			for (int json = 0; json < 2; json++) {
				size_t e = json ? uproc_escape_json(esc, sizeof(esc), m.field[i].data, len)
						: uproc_escape_text(esc, sizeof(esc), m.field[i].data, len);
				if (e >= sizeof(esc) || esc[e] != '\0' || e < len)
					abort();
				for (size_t k = 0; k < e; k++)
					if (esc[k] < 0x20 || esc[k] > 0x7e)
						abort();
			}
		}
		data += n;
		size -= (size_t)n;
	}
	free(b);
	return 0;
}
