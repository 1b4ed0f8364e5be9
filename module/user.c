// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab users: what each user may make the kernel keep, and what it keeps.
 *
 * /dev/ipclab is shared by every user of the machine.  Everything a user
 * can make the module keep -- objects, process records, waiters, and
 * what each primitive keeps of its own (its IPCLAB_RES_* counters) --
 * is charged to that user (its effective uid) and to the whole
 * machine, and a call that would pass a limit fails with -ENOSPC before
 * it does the work (ipclab_charge()).  The limits are module parameters,
 * each in the file of what it limits; IPCLAB_IOC_INFO reports them with
 * the usage.
 *
 * Lifetime: a struct ipclab_user is found by uid in a small RCU hash and
 * lives while anything holds a reference: an object holds its creator's,
 * a process record its own, a message its sender's.  Counters are
 * atomics; charging is a compare-and-exchange loop, so two users racing
 * for the last unit never both get it, and nothing here takes a lock but
 * the hash's, which only lookups that miss and the last put take.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ipclab.h"

static DEFINE_HASHTABLE(ipclab_users, 6);
static DEFINE_SPINLOCK(ipclab_users_lock);	/* changes to ipclab_users */

/* What the whole machine uses. */
static atomic_long_t ipclab_total[IPCLAB_NRES];

static struct ipclab_user *ipclab_user_find(kuid_t uid)
{
	struct ipclab_user *u;

	hash_for_each_possible_rcu(ipclab_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid) && refcount_inc_not_zero(&u->ref))
			return u;
	return NULL;
}

/**
 * ipclab_user_get() - the accounting of a user, created on first use
 * @uid: the user
 *
 * Return: a referenced user (drop it with ipclab_user_put()), or
 * ERR_PTR(-ENOMEM).
 */
struct ipclab_user *ipclab_user_get(kuid_t uid)
{
	struct ipclab_user *u, *fresh;

	rcu_read_lock();
	u = ipclab_user_find(uid);
	rcu_read_unlock();
	if (u)
		return u;

	/* Shared by everything the user does: charged to nobody's cgroup. */
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return ERR_PTR(-ENOMEM);
	refcount_set(&fresh->ref, 1);
	fresh->uid = uid;
	init_waitqueue_head(&fresh->stop_wq);

	spin_lock(&ipclab_users_lock);
	u = ipclab_user_find(uid);
	if (!u) {
		hash_add_rcu(ipclab_users, &fresh->node, __kuid_val(uid));
		u = fresh;
		fresh = NULL;
	}
	spin_unlock(&ipclab_users_lock);
	kfree(fresh);
	return u;
}

/**
 * ipclab_user_current() - the accounting of the caller's effective uid
 *
 * Return: as ipclab_user_get().
 */
struct ipclab_user *ipclab_user_current(void)
{
	return ipclab_user_get(current_euid());
}

/**
 * ipclab_user_put() - drop a reference to a user
 * @u: the user, or NULL
 *
 * Context: any context that may take a spinlock.
 */
void ipclab_user_put(struct ipclab_user *u)
{
	int r;

	if (!u || refcount_dec_not_one(&u->ref))
		return;
	/* Maybe the last: decide under the lock that lookups that miss take. */
	spin_lock(&ipclab_users_lock);
	if (!refcount_dec_and_test(&u->ref)) {
		spin_unlock(&ipclab_users_lock);
		return;
	}
	hash_del_rcu(&u->node);
	spin_unlock(&ipclab_users_lock);
	/* Whatever was charged to it was uncharged by its holders. */
	for (r = 0; r < IPCLAB_NRES; r++)
		WARN_ON_ONCE(atomic_long_read(&u->used[r]));
	kfree_rcu(u, rcu);
}

/* Add @n to @c unless that passes @limit. */
static bool ipclab_counter_add(atomic_long_t *c, unsigned long n,
			       unsigned long limit)
{
	long old = atomic_long_read(c);

	do {
		if ((unsigned long)old + n > limit || (unsigned long)old + n < n)
			return false;
	} while (!atomic_long_try_cmpxchg(c, &old, old + n));
	return true;
}

/**
 * ipclab_charge() - count @n units of resource @res for @u, within limits
 * @u:     the user
 * @res:   IPCLAB_RES_*
 * @n:     units
 * @limit: the most @u may hold
 * @total: the most the whole machine may hold (ULONG_MAX: no such limit)
 *
 * Return: 0, or -ENOSPC (nothing charged) if either limit would be passed.
 */
int ipclab_charge(struct ipclab_user *u, unsigned int res, unsigned long n,
		  unsigned long limit, unsigned long total)
{
	if (!ipclab_counter_add(&u->used[res], n, limit))
		return -ENOSPC;
	if (!ipclab_counter_add(&ipclab_total[res], n, total)) {
		atomic_long_sub(n, &u->used[res]);
		return -ENOSPC;
	}
	return 0;
}

/**
 * ipclab_uncharge() - give back what ipclab_charge() counted
 * @u:   the user
 * @res: IPCLAB_RES_*
 * @n:   units
 */
void ipclab_uncharge(struct ipclab_user *u, unsigned int res, unsigned long n)
{
	WARN_ON_ONCE(atomic_long_sub_return(n, &u->used[res]) < 0);
	WARN_ON_ONCE(atomic_long_sub_return(n, &ipclab_total[res]) < 0);
}

/**
 * ipclab_used() - what the whole machine uses of @res now
 * @res: IPCLAB_RES_*
 *
 * Return: the units charged.
 */
unsigned long ipclab_used(unsigned int res)
{
	return atomic_long_read(&ipclab_total[res]);
}

/* What every object and process costs; the types add their own. */
static void ipclab_fill_usage(struct ipclab_usage *out, const atomic_long_t *c)
{
	out->objects = atomic_long_read(&c[IPCLAB_RES_OBJECTS]);
	out->procs = atomic_long_read(&c[IPCLAB_RES_PROCS]);
	out->waiters = atomic_long_read(&c[IPCLAB_RES_WAITERS]);
	ipclab_types_usage(out, c);
}

/* The generic limits, each read from its file; the types add their own. */
static void ipclab_fill_limits(struct ipclab_limits *l)
{
	l->max_objects = READ_ONCE(ipclab_max_objects);
	l->max_objects_per_user = READ_ONCE(ipclab_max_objects_per_user);
	l->max_waiters = READ_ONCE(ipclab_max_waiters);
	l->max_procs_per_user = READ_ONCE(ipclab_max_procs_per_user);
	l->max_waiters_per_user = READ_ONCE(ipclab_max_waiters_per_user);
	l->stop_percent = READ_ONCE(ipclab_stop_percent);
	ipclab_types_limits(l);
}

/*
 * What only the objects themselves know (struct ipclab_type.usage_obj),
 * for the machine and for @u's objects.  One object at a time, each
 * referenced, with the CPU let go between: nothing is held over the
 * walk of a full table.
 */
static void ipclab_usage_walk(struct ipclab_info *info, struct ipclab_user *u)
{
	struct ipclab_obj *obj;
	unsigned long slot = 0;

	while ((obj = ipclab_obj_next(&slot))) {
		if (obj->type->usage_obj) {
			obj->type->usage_obj(obj, &info->total);
			if (obj->user == u)
				obj->type->usage_obj(obj, &info->user);
		}
		ipclab_obj_put(obj);
		cond_resched();
	}
}

/**
 * ipclab_ioc_info() - IPCLAB_IOC_INFO: every limit, and the usage
 * @argp: struct ipclab_info from userspace
 *
 * Return: 0, -EFAULT or -EINVAL.
 */
long ipclab_ioc_info(void __user *argp)
{
	struct ipclab_info *info;
	struct ipclab_user *u;
	long ret = 0;
	u32 flags;

	if (get_user(flags, (u32 __user *)argp))
		return -EFAULT;
	if (flags)
		return -EINVAL;
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	info->uid = from_kuid_munged(current_user_ns(), current_euid());
	ipclab_fill_limits(&info->limits);
	ipclab_fill_usage(&info->total, ipclab_total);
	rcu_read_lock();
	u = ipclab_user_find(current_euid());
	rcu_read_unlock();
	if (u)
		ipclab_fill_usage(&info->user, u->used);
	ipclab_usage_walk(info, u);
	if (u)
		ipclab_user_put(u);
	if (copy_to_user(argp, info, sizeof(*info)))
		ret = -EFAULT;
	kfree(info);
	return ret;
}

/**
 * ipclab_users_exit() - at module unload, check that every user is gone
 *
 * Everything was given back by then; a user left over is a bug.
 */
void ipclab_users_exit(void)
{
	struct ipclab_user *u;
	int bkt;

	hash_for_each(ipclab_users, bkt, u, node)
		WARN(1, "user %u still holds a reference\n", __kuid_val(u->uid));
}
