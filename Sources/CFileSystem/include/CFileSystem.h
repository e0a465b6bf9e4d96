#ifndef SGDYN_CFILESYSTEM_H
#define SGDYN_CFILESYSTEM_H

/// rename(2) that never replaces an existing target (renameat2 with RENAME_NOREPLACE).
/// Returns 0, or -1 with errno set (EEXIST when the target exists). Swift cannot call the
/// variadic syscall(2) itself, and older glibc headers do not declare renameat2.
int sgdyn_rename_noreplace(const char *from, const char *to);

/// syncfs(2): flushes the filesystem holding `fd` (one call after many unsynced writes).
/// Returns 0, or -1 with errno set.
int sgdyn_syncfs(int fd);

#endif
