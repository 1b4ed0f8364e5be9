// SPDX-License-Identifier: GPL-2.0
/* ipclab trace events: the one place that instantiates them. */

#define CREATE_TRACE_POINTS
#include "trace.h"
