// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab-bench: many objects.  The scale cases time one creation and one
 * P+V while N semaphore sets of one semaphore already exist, ipclab's
 * and SysV's side by side; the kernel-memory cases make N objects at
 * once.  Both need more objects than the limits allow by default:
 *
 *  - ipclab's module parameters (/sys/module/ipclab/parameters/:
 *    max_objects, max_objects_per_user, max_sems_total, ...), raised
 *    as root to what is in use plus what the case makes (max_objects
 *    goes up to 131072, the size of ipclab's object table);
 *  - SysV's kernel.sem SEMMNI and kernel.msgmni, which the kernel caps
 *    at IPCMNI (32768) unless it was booted with ipcmni_extend.
 *
 * A limit that cannot be raised far enough (not root, or past its
 * ceiling: the largest value it accepts is found and said) skips that
 * variant at that N, with the reason in the table and the JSON: nothing
 * is measured at a smaller N instead.  Every limit changed is put back,
 * and every object made removed, at the end and on the way out of a
 * failure (bench_cleanup(), also run by atexit()).
 *
 * The filler grows along the ladder of N (1, 1000, 10000, 100000): each
 * scale case makes only the sets its N has more than the last one's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

#include "ipclab.h"
#include "bench.h"

/* Room beyond what a case makes: the object it times, and some spare. */
#define MARGIN 16
#define MAX_SAVED 16
#define MAX_FIELDS 8

/* ---- limits: raised for a case, put back at the end ------------------- */

/* A file's first line as it was before we wrote to it. */
static struct {
	char path[128];
	char line[256];
} saved[MAX_SAVED];
static int nsaved;

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* 0, or -1 with errno: what the kernel said to the write. */
static int write_line(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY), err;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, line, strlen(line));
	err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(line) ? 0 : -1;
}

/* A knob: field `field` of the whitespace-separated numbers in path. */
struct knob {
	const char *label;
	const char *path;
	int field;
};

static int knob_fields(const struct knob *kb, unsigned long long *v, char *line,
		       size_t len)
{
	char *p, *end;
	int n = 0;

	if (read_line(kb->path, line, len))
		die("read %s (%s)", kb->path, kb->label);
	for (p = line; n < MAX_FIELDS; p = end) {
		v[n] = strtoull(p, &end, 10);
		if (end == p)
			break;
		n++;
	}
	if (kb->field >= n) {
		errno = EINVAL;
		die("%s: no field %d in \"%s\" (%s)", kb->path, kb->field, line,
		    kb->label);
	}
	return n;
}

static int knob_write(const struct knob *kb, unsigned long long *v, int n,
		      unsigned long long value)
{
	char line[256];
	size_t off = 0;
	int i;

	v[kb->field] = value;
	for (i = 0; i < n; i++)
		off += snprintf(line + off, sizeof(line) - off, "%s%llu",
				i ? "\t" : "", v[i]);
	return write_line(kb->path, line);
}

/* A write refused for its value: module parameters say EINVAL, SEMMNI ERANGE. */
static bool too_large(int err)
{
	return err == EINVAL || err == ERANGE;
}

/*
 * At least want in the knob, or false and why: not allowed, or past the
 * ceiling, which is then found (the largest value accepted) and left in.
 */
static bool knob_raise(const struct knob *kb, unsigned long long want,
		       char *why, size_t len)
{
	unsigned long long v[MAX_FIELDS], lo, hi, mid;
	char line[256];
	int n = knob_fields(kb, v, line, sizeof(line)), i;

	lo = v[kb->field];
	if (lo >= want)
		return true;
	for (i = 0; i < nsaved && strcmp(saved[i].path, kb->path); i++)
		;
	if (i == nsaved) {
		if (nsaved == MAX_SAVED) {
			errno = ENOSPC;
			die("more than %d limits to put back", MAX_SAVED);
		}
		snprintf(saved[i].path, sizeof(saved[i].path), "%s", kb->path);
		snprintf(saved[i].line, sizeof(saved[i].line), "%s", line);
		nsaved++;
	}
	if (!knob_write(kb, v, n, want))
		return true;
	if (!too_large(errno)) {
		snprintf(why, len, "cannot raise %s to %llu: %s (%s)", kb->label,
			 want, strerror(errno), ipclab_errname(errno));
		return false;
	}
	for (hi = want; hi - lo > 1;) {
		mid = lo + (hi - lo) / 2;
		if (!knob_write(kb, v, n, mid))
			lo = mid;
		else if (too_large(errno))
			hi = mid;
		else
			break;
	}
	snprintf(why, len, "%s accepts at most %llu (%s above), %llu needed",
		 kb->label, lo, ipclab_errname(errno), want);
	return false;
}

static void limits_restore(void)
{
	while (nsaved > 0) {
		nsaved--;
		if (write_line(saved[nsaved].path, saved[nsaved].line))
			fprintf(stderr, PROG ": could not put back %s in %s: %s (%s)\n",
				saved[nsaved].line, saved[nsaved].path,
				strerror(errno), ipclab_errname(errno));
	}
}

#define PARAM(name) { name, "/sys/module/ipclab/parameters/" name, 0 }

/*
 * Room in ipclab for `objects` more objects holding `sems` semaphores
 * and `pages` shared-buffer pages in all, for the machine and this user.
 */
static bool lab_room(unsigned long long objects, unsigned long long sems,
		     unsigned long long pages, char *why, size_t len)
{
	static const struct knob k_obj = PARAM("max_objects"),
		k_obj_user = PARAM("max_objects_per_user"),
		k_sems = PARAM("max_sems_total"),
		k_sems_user = PARAM("max_sems_per_user"),
		k_pages = PARAM("max_shbuf_pages"),
		k_pages_user = PARAM("max_shbuf_pages_per_user");
	struct ipclab_info info = { 0 };

	if (ipclab_info(&info))
		die("ipclab IPCLAB_IOC_INFO");
	objects += MARGIN;
	return knob_raise(&k_obj, info.total.objects + objects, why, len) &&
	       knob_raise(&k_obj_user, info.user.objects + objects, why, len) &&
	       (!sems || (knob_raise(&k_sems, info.total.sems + sems + MARGIN, why, len) &&
			  knob_raise(&k_sems_user, info.user.sems + sems + MARGIN, why, len))) &&
	       (!pages || (knob_raise(&k_pages, info.total.shbuf_pages + pages, why, len) &&
			   knob_raise(&k_pages_user, info.user.shbuf_pages + pages, why, len)));
}

/* SysV objects of a kind in use now: the lines of /proc/sysvipc/WHAT. */
static long sysv_in_use(const char *what)
{
	char path[64], line[512];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", what);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 0 ? n : 0;
}

static const struct knob k_semmni = {
	"kernel.sem SEMMNI", "/proc/sys/kernel/sem", 3,
};
static const struct knob k_msgmni = {
	"kernel.msgmni", "/proc/sys/kernel/msgmni", 0,
};

/* Room for `more` SysV objects of a kind; IPCMNI caps it, and says so. */
static bool sysv_room(const struct knob *kb, const char *what, long more,
		      char *why, size_t len)
{
	size_t n;

	if (knob_raise(kb, sysv_in_use(what) + more + MARGIN, why, len))
		return true;
	n = strlen(why);
	if (strstr(why, "accepts at most"))
		snprintf(why + n, len - n, " (IPCMNI without the ipcmni_extend boot option)");
	return false;
}

/* ---- the filler: N semaphore sets that exist while a case runs ------- */

static struct fill {
	const char *name;
	bool lab;
	int *ids;
	long count, cap;
} fills[2] = {
	{ .name = "ipclab", .lab = true },
	{ .name = "SysV", .lab = false },
};

static bool fill_grow(struct fill *f, long want, char *why, size_t len)
{
	int id;

	if (f->cap < want) {
		int *ids = realloc(f->ids, want * sizeof(*ids));

		if (!ids)
			die("realloc of %ld ids", want);
		f->ids = ids;
		f->cap = want;
	}
	while (f->count < want) {
		id = f->lab ? ipclab_sem_get(IPCLAB_KEY_PRIVATE, 1, 0, 0600) :
			      semget(IPC_PRIVATE, 1, 0600);
		if (id < 0) {
			snprintf(why, len, "%s semaphore set %ld of %ld: %s (%s)",
				 f->name, f->count + 1, want, strerror(errno),
				 ipclab_errname(errno));
			return false;
		}
		f->ids[f->count++] = id;
	}
	return true;
}

/* 0, or -1 when a set could not be removed (said on stderr). */
static int fill_shrink(struct fill *f, long want)
{
	int id, ret = 0;

	while (f->count > want) {
		id = f->ids[--f->count];
		if (f->lab ? ipclab_remove(id) : semctl(id, 0, IPC_RMID)) {
			fprintf(stderr, PROG ": %s remove of filler semaphore set %d: %s (%s)\n",
				f->name, id, strerror(errno), ipclab_errname(errno));
			ret = -1;
		}
	}
	return ret;
}

/*
 * Before scale-*-N: room for N sets and the one timed, then exactly N
 * sets of each variant.  The note says what was made, and how fast.
 */
void prepare_scale(const struct kind *const *kinds, long n, long nobj,
		   char skip[][SKIP_LEN], char *note, size_t notelen)
{
	size_t off = 0;
	struct fill *f;
	double t0;
	long before;
	bool room;
	int v;

	(void)n;
	note[0] = '\0';
	for (v = 0; v < MAX_VARIANTS && kinds[v]; v++) {
		if (kinds[v] != &k_lab_sem && kinds[v] != &k_sysv_sem) {
			errno = EINVAL;
			die("the scale cases fill with semaphore sets, not with %s",
			    kinds[v]->name);
		}
		f = &fills[kinds[v] == &k_lab_sem ? 0 : 1];
		if (f->count > nobj && fill_shrink(f, nobj))
			exit(1);
		if (f->lab)
			room = lab_room(nobj - f->count + 1, nobj - f->count + 1, 0,
					skip[v], SKIP_LEN);
		else
			room = sysv_room(&k_semmni, "sem", nobj - f->count + 1,
					 skip[v], SKIP_LEN);
		if (!room)
			continue;
		before = f->count;
		t0 = now();
		if (!fill_grow(f, nobj, skip[v], SKIP_LEN))
			continue;
		t0 = now() - t0;
		if (f->count > before)
			off += snprintf(note + off, notelen - off,
					"%s%s: %ld set%s made in %.2f s (%.1f us each)",
					off ? "; " : "", f->name, f->count - before,
					f->count - before > 1 ? "s" : "", t0,
					t0 / (f->count - before) * 1e6);
	}
}

/* Before kmem-*: room for n objects (or pages) of each variant. */
void prepare_kmem(const struct kind *const *kinds, long n, long param,
		  char skip[][SKIP_LEN], char *note, size_t notelen)
{
	const struct kind *k;
	int v;

	(void)param, (void)note, (void)notelen;
	for (v = 0; v < MAX_VARIANTS && kinds[v]; v++) {
		k = kinds[v];
		if (k == &k_lab_sem)
			lab_room(n, n, 0, skip[v], SKIP_LEN);
		else if (k == &k_lab_mbox_default)
			lab_room(n, 0, 0, skip[v], SKIP_LEN);
		else if (k == &k_lab_shbuf)
			lab_room(1, 0, n, skip[v], SKIP_LEN);
		else if (k == &k_sysv_sem)
			sysv_room(&k_semmni, "sem", n, skip[v], SKIP_LEN);
		else if (k == &k_sysv_msg)
			sysv_room(&k_msgmni, "msg", n, skip[v], SKIP_LEN);
		/* SysV shm: one segment, far within SHMMNI and SHMALL. */
	}
}

static pid_t cleanup_owner;

/*
 * Every filler set removed (the time it took said when there were many),
 * every limit put back.  Safe to run twice; a forked child that exits
 * leaves its parent's objects alone.  A set that would not go fails the
 * run (exit status 1) once the rest is cleaned up.
 */
void bench_cleanup(void)
{
	static bool failed;
	unsigned int i;
	double t0;
	long had;

	if (getpid() != cleanup_owner)
		return;
	for (i = 0; i < sizeof(fills) / sizeof(fills[0]); i++) {
		had = fills[i].count;
		t0 = now();
		if (fill_shrink(&fills[i], 0))
			failed = true;
		t0 = now() - t0;
		if (had >= 1000)
			printf("scale: %ld %s sets removed in %.2f s\n", had,
			       fills[i].name, t0);
		free(fills[i].ids);
		fills[i].ids = NULL;
		fills[i].cap = 0;
	}
	limits_restore();
	fflush(stdout);
	if (failed)
		_exit(1);
}

void bench_cleanup_at_exit(void)
{
	cleanup_owner = getpid();
	atexit(bench_cleanup);
}
