// Exposes Debian's libinotifytools (libinotifytools0-dev) and the kernel's inotify constants to Swift.
// Only SGDynDaemon's InotifyInboxWatcher imports this module.
#ifndef SGDYN_CINOTIFYTOOLS_SHIM_H
#define SGDYN_CINOTIFYTOOLS_SHIM_H

#include <sys/inotify.h>
#include <inotifytools/inotifytools.h>

#endif
