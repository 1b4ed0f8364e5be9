// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab object table: keys, ids, permissions, limits and lifetime.
 *
 * Every object is in the id xarray from creation to removal, and, unless
 * it is private, in its type's key xarray.  Both change only under
 * ipclab_table_lock.  An id is seq * IPCLAB_SLOTS + slot: lookup reads the
 * slot under RCU, compares the whole id (so a stale id never reaches a
 * newer object in the same slot) and takes a reference.
 *
 * The table holds one reference per object; removal drops it after
 * unlinking the object and failing its waiters with -EIDRM.  The object
 * is freed when the last ioctl or object fd using it lets go.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "ipclab.h"
#include "trace.h"

static DEFINE_MUTEX(ipclab_table_lock);
static DEFINE_XARRAY_ALLOC(ipclab_ids);
static struct xarray ipclab_keys[IPCLAB_NTYPES] = {
	[0 ... IPCLAB_NTYPES - 1] = XARRAY_INIT(ipclab_keys, 0),
};

/* Objects in the id table; changed under ipclab_table_lock or by unlink. */
static atomic_t ipclab_nobjects = ATOMIC_INIT(0);
/* Protected by ipclab_table_lock. */
static u16 ipclab_seq;

void ipclab_obj_init(struct ipclab_obj *obj, const struct ipclab_type_ops *ops,
		     u32 type, umode_t mode)
{
	const struct cred *cred = current_cred();

	kref_init(&obj->ref);
	spin_lock_init(&obj->lock);
	obj->ops = ops;
	obj->type = type;
	obj->mode = mode & IPCLAB_MODE_MASK;
	obj->uid = cred->euid;
	obj->cuid = cred->euid;
	obj->gid = cred->egid;
	obj->cgid = cred->egid;
	obj->cpid = get_pid(task_tgid(current));
	obj->ctime = ktime_get_real_seconds();
}

static void ipclab_obj_release(struct kref *ref)
{
	struct ipclab_obj *obj = container_of(ref, struct ipclab_obj, ref);

	put_pid(obj->cpid);
	put_pid(obj->lpid);
	obj->ops->free(obj);
}

void ipclab_obj_put(struct ipclab_obj *obj)
{
	kref_put(&obj->ref, ipclab_obj_release);
}

/**
 * ipclab_obj_lookup() - find an object by id and take a reference
 * @id:   the id from userspace
 * @type: the type the caller needs, or 0 for any
 *
 * Return: the object, or NULL if the id names no live object of that type
 * (the caller returns -EINVAL, as SysV does for stale ids).
 */
struct ipclab_obj *ipclab_obj_lookup(u32 id, u32 type)
{
	struct ipclab_obj *obj;

	rcu_read_lock();
	obj = xa_load(&ipclab_ids, id % IPCLAB_SLOTS);
	if (obj && (obj->id != id || (type && obj->type != type) ||
		    !kref_get_unless_zero(&obj->ref)))
		obj = NULL;
	rcu_read_unlock();
	return obj;
}

/**
 * ipclab_obj_next() - the next object in table order, referenced
 * @slot: in: where to start; out: the slot after the object returned
 *
 * Return: the object (drop it with ipclab_obj_put()), or NULL at the end.
 */
struct ipclab_obj *ipclab_obj_next(unsigned long *slot)
{
	struct ipclab_obj *obj;

	rcu_read_lock();
	for (;;) {
		obj = xa_find(&ipclab_ids, slot, IPCLAB_SLOTS - 1, XA_PRESENT);
		if (!obj || kref_get_unless_zero(&obj->ref))
			break;
		++*slot;
	}
	rcu_read_unlock();
	if (obj)
		++*slot;
	return obj;
}

/**
 * ipclab_perm() - may the caller access @obj?
 * @obj:    the object
 * @access: 4 to read, 2 to write, 6 for both, 0 to only look
 *
 * SysV's ipcperms(): owner bits for the owner or creator, group bits for
 * a member of the owner's or creator's group, other bits for the rest;
 * CAP_IPC_OWNER may do anything.
 *
 * Return: 0 or -EACCES.
 */
int ipclab_perm(struct ipclab_obj *obj, int access)
{
	const struct cred *cred = current_cred();
	int granted = READ_ONCE(obj->mode);

	if (uid_eq(cred->euid, READ_ONCE(obj->uid)) ||
	    uid_eq(cred->euid, obj->cuid))
		granted >>= 6;
	else if (in_group_p(READ_ONCE(obj->gid)) || in_group_p(obj->cgid))
		granted >>= 3;

	if ((access & ~granted & 7) && !capable(CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

/* May the caller change or remove @obj?  Owner, creator or CAP_SYS_ADMIN. */
static int ipclab_may_control(struct ipclab_obj *obj)
{
	kuid_t euid = current_euid();

	if (uid_eq(euid, READ_ONCE(obj->uid)) || uid_eq(euid, obj->cuid) ||
	    capable(CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

/**
 * ipclab_obj_touch() - record an operation by the current process
 * @obj: the object, locked
 */
void ipclab_obj_touch(struct ipclab_obj *obj)
{
	struct pid *me = task_tgid(current);

	lockdep_assert_held(&obj->lock);
	obj->otime = ktime_get_real_seconds();
	if (obj->lpid != me) {
		put_pid(obj->lpid);
		obj->lpid = get_pid(me);
	}
}

static u32 ipclab_count_user(kuid_t uid)
{
	struct ipclab_obj *obj;
	unsigned long slot;
	u32 n = 0;

	lockdep_assert_held(&ipclab_table_lock);
	xa_for_each(&ipclab_ids, slot, obj)
		if (uid_eq(obj->cuid, uid))
			n++;
	return n;
}

/* Put a new object into the table: give it an id and, unless private, its key. */
static int ipclab_table_insert(struct ipclab_obj *obj, s32 key)
{
	u32 max = min_t(u32, READ_ONCE(ipclab_max_objects), IPCLAB_SLOTS);
	u32 slot;
	int ret;

	lockdep_assert_held(&ipclab_table_lock);
	if (atomic_read(&ipclab_nobjects) >= max ||
	    ipclab_count_user(obj->cuid) >= READ_ONCE(ipclab_max_objects_per_user))
		return -ENOSPC;

	/*
	 * Reserve the slot, finish the object, and publish it last: a
	 * lockless lookup must never find an object that may still be torn
	 * down without going through removal.
	 */
	ret = xa_alloc(&ipclab_ids, &slot, NULL, XA_LIMIT(0, max - 1),
		       GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret == -EBUSY ? -ENOSPC : ret;

	/* seq 0 is skipped so that no id is ever 0 with slot 0 reused. */
	if (++ipclab_seq == 0)
		ipclab_seq = 1;
	obj->id = (u32)ipclab_seq * IPCLAB_SLOTS + slot;
	obj->key = key;

	if (key != IPCLAB_KEY_PRIVATE) {
		ret = xa_insert(&ipclab_keys[obj->type], (u32)key, obj,
				GFP_KERNEL_ACCOUNT);
		if (ret) {
			xa_erase(&ipclab_ids, slot);
			return ret;
		}
	}
	/* A reserved slot needs no allocation: this cannot fail. */
	WARN_ON_ONCE(xa_is_err(xa_store(&ipclab_ids, slot, obj, GFP_KERNEL)));
	atomic_inc(&ipclab_nobjects);
	return 0;
}

static struct ipclab_obj *ipclab_create(const struct ipclab_get *get)
{
	switch (get->type) {
	case IPCLAB_TYPE_SEM:
		return ipclab_sem_create(get);
	case IPCLAB_TYPE_MUTEX:
		return ipclab_mutex_create(get);
	case IPCLAB_TYPE_MBOX:
		return ipclab_mbox_create(get);
	case IPCLAB_TYPE_SHBUF:
		return ipclab_shbuf_create(get);
	default:
		return ERR_PTR(-EINVAL);
	}
}

/* Checks when an existing object is opened by key. */
static int ipclab_check_open(struct ipclab_obj *obj, const struct ipclab_get *get)
{
	int ret;

	if ((get->flags & IPCLAB_CREAT) && (get->flags & IPCLAB_EXCL))
		return -EEXIST;
	/* As SysV: any triplet of the mode asks for that access. */
	ret = ipclab_perm(obj, (get->mode >> 6 | get->mode >> 3 | get->mode) & 7);
	if (ret)
		return ret;
	if (obj->type == IPCLAB_TYPE_SEM)
		return ipclab_sem_check_open(obj, get);
	if (obj->type == IPCLAB_TYPE_SHBUF)
		return ipclab_shbuf_check_open(obj, get);
	return 0;
}

static int ipclab_get_valid(const struct ipclab_get *get)
{
	bool sem = get->type == IPCLAB_TYPE_SEM;
	bool mbox = get->type == IPCLAB_TYPE_MBOX;
	bool shbuf = get->type == IPCLAB_TYPE_SHBUF;

	if (get->type < IPCLAB_TYPE_SEM || get->type > IPCLAB_TYPE_SHBUF)
		return -EINVAL;
	if (get->flags & ~(IPCLAB_CREAT | IPCLAB_EXCL | IPCLAB_REFUSE_DEADLOCK |
			   IPCLAB_SEM_NOFIFO))
		return -EINVAL;
	if ((get->flags & IPCLAB_SEM_NOFIFO) &&
	    (!sem || !(get->flags & IPCLAB_CREAT)))
		return -EINVAL;
	/* Only where there is something to deadlock on, and when creating. */
	if ((get->flags & IPCLAB_REFUSE_DEADLOCK) &&
	    ((get->type != IPCLAB_TYPE_SEM && get->type != IPCLAB_TYPE_MUTEX) ||
	     !(get->flags & IPCLAB_CREAT)))
		return -EINVAL;
	if (get->mode & ~IPCLAB_MODE_MASK)
		return -EINVAL;
	if (get->pad || get->sem_flags || get->reserved[0] || get->reserved[1])
		return -EINVAL;
	/* What belongs to another type must be zero. */
	if (!sem && get->nsems)
		return -EINVAL;
	if (!mbox && (get->max_msgs || get->max_msgsz || get->max_bytes))
		return -EINVAL;
	if (!shbuf && get->size)
		return -EINVAL;
	return 0;
}

long ipclab_ioc_get(void __user *argp)
{
	struct ipclab_obj *obj;
	struct ipclab_get get;
	int ret;

	if (copy_from_user(&get, argp, sizeof(get)))
		return -EFAULT;
	ret = ipclab_get_valid(&get);
	if (ret)
		return ret;
	get.type = array_index_nospec(get.type, IPCLAB_NTYPES);
	/* Fail on an unwritable argument before creating anything. */
	if (put_user(0, &((struct ipclab_get __user *)argp)->id))
		return -EFAULT;

	/* A sleeping lock: creation may allocate under it. */
	mutex_lock(&ipclab_table_lock);
	obj = get.key == IPCLAB_KEY_PRIVATE ? NULL :
		xa_load(&ipclab_keys[get.type], (u32)get.key);
	if (obj) {
		ret = ipclab_check_open(obj, &get);
	} else if (!(get.flags & IPCLAB_CREAT) && get.key != IPCLAB_KEY_PRIVATE) {
		ret = -ENOENT;
	} else {
		obj = ipclab_create(&get);
		ret = PTR_ERR_OR_ZERO(obj);
		if (!ret) {
			obj->flags = get.flags & (IPCLAB_REFUSE_DEADLOCK |
						  IPCLAB_SEM_NOFIFO);
			ret = ipclab_table_insert(obj, get.key);
			if (ret)
				ipclab_obj_put(obj);
			else
				trace_ipclab_create(obj);
		}
	}
	if (!ret)
		get.id = obj->id;
	mutex_unlock(&ipclab_table_lock);

	if (ret)
		return ret;
	if (put_user(get.id, &((struct ipclab_get __user *)argp)->id))
		return -EFAULT;
	return 0;
}

/**
 * ipclab_obj_unlink() - take an object's id out of the table
 * @obj: the object; called once per object
 *
 * Drops the table's reference.  Needs no table lock: the xarray has its
 * own, and id lookups only ever see the object or nothing.
 */
void ipclab_obj_unlink(struct ipclab_obj *obj)
{
	xa_erase(&ipclab_ids, obj->id % IPCLAB_SLOTS);
	atomic_dec(&ipclab_nobjects);
	ipclab_obj_put(obj);
}

/* IPCLAB_IOC_RMID: free the key, fail the waiters, leave the table. */
static void ipclab_remove(struct ipclab_obj *obj)
{
	IPCLAB_DEFINE_WAKE(wq);
	bool linger;

	lockdep_assert_held(&ipclab_table_lock);
	trace_ipclab_remove(obj);
	if (obj->key != IPCLAB_KEY_PRIVATE)
		xa_erase(&ipclab_keys[obj->type], (u32)obj->key);

	ipclab_world_enter();
	spin_lock(&obj->lock);
	obj->removed = true;
	obj->ops->remove(obj, &wq);
	linger = obj->ops->linger && obj->ops->linger(obj);
	/* The key may name another object now, as SysV shows IPC_PRIVATE. */
	obj->key = IPCLAB_KEY_PRIVATE;
	spin_unlock(&obj->lock);
	ipclab_world_leave();
	ipclab_wake_up(&wq);

	if (!linger)
		ipclab_obj_unlink(obj);
}

long ipclab_ioc_rmid(void __user *argp)
{
	struct ipclab_obj *obj;
	struct ipclab_id arg;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.pad)
		return -EINVAL;

	mutex_lock(&ipclab_table_lock);
	obj = ipclab_obj_lookup(arg.id, 0);
	if (!obj) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = ipclab_may_control(obj);
	if (!ret)
		ipclab_remove(obj);
	ipclab_obj_put(obj);
out_unlock:
	mutex_unlock(&ipclab_table_lock);
	return ret;
}

long ipclab_ioc_set(void __user *argp)
{
	struct user_namespace *ns = current_user_ns();
	struct ipclab_obj *obj;
	struct ipclab_set arg;
	kuid_t uid;
	kgid_t gid;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.mode & ~IPCLAB_MODE_MASK)
		return -EINVAL;
	uid = make_kuid(ns, arg.uid);
	gid = make_kgid(ns, arg.gid);
	if (!uid_valid(uid) || !gid_valid(gid))
		return -EINVAL;

	obj = ipclab_obj_lookup(arg.id, 0);
	if (!obj)
		return -EINVAL;
	ret = ipclab_may_control(obj);
	if (!ret) {
		spin_lock(&obj->lock);
		WRITE_ONCE(obj->uid, uid);
		WRITE_ONCE(obj->gid, gid);
		WRITE_ONCE(obj->mode, arg.mode);
		obj->ctime = ktime_get_real_seconds();
		spin_unlock(&obj->lock);
	}
	ipclab_obj_put(obj);
	return ret;
}

/* Fill the part of a holder entry that names the process. */
void ipclab_fill_holder(struct ipclab_holder *h, struct ipclab_proc *proc,
			u32 num, s32 held, s32 undo)
{
	memset(h, 0, sizeof(*h));
	h->pid = pid_vnr(proc->tgid);
	h->num = num;
	h->held = held;
	h->undo = undo;
	memcpy(h->comm, proc->comm, sizeof(h->comm));
}

static void ipclab_snap_free(struct ipclab_snap *snap)
{
	kvfree(snap->values);
	kvfree(snap->waiters);
	kvfree(snap->ops);
	kvfree(snap->holders);
}

/*
 * Size the snapshot's arrays: what the caller asked for, but no more than
 * exists (the counts of the previous attempt), so that a caller passing a
 * huge capacity cannot make us allocate huge buffers.
 */
static int ipclab_snap_alloc(struct ipclab_snap *snap,
			     const struct ipclab_stat *st,
			     const struct ipclab_snap *need)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO;

	ipclab_snap_free(snap);
	memset(snap, 0, sizeof(*snap));
	snap->values_cap = st->values ? min(st->values_len, need->nvalues) : 0;
	snap->waiters_cap = st->waiters ? min(st->waiters_len, need->nwaiters) : 0;
	snap->ops_cap = st->ops ? min(st->ops_len, need->nops) : 0;
	snap->holders_cap = st->holders ? min(st->holders_len, need->nholders) : 0;

	snap->values = kvcalloc(snap->values_cap, sizeof(*snap->values), gfp);
	snap->waiters = kvcalloc(snap->waiters_cap, sizeof(*snap->waiters), gfp);
	snap->ops = kvcalloc(snap->ops_cap, sizeof(*snap->ops), gfp);
	snap->holders = kvcalloc(snap->holders_cap, sizeof(*snap->holders), gfp);
	if ((snap->values_cap && !snap->values) ||
	    (snap->waiters_cap && !snap->waiters) ||
	    (snap->ops_cap && !snap->ops) ||
	    (snap->holders_cap && !snap->holders))
		return -ENOMEM;
	return 0;
}

/* Did the snapshot fit in what we allocated, as far as the caller asked? */
static bool ipclab_snap_complete(const struct ipclab_snap *snap,
				 const struct ipclab_stat *st)
{
	return (!st->values || snap->values_cap >= min(st->values_len, snap->nvalues)) &&
	       (!st->waiters || snap->waiters_cap >= min(st->waiters_len, snap->nwaiters)) &&
	       (!st->ops || snap->ops_cap >= min(st->ops_len, snap->nops)) &&
	       (!st->holders || snap->holders_cap >= min(st->holders_len, snap->nholders));
}

static void ipclab_stat_perm(struct ipclab_obj *obj, struct ipclab_perm *p)
{
	struct user_namespace *ns = current_user_ns();

	lockdep_assert_held(&obj->lock);
	p->key = obj->key;
	p->id = obj->id;
	p->uid = from_kuid_munged(ns, obj->uid);
	p->gid = from_kgid_munged(ns, obj->gid);
	p->cuid = from_kuid_munged(ns, obj->cuid);
	p->cgid = from_kgid_munged(ns, obj->cgid);
	p->mode = obj->mode;
	p->cpid = pid_vnr(obj->cpid);
	p->lpid = obj->lpid ? pid_vnr(obj->lpid) : 0;
	p->flags = obj->flags;
	p->ctime = obj->ctime;
	p->otime = obj->otime;
}

static int ipclab_copy_array(u64 uptr, const void *buf, u32 n, size_t size)
{
	if (!n)
		return 0;
	if (copy_to_user(u64_to_user_ptr(uptr), buf, (size_t)n * size))
		return -EFAULT;
	return 0;
}

long ipclab_ioc_stat(void __user *argp)
{
	struct ipclab_snap snap = {}, need = {};
	struct ipclab_stat st, out;
	struct ipclab_obj *obj;
	int tries, ret;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (st.flags)
		return -EINVAL;

	obj = ipclab_obj_lookup(st.id, 0);
	if (!obj)
		return -EINVAL;
	ret = ipclab_perm(obj, 4);
	if (ret)
		goto out_put;

	/*
	 * Learn the sizes, allocate, then fill under the lock.  If the
	 * object grew in between, try again with the new sizes.
	 */
	for (tries = 0; ; tries++) {
		ret = ipclab_snap_alloc(&snap, &st, &need);
		if (ret)
			goto out_free;

		memset(&out, 0, sizeof(out));
		spin_lock(&obj->lock);
		snap.now_ns = ktime_get_ns();
		ipclab_stat_perm(obj, &out.perm);
		out.type = obj->type;
		out.nwaiters = obj->nwaiters;
		obj->ops->stat(obj, &out, &snap);
		spin_unlock(&obj->lock);

		if (ipclab_snap_complete(&snap, &st))
			break;
		if (tries == 8) {
			ret = -EAGAIN;
			goto out_free;
		}
		need = snap;
		need.values = NULL;
		need.waiters = NULL;
		need.ops = NULL;
		need.holders = NULL;
	}

	/* Only what was both asked for and filled: at most each *_cap. */
	ret = ipclab_copy_array(st.values, snap.values,
				min(snap.values_cap, snap.nvalues), sizeof(*snap.values)) ?:
	      ipclab_copy_array(st.waiters, snap.waiters,
				min(snap.waiters_cap, snap.nwaiters), sizeof(*snap.waiters)) ?:
	      ipclab_copy_array(st.ops, snap.ops,
				min(snap.ops_cap, snap.nops), sizeof(*snap.ops)) ?:
	      ipclab_copy_array(st.holders, snap.holders,
				min(snap.holders_cap, snap.nholders), sizeof(*snap.holders));
	if (ret)
		goto out_free;

	out.id = st.id;
	out.values = st.values;
	out.waiters = st.waiters;
	out.ops = st.ops;
	out.holders = st.holders;
	out.values_len = snap.nvalues;
	out.waiters_len = snap.nwaiters;
	out.ops_len = snap.nops;
	out.holders_len = snap.nholders;
	if (copy_to_user(argp, &out, sizeof(out)))
		ret = -EFAULT;
out_free:
	ipclab_snap_free(&snap);
out_put:
	ipclab_obj_put(obj);
	return ret;
}

long ipclab_ioc_list(void __user *argp)
{
	struct ipclab_list arg;
	struct ipclab_obj *obj;
	unsigned long slot;
	u32 *ids, n = 0, cap;
	int ret = 0;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.type >= IPCLAB_NTYPES)
		return -EINVAL;
	arg.type = array_index_nospec(arg.type, IPCLAB_NTYPES);
	/* Never more than there can be objects. */
	cap = min_t(u32, arg.len, IPCLAB_SLOTS);
	ids = kvcalloc(cap, sizeof(*ids), GFP_KERNEL_ACCOUNT);
	if (cap && !ids)
		return -ENOMEM;

	mutex_lock(&ipclab_table_lock);
	xa_for_each(&ipclab_ids, slot, obj) {
		if (arg.type && obj->type != arg.type)
			continue;
		if (n < cap)
			ids[n] = obj->id;
		n++;
	}
	mutex_unlock(&ipclab_table_lock);

	if (copy_to_user(u64_to_user_ptr(arg.ids), ids,
			 array_size(min(n, cap), sizeof(*ids))))
		ret = -EFAULT;
	arg.len = n;
	if (!ret && copy_to_user(argp, &arg, sizeof(arg)))
		ret = -EFAULT;
	kvfree(ids);
	return ret;
}

/* Module unload: no session is open, so nothing can race with this. */
void ipclab_table_exit(void)
{
	struct ipclab_obj *obj;
	unsigned long slot;
	int t;

	mutex_lock(&ipclab_table_lock);
	xa_for_each(&ipclab_ids, slot, obj)
		ipclab_remove(obj);
	mutex_unlock(&ipclab_table_lock);
	xa_destroy(&ipclab_ids);
	for (t = 0; t < IPCLAB_NTYPES; t++)
		xa_destroy(&ipclab_keys[t]);
}

/*
 * /sys/kernel/debug/ipclab/objects: every object and its waiting room as
 * text, like /proc/sysvipc/sem, for people and for scripts that cannot
 * use ioctl.  Each object is printed under its lock, so each one is a
 * consistent snapshot (the list as a whole is not).
 */
static const char *const ipclab_type_names[IPCLAB_NTYPES] = {
	[IPCLAB_TYPE_SEM] = "sem",
	[IPCLAB_TYPE_MUTEX] = "mutex",
	[IPCLAB_TYPE_MBOX] = "mbox",
	[IPCLAB_TYPE_SHBUF] = "shbuf",
};

void ipclab_show_waiter(struct seq_file *m, const struct ipclab_waiter_base *w,
			u64 now_ns)
{
	u64 waited_us = div_u64(now_ns - w->start_ns, NSEC_PER_USEC);

	seq_printf(m, "  waiter ticket=%llu pid=%d tid=%d comm=%s waited_us=%llu",
		   w->ticket, task_tgid_vnr(w->task), task_pid_vnr(w->task),
		   w->comm, waited_us);
}

static int ipclab_objects_show(struct seq_file *m, void *unused)
{
	struct user_namespace *ns = seq_user_ns(m);
	struct ipclab_obj *obj;
	unsigned long slot;

	seq_puts(m, "# type key id mode uid gid cpid lpid waiters\n");
	mutex_lock(&ipclab_table_lock);
	xa_for_each(&ipclab_ids, slot, obj) {
		spin_lock(&obj->lock);
		seq_printf(m, "%s %d %u %03o %u %u %d %d %u\n",
			   ipclab_type_names[obj->type], obj->key, obj->id,
			   obj->mode, from_kuid_munged(ns, obj->uid),
			   from_kgid_munged(ns, obj->gid), pid_vnr(obj->cpid),
			   obj->lpid ? pid_vnr(obj->lpid) : 0, obj->nwaiters);
		obj->ops->show(obj, m, ktime_get_ns());
		spin_unlock(&obj->lock);
	}
	mutex_unlock(&ipclab_table_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ipclab_objects);

static struct dentry *ipclab_debugfs;

void ipclab_debugfs_init(void)
{
	ipclab_debugfs = debugfs_create_dir(IPCLAB_NAME, NULL);
	debugfs_create_file("objects", 0444, ipclab_debugfs, NULL,
			    &ipclab_objects_fops);
}

void ipclab_debugfs_exit(void)
{
	debugfs_remove_recursive(ipclab_debugfs);
}
