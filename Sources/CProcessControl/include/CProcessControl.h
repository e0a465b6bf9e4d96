#ifndef SGDYN_CPROCESSCONTROL_H
#define SGDYN_CPROCESSCONTROL_H

/// Asks the kernel to send SIGKILL to this process when its parent dies (prctl
/// PR_SET_PDEATHSIG), so a worker never outlives a daemon killed with kill -9 and never runs
/// beside the worker a restarted daemon starts for the same job. Returns 0 or -1 (errno set).
/// Swift cannot call the variadic prctl(2) itself.
int sgdyn_die_with_parent(void);

#endif
