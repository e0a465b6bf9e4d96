#ifndef SGDYN_CPROCESSCONTROL_H
#define SGDYN_CPROCESSCONTROL_H

#include <sys/types.h>

/// Asks the kernel to send SIGKILL to this process when the thread that started it ends (prctl
/// PR_SET_PDEATHSIG), so a worker never outlives a daemon killed with kill -9 and never runs
/// beside the worker a restarted daemon starts for the same unit. Returns 0 or -1 (errno set).
/// Swift cannot call the variadic prctl(2) itself.
int sgdyn_die_with_parent(void);

/// pidfd_open(2): a file descriptor that refers to the process `pid` for as long as it is open, so
/// that signalling and waiting can never hit another process that reused the number. -1 on error.
int sgdyn_pidfd_open(pid_t pid);

/// pidfd_send_signal(2). Returns 0 or -1 (errno set; ESRCH once the process has been reaped).
int sgdyn_pidfd_send_signal(int pidfd, int signal);

/// Blocks until the process behind `pidfd` ends and reaps it (waitid(P_PIDFD, WEXITED)).
/// On success returns 0 and sets *exited to 1 and *value to the exit status, or *exited to 0 and
/// *value to the signal that killed it. Returns -1 with errno set on failure (EINTR is retried).
int sgdyn_pidfd_wait(int pidfd, int *exited, int *value);

/// pipe2(fds, O_CLOEXEC): a pipe whose ends no spawned child inherits unless handed over on
/// purpose (Swift's Glibc module does not export pipe2). Returns 0 or -1 (errno set).
int sgdyn_pipe_cloexec(int fds[2]);

#endif
