/* SPDX-License-Identifier: MIT */
/*
 * devfs.c - <runtime_dir>/dev served by FUSE's low-level API on the loop thread
 * (see devfs.h). Inode numbers carry the device's generation, so a name reused
 * by a new device is a new file and the open files of the old one keep seeing
 * the old one gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "daemon.h"
#include "devfs.h"
#include "hostutil.h"
#include "uproc/loop.h"

#define DEVFS_BATCH 64	/* requests served per wake-up */

/* The kernel's struct fuse_open_out and its flags (linux/fuse.h). */
struct devfs_open_out {
	uint64_t fh;
	uint32_t open_flags;
	uint32_t padding;
};
_Static_assert(sizeof(struct devfs_open_out) == 16, "fuse_open_out is 16 bytes");
#define DEVFS_FOPEN_DIRECT_IO (1u << 0)
#define DEVFS_FOPEN_NONSEEKABLE (1u << 2)
#define DEVFS_FOPEN_STREAM (1u << 4)

struct devslot {
	void *obj;
	uint64_t gen;		/* 0: no device */
	char link[64];
};

struct uprocd_devfs {
	struct fuse_session *se;
	struct fuse_buf buf;
	bool mounted;
	bool watched;
	uint64_t next_gen;
	struct devslot slot[UPROCD_DEV_KINDS][UPROCD_DEV_MINORS];
	struct uprocd_devfile *files;
};

static const char *const kind_prefix[UPROCD_DEV_KINDS] = {
	[UPROCD_DEV_RPROC] = "remoteproc",
	[UPROCD_DEV_CTRL] = "rpmsg_ctrl",
	[UPROCD_DEV_EPT] = "rpmsg",
	[UPROCD_DEV_TTY] = "ttyRPMSG",
	[UPROCD_DEV_HVC] = "hvc",
};

static const struct uprocd_dev_ops *kind_ops(enum uprocd_devkind k)
{
	switch (k) {
	case UPROCD_DEV_RPROC: return &uprocd_cdev_ops;
	case UPROCD_DEV_CTRL: return &uprocd_ctrl_ops;
	case UPROCD_DEV_EPT: return &uprocd_ept_ops;
	default: return NULL;
	}
}

/* ino: 1 the directory; else gen << 16 | kind << 8 | minor (gen from 1). */
static fuse_ino_t make_ino(enum uprocd_devkind k, unsigned int minor, uint64_t gen)
{
	return (fuse_ino_t)(gen << 16 | (uint64_t)k << 8 | minor);
}

static struct devslot *slot_of_ino(struct uprocd_devfs *fs, fuse_ino_t ino,
				   enum uprocd_devkind *k, unsigned int *minor)
{
	unsigned int kind = (unsigned int)(ino >> 8) & 0xff;
	unsigned int m = (unsigned int)ino & 0xff;
	uint64_t gen = (uint64_t)ino >> 16;

	if (ino == FUSE_ROOT_ID || kind == 0 || kind >= UPROCD_DEV_KINDS)
		return NULL;
	struct devslot *s = &fs->slot[kind][m];
	if (s->gen != gen || !gen)
		return NULL;
	if (k)
		*k = (enum uprocd_devkind)kind;
	if (minor)
		*minor = m;
	return s;
}

static void fill_stat(struct uprocd *d, fuse_ino_t ino, enum uprocd_devkind k,
		      const struct devslot *s, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = 0;
	st->st_gid = d->cfg.has_group ? d->cfg.group : 0;
	st->st_nlink = 1;
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (k == UPROCD_DEV_TTY || k == UPROCD_DEV_HVC) {
		st->st_mode = S_IFLNK | 0777;
		st->st_size = (off_t)strlen(s->link);
	} else {
		/* Linux's nodes are root's, 0600; a configured group may use them too */
		st->st_mode = S_IFREG | (d->cfg.has_group ? 0660 : 0600);
	}
}

static struct uprocd *req_daemon(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static int parse_name(const char *name, enum uprocd_devkind *k, unsigned int *minor)
{
	for (unsigned int i = 1; i < UPROCD_DEV_KINDS; i++) {
		size_t n = strlen(kind_prefix[i]);
		const char *s = name + n;
		char *end;
		if (strncmp(name, kind_prefix[i], n) || s[0] < '0' || s[0] > '9' ||
		    (s[0] == '0' && s[1]))
			continue;
		unsigned long v = strtoul(s, &end, 10);
		if (*end || v >= UPROCD_DEV_MINORS)
			continue;
		*k = (enum uprocd_devkind)i;
		*minor = (unsigned int)v;
		return 0;
	}
	return -ENOENT;
}

static void dev_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct uprocd *d = req_daemon(req);
	struct uprocd_devfs *fs = d->devfs;
	struct fuse_entry_param e;
	enum uprocd_devkind k;
	unsigned int minor;

	if (parent != FUSE_ROOT_ID || parse_name(name, &k, &minor) < 0 ||
	    !fs->slot[k][minor].gen) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = make_ino(k, minor, fs->slot[k][minor].gen);
	e.generation = 1;
	fill_stat(d, e.ino, k, &fs->slot[k][minor], &e.attr);
	fuse_reply_entry(req, &e); /* timeouts 0: every name is looked up again */
}

static void dev_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct uprocd *d = req_daemon(req);
	struct stat st;
	enum uprocd_devkind k = 0;
	struct devslot *s = NULL;

	(void)fi;
	if (ino != FUSE_ROOT_ID && !(s = slot_of_ino(d->devfs, ino, &k, NULL))) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_stat(d, ino, k, s, &st);
	fuse_reply_attr(req, &st, 0);
}

static void dev_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct uprocd *d = req_daemon(req);
	enum uprocd_devkind k;
	struct devslot *s = slot_of_ino(d->devfs, ino, &k, NULL);

	if (!s || (k != UPROCD_DEV_TTY && k != UPROCD_DEV_HVC)) {
		fuse_reply_err(req, s ? EINVAL : ENOENT);
		return;
	}
	fuse_reply_readlink(req, s->link);
}

/* Entries in a fixed order, @off the index of the next one to give. */
static void dev_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	struct uprocd *d = req_daemon(req);
	struct uprocd_devfs *fs = d->devfs;
	char *buf, name[32];
	size_t used = 0;
	off_t idx = 0;

	(void)fi;
	if (ino != FUSE_ROOT_ID) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (size > 65536)
		size = 65536;
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (unsigned int k = 0; k < UPROCD_DEV_KINDS; k++) {
		for (unsigned int m = 0; m < UPROCD_DEV_MINORS; m++) {
			struct stat st;
			fuse_ino_t eino;
			if (k == 0 && m > 1)
				break; /* kind 0 stands for "." and ".." */
			if (k == 0) {
				snprintf(name, sizeof(name), "%s", m ? ".." : ".");
				eino = FUSE_ROOT_ID;
			} else if (fs->slot[k][m].gen) {
				snprintf(name, sizeof(name), "%s%u", kind_prefix[k], m);
				eino = make_ino((enum uprocd_devkind)k, m, fs->slot[k][m].gen);
			} else {
				continue;
			}
			if (idx++ < off)
				continue;
			fill_stat(d, eino, (enum uprocd_devkind)k, &fs->slot[k][m], &st);
			size_t n = fuse_add_direntry(req, buf + used, size - used, name, &st, idx);
			if (n > size - used)
				goto full;
			used += n;
		}
	}
full:
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static struct uprocd_devfile *file_of(struct fuse_file_info *fi)
{
	return (struct uprocd_devfile *)(uintptr_t)fi->fh;
}

/* The device behind @f, or NULL once it went. */
static void *file_obj(struct uprocd_devfile *f)
{
	struct devslot *s = &f->d->devfs->slot[f->kind][f->minor];
	return s->gen == f->gen ? s->obj : NULL;
}

static void file_free(struct uprocd_devfs *fs, struct uprocd_devfile *f);

static void dev_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct uprocd *d = req_daemon(req);
	struct uprocd_devfs *fs = d->devfs;
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	enum uprocd_devkind k;
	unsigned int minor;
	struct devslot *s = slot_of_ino(fs, ino, &k, &minor);
	const struct uprocd_dev_ops *ops = s ? kind_ops(k) : NULL;

	if (!s) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (!ops) {
		fuse_reply_err(req, ELOOP);
		return;
	}
	if (!uprocd_may_write(d, ctx->uid, ctx->gid, ctx->pid)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	struct uprocd_devfile *f = calloc(1, sizeof(*f));
	if (!f) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	f->d = d;
	f->kind = k;
	f->minor = minor;
	f->gen = s->gen;
	f->flags = fi->flags;
	int r = ops->open(f, s->obj);
	if (r < 0) {
		free(f);
		fuse_reply_err(req, -r);
		return;
	}
	f->next = fs->files;
	if (fs->files)
		fs->files->prev = f;
	fs->files = f;
	/*
	 * The answer is written here rather than with fuse_reply_open(), whose
	 * fuse_file_info has no way to say FOPEN_STREAM (libfuse 3.14): a stream
	 * has no file position, so the kernel takes no position lock, and a
	 * thread blocked in read() does not hold up another one's write() on the
	 * same file, as on a character device. Direct I/O: every read and write
	 * reaches the device as it is made, whatever its size.
	 */
	struct devfs_open_out out = {
		.fh = (uint64_t)(uintptr_t)f,
		.open_flags = DEVFS_FOPEN_DIRECT_IO | DEVFS_FOPEN_NONSEEKABLE | DEVFS_FOPEN_STREAM,
	};
	struct iovec iov = { .iov_base = &out, .iov_len = sizeof(out) };
	if (fuse_reply_iov(req, &iov, 1) == -ENOENT) {
		/* the opener was interrupted: its release will not come */
		ops->release(f, file_obj(f));
		file_free(fs, f);
	}
}

static void file_free(struct uprocd_devfs *fs, struct uprocd_devfile *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		fs->files = f->next;
	if (f->next)
		f->next->prev = f->prev;
	if (f->ph)
		fuse_pollhandle_destroy(f->ph);
	free(f);
}

static void dev_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct uprocd *d = req_daemon(req);
	struct uprocd_devfile *f = file_of(fi);

	(void)ino;
	if (f) {
		kind_ops(f->kind)->release(f, file_obj(f));
		file_free(d->devfs, f);
	}
	fuse_reply_err(req, 0);
}

static void dev_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct uprocd_devfile *f = file_of(fi);

	(void)ino;
	(void)off;
	kind_ops(f->kind)->read(req, f, file_obj(f), size, fi->flags);
}

static void dev_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct uprocd_devfile *f = file_of(fi);

	(void)ino;
	(void)off;
	kind_ops(f->kind)->write(req, f, file_obj(f), buf, size, fi->flags);
}

static void dev_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
		      struct fuse_file_info *fi, unsigned flags, const void *in_buf,
		      size_t in_bufsz, size_t out_bufsz)
{
	struct uprocd_devfile *f = file_of(fi);

	(void)ino;
	if (flags & FUSE_IOCTL_DIR) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	kind_ops(f->kind)->ioctl(req, f, file_obj(f), cmd, (uintptr_t)arg, in_buf, in_bufsz,
				 out_bufsz);
}

static void dev_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     struct fuse_pollhandle *ph)
{
	struct uprocd_devfile *f = file_of(fi);

	(void)ino;
	if (ph) { /* the newest handle replaces an older one */
		if (f->ph)
			fuse_pollhandle_destroy(f->ph);
		f->ph = ph;
	}
	fuse_reply_poll(req, kind_ops(f->kind)->poll(f, file_obj(f)));
}

void uprocd_devfs_notify(struct uprocd_devfile *f)
{
	if (!f || !f->ph)
		return;
	fuse_lowlevel_notify_poll(f->ph);
	fuse_pollhandle_destroy(f->ph);
	f->ph = NULL;
}

static void dev_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* every write is one message: no writeback cache, no splicing of pages */
	conn->want &= ~(unsigned int)FUSE_CAP_WRITEBACK_CACHE;
}

static const struct fuse_lowlevel_ops dev_ops = {
	.init = dev_init,
	.lookup = dev_lookup,
	.getattr = dev_getattr,
	.readlink = dev_readlink,
	.readdir = dev_readdir,
	.open = dev_open,
	.release = dev_release,
	.read = dev_read,
	.write = dev_write,
	.ioctl = dev_ioctl,
	.poll = dev_poll,
};

/* ---- operations a device does not have ------------------------------------------ */

int uprocd_devfs_open_present(struct uprocd_devfile *f, void *obj)
{
	(void)f;
	return obj ? 0 : -ENODEV;
}

void uprocd_devfs_release_nothing(struct uprocd_devfile *f, void *obj)
{
	(void)f;
	(void)obj;
}

void uprocd_devfs_read_einval(fuse_req_t req, struct uprocd_devfile *f, void *obj, size_t size,
			      int flags)
{
	(void)f;
	(void)obj;
	(void)size;
	(void)flags;
	fuse_reply_err(req, EINVAL);
}

void uprocd_devfs_write_einval(fuse_req_t req, struct uprocd_devfile *f, void *obj,
			       const void *buf, size_t len, int flags)
{
	(void)f;
	(void)obj;
	(void)buf;
	(void)len;
	(void)flags;
	fuse_reply_err(req, EINVAL);
}

unsigned int uprocd_devfs_poll_ready(struct uprocd_devfile *f, void *obj)
{
	(void)f;
	return obj ? POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM : POLLERR;
}

/* ---- waiting requests ---------------------------------------------------------- */

static void wait_unlink(struct uprocd_devwait *w)
{
	struct uprocd_devwaitq *q = w->q;

	if (w->prev)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->prev = w->next = NULL;
	if (w->timer)
		uproc_loop_cancel_timer(w->d->loop, w->timer);
	w->timer = 0;
}

fuse_req_t uprocd_devwait_take(struct uprocd_devwait *w)
{
	fuse_req_t req = w->req;

	wait_unlink(w);
	free(w);
	return req;
}

/* Called on the loop thread, while FUSE handles the INTERRUPT request (never
 * from inside fuse_req_interrupt_func(): uprocd_devwait_add() looks first). */
static void wait_interrupted(fuse_req_t req, void *data)
{
	struct uprocd_devwait *w = data;
	struct uprocd_devwaitq *q = w->q;

	(void)req;
	fuse_reply_err(uprocd_devwait_take(w), EINTR);
	if (q->changed)
		q->changed(q->arg);
}

static void wait_deadline(struct uproc_loop *loop, void *arg)
{
	struct uprocd_devwait *w = arg;
	struct uprocd_devwaitq *q = w->q;
	int err = w->timeout_err;

	(void)loop;
	w->timer = 0;
	fuse_reply_err(uprocd_devwait_take(w), err);
	if (q->changed)
		q->changed(q->arg);
}

struct uprocd_devwait *uprocd_devwait_add(struct uprocd *d, struct uprocd_devwaitq *q,
					  fuse_req_t req, size_t size, const void *data,
					  size_t len, uint32_t timeout_ms)
{
	if (fuse_req_interrupted(req)) {
		fuse_reply_err(req, EINTR);
		return NULL;
	}
	struct uprocd_devwait *w = malloc(sizeof(*w) + len);
	if (!w) {
		fuse_reply_err(req, ENOMEM);
		return NULL;
	}
	memset(w, 0, sizeof(*w));
	w->req = req;
	w->q = q;
	w->d = d;
	w->size = size;
	w->len = len;
	w->timeout_err = ETIMEDOUT;
	if (len)
		memcpy(w->data, data, len);
	if (timeout_ms) {
		int64_t id = uproc_loop_add_timer(d->loop, timeout_ms, wait_deadline, w);
		if (id <= 0) {
			free(w);
			fuse_reply_err(req, ENOMEM);
			return NULL;
		}
		w->timer = id;
	}
	w->prev = q->tail;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	fuse_req_interrupt_func(req, wait_interrupted, w);
	return w;
}

void uprocd_devwait_fail_all(struct uprocd_devwaitq *q, int err)
{
	while (q->head)
		fuse_reply_err(uprocd_devwait_take(q->head), err);
}

/* ---- the table ----------------------------------------------------------------- */

int uprocd_devfs_add(struct uprocd *d, enum uprocd_devkind kind, unsigned int minor, void *obj,
		     const char *link)
{
	struct uprocd_devfs *fs = d->devfs;

	if (!fs || kind <= 0 || kind >= UPROCD_DEV_KINDS || minor >= UPROCD_DEV_MINORS)
		return -EINVAL;
	struct devslot *s = &fs->slot[kind][minor];
	if (s->gen)
		return -EEXIST;
	if (link && strlen(link) >= sizeof(s->link))
		return -ENAMETOOLONG;
	s->obj = obj;
	s->gen = ++fs->next_gen;
	snprintf(s->link, sizeof(s->link), "%s", link ? link : "");
	return 0;
}

void uprocd_devfs_remove(struct uprocd *d, enum uprocd_devkind kind, unsigned int minor)
{
	struct uprocd_devfs *fs = d->devfs;

	if (!fs || kind <= 0 || kind >= UPROCD_DEV_KINDS || minor >= UPROCD_DEV_MINORS)
		return;
	struct devslot *s = &fs->slot[kind][minor];
	s->obj = NULL;
	s->gen = 0;
	s->link[0] = '\0';
	/* pollers of its open files hear that it went */
	for (struct uprocd_devfile *f = fs->files; f; f = f->next)
		if (f->kind == kind && f->minor == minor)
			uprocd_devfs_notify(f);
}

int uprocd_devfs_init(struct uprocd *d)
{
	d->devfs = calloc(1, sizeof(*d->devfs));
	return d->devfs ? 0 : -ENOMEM;
}

static void on_fuse(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uprocd *d = arg;
	struct uprocd_devfs *fs = d->devfs;

	(void)events;
	for (int i = 0; i < DEVFS_BATCH; i++) {
		int r = fuse_session_receive_buf(fs->se, &fs->buf);
		if (r == -EAGAIN || r == -EINTR)
			return;
		if (r <= 0 || fuse_session_exited(fs->se)) {
			/* unmounted under us: nothing more will come */
			uprocd_log(d, "%s: the device filesystem went away", d->dev_dir);
			uproc_loop_del_fd(loop, fd);
			fs->watched = false;
			return;
		}
		fuse_session_process_buf(fs->se, &fs->buf);
	}
}

int uprocd_devfs_mount(struct uprocd *d)
{
	struct uprocd_devfs *fs = d->devfs;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct stat st;
	int r;

	if (stat(d->dev_dir, &st) < 0 && errno == ENOTCONN) {
		uprocd_log(d, "%s: removing the stale devices of an earlier uprocd", d->dev_dir);
		umount2(d->dev_dir, MNT_DETACH);
	}
	r = upi_mkdir_p(d->dev_dir, 0755);
	if (r < 0)
		return r;
	if (fuse_opt_add_arg(&args, "uprocd") ||
	    fuse_opt_add_arg(&args, "-oallow_other,default_permissions,fsname=uproc-dev,"
				    "subtype=uproc")) {
		fuse_opt_free_args(&args);
		return -ENOMEM;
	}
	fs->se = fuse_session_new(&args, &dev_ops, sizeof(dev_ops), d);
	fuse_opt_free_args(&args);
	if (!fs->se)
		return -EIO;
	if (fuse_session_mount(fs->se, d->dev_dir) != 0) {
		r = -EIO;
		goto destroy;
	}
	fs->mounted = true;
	int fd = fuse_session_fd(fs->se);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	r = uproc_loop_add_fd(d->loop, fd, UPROC_LOOP_IN, on_fuse, d);
	if (r < 0)
		goto unmount;
	fs->watched = true;
	return 0;

unmount:
	fuse_session_unmount(fs->se);
	fs->mounted = false;
destroy:
	fuse_session_destroy(fs->se);
	fs->se = NULL;
	return r;
}

void uprocd_devfs_stop(struct uprocd *d)
{
	struct uprocd_devfs *fs = d->devfs;

	if (!fs)
		return;
	if (fs->se) {
		if (fs->watched)
			uproc_loop_del_fd(d->loop, fuse_session_fd(fs->se));
		if (fs->mounted)
			fuse_session_unmount(fs->se);
		fuse_session_destroy(fs->se);
	}
	/* files still open: their release will not come */
	while (fs->files)
		file_free(fs, fs->files);
	free(fs->buf.mem);
	free(fs);
	d->devfs = NULL;
}
