// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab object table: keys, ids, permissions, limits and lifetime.
 *
 * Every object is in the id xarray from creation to removal (or, for a
 * type that lingers, to its last user's ipclab_obj_unlink()), and, unless
 * it is private, in its type's key xarray until removal.  Objects enter
 * both, and leave the key xarray, under ipclab_table_lock; they leave the
 * id xarray after it (its own lock suffices), once a removal has marked
 * them removed under it, so that a second removal finds them gone.  (A
 * reservation made before the lock, see ipclab_table_reserve(), is
 * invisible.)  An id is
 * seq * IPCLAB_SLOTS + slot: lookup reads the slot under RCU, compares the
 * whole id (so a stale id never reaches a newer object in the same slot)
 * and takes a reference.
 *
 * The table holds one reference per object; removal drops it after
 * unlinking the object and failing its waiters with -EIDRM.  The object
 * is freed when the last ioctl or object fd using it lets go, after an
 * RCU grace period.  So the walks of the table run under RCU: the
 * debugfs file takes a reference before it locks or sleeps, LIST reads
 * only ids and types, which never change, and the snapshot reads with the
 * world stopped and never sleeps; none of them takes ipclab_table_lock,
 * and the unlink of
 * a lingering object (a type's linger(), at its last user) needs it neither.
 *
 * Creation charges the creator's user first (objects in total and per
 * user: counters, not walks), builds the object and reserves its id slot
 * and its key's entry with no lock held, and takes ipclab_table_lock
 * only to check the key and publish, which allocates nothing then.  A
 * loser of a race for a key frees its object after the unlock.  Keys
 * are found in an xarray per type, ids by their slot: creation, lookup
 * and removal cost the same with one object or 100000.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
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

/*
 * The defaults let one user hold as many objects of one type as Linux's
 * SEMMNI and MSGMNI (32000) and SHMMNI (4096) allow, and four users the
 * whole table.
 */
unsigned int ipclab_max_objects = IPCLAB_SLOTS;
static struct ipclab_uint_param ipclab_max_objects_param = {
	.var = &ipclab_max_objects, .lo = 0, .hi = IPCLAB_SLOTS,
};
module_param_cb(max_objects, &ipclab_uint_param_ops, &ipclab_max_objects_param, 0644);
MODULE_PARM_DESC(max_objects, "Objects in total, at most 131072 (ENOSPC)");

unsigned int ipclab_max_objects_per_user = 32768;
static struct ipclab_uint_param ipclab_max_objects_per_user_param = {
	.var = &ipclab_max_objects_per_user, .lo = 0, .hi = IPCLAB_SLOTS,
};
module_param_cb(max_objects_per_user, &ipclab_uint_param_ops,
		&ipclab_max_objects_per_user_param, 0644);
MODULE_PARM_DESC(max_objects_per_user, "Objects created by one uid (ENOSPC)");

/* Protected by ipclab_table_lock: 1..IPCLAB_SEQS - 1, the last id's. */
static u32 ipclab_seq;

/**
 * ipclab_obj_init() - fill the part of a new object that every type shares
 * @obj:  the object, embedded in the type's, not yet in the table
 * @type: its primitive
 * @mode: its permission bits, from IPCLAB_IOC_GET
 *
 * Called by the type's create(); the creator (the current task) becomes
 * owner and creator.
 */
void ipclab_obj_init(struct ipclab_obj *obj, const struct ipclab_type *type,
		     umode_t mode)
{
	const struct cred *cred = current_cred();

	kref_init(&obj->ref);
	spin_lock_init(&obj->lock);
	obj->type = type;
	obj->mode = mode & IPCLAB_MODE_MASK;
	obj->uid = cred->euid;
	obj->cuid = cred->euid;
	obj->gid = cred->egid;
	obj->cgid = cred->egid;
	obj->cpid = get_pid(task_tgid(current));
	obj->ctime = ktime_get_real_seconds();
}

/* Objects count for their creator from creation to the last reference. */
static int ipclab_obj_charge(struct ipclab_user *user,
			     const struct ipclab_type *t)
{
	unsigned long per_type = t->max_per_user ?
				 READ_ONCE(*t->max_per_user) : ULONG_MAX;
	int ret;

	ret = ipclab_charge(user, IPCLAB_RES_OBJECTS, 1,
			    READ_ONCE(ipclab_max_objects_per_user),
			    READ_ONCE(ipclab_max_objects));
	if (ret)
		return ret;
	/* Per type: counted, and limited where the type says so. */
	ret = ipclab_charge(user, IPCLAB_RES_OBJECTS + t->nr, 1, per_type,
			    ULONG_MAX);
	if (ret)
		ipclab_uncharge(user, IPCLAB_RES_OBJECTS, 1);
	return ret;
}

static void ipclab_obj_uncharge(struct ipclab_user *user, u32 type)
{
	ipclab_uncharge(user, IPCLAB_RES_OBJECTS + type, 1);
	ipclab_uncharge(user, IPCLAB_RES_OBJECTS, 1);
}

static void ipclab_obj_release(struct kref *ref)
{
	struct ipclab_obj *obj = container_of(ref, struct ipclab_obj, ref);
	struct ipclab_user *user = obj->user;
	u32 type = obj->type->nr;

	put_pid(obj->cpid);
	put_pid(obj->lpid);
	ipclab_name_free(obj);
	obj->type->free(obj);
	ipclab_obj_uncharge(user, type);
	ipclab_user_put(user);
}

/**
 * ipclab_obj_put() - drop a reference to an object
 * @obj: the object
 *
 * The last reference frees it (after an RCU grace period).
 *
 * Context: process context; no spinlock held (the type's free() may
 * sleep).
 */
void ipclab_obj_put(struct ipclab_obj *obj)
{
	kref_put(&obj->ref, ipclab_obj_release);
}

/**
 * ipclab_obj_lookup() - find an object by id and take a reference
 * @id:   the id from userspace
 * @type: the IPCLAB_TYPE_* the caller needs, or 0 for any
 *
 * Return: the object, or NULL if the id names no live object of that type
 * (the caller returns -EINVAL, as SysV does for stale ids).
 */
struct ipclab_obj *ipclab_obj_lookup(u32 id, u32 type)
{
	struct ipclab_obj *obj;

	rcu_read_lock();
	obj = ipclab_obj_find_rcu(id, type);
	if (obj && !kref_get_unless_zero(&obj->ref))
		obj = NULL;
	rcu_read_unlock();
	return obj;
}

/**
 * ipclab_obj_find_rcu() - find an object by id, without a reference
 * @id:   the id from userspace
 * @type: the IPCLAB_TYPE_* the caller needs, or 0 for any
 *
 * For a fast path that uses the object only inside one RCU read-side
 * section: its memory stays until the section ends (objects are freed
 * after a grace period), but it may be removed meanwhile; the caller
 * checks obj->removed under the object's lock.
 *
 * Context: rcu_read_lock() held.
 * Return: the object, or NULL if the id names no object of that type.
 */
struct ipclab_obj *ipclab_obj_find_rcu(u32 id, u32 type)
{
	struct ipclab_obj *obj;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ipclab table read without RCU");
	obj = xa_load(&ipclab_ids, id % IPCLAB_SLOTS);
	if (obj && (obj->id != id || (type && obj->type->nr != type)))
		return NULL;
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
 * ipclab_obj_next_rcu() - the next object in table order, unreferenced
 * @slot: in: where to start; out: the slot after the object returned
 *
 * For walks that may not sleep or take a reference (the world is
 * stopped, preemption is off): the object's memory stays valid until
 * rcu_read_unlock(), but it may be on its way out (removed, or released).
 *
 * Context: rcu_read_lock() held.
 * Return: the object, or NULL at the end.
 */
struct ipclab_obj *ipclab_obj_next_rcu(unsigned long *slot)
{
	struct ipclab_obj *obj;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ipclab table walked without RCU");
	obj = xa_find(&ipclab_ids, slot, IPCLAB_SLOTS - 1, XA_PRESENT);
	if (obj)
		++*slot;
	return obj;
}

/* ipclab_perm(), with CAP_IPC_OWNER already looked up. */
static int ipclab_perm_cap(struct ipclab_obj *obj, int access, bool owner_cap)
{
	const struct cred *cred = current_cred();
	int granted = READ_ONCE(obj->mode);

	if (uid_eq(cred->euid, READ_ONCE(obj->uid)) ||
	    uid_eq(cred->euid, obj->cuid))
		granted >>= 6;
	else if (in_group_p(READ_ONCE(obj->gid)) || in_group_p(obj->cgid))
		granted >>= 3;

	if ((access & ~granted & 7) && !owner_cap)
		return -EACCES;
	return 0;
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
	if (!ipclab_perm_cap(obj, access, false))
		return 0;
	return ipclab_perm_cap(obj, access, capable(CAP_IPC_OWNER));
}

/**
 * ipclab_perm_atomic() - ipclab_perm() for a walk that may not sleep
 * @obj:       the object
 * @access:    as for ipclab_perm()
 * @owner_cap: the caller's CAP_IPC_OWNER, looked up before the walk with
 *             ipclab_owner_cap()
 *
 * Return: 0 or -EACCES.
 */
int ipclab_perm_atomic(struct ipclab_obj *obj, int access, bool owner_cap)
{
	return ipclab_perm_cap(obj, access, owner_cap);
}

/**
 * ipclab_owner_cap() - does the caller have CAP_IPC_OWNER?
 *
 * For ipclab_perm_atomic(); a denial is not audited (nothing was asked
 * for yet).
 *
 * Return: true if it has.
 */
bool ipclab_owner_cap(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_IPC_OWNER);
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
 * ipclab_obj_get() - look an object up by id and check the caller's access
 * @id:     the id from userspace
 * @type:   the IPCLAB_TYPE_* the command works on
 * @access: IPCLAB_READ and/or IPCLAB_WRITE
 * @err:    out: -EINVAL (no such object of that type) or -EACCES
 *
 * The first steps of most commands on one object, in one call.
 *
 * Return: the referenced object, or NULL with *@err set.
 */
struct ipclab_obj *ipclab_obj_get(u32 id, u32 type, int access, int *err)
{
	struct ipclab_obj *obj = ipclab_obj_lookup(id, type);

	if (!obj) {
		*err = -EINVAL;
		return NULL;
	}
	*err = ipclab_perm(obj, access);
	if (*err) {
		ipclab_obj_put(obj);
		return NULL;
	}
	return obj;
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

/*
 * Make room for a new object before the table lock is taken, so that
 * publishing it under the lock allocates nothing: reserve an id slot (a
 * reserved slot reads as empty to lookups and walks) and, unless the
 * object is private, its key's entry.  The key's entry may be there
 * already (the key's object, or a racing creator's reservation): then
 * nothing is reserved, and the lock's check decides.
 */
static int ipclab_table_reserve(const struct ipclab_get *get, u32 *slot)
{
	int ret;

	ret = xa_alloc(&ipclab_ids, slot, NULL, XA_LIMIT(0, IPCLAB_SLOTS - 1),
		       GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret == -EBUSY ? -ENOSPC : ret;
	if (get->key == IPCLAB_KEY_PRIVATE)
		return 0;
	ret = xa_reserve(&ipclab_keys[get->type], (u32)get->key,
			 GFP_KERNEL_ACCOUNT);
	if (ret)
		xa_erase(&ipclab_ids, *slot);
	return ret;
}

/*
 * Give back what ipclab_table_reserve() reserved for an object that was
 * not published.  A key's entry is dropped only if it is still a
 * reservation (a racing creator's, at worst: that one then allocates
 * under the lock).
 */
static void ipclab_table_unreserve(const struct ipclab_get *get, u32 slot)
{
	xa_erase(&ipclab_ids, slot);
	if (get->key != IPCLAB_KEY_PRIVATE)
		xa_release(&ipclab_keys[get->type], (u32)get->key);
}

/*
 * Put a new object into the table, in its reserved slot: give it an id
 * and, unless private, its key, which no object has (the caller looked).
 */
static int ipclab_table_insert(struct ipclab_obj *obj, s32 key, u32 slot)
{
	void *old;

	lockdep_assert_held(&ipclab_table_lock);
	/*
	 * Finish the object and publish it last: a lockless lookup must
	 * never find an object that may still be torn down without going
	 * through removal.  (A slot stays taken from creation to unlink;
	 * the charge, from creation to the last reference: a removed object
	 * an fd still holds counts until then.)
	 */
	/* seq 1..IPCLAB_SEQS - 1: no id is 0, every id is a positive int. */
	if (++ipclab_seq >= IPCLAB_SEQS)
		ipclab_seq = 1;
	obj->id = ipclab_seq * IPCLAB_SLOTS + slot;
	obj->key = key;

	if (key != IPCLAB_KEY_PRIVATE) {
		/* Over our reservation, or a NULL a racer released: may allocate. */
		old = xa_store(&ipclab_keys[obj->type->nr], (u32)key, obj,
			       GFP_KERNEL_ACCOUNT);
		if (xa_is_err(old))
			return xa_err(old);
	}
	/* A reserved slot needs no allocation: this cannot fail. */
	WARN_ON_ONCE(xa_is_err(xa_store(&ipclab_ids, slot, obj, GFP_KERNEL)));
	return 0;
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
	return obj->type->check_open ? obj->type->check_open(obj, get) : 0;
}

/*
 * The arguments of IPCLAB_IOC_GET that every type shares; the type checks
 * its member of the union when it creates or opens.  The flags beyond
 * CREAT and EXCL are the type's own (its create_flags), and only for
 * creating: they say how an object behaves, fixed at its birth.
 */
static int ipclab_get_valid(const struct ipclab_get *get,
			    const struct ipclab_type *t)
{
	u32 own = get->flags & ~(IPCLAB_CREAT | IPCLAB_EXCL);

	if (!t)
		return -EINVAL;
	if (own & ~t->create_flags)
		return -EINVAL;
	if (own && !(get->flags & IPCLAB_CREAT))
		return -EINVAL;
	if (get->mode & ~IPCLAB_MODE_MASK)
		return -EINVAL;
	if (get->pad)
		return -EINVAL;
	/* What belongs to another type, or to none yet, must be zero. */
	if (memchr_inv((const char *)get->reserved + t->get_size, 0,
		       sizeof(get->reserved) - t->get_size))
		return -EINVAL;
	return 0;
}

/* The object with @key, referenced, or NULL. */
static struct ipclab_obj *ipclab_key_lookup(u32 type, s32 key)
{
	struct ipclab_obj *obj;

	rcu_read_lock();
	obj = xa_load(&ipclab_keys[type], (u32)key);
	if (obj && !kref_get_unless_zero(&obj->ref))
		obj = NULL;
	rcu_read_unlock();
	return obj;
}

/* Open an existing object found by key: its id, or an error. */
static int ipclab_open_existing(struct ipclab_obj *obj,
				const struct ipclab_get *get, u32 *id)
{
	int ret = ipclab_check_open(obj, get);

	if (!ret)
		*id = obj->id;
	return ret;
}

/*
 * Create a new object and publish it.  The object is built and charged
 * without any lock; the table lock only guards the key check and the
 * insertion.  Return: 0 with *id set, or an error.
 */
static int ipclab_create_new(struct ipclab_get *get,
			     const struct ipclab_type *t, u32 *id)
{
	struct ipclab_obj *obj, *other = NULL;
	struct ipclab_user *user;
	u32 slot;
	int ret;

	user = ipclab_user_current();
	if (IS_ERR(user))
		return PTR_ERR(user);
	ret = ipclab_obj_charge(user, t);
	if (ret) {
		ipclab_user_put(user);
		return ret;
	}
	obj = t->create(get, user);
	if (IS_ERR(obj)) {
		ipclab_obj_uncharge(user, get->type);
		ipclab_user_put(user);
		return PTR_ERR(obj);
	}
	/* From here on, the object's release gives the charge back. */
	obj->user = user;
	obj->flags = get->flags & t->create_flags;

	ret = ipclab_table_reserve(get, &slot);
	if (ret) {
		ipclab_obj_put(obj);
		return ret;
	}

	mutex_lock(&ipclab_table_lock);
	if (get->key != IPCLAB_KEY_PRIVATE) {
		other = xa_load(&ipclab_keys[get->type], (u32)get->key);
		if (other)
			kref_get(&other->ref);	/* keyed: not yet removed */
	}
	ret = other ? 0 : ipclab_table_insert(obj, get->key, slot);
	if (!other && !ret) {
		trace_ipclab_create(obj);
		*id = obj->id;
	}
	mutex_unlock(&ipclab_table_lock);

	if (other || ret)
		ipclab_table_unreserve(get, slot);
	if (other) {
		/* Somebody created the key meanwhile: as if it had been there. */
		ret = ipclab_open_existing(other, get, id);
		ipclab_obj_put(other);
	}
	if (other || ret)
		ipclab_obj_put(obj);
	return ret;
}

/**
 * ipclab_ioc_get() - IPCLAB_IOC_GET: find an object by key, or create one
 * @argp: struct ipclab_get from userspace
 *
 * Return: 0 with the id written back, or an error (see the uapi header).
 */
long ipclab_ioc_get(void __user *argp)
{
	const struct ipclab_type *t;
	struct ipclab_obj *obj = NULL;
	struct ipclab_get get;
	u32 id = 0;
	int ret;

	if (copy_from_user(&get, argp, sizeof(get)))
		return -EFAULT;
	t = ipclab_type_get(get.type);
	ret = ipclab_get_valid(&get, t);
	if (ret)
		return ret;
	get.type = t->nr;
	/* Fail on an unwritable argument before creating anything. */
	if (put_user(0, &((struct ipclab_get __user *)argp)->id))
		return -EFAULT;

	if (get.key != IPCLAB_KEY_PRIVATE)
		obj = ipclab_key_lookup(get.type, get.key);
	if (obj) {
		ret = ipclab_open_existing(obj, &get, &id);
		ipclab_obj_put(obj);
	} else if (!(get.flags & IPCLAB_CREAT) && get.key != IPCLAB_KEY_PRIVATE) {
		ret = -ENOENT;
	} else {
		ret = ipclab_create_new(&get, t, &id);
	}
	if (ret)
		return ret;
	if (put_user(id, &((struct ipclab_get __user *)argp)->id))
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
	ipclab_obj_put(obj);
}

/*
 * The part of a removal that needs the table lock: free the key, mark
 * the object removed and fail its waiters (collected in @wq).  Return:
 * true if the object stays in the id table (its type lingers).
 */
static bool ipclab_remove_begin(struct ipclab_obj *obj, struct ipclab_wake *wq)
{
	bool linger;

	lockdep_assert_held(&ipclab_table_lock);
	trace_ipclab_remove(obj);
	if (obj->key != IPCLAB_KEY_PRIVATE)
		xa_erase(&ipclab_keys[obj->type->nr], (u32)obj->key);

	ipclab_obj_lock(obj);
	obj->removed = true;
	obj->type->remove(obj, wq);
	linger = obj->type->linger && obj->type->linger(obj);
	/* The key may name another object now, as SysV shows IPC_PRIVATE. */
	obj->key = IPCLAB_KEY_PRIVATE;
	ipclab_obj_unlock(obj);
	return linger;
}

/*
 * The rest, which takes as long as the object is big (its messages,
 * its records) and needs no table lock: wake the failed waiters, let
 * the type free what the object no longer needs, leave the id table.
 */
static void ipclab_remove_end(struct ipclab_obj *obj, struct ipclab_wake *wq,
			      bool linger)
{
	ipclab_wake_up(wq);
	if (obj->type->removed)
		obj->type->removed(obj);
	if (!linger)
		ipclab_obj_unlink(obj);
}

/**
 * ipclab_ioc_rmid() - IPCLAB_IOC_RMID: remove an object
 * @argp: struct ipclab_id from userspace
 *
 * Only the key and the marking happen under the table lock.  Between the
 * unlock and the unlink the object is still found by id, marked removed:
 * a second RMID then finds it gone (-EINVAL), but for a type that
 * lingers, where it is removed already and stays so (0, as before).
 *
 * Return: 0, -EINVAL (no such object, non-zero flags), -EPERM or -EFAULT.
 */
long ipclab_ioc_rmid(void __user *argp)
{
	IPCLAB_DEFINE_WAKE(wq);
	struct ipclab_obj *obj;
	struct ipclab_id arg;
	bool linger = false, mine = false;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;

	obj = ipclab_obj_lookup(arg.id, 0);
	if (!obj)
		return -EINVAL;
	ret = ipclab_may_control(obj);
	if (!ret) {
		mutex_lock(&ipclab_table_lock);
		if (!obj->removed) {
			linger = ipclab_remove_begin(obj, &wq);
			mine = true;
		} else if (!obj->type->linger) {
			ret = -EINVAL;
		}
		mutex_unlock(&ipclab_table_lock);
	}
	if (mine)
		ipclab_remove_end(obj, &wq, linger);
	ipclab_obj_put(obj);
	return ret;
}

/**
 * ipclab_ioc_set() - IPCLAB_IOC_SET: change an object's owner and mode
 * @argp: struct ipclab_set from userspace
 *
 * The owner and mode, and what the flags ask of the object's type (its
 * set_flags, set_check() and set()), change under one lock: all of it,
 * or nothing.
 *
 * Return: 0, -EINVAL, -EPERM or -EFAULT.
 */
long ipclab_ioc_set(void __user *argp)
{
	struct user_namespace *ns = current_user_ns();
	IPCLAB_DEFINE_WAKE(wq);
	struct ipclab_obj *obj;
	struct ipclab_set arg;
	kuid_t uid;
	kgid_t gid;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if ((arg.mode & ~IPCLAB_MODE_MASK) || arg.pad ||
	    (arg.max_bytes && !(arg.flags & IPCLAB_SET_MAX_BYTES)))
		return -EINVAL;
	uid = make_kuid(ns, arg.uid);
	gid = make_kgid(ns, arg.gid);
	if (!uid_valid(uid) || !gid_valid(gid))
		return -EINVAL;

	obj = ipclab_obj_lookup(arg.id, 0);
	if (!obj)
		return -EINVAL;
	ret = -EINVAL;
	if (arg.flags & ~obj->type->set_flags)
		goto out_put;
	ret = ipclab_may_control(obj);
	if (!ret && arg.flags)
		ret = obj->type->set_check(obj, &arg);
	if (ret)
		goto out_put;

	ipclab_obj_lock(obj);
	WRITE_ONCE(obj->uid, uid);
	WRITE_ONCE(obj->gid, gid);
	WRITE_ONCE(obj->mode, arg.mode);
	obj->ctime = ktime_get_real_seconds();
	/* A removed object still mapped keeps its name's SET, as SHM_DEST. */
	if (arg.flags && !obj->removed)
		obj->type->set(obj, &arg, &wq);
	ipclab_obj_unlock(obj);
	ipclab_wake_up(&wq);
out_put:
	ipclab_obj_put(obj);
	return ret;
}

/**
 * ipclab_fill_holder() - describe what a process holds, for IPCLAB_IOC_STAT
 * @h:    the entry to fill
 * @proc: the process
 * @num:  which of the object's resources, or 0
 * @held: units held
 * @undo: its undo value
 */
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
 * The most entries of one array a STAT copies: it bounds the work done
 * under the object's lock and the memory a caller can make us allocate.
 * The *_len fields still say how many exist.
 */
static u32 ipclab_stat_cap(u64 uptr, u32 asked, u32 need)
{
	return uptr ? min3(asked, need, (u32)IPCLAB_SNAP_MAX) : 0;
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
	snap->values_cap = ipclab_stat_cap(st->values, st->values_len, need->nvalues);
	snap->waiters_cap = ipclab_stat_cap(st->waiters, st->waiters_len,
					    need->nwaiters);
	snap->ops_cap = ipclab_stat_cap(st->ops, st->ops_len, need->nops);
	snap->holders_cap = ipclab_stat_cap(st->holders, st->holders_len,
					    need->nholders);

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
	return snap->values_cap >= ipclab_stat_cap(st->values, st->values_len,
						   snap->nvalues) &&
	       snap->waiters_cap >= ipclab_stat_cap(st->waiters, st->waiters_len,
						    snap->nwaiters) &&
	       snap->ops_cap >= ipclab_stat_cap(st->ops, st->ops_len, snap->nops) &&
	       snap->holders_cap >= ipclab_stat_cap(st->holders, st->holders_len,
						    snap->nholders);
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

static int ipclab_holder_cmp(const void *a, const void *b)
{
	const struct ipclab_holder *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return 0;
}

static int ipclab_copy_array(u64 uptr, const void *buf, u32 n, size_t size)
{
	if (!n)
		return 0;
	if (copy_to_user(u64_to_user_ptr(uptr), buf, (size_t)n * size))
		return -EFAULT;
	return 0;
}

/*
 * The id of the object in @slot now, or 0 (never an id) if none: for
 * listings by index (SEM_STAT), which then look the id up as any other.
 */
static u32 ipclab_slot_id(u32 slot)
{
	struct ipclab_obj *obj;
	u32 id = 0;

	rcu_read_lock();
	obj = xa_load(&ipclab_ids, slot);
	if (obj)
		id = obj->id;
	rcu_read_unlock();
	return id;
}

/**
 * ipclab_ioc_stat() - IPCLAB_IOC_STAT: one object's state, consistent
 * @argp: struct ipclab_stat from userspace
 *
 * Return: 0, -EINVAL, -EACCES, -EAGAIN (the object kept growing), -ENOMEM
 * or -EFAULT.
 */
long ipclab_ioc_stat(void __user *argp)
{
	struct ipclab_snap snap = {}, need = {};
	struct ipclab_stat st, out;
	struct ipclab_obj *obj;
	int tries, ret;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (st.flags & ~(IPCLAB_STAT_INDEX | IPCLAB_STAT_ANY))
		return -EINVAL;
	/* Without permission, only what SEM_STAT_ANY shows: no arrays. */
	if ((st.flags & IPCLAB_STAT_ANY) &&
	    (st.values || st.waiters || st.ops || st.holders ||
	     st.values_len || st.waiters_len || st.ops_len || st.holders_len))
		return -EINVAL;
	if (st.flags & IPCLAB_STAT_INDEX) {
		if (st.id >= IPCLAB_SLOTS)
			return -EINVAL;
		st.id = ipclab_slot_id(st.id);
	}

	obj = ipclab_obj_lookup(st.id, 0);
	if (!obj)
		return -EINVAL;
	ret = st.flags & IPCLAB_STAT_ANY ? 0 : ipclab_perm(obj, IPCLAB_READ);
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
		out.type = obj->type->nr;
		if (st.flags & IPCLAB_STAT_ANY) {
			/*
			 * What /proc/sysvipc shows: no waiters, no values,
			 * no creation flags; pids and the time of the last
			 * operation only where the type's file has them.
			 */
			out.perm.cpid = 0;
			out.perm.lpid = 0;
			out.perm.otime = 0;
			out.perm.flags = 0;
			if (obj->type->stat_any)
				obj->type->stat_any(obj, &out);
		} else {
			out.nwaiters = obj->nwaiters;
			obj->type->stat(obj, &out, &snap);
		}
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

	/* Holders by process, then resource: the same order every time. */
	sort(snap.holders, min(snap.holders_cap, snap.nholders),
	     sizeof(*snap.holders), ipclab_holder_cmp, NULL);

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

	out.id = obj->id;
	out.flags = st.flags;
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

/**
 * ipclab_ioc_list() - IPCLAB_IOC_LIST: the ids of all objects
 * @argp: struct ipclab_list from userspace
 *
 * Under RCU, without the table lock; only an object's id and type are
 * read, which never change, and its memory outlives the walk (freed
 * after a grace period).
 *
 * Return: 0, -EINVAL, -ENOMEM or -EFAULT.
 */
long ipclab_ioc_list(void __user *argp)
{
	struct ipclab_list arg;
	struct ipclab_obj *obj;
	unsigned long slot;
	u32 *ids, n = 0, cap, seen = 0;
	int ret = 0;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if ((arg.type && !ipclab_type_get(arg.type)) || arg.flags || arg.pad ||
	    arg.reserved)
		return -EINVAL;
	/* Never more than there can be objects. */
	cap = min_t(u32, arg.len, IPCLAB_SLOTS);
	ids = kvcalloc(cap, sizeof(*ids), GFP_KERNEL_ACCOUNT);
	if (cap && !ids)
		return -ENOMEM;

	/*
	 * A full table is 131072 slots: let the CPU go every 1024 of them.
	 * xa_for_each() finds each entry afresh from its index, so the walk
	 * may leave RCU between two.
	 */
	rcu_read_lock();
	xa_for_each(&ipclab_ids, slot, obj) {
		if (!(arg.type && obj->type->nr != arg.type)) {
			if (n < cap)
				ids[n] = obj->id;
			n++;
		}
		if (!(++seen % 1024)) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();

	if (copy_to_user(u64_to_user_ptr(arg.ids), ids,
			 array_size(min(n, cap), sizeof(*ids))))
		ret = -EFAULT;
	arg.len = n;
	if (!ret && copy_to_user(argp, &arg, sizeof(arg)))
		ret = -EFAULT;
	kvfree(ids);
	return ret;
}

/**
 * ipclab_table_exit() - remove every object, at module unload
 *
 * No session is open, so nothing can race with this.
 */
void ipclab_table_exit(void)
{
	struct ipclab_obj *obj;
	unsigned long slot;
	int t;

	mutex_lock(&ipclab_table_lock);
	xa_for_each(&ipclab_ids, slot, obj) {
		IPCLAB_DEFINE_WAKE(wq);

		ipclab_remove_end(obj, &wq, ipclab_remove_begin(obj, &wq));
	}
	mutex_unlock(&ipclab_table_lock);
	xa_destroy(&ipclab_ids);
	for (t = 0; t < IPCLAB_NTYPES; t++)
		xa_destroy(&ipclab_keys[t]);
}
