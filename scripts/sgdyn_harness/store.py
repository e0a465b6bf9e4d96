"""The job store seen from outside, as an operator's `sqlite3` command sees it.

The end-to-end scripts never read or write the store's tables (they read state through
`sgdyn status --json`, and inject faults through the debug build's fault switches), so they do
not depend on its schema. What stays here is a real external process holding SQLite's own write
lock — what an operator's `sqlite3` session does — which the daemon must survive: it uses the
`sqlite3` command line tool and names no table.
"""

import subprocess


def store_write_locked(database):
    """Whether another process holds a write lock on the store (a write cannot begin at once):
    `BEGIN IMMEDIATE` with no busy timeout fails with "database is locked" (or "busy")."""
    result = subprocess.run(["sqlite3", "-batch", "-bail", database], input=b".timeout 0\nBEGIN IMMEDIATE;\nROLLBACK;\n",
                            capture_output=True, timeout=30)
    text = (result.stdout + result.stderr).decode(errors="replace")
    return result.returncode != 0 and ("locked" in text or "busy" in text)


class StoreLockHolder:
    """An operator's `sqlite3` session holding `BEGIN EXCLUSIVE` on the store until `release()`."""

    def __init__(self, database):
        self.process = subprocess.Popen(["sqlite3", "-batch", database], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.process.stdin.write(b"PRAGMA busy_timeout = 30000;\nBEGIN EXCLUSIVE;\nSELECT 1;\n")
        self.process.stdin.flush()

    def release(self, timeout=30):
        self.process.stdin.write(b"COMMIT;\n.quit\n")
        self.process.stdin.close()
        self.process.wait(timeout)
