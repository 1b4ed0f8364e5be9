// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab core: the /dev/ipclab misc device and the ioctl dispatcher.
 *
 * Every open of /dev/ipclab is a session; all commands are ioctls on it.
 * The object model that the primitives share (keys, ids, permissions,
 * lifetime, per-process state) is described in docs/design.md.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "ipclab.h"

static long ipclab_get_version(void __user *argp)
{
	struct ipclab_version v = {
		.major = IPCLAB_ABI_MAJOR,
		.minor = IPCLAB_ABI_MINOR,
	};

	if (copy_to_user(argp, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static long ipclab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case IPCLAB_IOC_VERSION:
		return ipclab_get_version(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ipclab_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= ipclab_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice ipclab_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= IPCLAB_NAME,
	.fops		= &ipclab_fops,
	.mode		= 0666,
};

static int __init ipclab_init(void)
{
	int ret;

	ret = misc_register(&ipclab_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", IPCLAB_NAME, ret);
		return ret;
	}
	pr_info("ABI %u.%u ready on /dev/%s\n",
		IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR, IPCLAB_NAME);
	return 0;
}

static void __exit ipclab_exit(void)
{
	misc_deregister(&ipclab_misc);
}

module_init(ipclab_init);
module_exit(ipclab_exit);

MODULE_DESCRIPTION("Inspectable IPC primitives for teaching operating systems");
MODULE_AUTHOR("The ipclab developers");
MODULE_LICENSE("GPL");
