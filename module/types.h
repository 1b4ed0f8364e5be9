/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registry of ipclab's primitives: one line each, as
 * include/linux/cgroup_subsys.h lists the cgroup subsystems.
 *
 *	IPCLAB_PRIMITIVE(its IPCLAB_TYPE_*, its struct ipclab_type)
 *
 * The line declares the primitive's struct ipclab_type (ipclab.h) and
 * puts it in the table the generic code reads (types.c).  Nothing else in
 * the module names a primitive.  No include guard: it is read once per
 * meaning of IPCLAB_PRIMITIVE().
 */
IPCLAB_PRIMITIVE(IPCLAB_TYPE_SEM, ipclab_sem_type)
IPCLAB_PRIMITIVE(IPCLAB_TYPE_MUTEX, ipclab_mutex_type)
IPCLAB_PRIMITIVE(IPCLAB_TYPE_MBOX, ipclab_mbox_type)
IPCLAB_PRIMITIVE(IPCLAB_TYPE_SHBUF, ipclab_shbuf_type)
/*
 * A primitive of one's own, as IPCLAB_TYPE_EXTRA: "make IPCLAB_EXTRA=NAME"
 * builds module/NAME.c, which defines ipclab_NAME_type (module/Kbuild).
 */
#ifdef IPCLAB_EXTRA_TYPE
IPCLAB_PRIMITIVE(IPCLAB_TYPE_EXTRA, IPCLAB_EXTRA_TYPE)
#endif
