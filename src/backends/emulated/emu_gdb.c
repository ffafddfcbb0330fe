// SPDX-License-Identifier: MIT
/*
 * emu_gdb.c - the gdb remote serial protocol served by an emulated core itself.
 *
 * The core makes a socket pair before it confines itself: it speaks on one end and
 * keeps the other open, its number in the control page (debug_fd), for a debugger
 * relay (`uproc gdb`) to take with pidfd_getfd. Bytes arriving on the core's end
 * raise SIGIO, which stops the emulation at the next block (gdb's Ctrl-C, or the
 * first packet of a new session); the core then serves packets until it is told to
 * continue or step. While stopped, the control page's debug_state is 1, so the
 * host's watchdog does not take the core for hung.
 *
 * Packets: ? g G p P m M c s vCont? qSupported qXfer:features:read (the target
 * description of the architecture) qAttached qC qfThreadInfo qsThreadInfo H T Z0 z0
 * D k (detach: the core runs on). Breakpoints are code hooks on one address each.
 * Everything the debugger sends is untrusted input: lengths and addresses are
 * bounded, malformed packets get an error reply.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emu.h"

#define GDB_PKT_MAX 4096
#define GDB_MEM_MAX 1024 /* bytes per m/M packet */

/* ---- registers per architecture ---------------------------------------------------- */

static const char arm_xml[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>arm</architecture>"
	"<feature name=\"org.gnu.gdb.arm.m-profile\">"
	"<reg name=\"r0\" bitsize=\"32\"/><reg name=\"r1\" bitsize=\"32\"/>"
	"<reg name=\"r2\" bitsize=\"32\"/><reg name=\"r3\" bitsize=\"32\"/>"
	"<reg name=\"r4\" bitsize=\"32\"/><reg name=\"r5\" bitsize=\"32\"/>"
	"<reg name=\"r6\" bitsize=\"32\"/><reg name=\"r7\" bitsize=\"32\"/>"
	"<reg name=\"r8\" bitsize=\"32\"/><reg name=\"r9\" bitsize=\"32\"/>"
	"<reg name=\"r10\" bitsize=\"32\"/><reg name=\"r11\" bitsize=\"32\"/>"
	"<reg name=\"r12\" bitsize=\"32\"/>"
	"<reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>"
	"<reg name=\"lr\" bitsize=\"32\"/>"
	"<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>"
	"<reg name=\"xpsr\" bitsize=\"32\" regnum=\"25\"/>"
	"</feature></target>";

static const char riscv_xml[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>riscv:rv32</architecture>"
	"<feature name=\"org.gnu.gdb.riscv.cpu\">"
	"<reg name=\"zero\" bitsize=\"32\" type=\"int\"/><reg name=\"ra\" bitsize=\"32\" type=\"code_ptr\"/>"
	"<reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/><reg name=\"gp\" bitsize=\"32\" type=\"data_ptr\"/>"
	"<reg name=\"tp\" bitsize=\"32\" type=\"data_ptr\"/><reg name=\"t0\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"t1\" bitsize=\"32\" type=\"int\"/><reg name=\"t2\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"fp\" bitsize=\"32\" type=\"data_ptr\"/><reg name=\"s1\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"a0\" bitsize=\"32\" type=\"int\"/><reg name=\"a1\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"a2\" bitsize=\"32\" type=\"int\"/><reg name=\"a3\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"a4\" bitsize=\"32\" type=\"int\"/><reg name=\"a5\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"a6\" bitsize=\"32\" type=\"int\"/><reg name=\"a7\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"s2\" bitsize=\"32\" type=\"int\"/><reg name=\"s3\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"s4\" bitsize=\"32\" type=\"int\"/><reg name=\"s5\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"s6\" bitsize=\"32\" type=\"int\"/><reg name=\"s7\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"s8\" bitsize=\"32\" type=\"int\"/><reg name=\"s9\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"s10\" bitsize=\"32\" type=\"int\"/><reg name=\"s11\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"t3\" bitsize=\"32\" type=\"int\"/><reg name=\"t4\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"t5\" bitsize=\"32\" type=\"int\"/><reg name=\"t6\" bitsize=\"32\" type=\"int\"/>"
	"<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>"
	"</feature></target>";

#define MIPS_R(n) "<reg name=\"r" #n "\" bitsize=\"32\"/>"
#define MIPS_F(n) "<reg name=\"f" #n "\" bitsize=\"32\" type=\"ieee_single\"/>"
static const char mips_xml[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>mips</architecture>"
	"<feature name=\"org.gnu.gdb.mips.cpu\">"
	MIPS_R(0) MIPS_R(1) MIPS_R(2) MIPS_R(3) MIPS_R(4) MIPS_R(5) MIPS_R(6) MIPS_R(7)
	MIPS_R(8) MIPS_R(9) MIPS_R(10) MIPS_R(11) MIPS_R(12) MIPS_R(13) MIPS_R(14) MIPS_R(15)
	MIPS_R(16) MIPS_R(17) MIPS_R(18) MIPS_R(19) MIPS_R(20) MIPS_R(21) MIPS_R(22) MIPS_R(23)
	MIPS_R(24) MIPS_R(25) MIPS_R(26) MIPS_R(27) MIPS_R(28) MIPS_R(29) MIPS_R(30) MIPS_R(31)
	"<reg name=\"lo\" bitsize=\"32\" regnum=\"33\"/><reg name=\"hi\" bitsize=\"32\" regnum=\"34\"/>"
	"<reg name=\"pc\" bitsize=\"32\" regnum=\"37\"/>"
	"</feature><feature name=\"org.gnu.gdb.mips.cp0\">"
	"<reg name=\"status\" bitsize=\"32\" regnum=\"32\"/>"
	"<reg name=\"badvaddr\" bitsize=\"32\" regnum=\"35\"/>"
	"<reg name=\"cause\" bitsize=\"32\" regnum=\"36\"/>"
	"</feature><feature name=\"org.gnu.gdb.mips.fpu\">"
	"<reg name=\"f0\" bitsize=\"32\" type=\"ieee_single\" regnum=\"38\"/>" MIPS_F(1) MIPS_F(2) MIPS_F(3) MIPS_F(4) MIPS_F(5) MIPS_F(6) MIPS_F(7)
	MIPS_F(8) MIPS_F(9) MIPS_F(10) MIPS_F(11) MIPS_F(12) MIPS_F(13) MIPS_F(14) MIPS_F(15)
	MIPS_F(16) MIPS_F(17) MIPS_F(18) MIPS_F(19) MIPS_F(20) MIPS_F(21) MIPS_F(22) MIPS_F(23)
	MIPS_F(24) MIPS_F(25) MIPS_F(26) MIPS_F(27) MIPS_F(28) MIPS_F(29) MIPS_F(30) MIPS_F(31)
	"<reg name=\"fcsr\" bitsize=\"32\" group=\"float\"/>"
	"<reg name=\"fir\" bitsize=\"32\" group=\"float\"/>"
	"</feature></target>";

/* The target description of @emu's architecture. */
static const char *arch_xml(const struct emu *emu)
{
	return emu->machine == EM_ARM ? arm_xml : emu->machine == EM_RISCV ? riscv_xml : mips_xml;
}

/* ---- the stub's state --------------------------------------------------------------- */

#define GDB_MAX_BP 32

static struct {
	int fd;		/* our end, or -1 */
	char in[GDB_PKT_MAX + 8];
	size_t inlen;
	uint32_t bp_addr[GDB_MAX_BP];
	uc_hook bp_hook[GDB_MAX_BP];
	unsigned int nbp;
	uint32_t skip; /* continuing from a breakpoint at this pc: pass it once */
	bool skip_on;
	bool attached; /* a debugger spoke since the last detach */
} g = { .fd = -1 };

static struct emu *g_emu;

/* Only flags: the block hook stops the run (see emu_main.c, alarm and signals). */
static void on_sigio(int sig)
{
	(void)sig;
	if (!g_emu)
		return;
	g_emu->debug_req = 1;
	g_emu->attention = 1;
}

int emu_gdb_setup(struct emu *emu, int *peer_fd)
{
	int sv[2];
	struct sigaction sa;

	*peer_fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return -errno;
	if (fcntl(sv[0], F_SETOWN, getpid()) != 0 ||
	    fcntl(sv[0], F_SETFL, O_NONBLOCK | O_ASYNC) != 0) {
		int e = -errno;
		close(sv[0]);
		close(sv[1]);
		return e;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigio;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGIO, &sa, NULL);
	g_emu = emu;
	g.fd = sv[0];
	*peer_fd = sv[1];
	emu->ctl->debug_fd = sv[1];
	return sv[0];
}

int emu_gdb_fd(void)
{
	return g.fd;
}

/* ---- packets ------------------------------------------------------------------------ */

static const char hexd[] = "0123456789abcdef";

static void send_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(g.fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = g.fd, .events = POLLOUT };
			if (poll(&pfd, 1, 5000) > 0)
				continue;
		}
		return; /* the debugger went away */
	}
}

static void send_pkt(const char *payload)
{
	static char out[2 * GDB_PKT_MAX + 8];
	size_t n = strlen(payload);
	unsigned int sum = 0;

	if (n > sizeof(out) - 5)
		n = sizeof(out) - 5;
	out[0] = '$';
	memcpy(out + 1, payload, n);
	for (size_t i = 0; i < n; i++)
		sum += (unsigned char)payload[i];
	out[n + 1] = '#';
	out[n + 2] = hexd[(sum >> 4) & 0xf];
	out[n + 3] = hexd[sum & 0xf];
	send_all(out, n + 4);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_hex(const char **p, uint32_t *out)
{
	uint64_t v = 0;
	int n = 0, d;

	while ((d = hexval(**p)) >= 0 && n < 9) {
		v = v << 4 | (unsigned int)d;
		(*p)++;
		n++;
	}
	if (!n || n > 8)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A register value as target-order hex (8 digits). */
static void put_word(char *dst, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++) {
		uint8_t b = (uint8_t)(v >> (8 * (be ? 3 - i : i)));
		dst[2 * i] = hexd[b >> 4];
		dst[2 * i + 1] = hexd[b & 0xf];
	}
}

static bool get_word(const char *src, uint32_t *v, bool be)
{
	uint32_t r = 0;
	for (int i = 0; i < 4; i++) {
		int hi = hexval(src[2 * i]), lo = hexval(src[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		r |= (uint32_t)(hi << 4 | lo) << (8 * (be ? 3 - i : i));
	}
	*v = r;
	return true;
}

static void on_bp(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	struct emu *emu = arg;
	(void)size;

	(void)uc;
	if (g.skip_on && g.skip == (uint32_t)addr) {
		g.skip_on = false;
		return;
	}
	emu->debug_req = 1;
	emu_stop_at(emu, EMU_STOP_DEBUG, (uint32_t)addr);
}

/* Blocks translated before a breakpoint came or went are translated again. */
static void bp_retranslate(struct emu *emu, uint32_t addr)
{
	(void)uc_ctl_remove_cache(emu->uc, addr, (uint64_t)addr + 1);
}

static bool bp_add(struct emu *emu, uint32_t addr)
{
	for (unsigned int i = 0; i < g.nbp; i++)
		if (g.bp_addr[i] == addr)
			return true;
	if (g.nbp >= GDB_MAX_BP ||
	    uc_hook_add(emu->uc, &g.bp_hook[g.nbp], UC_HOOK_CODE, (void *)on_bp, emu, addr, addr))
		return false;
	g.bp_addr[g.nbp++] = addr;
	bp_retranslate(emu, addr);
	return true;
}

static void bp_del(struct emu *emu, uint32_t addr)
{
	for (unsigned int i = 0; i < g.nbp; i++) {
		if (g.bp_addr[i] == addr) {
			uc_hook_del(emu->uc, g.bp_hook[i]);
			bp_retranslate(emu, addr);
			g.nbp--;
			g.bp_addr[i] = g.bp_addr[g.nbp];
			g.bp_hook[i] = g.bp_hook[g.nbp];
			return;
		}
	}
}

static void bp_clear(struct emu *emu)
{
	while (g.nbp)
		bp_del(emu, g.bp_addr[g.nbp - 1]);
}

/* The value at place @i of the 'g' packet. */
static uint32_t reg_get(struct emu *emu, unsigned int i)
{
	const struct emu_reg *r = emu_reg_at(emu->arch->regs, i);
	return r ? emu_reg_read(emu, r->uc) : 0;
}

static void reg_set(struct emu *emu, unsigned int i, uint32_t v)
{
	const struct emu_reg *r = emu_reg_at(emu->arch->regs, i);
	if (r)
		emu_reg_write(emu, r->uc, v);
}

static void reply_regs(struct emu *emu)
{
	static char out[GDB_PKT_MAX];
	unsigned int n = emu->arch->regs->ngdb;

	for (unsigned int i = 0; i < n; i++)
		put_word(out + 8 * i, reg_get(emu, i), emu->big_endian);
	out[8 * n] = '\0';
	send_pkt(out);
}

static void write_regs(struct emu *emu, const char *p)
{
	unsigned int n = emu->arch->regs->ngdb;

	if (strlen(p) < 8u * n) {
		send_pkt("E01");
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint32_t v;
		if (!get_word(p + 8 * i, &v, emu->big_endian)) {
			send_pkt("E01");
			return;
		}
		reg_set(emu, i, v);
	}
	send_pkt("OK");
}

static void one_reg(struct emu *emu, const char *p, bool set)
{
	unsigned int n = emu->arch->regs->ngdb;
	uint32_t num, v;
	char out[16];

	if (!parse_hex(&p, &num)) {
		send_pkt("E01");
		return;
	}
	/* ARM's xpsr is regnum 25 in the description, the 17th value of 'g'. */
	if (emu->machine == EM_ARM && num == 25)
		num = 16;
	if (num >= n) {
		send_pkt(set ? "E01" : "xxxxxxxx");
		return;
	}
	if (!set) {
		put_word(out, reg_get(emu, num), emu->big_endian);
		out[8] = '\0';
		send_pkt(out);
		return;
	}
	if (*p != '=' || !get_word(p + 1, &v, emu->big_endian)) {
		send_pkt("E01");
		return;
	}
	reg_set(emu, num, v);
	send_pkt("OK");
}

/* MIPS firmware addresses are kseg0/kseg1: unicorn's memory API takes them as the CPU does. */
static void read_mem(struct emu *emu, const char *p)
{
	static char out[2 * GDB_MEM_MAX + 1];
	uint8_t buf[GDB_MEM_MAX];
	uint32_t addr, len;

	if (!parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len)) {
		send_pkt("E01");
		return;
	}
	if (len > GDB_MEM_MAX)
		len = GDB_MEM_MAX;
	uint64_t a = emu->machine == EM_MIPS ? (addr & 0x1FFFFFFFu) : addr;
	if (emu->machine == EM_MIPS && addr < 0x80000000u) {
		send_pkt("E14");
		return;
	}
	if (uc_mem_read(emu->uc, a, buf, len) != UC_ERR_OK) {
		send_pkt("E14");
		return;
	}
	for (uint32_t i = 0; i < len; i++) {
		out[2 * i] = hexd[buf[i] >> 4];
		out[2 * i + 1] = hexd[buf[i] & 0xf];
	}
	out[2 * len] = '\0';
	send_pkt(out);
}

static void write_mem(struct emu *emu, const char *p)
{
	uint8_t buf[GDB_MEM_MAX];
	uint32_t addr, len;

	if (!parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len) || *p++ != ':' ||
	    len > GDB_MEM_MAX || strlen(p) < 2u * len) {
		send_pkt("E01");
		return;
	}
	for (uint32_t i = 0; i < len; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			send_pkt("E01");
			return;
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	uint64_t a = emu->machine == EM_MIPS ? (addr & 0x1FFFFFFFu) : addr;
	send_pkt(uc_mem_write(emu->uc, a, buf, len) == UC_ERR_OK ? "OK" : "E14");
}

static void xfer_features(struct emu *emu, const char *p)
{
	const char *xml = arch_xml(emu);
	uint32_t off, len;
	static char out[GDB_PKT_MAX];

	if (strncmp(p, "target.xml:", 11) != 0) {
		send_pkt("E00");
		return;
	}
	p += 11;
	if (!parse_hex(&p, &off) || *p++ != ',' || !parse_hex(&p, &len)) {
		send_pkt("E01");
		return;
	}
	size_t total = strlen(xml);
	if (off >= total) {
		send_pkt("l");
		return;
	}
	size_t chunk = total - off;
	if (chunk > len)
		chunk = len;
	if (chunk > sizeof(out) - 2)
		chunk = sizeof(out) - 2;
	out[0] = off + chunk >= total ? 'l' : 'm';
	memcpy(out + 1, xml + off, chunk);
	out[chunk + 1] = '\0';
	send_pkt(out);
}

/* What to do after a packet. */
enum gdb_next { GDB_STAY, GDB_CONTINUE, GDB_STEP, GDB_DETACH };

static enum gdb_next handle(struct emu *emu, char *pkt)
{
	switch (pkt[0]) {
	case '?':
		send_pkt("S05");
		return GDB_STAY;
	case 'g':
		reply_regs(emu);
		return GDB_STAY;
	case 'G':
		write_regs(emu, pkt + 1);
		return GDB_STAY;
	case 'p':
		one_reg(emu, pkt + 1, false);
		return GDB_STAY;
	case 'P':
		one_reg(emu, pkt + 1, true);
		return GDB_STAY;
	case 'm':
		read_mem(emu, pkt + 1);
		return GDB_STAY;
	case 'M':
		write_mem(emu, pkt + 1);
		return GDB_STAY;
	case 'c':
		return GDB_CONTINUE;
	case 's':
		return GDB_STEP;
	case 'D':
		send_pkt("OK");
		return GDB_DETACH;
	case 'k':
		return GDB_DETACH;
	case 'H':
	case 'T':
		send_pkt("OK");
		return GDB_STAY;
	case 'Z':
	case 'z': {
		const char *p = pkt + 1;
		uint32_t addr;
		if ((p[0] != '0' && p[0] != '1') || p[1] != ',') {
			send_pkt("");
			return GDB_STAY;
		}
		p += 2;
		if (!parse_hex(&p, &addr)) {
			send_pkt("E01");
			return GDB_STAY;
		}
		if (pkt[0] == 'Z')
			send_pkt(bp_add(emu, addr) ? "OK" : "E0E");
		else {
			bp_del(emu, addr);
			send_pkt("OK");
		}
		return GDB_STAY;
	}
	case 'v':
		if (!strcmp(pkt, "vCont?"))
			send_pkt("vCont;c;s");
		else if (!strncmp(pkt, "vCont;c", 7))
			return GDB_CONTINUE;
		else if (!strncmp(pkt, "vCont;s", 7))
			return GDB_STEP;
		else
			send_pkt("");
		return GDB_STAY;
	case 'q':
		if (!strncmp(pkt, "qSupported", 10))
			send_pkt("PacketSize=1000;qXfer:features:read+");
		else if (!strncmp(pkt, "qXfer:features:read:", 20))
			xfer_features(emu, pkt + 20);
		else if (!strcmp(pkt, "qAttached"))
			send_pkt("1");
		else if (!strcmp(pkt, "qC"))
			send_pkt("QC1");
		else if (!strcmp(pkt, "qfThreadInfo"))
			send_pkt("m1");
		else if (!strcmp(pkt, "qsThreadInfo"))
			send_pkt("l");
		else
			send_pkt("");
		return GDB_STAY;
	default:
		send_pkt("");
		return GDB_STAY;
	}
}

/*
 * Take one packet out of g.in if a whole one is there. Returns 1 with @pkt filled,
 * 0 when more bytes are needed, and answers acks and interrupts on the way.
 */
static int next_packet(char *pkt, bool *interrupt)
{
	for (;;) {
		size_t i = 0;
		while (i < g.inlen && g.in[i] != '$') {
			if (g.in[i] == 0x03)
				*interrupt = true;
			i++;
		}
		memmove(g.in, g.in + i, g.inlen - i);
		g.inlen -= i;
		if (!g.inlen)
			return 0;
		char *hash = memchr(g.in, '#', g.inlen);
		if (!hash) {
			if (g.inlen >= GDB_PKT_MAX) /* too long: drop it */
				g.inlen = 0;
			return 0;
		}
		size_t body = (size_t)(hash - g.in) - 1;
		if ((size_t)(hash - g.in) + 3 > g.inlen)
			return 0;
		memcpy(pkt, g.in + 1, body);
		pkt[body] = '\0';
		size_t used = (size_t)(hash - g.in) + 3;
		memmove(g.in, g.in + used, g.inlen - used);
		g.inlen -= used;
		send_all("+", 1);
		return 1;
	}
}

/* Read what the debugger sent; false when it hung up. */
static bool fill(bool wait)
{
	if (wait) {
		struct pollfd pfd = { .fd = g.fd, .events = POLLIN };
		if (poll(&pfd, 1, -1) < 0)
			return true;
	}
	if (g.inlen >= sizeof(g.in))
		g.inlen = 0;
	ssize_t n = read(g.fd, g.in + g.inlen, sizeof(g.in) - g.inlen);
	if (n == 0)
		return false;
	if (n > 0)
		g.inlen += (size_t)n;
	return true;
}

/*
 * About to run again: each packet served raised SIGIO (debug_req), which would stop
 * the run at its first block; keep the request only when the debugger sent more.
 */
static void clear_request(struct emu *emu)
{
	struct pollfd pfd = { .fd = g.fd, .events = POLLIN };

	emu->debug_req = 0;
	if (poll(&pfd, 1, 0) > 0)
		emu->debug_req = 1;
}

static void set_stopped(struct emu *emu, bool stopped)
{
	__atomic_store_n(&emu->ctl->debug_state, stopped ? 1u : 0u, __ATOMIC_RELEASE);
}

static void detach(struct emu *emu)
{
	bp_clear(emu);
	g.inlen = 0;
	g.attached = false;
	g.skip_on = false;
	clear_request(emu);
	set_stopped(emu, false);
}

void emu_gdb_stopped(struct emu *emu, bool report)
{
	static char pkt[GDB_PKT_MAX + 8];
	bool interrupt = false;

	emu->debug_req = 0;
	if (g.fd < 0)
		return;
	if (!fill(false)) {
		detach(emu);
		return;
	}
	/* Woken by bare acks while running: nothing to stop for. */
	if (!report && !memchr(g.in, '$', g.inlen) && !memchr(g.in, 0x03, g.inlen)) {
		g.inlen = 0;
		return;
	}
	set_stopped(emu, true);
	if (report && g.attached)
		send_pkt("S05");
	for (;;) {
		int got = next_packet(pkt, &interrupt);
		if (interrupt && g.attached && !got) {
			interrupt = false;
			send_pkt("S02");
		}
		if (!got) {
			if (!fill(true)) {
				detach(emu);
				return;
			}
			continue;
		}
		g.attached = true;
		enum gdb_next next = handle(emu, pkt);
		if (next == GDB_DETACH) {
			detach(emu);
			return;
		}
		if (next == GDB_STAY)
			continue;
		uint32_t pc = emu_pc(emu);
		g.skip = pc;
		g.skip_on = true;
		clear_request(emu);
		if (next == GDB_STEP) {
			uint32_t start = emu->machine == EM_ARM ? (pc | 1) : pc;
			emu->stop = EMU_STOP_NONE;
			emu->stop_pc_valid = false;
			uc_emu_start(emu->uc, start, 0, 0, 1);
			if (emu->stop_pc_valid)
				emu_set_pc(emu, emu->stop_pc);
			g.skip_on = false;
			if (emu->stop == EMU_STOP_FAULT) {
				set_stopped(emu, false);
				return; /* the main loop ends the core */
			}
			send_pkt("S05");
			continue;
		}
		set_stopped(emu, false);
		return; /* continue */
	}
}
