/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab trace events of the semaphore sets (sem.c creates them); the events every
 * primitive shares (create, remove, block, wake, ...) are in trace.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ipclab

#if !defined(_IPCLAB_SEM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IPCLAB_SEM_TRACE_H

#include <linux/tracepoint.h>

/* One semaphore operation performed; @pid is the process it was for. */
DECLARE_EVENT_CLASS(ipclab_sem_class,
	TP_PROTO(u32 id, u32 num, int op, int val, pid_t pid),
	TP_ARGS(id, num, op, val, pid),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u32, num)
		__field(int, op)
		__field(int, val)
		__field(pid_t, pid)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->num = num;
		__entry->op = op;
		__entry->val = val;
		__entry->pid = pid;
	),
	TP_printk("id=%u num=%u op=%+d value=%d pid=%d", __entry->id,
		  __entry->num, __entry->op, __entry->val, __entry->pid)
);

DEFINE_EVENT(ipclab_sem_class, ipclab_semop,
	TP_PROTO(u32 id, u32 num, int op, int val, pid_t pid),
	TP_ARGS(id, num, op, val, pid)
);

/* An ended process's undo value applied (op is the adjustment). */
DEFINE_EVENT(ipclab_sem_class, ipclab_undo,
	TP_PROTO(u32 id, u32 num, int op, int val, pid_t pid),
	TP_ARGS(id, num, op, val, pid)
);

#endif /* _IPCLAB_SEM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE sem_trace
#include <trace/define_trace.h>
