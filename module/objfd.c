// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab object fds: a file for one object, for what needs a file.
 *
 * Commands address objects by id on the session fd.  poll() and mmap()
 * need a file of their own, for the types that offer them, which
 * IPCLAB_IOC_OPEN makes: an anonymous-inode file that holds a reference
 * to the object and the access that was checked when it was opened.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "ipclab.h"

static int ipclab_objfd_release(struct inode *inode, struct file *file)
{
	ipclab_obj_put(file->private_data);
	return 0;
}

static __poll_t ipclab_objfd_poll(struct file *file, struct poll_table_struct *pt)
{
	struct ipclab_obj *obj = file->private_data;

	return obj->type->poll(obj, file, pt);
}

static int ipclab_objfd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ipclab_obj *obj = file->private_data;

	return obj->type->mmap(obj, file, vma);
}

/* One file_operations per capability, so that the VFS answers the rest. */
static const struct file_operations ipclab_objfd_poll_fops = {
	.owner		= THIS_MODULE,
	.release	= ipclab_objfd_release,
	.poll		= ipclab_objfd_poll,
};

static const struct file_operations ipclab_objfd_mmap_fops = {
	.owner		= THIS_MODULE,
	.release	= ipclab_objfd_release,
	.mmap		= ipclab_objfd_mmap,
};

/**
 * ipclab_ioc_open() - IPCLAB_IOC_OPEN: a new fd for one object
 * @argp: struct ipclab_open from userspace
 *
 * Return: 0 with the fd written back, -EINVAL, -EACCES, -ENOTTY (the type
 * has nothing to offer on a file), -EMFILE, -ENFILE or -EFAULT.
 */
long ipclab_ioc_open(void __user *argp)
{
	const u32 known = IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE |
			  IPCLAB_OPEN_CLOEXEC;
	struct ipclab_open __user *uarg = argp;
	const struct file_operations *fops;
	struct ipclab_open arg;
	struct ipclab_obj *obj;
	struct file *file;
	int fd, mode, ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~known) || arg.pad)
		return -EINVAL;
	obj = ipclab_obj_lookup(arg.id, 0);
	if (!obj)
		return -EINVAL;
	ret = -ENOTTY;
	if (obj->type->poll)
		fops = &ipclab_objfd_poll_fops;
	else if (obj->type->mmap)
		fops = &ipclab_objfd_mmap_fops;
	else
		goto out_put;
	/* Even an fd for nothing but poll() shows state: that is reading. */
	ret = ipclab_perm(obj, (arg.flags & (IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE)) ?:
			  IPCLAB_OPEN_READ);
	if (ret)
		goto out_put;

	/* The file's mode carries the access: mmap() checks it. */
	switch (arg.flags & (IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE)) {
	case IPCLAB_OPEN_READ | IPCLAB_OPEN_WRITE:
		mode = O_RDWR;
		break;
	case IPCLAB_OPEN_WRITE:
		mode = O_WRONLY;
		break;
	case IPCLAB_OPEN_READ:
		mode = O_RDONLY;
		break;
	default:
		/* Neither: the file can be polled, not read or mapped. */
		mode = O_ACCMODE;
		break;
	}
	fd = get_unused_fd_flags(arg.flags & IPCLAB_OPEN_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto out_put;
	}
	/* The file takes over our reference. */
	file = anon_inode_getfile("[ipclab]", fops, obj, mode);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto out_put;
	}
	/* Say the fd only once it cannot fail any more. */
	if (put_user(fd, &uarg->fd)) {
		fput(file);
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;

out_put:
	ipclab_obj_put(obj);
	return ret;
}
