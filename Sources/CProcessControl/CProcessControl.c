#define _GNU_SOURCE
#include "CProcessControl.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int sgdyn_die_with_parent(void) {
    return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

int sgdyn_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int sgdyn_pidfd_send_signal(int pidfd, int signal) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0);
}

int sgdyn_pidfd_wait(int pidfd, int *exited, int *value) {
    siginfo_t info;
    for (;;) {
        memset(&info, 0, sizeof info);
        if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) == 0) break;
        if (errno != EINTR) return -1;
    }
    if (info.si_code == CLD_EXITED) {
        *exited = 1;
        *value = info.si_status;
    } else {
        *exited = 0;
        *value = info.si_status;
    }
    return 0;
}

int sgdyn_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
