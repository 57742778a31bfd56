/*
 * daemon.h - what every long-running process does the same way: stop on
 * SIGTERM/SIGINT, tell the launcher it is ready, and load its config with the
 * standard command line.
 *
 * Readiness (s6-style): mpctl starts a child with MP_READY_FD=<n> in its
 * environment; the child writes "ready\n" to that fd once it serves (rings
 * attached, connections started) and closes it.  Without the variable
 * (started by hand) daemon_ready() does nothing.
 */
#ifndef MP_DAEMON_H
#define MP_DAEMON_H

#include <signal.h>

#include "cfg.h"

/* Set by the SIGTERM/SIGINT handler installed by daemon_signals(). */
extern volatile sig_atomic_t daemon_stop;
/* Install SIGTERM/SIGINT (set daemon_stop) and ignore SIGPIPE. */
void daemon_signals(void);
/* Tell the launcher we are ready (once; later calls do nothing). */
void daemon_ready(void);
/* Print `usage`, the common options and the configuration reference of every
 * schema to stdout: what --help shows in every program. */
void daemon_help(const char *usage);

/*
 * The standard start of a program: log_init(name), parse -c/--set/--log-level/
 * --help (printing `usage` plus the config reference of every schema on
 * --help and exiting 0), load and validate the config (printing the error and
 * exiting 2 on failure), apply the log level.  Returns the config; *argcp and
 * argv keep the program's own remaining arguments.
 */
struct cfg *daemon_start(const char *name, const char *usage, int *argcp, char **argv);

#endif
