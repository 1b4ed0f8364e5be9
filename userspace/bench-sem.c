// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab-bench-sem - how fast are ipclab semaphores next to the kernel's
 * own SysV semaphores?
 *
 * Two measurements, each run on both and printed with the ratio:
 *   uncontended  one process does P then V on a free semaphore, N times
 *   ping-pong    two processes hand the turn back and forth through two
 *                semaphores (A waits on s0 and posts s1, B the reverse):
 *                every step is a block and a wake-up
 *
 * usage: ipclab-bench-sem [N]     (default N = 200000)
 * A ratio above 1 means ipclab took longer.  Numbers under QEMU/TCG are
 * only comparable with each other, not with real hardware.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ipclab.h>

static int dev;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "ipclab-bench-sem: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One operation on one semaphore, the ipclab way and the SysV way. */
static void lab_op(unsigned int id, unsigned int num, int op)
{
	struct ipclab_sembuf b = { .num = num, .op = op };
	struct ipclab_semop a = { .id = id, .nops = 1, .ops = (unsigned long)&b };

	if (ioctl(dev, IPCLAB_IOC_SEM_OP, &a))
		die("ipclab semop");
}

static void sysv_op(int id, unsigned short num, short op)
{
	struct sembuf b = { .sem_num = num, .sem_op = op };

	if (semop(id, &b, 1))
		die("sysv semop");
}

struct impl {
	const char *name;
	int (*create)(void);
	void (*op)(int id, int num, int op);
	void (*destroy)(int id);
};

static int lab_create(void)
{
	struct ipclab_get g = {
		.type = IPCLAB_TYPE_SEM, .key = IPCLAB_KEY_PRIVATE,
		.mode = 0600, .sem.nsems = 2,
	};

	if (ioctl(dev, IPCLAB_IOC_GET, &g))
		die("ipclab create");
	return g.id;
}

static void lab_op2(int id, int num, int op)
{
	lab_op(id, num, op);
}

static void lab_destroy(int id)
{
	struct ipclab_id r = { .id = id };

	ioctl(dev, IPCLAB_IOC_RMID, &r);
}

static int sysv_create(void)
{
	int id = semget(IPC_PRIVATE, 2, 0600);

	if (id < 0)
		die("semget");
	return id;
}

static void sysv_op2(int id, int num, int op)
{
	sysv_op(id, num, op);
}

static void sysv_destroy(int id)
{
	semctl(id, 0, IPC_RMID);
}

static double uncontended(const struct impl *im, long n)
{
	int id = im->create();
	double t0, t;
	long i;

	im->op(id, 0, 1);
	t0 = now();
	for (i = 0; i < n; i++) {
		im->op(id, 0, -1);
		im->op(id, 0, 1);
	}
	t = now() - t0;
	im->destroy(id);
	return t;
}

static double pingpong(const struct impl *im, long n)
{
	int id = im->create();
	double t0, t;
	pid_t pid;
	long i;

	t0 = now();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			im->op(id, 1, -1);
			im->op(id, 0, 1);
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		im->op(id, 1, 1);
		im->op(id, 0, -1);
	}
	waitpid(pid, NULL, 0);
	t = now() - t0;
	im->destroy(id);
	return t;
}

int main(int argc, char **argv)
{
	const struct impl lab = { "ipclab", lab_create, lab_op2, lab_destroy };
	const struct impl sysv = { "SysV", sysv_create, sysv_op2, sysv_destroy };
	long n = argc > 1 ? atol(argv[1]) : 200000;
	double l, s;

	dev = open("/dev/ipclab", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("open /dev/ipclab");
	if (n <= 0) {
		fprintf(stderr, "usage: ipclab-bench-sem [N]\n");
		return 2;
	}

	printf("%-12s %8s %14s %14s %7s\n", "test", "N", "ipclab ns/op", "SysV ns/op", "ratio");
	l = uncontended(&lab, n);
	s = uncontended(&sysv, n);
	printf("%-12s %8ld %14.0f %14.0f %7.2f\n", "uncontended", n,
	       l / (2.0 * n) * 1e9, s / (2.0 * n) * 1e9, l / s);
	n /= 4;
	l = pingpong(&lab, n);
	s = pingpong(&sysv, n);
	printf("%-12s %8ld %14.0f %14.0f %7.2f\n", "ping-pong", n,
	       l / (2.0 * n) * 1e9, s / (2.0 * n) * 1e9, l / s);
	return 0;
}
