/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipclab - ipclab's IPC primitives as C functions.
 *
 * A thin layer over the ioctls of <linux/ipclab.h>, named after the
 * course: P and V, lock and unlock, send and receive, attach and detach.
 * Every function returns -1 (or NULL) and sets errno on failure, exactly
 * the errno the kernel gave (docs/errors.md explains each one); nothing
 * allocates behind your back.
 *
 * Objects meet through a key (any number you choose, or IPCLAB_KEY_PRIVATE
 * for a new object nobody can find by key) and are then named by their
 * id.  The /dev/ipclab session is opened on first use and kept open for
 * the life of the process (across exec, as SysV keeps undo values); it is
 * what makes "the end of this process" visible to ipclab.
 */
#ifndef LIBIPCLAB_H
#define LIBIPCLAB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/ipclab.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The version of the ipclab package this library comes from ("0.4.0"):
 * the release, which also names the module's MODULE_VERSION.  The ABI of
 * the device is another number: IPCLAB_ABI_MAJOR/MINOR of this header,
 * IPCLAB_IOC_VERSION of the loaded module.  Needs no module.
 */
const char *ipclab_version(void);

/* The session fd: opened once, on first use.  -1 and errno if not loaded. */
int ipclab_fd(void);

/*
 * Objects.  flags: IPCLAB_CREAT, IPCLAB_EXCL.  mode: permission bits when
 * creating; when opening an existing object, the access you want (0: any).
 * Return the id.
 */
int ipclab_sem_get(int key, unsigned int nsems, int flags, int mode);
int ipclab_mutex_get(int key, int flags, int mode);
int ipclab_mbox_get(int key, unsigned int max_msgs, unsigned int max_msgsz,
		    int flags, int mode);
int ipclab_shbuf_get(int key, size_t size, int flags, int mode);
int ipclab_get(struct ipclab_get *g);		/* all fields, your way */
int ipclab_remove(int id);
int ipclab_set(int id, uid_t uid, gid_t gid, int mode);
int ipclab_stat(struct ipclab_stat *st);	/* st->id and arrays set by you */
/*
 * Every limit (the module's parameters), what the whole machine uses and
 * what your user uses: the numbers behind ENOSPC.
 */
int ipclab_info(struct ipclab_info *info);
/* Every semaphore and mutex, who holds and who waits: one instant. */
int ipclab_snapshot(struct ipclab_snapshot *snap);
/*
 * The cycle that made this process's last EDEADLK (objects created with
 * IPCLAB_REFUSE_DEADLOCK): fills up to len entries, returns its length
 * (0: never refused).
 */
int ipclab_last_cycle(struct ipclab_cycle_entry *entries, unsigned int len);

/* Semaphores.  P waits until semaphore num of set id is > 0, then takes one. */
int ipclab_P(int id, unsigned int num);
int ipclab_V(int id, unsigned int num);
/* Several operations at once, all or none.  flags: IPCLAB_WAIT_*. */
int ipclab_semop(int id, struct ipclab_sembuf *ops, unsigned int nops,
		 unsigned int flags, uint64_t timeout_ns);
int ipclab_sem_getval(int id, unsigned int num);	/* the value, or -1 */
int ipclab_sem_setval(int id, unsigned int num, int value);
int ipclab_semctl(struct ipclab_semctl *c);

/* Mutexes.  lock returns -1/EOWNERDEAD when you got it from a dead owner. */
int ipclab_lock(int id);
int ipclab_trylock(int id);				/* EBUSY if taken */
int ipclab_timedlock(int id, uint64_t timeout_ns);	/* ETIMEDOUT */
int ipclab_unlock(int id);
int ipclab_consistent(int id);

/* Mailboxes.  receive returns the size received; *type gets the type. */
int ipclab_send(int id, long type, const void *text, size_t size,
		unsigned int flags);
ssize_t ipclab_receive(int id, long *type, void *buf, size_t size,
		       unsigned int flags);

/*
 * Object fds: poll a mailbox, map a shared buffer.  flags:
 * IPCLAB_OPEN_READ, IPCLAB_OPEN_WRITE, IPCLAB_OPEN_CLOEXEC.
 */
int ipclab_open(int id, unsigned int flags);

/*
 * Shared buffers.  attach maps the whole buffer (read-only with
 * readonly != 0) and returns its address, *size its length; detach
 * unmaps what attach mapped.
 */
void *ipclab_attach(int id, int readonly, size_t *size);
int ipclab_detach(void *addr, size_t size);
int ipclab_shbuf_lock(int id, int lock);	/* SHM_LOCK, or UNLOCK if 0 */

/*
 * Names, for the tools that show an object (ipclab show, watch, deadlock,
 * trace): at most IPCLAB_NAME_LEN - 1 printable characters; "" removes
 * it.  A set's name may name its semaphores: "empty,filled,mutex".
 * get_name writes "" when there is none.
 */
int ipclab_name(int id, const char *name);
int ipclab_get_name(int id, char *buf, size_t size);
/*
 * Semaphore num's own name in a set's name (its num-th comma-separated
 * field), copied into buf: buf, or NULL if that field is missing or empty.
 */
char *ipclab_member_name(const char *name, unsigned int num, char *buf,
			 size_t size);

/*
 * Stepping (ipclab step): a named point a process passes only when a
 * teacher releases it, so that a class sees the interleaving it chose.
 * With IPCLAB_STEP set to the key of a stepping board (ipclab step
 * --start makes one; IPCLAB_STEP_KEY by default), ipclab_point() reports
 * "pid is at NAME" on the board and waits until "ipclab step" releases
 * it; without IPCLAB_STEP, or once the board is removed, it returns at
 * once and costs nothing.  Returns 0; errno is left as it was.
 */
#define IPCLAB_STEP_KEY		0x57e9
#define IPCLAB_STEP_RELEASE	(1L << 32)	/* + pid: the release's type */
int ipclab_point(const char *name);
/*
 * A note on the timeline of "ipclab trace" ("store A0 in slot 0"), in the
 * calling process's column; nothing (one cached test) when not traced.
 * errno is left as it was.
 */
void ipclab_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "EOWNERDEAD" and friends, for messages that name the errno. */
const char *ipclab_errname(int err);

#ifdef __cplusplus
}
#endif

#endif /* LIBIPCLAB_H */
