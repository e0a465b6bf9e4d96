#define _GNU_SOURCE
#include "CFileSystem.h"
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

int sgdyn_rename_noreplace(const char *from, const char *to) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1u /* RENAME_NOREPLACE */);
}

int sgdyn_syncfs(int fd) {
    return (int)syscall(SYS_syncfs, fd);
}
