/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab trace events of the mutexes (mutex.c creates them); the events every
 * primitive shares (create, remove, block, wake, ...) are in trace.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ipclab

#if !defined(_IPCLAB_MUTEX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IPCLAB_MUTEX_TRACE_H

#include <linux/tracepoint.h>

/* A mutex changed hands: @pid took it (lock) or let it go (unlock). */
DECLARE_EVENT_CLASS(ipclab_mutex_class,
	TP_PROTO(u32 id, pid_t pid, int status),
	TP_ARGS(id, pid, status),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(pid_t, pid)
		__field(int, status)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->pid = pid;
		__entry->status = status;
	),
	TP_printk("id=%u pid=%d status=%d", __entry->id, __entry->pid,
		  __entry->status)
);

DEFINE_EVENT(ipclab_mutex_class, ipclab_lock,
	TP_PROTO(u32 id, pid_t pid, int status),
	TP_ARGS(id, pid, status)
);

DEFINE_EVENT(ipclab_mutex_class, ipclab_unlock,
	TP_PROTO(u32 id, pid_t pid, int status),
	TP_ARGS(id, pid, status)
);

#endif /* _IPCLAB_MUTEX_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mutex_trace
#include <trace/define_trace.h>
