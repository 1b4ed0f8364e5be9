// SPDX-License-Identifier: GPL-2.0
/*
 * dsem-test: the given test program of the dsem exercise.  It drives the
 * module's dsem (your dsem.c) through its ioctls and says what it saw, as
 * facts for the grader; it exits 0 only when everything was right.
 *
 *	dsem-test count		P and V without waiting, NOWAIT
 *	dsem-test limits	the errors: creation, EOVERFLOW, bad flags
 *	dsem-test fifo		three waiters, three V's: woken in order?
 *	dsem-test eintr		a signal ends a P: EINTR, nothing taken
 *	dsem-test timeout	a P with a timeout: ETIMEDOUT, nothing taken
 *	dsem-test eidrm		removal ends a P: EIDRM
 *	dsem-test stress [-p N] [-c COUNT] [-n ROUNDS]
 *				P/V in a loop: never more than COUNT inside
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "exercise.h"
#include "dsem_uapi.h"

static int failed;

#define expect(ok, ...) do {					\
	if (!(ok)) {						\
		fprintf(stderr, __VA_ARGS__);			\
		fputc('\n', stderr);				\
		failed = 1;					\
	}							\
} while (0)

/* A new private dsem with @count units (an ipclab_get of our own). */
static int dsem_new_raw(uint64_t count, uint64_t extra)
{
	struct ipclab_get g = {
		.type = IPCLAB_TYPE_EXTRA,
		.key = IPCLAB_KEY_PRIVATE,
		.flags = IPCLAB_CREAT,
		.mode = 0600,
	};

	g.reserved[0] = count;
	g.reserved[1] = extra;
	return ipclab_get(&g);
}

static int dsem_new(uint64_t count, const char *name)
{
	int id = dsem_new_raw(count, 0);

	if (id < 0)
		die("creating a dsem with count %llu", (unsigned long long)count);
	name_object(id, name);
	return id;
}

/* P: 0, or the errno. */
static int dsem_p(int id, unsigned int flags, uint64_t timeout)
{
	struct ipclab_dsem_p a = { .id = id, .flags = flags, .timeout = timeout };

	return ioctl(ipclab_fd(), IPCLAB_IOC_DSEM_P, &a) ? errno : 0;
}

static int dsem_v(int id)
{
	struct ipclab_id a = { .id = id };

	return ioctl(ipclab_fd(), IPCLAB_IOC_DSEM_V, &a) ? errno : 0;
}

static const char *err_name(int err)
{
	static char other[24];
	const char *name;

	if (err < 0)
		return "none";
	if (!err)
		return "0";
	name = ipclab_errname(err);
	if (strcmp(name, "E?"))
		return name;
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

/* The count and the waiters the kernel shows; -1 when STAT fails. */
static long dsem_count(int id, long *waiters)
{
	struct ipclab_stat st = { .id = id };

	if (ipclab_stat(&st)) {
		if (waiters)
			*waiters = -1;
		return -1;
	}
	if (waiters)
		*waiters = st.nwaiters;
	return (long)(int64_t)ipclab_dsem_stat_of(&st)->count;
}

/* Waits (at most @secs) until the kernel shows @n waiters. */
static bool wait_waiters(int id, long n, double secs)
{
	double end = seconds() + secs;
	long w;

	for (;;) {
		dsem_count(id, &w);
		if (w == n)
			return true;
		if (seconds() > end)
			return false;
		usleep(2000);
	}
}

/* Shared between the processes of one subcommand. */
struct shared {
	int id;
	atomic_int n;		/* waiters that returned from P */
	int order[8];		/* who, in the order they returned */
	int err[8];		/* each one's P result */
	atomic_int inside, most, rounds, errors;
	int count;
};

static struct shared *sh;

static void shared_map(void)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	memset(sh, 0, sizeof(*sh));
}

/* A child: one P, its result and its place in the order of returns. */
static void waiter(int i)
{
	int err = dsem_p(sh->id, 0, 0);
	int k = atomic_fetch_add(&sh->n, 1);

	sh->err[i] = err;
	if (k < 8)
		sh->order[k] = i;
	_exit(err ? 1 : 0);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A child that catches SIGUSR1 (no SA_RESTART) while it waits in P. */
static void signalled_waiter(int i)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	waiter(i);
}

static int do_count(void)
{
	int id = dsem_new(3, "dsem"), i, ok = 0, err;

	for (i = 0; i < 3; i++)
		ok += dsem_p(id, IPCLAB_WAIT_NOWAIT, 0) == 0;
	fact("count.ps", "%d", ok);
	expect(ok == 3, "of 3 P's on a dsem of 3, %d succeeded", ok);
	fact("count.after3", "%ld", dsem_count(id, NULL));
	err = dsem_p(id, IPCLAB_WAIT_NOWAIT, 0);
	fact("count.fourth", "%s", err_name(err));
	expect(err == EAGAIN, "the 4th P with NOWAIT gave %s, not EAGAIN", err_name(err));
	err = dsem_v(id);
	fact("count.v", "%s", err_name(err));
	expect(!err, "V gave %s", err_name(err));
	fact("count.afterv", "%ld", dsem_count(id, NULL));
	err = dsem_p(id, IPCLAB_WAIT_NOWAIT, 0);
	fact("count.pafterv", "%s", err_name(err));
	expect(!err, "P (NOWAIT) after V gave %s", err_name(err));
	fact("count.final", "%ld", dsem_count(id, NULL));
	/* Two V's, two P's that wait for nothing. */
	dsem_v(id);
	dsem_v(id);
	fact("count.two", "%ld", dsem_count(id, NULL));
	ok = (dsem_p(id, 0, 0) == 0) + (dsem_p(id, 0, 0) == 0);
	fact("count.twops", "%d", ok);
	ipclab_remove(id);
	return failed;
}

static int do_limits(void)
{
	int id, err;

	id = dsem_new_raw((uint64_t)IPCLAB_DSEM_MAX + 1, 0);
	err = id < 0 ? errno : 0;
	fact("limits.toobig", "%s", err_name(err));
	expect(err == EINVAL, "creating with count INT_MAX + 1 gave %s", err_name(err));
	if (id >= 0)
		ipclab_remove(id);

	id = dsem_new(IPCLAB_DSEM_MAX, "full");
	err = dsem_v(id);
	fact("limits.overflow", "%s", err_name(err));
	expect(err == EOVERFLOW, "V at count INT_MAX gave %s", err_name(err));
	fact("limits.overflow_count", "%ld", dsem_count(id, NULL));
	err = dsem_p(id, 0x80, 0);
	fact("limits.badflags", "%s", err_name(err));
	err = dsem_p(id, 0, 5);
	fact("limits.timeout_noflag", "%s", err_name(err));
	ipclab_remove(id);
	err = dsem_v(id);
	fact("limits.removed", "%s", err_name(err));
	return failed;
}

/* Reaps the children, killing those still waiting after @secs. */
static void reap_all(pid_t *pids, char names[][16], int n, double secs)
{
	double end = seconds() + secs;
	int i;

	for (i = 0; i < n; i++) {
		siginfo_t info;

		for (;;) {
			/* WNOWAIT: reap() collects it, with its CPU time. */
			info.si_pid = 0;
			if (waitid(P_PID, pids[i], &info, WEXITED | WNOHANG | WNOWAIT) ||
			    info.si_pid || seconds() >= end)
				break;
			usleep(5000);
		}
		if (!info.si_pid)
			kill(pids[i], SIGKILL);
		reap(pids[i], names[i]);
	}
}

static int do_fifo(void)
{
	char names[3][16];
	pid_t pids[3];
	int i, k, blocked = 0, woken, vs = 0;
	char order[64] = "";
	long w;

	shared_map();
	sh->id = dsem_new(0, "dsem");
	for (i = 0; i < 3; i++) {
		snprintf(names[i], sizeof(names[i]), "waiter-%d", i + 1);
		pids[i] = spawn(names[i], waiter, i + 1);
		/* The next one comes only once the kernel shows this one waiting. */
		blocked += wait_waiters(sh->id, i + 1, 5);
	}
	fact("fifo.blocked", "%d", blocked);
	expect(blocked == 3, "only %d of 3 waiters were seen waiting in P", blocked);
	fact("fifo.count0", "%ld", dsem_count(sh->id, NULL));

	/* One V at a time, each given 2 s to let its waiter return. */
	for (k = 0; k < 3; k++) {
		double end = seconds() + 2;

		vs += !dsem_v(sh->id);
		while (atomic_load(&sh->n) <= k && seconds() < end)
			usleep(2000);
	}
	woken = atomic_load(&sh->n);
	for (i = 0; i < woken && i < 3; i++)
		snprintf(order + strlen(order), sizeof(order) - strlen(order),
			 "%s%d", i ? "," : "", sh->order[i]);
	fact("fifo.woken", "%d", woken);
	fact("fifo.order", "%s", woken ? order : "none");
	fact("fifo.vs", "%d", vs);
	fact("fifo.count", "%ld", dsem_count(sh->id, &w));
	fact("fifo.waiting", "%ld", w);
	expect(woken == 3, "after %d V's only %d of 3 waiters returned from P", vs, woken);
	expect(!strcmp(order, "1,2,3"), "the waiters returned in the order %s", order);
	reap_all(pids, names, 3, 1);
	ipclab_remove(sh->id);
	return failed;
}

/* After a P gave up: what is left, and does a V then reach a P? */
static void after_giving_up(const char *what, int id)
{
	long count, w;
	int err;

	count = dsem_count(id, &w);
	fact("giveup.count", "%ld", count);
	fact("giveup.waiting", "%ld", w);
	expect(count == 0 && w == 0, "after the %s, count %ld and %ld waiting", what, count, w);
	err = dsem_v(id);
	fact("giveup.v", "%s", err_name(err));
	err = dsem_p(id, IPCLAB_WAIT_NOWAIT, 0);
	fact("giveup.vp", "%s", err_name(err));
	expect(!err, "after the %s, V then P (NOWAIT) gave %s", what, err_name(err));
	count = dsem_count(id, &w);
	fact("giveup.final", "%ld", count);
}

static int do_eintr(void)
{
	char names[1][16] = { "waiter-1" };
	pid_t pid;

	shared_map();
	sh->id = dsem_new(0, "dsem");
	sh->err[1] = -1;
	pid = spawn(names[0], signalled_waiter, 1);
	fact("eintr.blocked", "%d", wait_waiters(sh->id, 1, 5));
	kill(pid, SIGUSR1);
	reap_all(&pid, names, 1, 5);
	fact("eintr.errno", "%s", atomic_load(&sh->n) ? err_name(sh->err[1]) : "none");
	expect(sh->err[1] == EINTR, "the interrupted P gave %s", err_name(sh->err[1]));
	after_giving_up("interrupted P", sh->id);
	ipclab_remove(sh->id);
	return failed;
}

static int do_timeout(void)
{
	struct timespec ts;
	double t0, ms;
	int id = dsem_new(0, "dsem"), err;

	t0 = seconds();
	err = dsem_p(id, IPCLAB_WAIT_TIMEOUT, 200000000ULL);
	ms = (seconds() - t0) * 1000;
	fact("timeout.errno", "%s", err_name(err));
	fact("timeout.ms", "%.0f", ms);
	expect(err == ETIMEDOUT, "P with a 200 ms timeout gave %s", err_name(err));
	expect(ms >= 190 && ms < 2000, "P with a 200 ms timeout took %.0f ms", ms);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	err = dsem_p(id, IPCLAB_WAIT_ABSTIME,
		     (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec + 100000000ULL);
	fact("timeout.abs", "%s", err_name(err));
	expect(err == ETIMEDOUT, "P with an absolute timeout gave %s", err_name(err));
	after_giving_up("timed-out P", id);
	ipclab_remove(id);
	return failed;
}

static int do_eidrm(void)
{
	char names[1][16] = { "waiter-1" };
	pid_t pid;

	shared_map();
	sh->id = dsem_new(0, "dsem");
	sh->err[1] = -1;
	pid = spawn(names[0], waiter, 1);
	fact("eidrm.blocked", "%d", wait_waiters(sh->id, 1, 5));
	ipclab_remove(sh->id);
	reap_all(&pid, names, 1, 5);
	fact("eidrm.errno", "%s", atomic_load(&sh->n) ? err_name(sh->err[1]) : "none");
	expect(sh->err[1] == EIDRM, "the P on a removed dsem gave %s", err_name(sh->err[1]));
	return failed;
}

static int rounds = 100;

static void worker(int i)
{
	int r, in, most;

	(void)i;
	for (r = 0; r < rounds; r++) {
		if (dsem_p(sh->id, 0, 0)) {
			atomic_fetch_add(&sh->errors, 1);
			_exit(1);
		}
		in = atomic_fetch_add(&sh->inside, 1) + 1;
		most = atomic_load(&sh->most);
		while (in > most && !atomic_compare_exchange_weak(&sh->most, &most, in))
			;
		usleep(50);
		atomic_fetch_sub(&sh->inside, 1);
		if (dsem_v(sh->id)) {
			atomic_fetch_add(&sh->errors, 1);
			_exit(1);
		}
		atomic_fetch_add(&sh->rounds, 1);
	}
}

static int do_stress(int argc, char **argv)
{
	int procs = 4, count = 2, i, opt;
	char names[16][16];
	pid_t pids[16];

	while ((opt = getopt(argc, argv, "p:c:n:")) != -1) {
		switch (opt) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 'c':
			count = atoi(optarg);
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: dsem-test stress [-p N] [-c COUNT] [-n ROUNDS]\n");
			return 2;
		}
	}
	if (procs < 1 || procs > 16)
		procs = 4;
	shared_map();
	sh->id = dsem_new(count, "dsem");
	for (i = 0; i < procs; i++) {
		snprintf(names[i], sizeof(names[i]), "worker-%d", i + 1);
		pids[i] = spawn(names[i], worker, i + 1);
	}
	for (i = 0; i < procs; i++)
		reap(pids[i], names[i]);
	fact("stress.count", "%d", count);
	fact("stress.most", "%d", atomic_load(&sh->most));
	fact("stress.rounds", "%d", atomic_load(&sh->rounds));
	fact("stress.expected", "%d", procs * rounds);
	fact("stress.errors", "%d", atomic_load(&sh->errors));
	fact("stress.final", "%ld", dsem_count(sh->id, NULL));
	expect(atomic_load(&sh->most) <= count, "%d were inside at once, with count %d",
	       atomic_load(&sh->most), count);
	expect(atomic_load(&sh->rounds) == procs * rounds, "%d of %d rounds done",
	       atomic_load(&sh->rounds), procs * rounds);
	ipclab_remove(sh->id);
	return failed;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (ipclab_fd() < 0)
		die("opening /dev/ipclab");
	if (!strcmp(cmd, "count"))
		return do_count();
	if (!strcmp(cmd, "limits"))
		return do_limits();
	if (!strcmp(cmd, "fifo"))
		return do_fifo();
	if (!strcmp(cmd, "eintr"))
		return do_eintr();
	if (!strcmp(cmd, "timeout"))
		return do_timeout();
	if (!strcmp(cmd, "eidrm"))
		return do_eidrm();
	if (!strcmp(cmd, "stress"))
		return do_stress(argc - 1, argv + 1);
	fprintf(stderr, "usage: dsem-test count|limits|fifo|eintr|timeout|eidrm|stress\n");
	return 2;
}
