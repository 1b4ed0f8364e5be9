/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab private header: what the per-primitive files share with the core.
 * See docs/design.md for the object model this implements.
 */
#ifndef _IPCLAB_H
#define _IPCLAB_H

#include <linux/ipclab.h>

#define IPCLAB_NAME	"ipclab"

#endif /* _IPCLAB_H */
