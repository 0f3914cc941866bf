/* logq.h -- delivery of log events to the host's trl_log_fn (logq.c). */
#ifndef TRL_LOGQ_H
#define TRL_LOGQ_H

#include <stddef.h>
#include <stdint.h>

#include "../include/teleradyoloji.h"

/* logq_push copies one event (JSON text of len bytes) into the queue.  It
 * never blocks and takes no lock: when the queue is full the event is
 * dropped and counted.  Called from Go (core/internal/logx's sink). */
void logq_push(int32_t level, const char *json, size_t len);

/* logq_set installs fn (NULL: none) with user_data and max_level, starting
 * the delivery thread at the first non-NULL fn.  When it returns, the
 * previous fn is not running and will never be called again, unless it is
 * called on the delivery thread itself (from inside the log function),
 * which cannot wait for itself.  0 on success, -1 when the thread cannot
 * be started. */
int logq_set(trl_log_fn fn, void *user_data, int32_t max_level);

/* logq_stop makes the delivery thread call nothing more, without waiting
 * (at process exit). */
void logq_stop(void);

/* logq_thread is 1 on the delivery thread, which must never enter Go. */
extern __thread int logq_thread;

#endif
