// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab object names: a label a program gives an object (IPCLAB_IOC_NAME),
 * for the tools that show it.  The module never interprets a name.
 *
 * Lifetime and locking: names live beside the objects, in an xarray
 * indexed by the object's id (not its slot, which the next object in it
 * reuses), so that an object without a name costs nothing: struct
 * ipclab_obj has no field for it, and a mailbox stays in kmalloc-256.
 * Each entry is a string of its own, allocated by the setter before the
 * xarray's lock, replaced under that lock, and freed after it.  A name is
 * read (copied) under the same lock.  Setting and reading hold a
 * reference to the object, so its release, which erases the name
 * (ipclab_name_free()), runs after the last of them; nothing reads a name
 * without one.  A name is at most IPCLAB_NAME_LEN bytes and an object has
 * one, charged to the setter's memory cgroup (the string and the xarray's
 * nodes): naming costs a user no more than its objects do.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "ipclab.h"

static DEFINE_XARRAY(ipclab_names);

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

	if (!len) {
		kfree(xa_erase(&ipclab_names, obj->id));
		return 0;
	}
	new = kmemdup(name, len + 1, GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	old = xa_store(&ipclab_names, obj->id, new, GFP_KERNEL_ACCOUNT);
	if (xa_is_err(old)) {
		kfree(new);
		return xa_err(old);
	}
	kfree(old);
	return 0;
}

/* Copy @obj's name into @buf (IPCLAB_NAME_LEN bytes), NUL-padded. */
static void ipclab_name_get(struct ipclab_obj *obj, char *buf)
{
	const char *name;

	xa_lock(&ipclab_names);
	name = xa_load(&ipclab_names, obj->id);
	strscpy_pad(buf, name ? name : "", IPCLAB_NAME_LEN);
	xa_unlock(&ipclab_names);
}

/**
 * ipclab_name_free() - forget an object's name, with the object
 * @obj: the object, unreferenced
 */
void ipclab_name_free(struct ipclab_obj *obj)
{
	kfree(xa_erase(&ipclab_names, obj->id));
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
		ipclab_name_get(obj, arg.name);
		if (copy_to_user(argp, &arg, sizeof(arg)))
			ret = -EFAULT;
	}
	ipclab_obj_put(obj);
	return ret;
}
