/* SPDX-License-Identifier: MIT */
/*
 * rproc_test_util.h - helpers of the remoteproc tests: firmware files built in
 * memory (ELF32/64, either byte order, any resource table), the rproc-on-a-board
 * fixture, firmware mains for the host-memory backend (idle, rpmsg echo), and loop
 * pumping.
 */
#ifndef UPROC_RPROC_TEST_UTIL_H
#define UPROC_RPROC_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/fwimage.h"
#include "uproc/hostmem.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

/* ---- resource tables -------------------------------------------------------------- */

#define TB_MAX 4096
#define TB_MAX_ENTRIES 16

struct tb {
	uint8_t buf[TB_MAX];
	size_t size;
	uint32_t num;
	uint32_t body[TB_MAX_ENTRIES];	/* where each entry's body is */
	uint8_t *entry[TB_MAX_ENTRIES];
	enum uproc_byte_order order;
	bool raw_entries[TB_MAX_ENTRIES];
};

struct tb_vring {
	uint32_t da, align, num, notifyid;
};

void tb_init(struct tb *t, enum uproc_byte_order order, unsigned int nentries);
/* Each returns the entry's rproc_rsc_hdr offset in the table. */
size_t tb_carveout(struct tb *t, uint32_t type, uint32_t da, uint32_t pa, uint32_t len,
		   const char *name);
size_t tb_trace(struct tb *t, uint32_t da, uint32_t len, const char *name);
size_t tb_vdev(struct tb *t, uint32_t id, uint32_t dfeatures, unsigned int nvrings,
	       const struct tb_vring *vr, uint32_t config_len);
size_t tb_raw(struct tb *t, uint32_t type, const void *body, size_t len);
uint32_t tb_get32(const struct tb *t, const void *table, size_t off);

/* ---- ELF images ---------------------------------------------------------------------- */

struct tfw_seg {
	uint64_t da;
	const void *data;
	size_t filesz;
	size_t memsz;
};

struct tfw {
	enum uproc_elf_class cls;
	enum uproc_byte_order order;
	uint16_t machine;
	uint64_t entry;
	struct tfw_seg seg[4];
	unsigned int nsegs;
	const void *table;	/* NULL: no .resource_table */
	size_t table_size;
	uint64_t table_da;	/* loaded as its own segment */
};

/* tfw_write() - write the image to @path. Returns 0 or -errno. */
int tfw_write(const struct tfw *fw, const char *path);

/*
 * tfw_simple() - an ELF64 LE x86-64 image: a 64 KiB RAM segment at 0x100000 with a
 * recognisable pattern, and @t (may be NULL) at 0x110000, written to @path.
 */
int tfw_simple(const char *path, const struct tb *t);

/* A fresh temporary directory for a test's files; removed by tmpdir_remove(). */
void tmpdir_make(char *dir, size_t len);
void tmpdir_remove(const char *dir);

/* ---- loops --------------------------------------------------------------------------- */

/*
 * PUMP_WAIT_MS - the bound of a pump() for what must happen: generous, as a loaded
 * machine or a sanitizer build is slow, and it only costs time when a test fails.
 */
#define PUMP_WAIT_MS 20000

/* pump() - dispatch @loop until @cond(@arg) holds or @ms pass. Returns cond's value. */
bool pump(struct uproc_loop *loop, bool (*cond)(void *arg), void *arg, int ms);
/* pump_for() - dispatch for @ms. */
void pump_for(struct uproc_loop *loop, int ms);

/* ---- an rproc on a host-memory board ------------------------------------------------------ */

/* What the remoteproc tests start from: a rproc on a host-memory board, run by a loop. */
struct rproc_fixture {
	char dir[128];			/* a fresh temporary directory */
	char fw[256];			/* the firmware file's path in it */
	struct uproc_loop *loop;
	struct uproc_hostmem *board;
	struct rproc *rproc;		/* allocated, not yet added */
};

/*
 * rproc_fixture_open() - make @f's directory, name its firmware @fw_name in it
 * (the file is the caller's to write), and allocate the loop, the board and the
 * rproc with @cfg. Fails the test on error.
 */
void rproc_fixture_open(struct rproc_fixture *f, const char *fw_name,
			const struct uproc_hostmem_config *cfg);

/* rproc_fixture_close() - remove the rproc (if any), free the board and the loop,
 * remove the directory. */
void rproc_fixture_close(struct rproc_fixture *f);

/* rproc_del_and_free() - rproc_del(), a short pump so @loop runs what it deferred, rproc_free(). */
void rproc_del_and_free(struct uproc_loop *loop, struct rproc *rproc);

/* ---- the host's side of an rpmsg channel ----------------------------------------------- */

#include "uproc/rpmsg.h"

#define MAX_RX 64

/* The host's side: a driver for the remote's channel, plus one fixed endpoint. */
struct thost {
	struct rpmsg_driver drv;
	struct rpmsg_device_id ids[2];
	struct rpmsg_endpoint fixed;	/* at fixed_addr (0: 1100) */
	uint32_t fixed_addr;		/* set before thost_init() to keep it */
	bool fixed_up;
	struct rpmsg_virtio_device *bus;
	struct rpmsg_endpoint *ept;	/* the channel's default endpoint */
	int probes, removes, readies;
	int tx_ready;			/* rpmsg_tx_ready hook calls */
	char rx[MAX_RX][32];
	uint32_t rx_src[MAX_RX];
	int nrx;
	char con[256];
	size_t ncon;
};

/*
 * thost_init() - reset @h and set @rproc's vdev hooks to it: on every bus that comes
 * up, a driver for @channel (counting probes/removes, recording messages) and an
 * endpoint at fixed_addr; console bytes collected in con.
 */
void thost_init(struct thost *h, struct rproc *rproc, const char *channel);

/* thost_channel_up() - pump() condition: the channel's endpoint is up (@arg: a thost). */
bool thost_channel_up(void *arg);

/* thost_got_rx() - pump() condition: @arg's host has received at least n messages. */
struct thost_want_rx {
	struct thost *h;
	int n;
};

bool thost_got_rx(void *arg);

/* ---- firmware mains ---------------------------------------------------------------------- */

/* fw_idle_main() - does nothing until stopped. */
int fw_idle_main(struct uproc_hostmem_core *core, void *arg);

/* fw_crash_after_main() - returns 5 (a crash) after *(int *)arg milliseconds. */
int fw_crash_after_main(struct uproc_hostmem_core *core, void *arg);

/*
 * struct fw_echo - the rpmsg echo firmware: announces channel "echo-svc" on vdev 0
 * and sends back every message to its sender; "crash" makes it crash; "hold:N"
 * makes it send N messages "q<i>" to address 1100 about 150 ms later.
 */
struct fw_echo {
	int timeout_ms;
	volatile int served;		/* messages echoed (for tests; approximate) */
};

int fw_echo_main(struct uproc_hostmem_core *core, void *arg);

/* fw_find_vdev() - the first vdev of virtio @id in the loaded table (a snapshot). */
int fw_find_vdev(struct uproc_hostmem_core *core, uint32_t id, struct uproc_rsc_vdev *out);

/* fw_console_main() - on console vdev 0: echoes received bytes upper-cased. */
int fw_console_main(struct uproc_hostmem_core *core, void *arg);

#define TEST_RPMSG_CH "echo-svc"

#endif /* UPROC_RPROC_TEST_UTIL_H */
