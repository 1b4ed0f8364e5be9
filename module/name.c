// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab object names: a label a program gives an object (IPCLAB_IOC_NAME),
 * for the tools that show it.  The module never interprets a name.
 *
 * Locking and lifetime: obj->name is a string of its own, allocated by the
 * setter before it takes any lock.  It is replaced and read under the
 * object's spinlock alone (a name is no state of the deadlock world, so
 * the world is not entered), and the replaced string is freed after the
 * unlock.  The last reference frees the name with the object
 * (ipclab_name_free()), when nothing can read it any more.  A name is at
 * most IPCLAB_NAME_LEN bytes, charged to the setter's memory cgroup, and
 * an object has one: naming costs a user no more than its objects do.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"

/*
 * A name must end in a NUL with only NULs after it, and be printable
 * ASCII: other users' terminals show it.  Return: its length, or -EINVAL.
 */
static int ipclab_name_check(const char *name)
{
	size_t len = strnlen(name, IPCLAB_NAME_LEN);
	size_t i;

	if (len == IPCLAB_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] < ' ' || name[i] > '~')
			return -EINVAL;
	if (memchr_inv(name + len, 0, IPCLAB_NAME_LEN - len))
		return -EINVAL;
	return len;
}

/* Give @obj the name @name (checked), or none if it is empty. */
static int ipclab_name_set(struct ipclab_obj *obj, const char *name, int len)
{
	char *new = NULL, *old;

	if (len) {
		new = kmemdup(name, len + 1, GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
	}
	spin_lock(&obj->lock);
	old = obj->name;
	obj->name = new;
	spin_unlock(&obj->lock);
	kfree(old);
	return 0;
}

/**
 * ipclab_name_copy() - copy an object's name
 * @obj: the object
 * @buf: IPCLAB_NAME_LEN bytes, filled with the name and NUL-padded
 *
 * Context: @obj->lock held.
 */
void ipclab_name_copy(struct ipclab_obj *obj, char *buf)
{
	lockdep_assert_held(&obj->lock);
	strscpy_pad(buf, obj->name ? obj->name : "", IPCLAB_NAME_LEN);
}

/**
 * ipclab_name_free() - free an object's name, with the object
 * @obj: the object, unreferenced
 */
void ipclab_name_free(struct ipclab_obj *obj)
{
	kfree(obj->name);
}

/**
 * ipclab_ioc_name() - IPCLAB_IOC_NAME: set or read an object's name
 * @argp: struct ipclab_name from userspace
 *
 * Return: 0, -EINVAL, -EACCES, -ENOMEM or -EFAULT.
 */
long ipclab_ioc_name(void __user *argp)
{
	struct ipclab_obj *obj;
	struct ipclab_name arg;
	int ret, len = 0;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~IPCLAB_NAME_SET)
		return -EINVAL;
	if (arg.flags & IPCLAB_NAME_SET) {
		len = ipclab_name_check(arg.name);
		if (len < 0)
			return len;
	}

	obj = ipclab_obj_get(arg.id, 0, arg.flags & IPCLAB_NAME_SET ?
			     IPCLAB_WRITE : IPCLAB_READ, &ret);
	if (!obj)
		return ret;
	if (arg.flags & IPCLAB_NAME_SET) {
		ret = ipclab_name_set(obj, arg.name, len);
	} else {
		spin_lock(&obj->lock);
		ipclab_name_copy(obj, arg.name);
		spin_unlock(&obj->lock);
		if (copy_to_user(argp, &arg, sizeof(arg)))
			ret = -EFAULT;
	}
	ipclab_obj_put(obj);
	return ret;
}
