/* SPDX-License-Identifier: MIT */
/*
 * tree.c - the control tree: a FUSE filesystem with the kernel's names.
 *
 *   class/remoteproc/remoteprocN/{name,state,firmware,recovery,coredump}   (sysfs)
 *   class/devcoredump/devcdK/{data,failing_device}                         (devcoredump)
 *   debug/remoteproc/remoteprocN/{name,recovery,crash,resource_table,
 *                                 carveout_memories,coredump,traceK}       (debugfs)
 *   dev -> <runtime_dir>/dev       (device files, devfs.c: remoteprocN, rpmsg_ctrlN, rpmsgM, ttyRPMSGn)
 *   uprocd.sock -> the control socket
 *
 * Callbacks run on FUSE's threads. A file's contents are rendered when it is
 * opened (so a reader sees one consistent snapshot); writes are handed to the loop
 * thread. Writers must be root or in the configured group: the modes say so (the
 * kernel checks them, default_permissions) and every write checks the caller again.
 *
 * Every open file's state is on a list: a program may still hold a file of the
 * tree open when uprocd exits, and its release then never comes, so whatever is
 * left on the list is freed once the FUSE threads have ended.
 */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "hostutil.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

struct open_file;

struct uprocd_tree {
	struct fuse *fuse;
	pthread_t thread;
	bool mounted;
	bool running;
	int wake_fd;	/* the root (O_PATH), held to wake a FUSE thread at exit */
	pthread_mutex_t files_lock;
	struct open_file *files;	/* files_lock: every open file, released or not */
};

enum node_kind {
	N_DIR,
	N_ATTR,		/* class/remoteproc/remoteprocN/<attr> */
	N_DEBUG,	/* debug/remoteproc/remoteprocN/<file> */
	N_DUMP_DATA,	/* class/devcoredump/devcdK/data */
	N_LINK,
};

enum debug_entry {
	D_NAME, D_RECOVERY, D_CRASH, D_RSC, D_CARVEOUTS, D_COREDUMP, D_TRACE,
};

struct tree_entry;

struct node {
	enum node_kind kind;
	struct uprocd_proc *proc;
	int attr;		/* enum uprocd_attr or enum debug_entry */
	unsigned int idx;	/* trace number, dump id */
	mode_t mode;
	const struct tree_entry *children;	/* N_DIR: its entries */
	char link[PATH_MAX];
};

/*
 * The tree, declared once: resolve() walks it down a path, tree_readdir() lists a
 * directory's entries from it. An entry has a fixed name or is a numbered family
 * (remoteprocN, devcdK, traceK) that says which numbers exist now.
 */
struct family {
	const char *prefix;
	/* Number @idx exists under @n (the parent, filled so far): fill @n, 0; or -ENOENT. */
	int (*lookup)(struct uprocd *d, struct node *n, unsigned int idx);
	/* Every number that exists under @dir, to @emit. */
	void (*list)(struct uprocd *d, const struct node *dir,
		     void (*emit)(void *ctx, unsigned int idx), void *ctx);
};

struct tree_entry {
	const char *name;		/* NULL: @family */
	const struct family *family;
	enum node_kind kind;
	int attr;			/* files: enum uprocd_attr or enum debug_entry */
	mode_t mode;			/* files */
	const struct tree_entry *children;	/* directories, ended by an empty entry */
	void (*link)(struct uprocd *d, const struct node *n, char *buf, size_t size);
};

/* ---- the numbered families ----------------------------------------------------------- */

static int proc_lookup(struct uprocd *d, struct node *n, unsigned int idx)
{
	if (idx >= d->n_procs)
		return -ENOENT;
	n->proc = &d->procs[idx];
	return 0;
}

static void proc_list(struct uprocd *d, const struct node *dir,
		      void (*emit)(void *ctx, unsigned int idx), void *ctx)
{
	(void)dir;
	for (unsigned int i = 0; i < d->n_procs; i++)
		emit(ctx, i);
}

static int dump_lookup(struct uprocd *d, struct node *n, unsigned int idx)
{
	unsigned int proc_index;

	if (uprocd_dump_size(d, idx, &proc_index) < 0 || proc_index >= d->n_procs)
		return -ENOENT;
	n->idx = idx;
	n->proc = &d->procs[proc_index];
	return 0;
}

static void dump_list(struct uprocd *d, const struct node *dir,
		      void (*emit)(void *ctx, unsigned int idx), void *ctx)
{
	unsigned int ids[256], nids = 0;

	(void)dir;
	pthread_mutex_lock(&d->lock);
	for (unsigned int i = 0; i < d->n_procs && nids < 256; i++)
		if (d->procs[i].dump_id)
			ids[nids++] = d->procs[i].dump_id;
	pthread_mutex_unlock(&d->lock);
	for (unsigned int i = 0; i < nids; i++)
		if (uprocd_dump_size(d, ids[i], NULL) >= 0) /* not dropped by its timeout */
			emit(ctx, ids[i]);
}

static int trace_lookup(struct uprocd *d, struct node *n, unsigned int idx)
{
	(void)d;
	if (idx >= uprocd_debug_trace_count(n->proc))
		return -ENOENT;
	n->idx = idx;
	return 0;
}

static void trace_list(struct uprocd *d, const struct node *dir,
		       void (*emit)(void *ctx, unsigned int idx), void *ctx)
{
	unsigned int nt = uprocd_debug_trace_count(dir->proc);

	(void)d;
	for (unsigned int i = 0; i < nt; i++)
		emit(ctx, i);
}

static const struct family procs_family = { "remoteproc", proc_lookup, proc_list };
static const struct family dumps_family = { "devcd", dump_lookup, dump_list };
static const struct family traces_family = { "trace", trace_lookup, trace_list };

/* ---- links ------------------------------------------------------------------------------ */

static void link_dev(struct uprocd *d, const struct node *n, char *buf, size_t size)
{
	(void)n;
	snprintf(buf, size, "%s", d->dev_dir);
}

static void link_socket(struct uprocd *d, const struct node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%s", d->cfg.socket);
	(void)n;
}

static void link_failing_device(struct uprocd *d, const struct node *n, char *buf, size_t size)
{
	snprintf(buf, size, "../../remoteproc/remoteproc%u", (unsigned int)(n->proc - d->procs));
}

/* ---- the tree ------------------------------------------------------------------------- */

#define FILE_ENTRY(nm, k, a, m) { .name = nm, .kind = k, .attr = (int)(a), .mode = m }
#define DIR_ENTRY(nm, ch) { .name = nm, .kind = N_DIR, .children = ch }
#define FAMILY_DIR(fam, ch) { .family = &fam, .kind = N_DIR, .children = ch }
#define LINK_ENTRY(nm, fn) { .name = nm, .kind = N_LINK, .link = fn }

static const struct tree_entry sysfs_dir[] = {
	FILE_ENTRY("name", N_ATTR, UPROCD_ATTR_NAME, 0444),
	FILE_ENTRY("state", N_ATTR, UPROCD_ATTR_STATE, 0644),
	FILE_ENTRY("firmware", N_ATTR, UPROCD_ATTR_FIRMWARE, 0644),
	FILE_ENTRY("recovery", N_ATTR, UPROCD_ATTR_RECOVERY, 0644),
	FILE_ENTRY("coredump", N_ATTR, UPROCD_ATTR_COREDUMP, 0644),
	{ 0 },
};

static const struct tree_entry debugfs_dir[] = {
	FILE_ENTRY("name", N_DEBUG, D_NAME, 0400),
	FILE_ENTRY("recovery", N_DEBUG, D_RECOVERY, 0600),
	FILE_ENTRY("crash", N_DEBUG, D_CRASH, 0200),
	FILE_ENTRY("resource_table", N_DEBUG, D_RSC, 0400),
	FILE_ENTRY("carveout_memories", N_DEBUG, D_CARVEOUTS, 0400),
	FILE_ENTRY("coredump", N_DEBUG, D_COREDUMP, 0600),
	{ .family = &traces_family, .kind = N_DEBUG, .attr = D_TRACE, .mode = 0400 },
	{ 0 },
};

static const struct tree_entry devcd_dir[] = {
	FILE_ENTRY("data", N_DUMP_DATA, 0, 0600),
	LINK_ENTRY("failing_device", link_failing_device),
	{ 0 },
};

static const struct tree_entry class_remoteproc[] = { FAMILY_DIR(procs_family, sysfs_dir), { 0 } };
static const struct tree_entry class_devcoredump[] = { FAMILY_DIR(dumps_family, devcd_dir), { 0 } };
static const struct tree_entry debug_remoteproc[] = { FAMILY_DIR(procs_family, debugfs_dir), { 0 } };

static const struct tree_entry class_dir[] = {
	DIR_ENTRY("remoteproc", class_remoteproc),
	DIR_ENTRY("devcoredump", class_devcoredump),
	{ 0 },
};

static const struct tree_entry debug_dir[] = {
	DIR_ENTRY("remoteproc", debug_remoteproc),
	{ 0 },
};

static const struct tree_entry root_dir[] = {
	DIR_ENTRY("class", class_dir),
	DIR_ENTRY("debug", debug_dir),
	LINK_ENTRY("dev", link_dev),
	LINK_ENTRY("uprocd.sock", link_socket),
	{ 0 },
};

static bool entry_end(const struct tree_entry *e)
{
	return !e->name && !e->family;
}

static struct uprocd *tree_daemon(void)
{
	return fuse_get_context()->private_data;
}

/* With a group configured, it gets the owner's rights on writable files. */
static mode_t group_mode(const struct uprocd *d, mode_t mode)
{
	if (d->cfg.has_group && (mode & 0200))
		mode |= (mode & 0600) >> 3;
	return mode;
}

static int parse_uint_suffix(const char *s, const char *prefix, unsigned int *out)
{
	size_t n = strlen(prefix);
	char *end;

	if (strncmp(s, prefix, n) || s[n] < '0' || s[n] > '9' || (s[n] == '0' && s[n + 1]))
		return -ENOENT;
	unsigned long v = strtoul(s + n, &end, 10);
	if (*end || v > 0xFFFFFFFFul)
		return -ENOENT;
	*out = (unsigned int)v;
	return 0;
}

/* Step from directory @n into its entry named @name. */
static int step(struct uprocd *d, struct node *n, const char *name)
{
	const struct tree_entry *e;

	if (n->kind != N_DIR)
		return -ENOENT;
	for (e = n->children; !entry_end(e); e++) {
		unsigned int idx;

		if (e->name ? !strcmp(name, e->name) :
			      parse_uint_suffix(name, e->family->prefix, &idx) == 0 &&
				      e->family->lookup(d, n, idx) == 0)
			break;
	}
	if (entry_end(e))
		return -ENOENT;
	n->kind = e->kind;
	switch (e->kind) {
	case N_DIR:
		n->mode = 0555;
		n->children = e->children;
		break;
	case N_LINK:
		n->children = NULL;
		e->link(d, n, n->link, sizeof(n->link));
		break;
	default:
		n->children = NULL;
		n->attr = e->attr;
		n->mode = group_mode(d, e->mode);
		break;
	}
	return 0;
}

static int resolve(struct uprocd *d, const char *path, struct node *n)
{
	char copy[PATH_MAX];
	char *save = NULL;
	int depth = 0;

	memset(n, 0, sizeof(*n));
	if (strlen(path) >= sizeof(copy))
		return -ENAMETOOLONG;
	strcpy(copy, path);
	n->kind = N_DIR;
	n->mode = 0555;
	n->children = root_dir;
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		int r = ++depth > 8 ? -ENOENT : step(d, n, t);

		if (r)
			return r;
	}
	return 0;
}

static int tree_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct uprocd *d = tree_daemon();
	struct node n;
	int r = resolve(d, path, &n);

	if (r)
		return r;
	memset(st, 0, sizeof(*st));
	st->st_uid = 0;
	st->st_gid = d->cfg.has_group ? d->cfg.group : 0;
	st->st_nlink = 1;
	switch (n.kind) {
	case N_DIR:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		break;
	case N_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_size = (off_t)strlen(n.link);
		break;
	case N_ATTR:
		st->st_mode = S_IFREG | n.mode;
		st->st_size = 4096; /* as sysfs */
		break;
	case N_DEBUG:
		st->st_mode = S_IFREG | n.mode;
		break;
	case N_DUMP_DATA: {
		ssize_t sz = uprocd_dump_size(d, n.idx, NULL);
		st->st_mode = S_IFREG | n.mode;
		st->st_size = sz > 0 ? sz : 0;
		break;
	}
	}
	return 0;
}

static int tree_readlink(const char *path, char *buf, size_t size)
{
	struct node n;
	int r = resolve(tree_daemon(), path, &n);

	if (r)
		return r;
	if (n.kind != N_LINK)
		return -EINVAL;
	snprintf(buf, size, "%s", n.link);
	return 0;
}

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t fill;
	const char *prefix;
};

static void fill_numbered(void *arg, unsigned int idx)
{
	struct fill_ctx *c = arg;
	char name[64];

	snprintf(name, sizeof(name), "%s%u", c->prefix, idx);
	c->fill(c->buf, name, NULL, 0, 0);
}

static int tree_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct uprocd *d = tree_daemon();
	struct node n;
	int r = resolve(d, path, &n);

	if (r)
		return r;
	if (n.kind != N_DIR)
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	for (const struct tree_entry *e = n.children; !entry_end(e); e++) {
		if (e->name) {
			fill(buf, e->name, NULL, 0, 0);
		} else {
			struct fill_ctx c = { .buf = buf, .fill = fill, .prefix = e->family->prefix };
			e->family->list(d, &n, fill_numbered, &c);
		}
	}
	return 0;
}

/* What an open file holds: rendered text, or the dump it reads. */
struct open_file {
	struct node node;
	struct uprocd_text text;
	bool released;			/* the inline dump it read was released */
	uint64_t read_end;		/* dump: the furthest byte read */
	struct open_file *prev, *next;	/* tree->files, under files_lock */
};

static void open_file_free(struct open_file *f)
{
	uprocd_text_free(&f->text);
	free(f);
}

static void files_add(struct uprocd_tree *t, struct open_file *f)
{
	pthread_mutex_lock(&t->files_lock);
	f->prev = NULL;
	f->next = t->files;
	if (t->files)
		t->files->prev = f;
	t->files = f;
	pthread_mutex_unlock(&t->files_lock);
}

static void files_remove(struct uprocd_tree *t, struct open_file *f)
{
	pthread_mutex_lock(&t->files_lock);
	if (f->prev)
		f->prev->next = f->next;
	else
		t->files = f->next;
	if (f->next)
		f->next->prev = f->prev;
	f->prev = f->next = NULL;
	pthread_mutex_unlock(&t->files_lock);
}

/* Files still open when the FUSE threads have ended: their release never comes. */
static void files_free_all(struct uprocd_tree *t)
{
	pthread_mutex_lock(&t->files_lock);
	while (t->files) {
		struct open_file *f = t->files;
		t->files = f->next;
		open_file_free(f);
	}
	pthread_mutex_unlock(&t->files_lock);
}

static bool caller_may_write(struct uprocd *d)
{
	struct fuse_context *c = fuse_get_context();
	return uprocd_may_write(d, c->uid, c->gid, c->pid);
}

static int render(struct open_file *f)
{
	struct uprocd_proc *p = f->node.proc;
	char line[PATH_MAX + 16];
	int n;

	switch (f->node.kind) {
	case N_ATTR:
		n = uprocd_attr_show(p, (enum uprocd_attr)f->node.attr, line, sizeof(line));
		return n < 0 ? n : uprocd_text_append(&f->text, line, (size_t)n);
	case N_DEBUG:
		switch ((enum debug_entry)f->node.attr) {
		case D_NAME:
			/* debugfs prints at most 98 characters of the name */
			return uprocd_text_printf(&f->text, "%.98s\n", rproc_get_name(p->rproc));
		case D_RECOVERY:
			n = uprocd_attr_show(p, UPROCD_ATTR_RECOVERY, line, sizeof(line));
			return n < 0 ? n : uprocd_text_append(&f->text, line, (size_t)n);
		case D_COREDUMP:
			n = uprocd_attr_show(p, UPROCD_ATTR_COREDUMP, line, sizeof(line));
			return n < 0 ? n : uprocd_text_append(&f->text, line, (size_t)n);
		case D_CRASH:
			return 0;
		case D_RSC:
			return uprocd_debug_render(p, UPROCD_DEBUG_RESOURCE_TABLE, 0, &f->text);
		case D_CARVEOUTS:
			return uprocd_debug_render(p, UPROCD_DEBUG_CARVEOUTS, 0, &f->text);
		case D_TRACE:
			return uprocd_debug_render(p, UPROCD_DEBUG_TRACE, f->node.idx, &f->text);
		}
		return -EINVAL;
	default:
		return 0;
	}
}

static int tree_open(const char *path, struct fuse_file_info *fi)
{
	struct uprocd *d = tree_daemon();
	struct open_file *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	r = resolve(d, path, &f->node);
	if (r)
		goto fail;
	if (f->node.kind == N_DIR || f->node.kind == N_LINK) {
		r = -EISDIR;
		goto fail;
	}
	int acc = fi->flags & O_ACCMODE;
	bool wants_write = acc == O_WRONLY || acc == O_RDWR || (fi->flags & O_TRUNC);
	bool wants_read = acc == O_RDONLY || acc == O_RDWR;
	if (wants_write && (!(f->node.mode & 0200) || !caller_may_write(d))) {
		r = -EACCES;
		goto fail;
	}
	if (wants_read && !(f->node.mode & 0400)) {
		r = -EACCES;
		goto fail;
	}
	if (wants_read) {
		r = render(f);
		if (r)
			goto fail;
	}
	fi->fh = (uint64_t)(uintptr_t)f;
	fi->direct_io = 1;	/* sizes are not known in advance: no page cache */
	fi->nonseekable = 0;
	files_add(d->tree, f);
	return 0;
fail:
	open_file_free(f);
	return r;
}

static int tree_release(const char *path, struct fuse_file_info *fi)
{
	struct open_file *f = (struct open_file *)(uintptr_t)fi->fh;

	if (f) {
		struct uprocd *d = tree_daemon();
		/* A reader that had the whole inline dump and closes the file releases
		 * it, as one that reads to the end of file does: GNU cp reads the
		 * file's size and closes without the final empty read. */
		if (f->node.kind == N_DUMP_DATA && !f->released && f->read_end) {
			struct uprocd_proc *dp = uprocd_dump_proc(d, f->node.idx);
			ssize_t size = uprocd_dump_size(d, f->node.idx, NULL);
			if (dp && size > 0 && f->read_end >= (uint64_t)size &&
			    uprocd_dump_inline(d, f->node.idx))
				uprocd_dump_release(d, f->node.idx);
		}
		files_remove(d->tree, f);
		open_file_free(f);
	}
	return 0;
}

static int tree_read(const char *path, char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct open_file *f = (struct open_file *)(uintptr_t)fi->fh;
	struct uprocd *d = tree_daemon();

	if (off < 0)
		return -EINVAL;
	if (f->node.kind == N_DUMP_DATA) {
		ssize_t n = uprocd_dump_read(d, f->node.idx, buf, size, (uint64_t)off);
		if (n > 0 && (uint64_t)off + (uint64_t)n > f->read_end)
			f->read_end = (uint64_t)off + (uint64_t)n;
		/* Reading an inline dump to its end releases it: the recovery that
		 * waits for it goes on. */
		struct uprocd_proc *dp = uprocd_dump_proc(d, f->node.idx);
		if (n == 0 && !f->released && dp && uprocd_dump_inline(d, f->node.idx)) {
			f->released = true;
			uprocd_dump_release(d, f->node.idx);
		}
		return (int)n;
	}
	if (f->node.kind == N_DEBUG && f->node.attr == D_TRACE) {
		/* As Linux's trace file: every read looks at the buffer as it is now
		 * (the firmware goes on writing), not at a copy taken at open. */
		uprocd_text_free(&f->text);
		int r = render(f);
		if (r)
			return r;
	}
	if ((size_t)off >= f->text.len)
		return 0;
	size_t n = f->text.len - (size_t)off;
	if (n > size)
		n = size;
	memcpy(buf, f->text.buf + off, n);
	return (int)n;
}

struct store_call {
	struct uprocd_proc *proc;
	enum uprocd_attr attr;
	const char *buf;
	size_t len;
};

static int do_store(void *arg)
{
	struct store_call *c = arg;
	return uprocd_attr_store(c->proc, c->attr, c->buf, c->len);
}

static int tree_write(const char *path, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct open_file *f = (struct open_file *)(uintptr_t)fi->fh;
	struct uprocd *d = tree_daemon();
	struct store_call c = { .proc = f->node.proc, .buf = buf, .len = size };

	if (!caller_may_write(d))
		return -EACCES;
	if (f->node.kind == N_DUMP_DATA) {
		/* devcoredump: any write frees the dump */
		int r = uprocd_dump_release(d, f->node.idx);
		return r < 0 ? r : (int)size;
	}
	if (f->node.kind == N_ATTR) {
		c.attr = (enum uprocd_attr)f->node.attr;
	} else if (f->node.kind == N_DEBUG) {
		switch ((enum debug_entry)f->node.attr) {
		case D_RECOVERY: c.attr = UPROCD_ATTR_RECOVERY; break;
		case D_COREDUMP: c.attr = UPROCD_ATTR_COREDUMP; break;
		case D_CRASH: c.attr = UPROCD_ATTR_CRASH; break;
		default: return -EACCES;
		}
	} else {
		return -EACCES;
	}
	/* Like sysfs, a write is one store of the whole buffer. */
	if (size > 4096)
		return -EINVAL;
	int r = uproc_loop_call(d->loop, do_store, &c);
	return r < 0 ? r : (int)size;
}

static int tree_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct uprocd *d = tree_daemon();
	struct node n;
	int r = resolve(d, path, &n);

	if (r)
		return r;
	if (n.kind == N_DIR || n.kind == N_LINK)
		return -EISDIR;
	if (!(n.mode & 0200) || !caller_may_write(d))
		return -EACCES;
	return 0; /* "echo x > file" truncates first: nothing to do, as sysfs */
}

static void *tree_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->direct_io = 1;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations tree_ops = {
	.init = tree_init,
	.getattr = tree_getattr,
	.readlink = tree_readlink,
	.readdir = tree_readdir,
	.open = tree_open,
	.release = tree_release,
	.read = tree_read,
	.write = tree_write,
	.truncate = tree_truncate,
};

static void *tree_thread(void *arg)
{
	struct uprocd *d = arg;
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();

	if (cfg) {
		fuse_loop_cfg_set_max_threads(cfg, 4);
		fuse_loop_mt(d->tree->fuse, cfg);
		fuse_loop_cfg_destroy(cfg);
	} else {
		fuse_loop(d->tree->fuse);
	}
	return NULL;
}

/* A mount left behind by a uprocd that died ("Transport endpoint is not connected"). */
static void clear_stale_mount(struct uprocd *d, const char *root)
{
	struct stat st;

	if (stat(root, &st) < 0 && errno == ENOTCONN) {
		uprocd_log(d, "%s: removing the stale tree of an earlier uprocd", root);
		umount2(root, MNT_DETACH);
	}
}

int uprocd_tree_start(struct uprocd *d)
{
	const char *root = d->cfg.root;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	int r;

	d->tree = calloc(1, sizeof(*d->tree));
	if (!d->tree)
		return -ENOMEM;
	d->tree->wake_fd = -1;
	pthread_mutex_init(&d->tree->files_lock, NULL);
	clear_stale_mount(d, root);
	r = upi_mkdir_p(root, 0755);
	if (r < 0) {
		uprocd_log(d, "cannot create %s: %s", root, strerror(-r));
		goto free_tree;
	}
	if (fuse_opt_add_arg(&args, "uprocd") ||
	    fuse_opt_add_arg(&args, "-oallow_other,default_permissions,fsname=uproc,subtype=uproc")) {
		r = -ENOMEM;
		goto free_args;
	}
	d->tree->fuse = fuse_new(&args, &tree_ops, sizeof(tree_ops), d);
	if (!d->tree->fuse) {
		r = -EIO;
		uprocd_log(d, "cannot set up FUSE (is /dev/fuse there?)");
		goto free_args;
	}
	if (fuse_mount(d->tree->fuse, root) != 0) {
		r = -EIO;
		uprocd_log(d, "cannot mount the control tree on %s", root);
		goto destroy;
	}
	d->tree->mounted = true;
	r = -pthread_create(&d->tree->thread, NULL, tree_thread, d);
	if (r)
		goto unmount;
	d->tree->running = true;
	/* O_PATH: no FUSE open (whose release might never be served), yet a
	 * reference that keeps the connection alive for the wake-up at exit. */
	d->tree->wake_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fuse_opt_free_args(&args);
	return 0;

unmount:
	fuse_unmount(d->tree->fuse);
destroy:
	fuse_destroy(d->tree->fuse);
free_args:
	fuse_opt_free_args(&args);
free_tree:
	pthread_mutex_destroy(&d->tree->files_lock);
	free(d->tree);
	d->tree = NULL;
	return r;
}

void uprocd_tree_stop(struct uprocd *d)
{
	struct uprocd_tree *t = d->tree;

	if (!t)
		return;
	/* Queued writes fail first, so no FUSE thread waits on a loop that is
	 * gone; then the unmount ends the FUSE loop. */
	uproc_loop_close_calls(d->loop);
	fuse_exit(t->fuse);
	if (t->mounted)
		fuse_unmount(t->fuse);
	/* The unmount is lazy: while a program holds a file of the tree open the
	 * connection lives on and the FUSE threads keep waiting for requests. One
	 * request of our own (a GETATTR, forced past the attribute cache) lets a
	 * thread see that the session has ended. The unmount has closed our end of
	 * the device, so once the FUSE threads are gone the kernel aborts the
	 * connection: this call returns even if no thread answers it, and the
	 * program holding a file gets ENOTCONN. */
	if (t->wake_fd >= 0) {
		struct statx stx;
		statx(t->wake_fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_BASIC_STATS,
		      &stx);
		close(t->wake_fd);
	}
	if (t->running)
		pthread_join(t->thread, NULL);
	/* No FUSE thread runs now: releases that never came are done here. */
	files_free_all(t);
	fuse_destroy(t->fuse);
	pthread_mutex_destroy(&t->files_lock);
	free(t);
	d->tree = NULL;
}
