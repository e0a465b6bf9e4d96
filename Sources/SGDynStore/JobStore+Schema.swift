import GRDB

extension JobStore {
    /// The schema's history. Never edit a registered migration: add a new one, so databases in the
    /// field migrate forward.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    bundle_name TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN
                        ('queued','running','done','failed','cancelled','quarantined','interrupted')),
                    priority INTEGER NOT NULL DEFAULT 0,
                    submitted_at TEXT NOT NULL,
                    claimed_path TEXT NOT NULL,
                    job_bytes BLOB NOT NULL,
                    job_sha256 TEXT NOT NULL,
                    normalised_job_json TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    resumes INTEGER NOT NULL DEFAULT 0 CHECK (resumes >= 0),
                    error TEXT,
                    bundle_path TEXT,
                    cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX jobs_by_state_and_order ON jobs (state, priority DESC, submitted_at, id);
                CREATE INDEX jobs_by_sha256 ON jobs (job_sha256);
                CREATE INDEX jobs_by_name ON jobs (name);

                CREATE TABLE units (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                    unit_index INTEGER NOT NULL,
                    parameters_json TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN
                        ('queued','running','done','failed','cancelled','interrupted')),
                    steps_done INTEGER NOT NULL DEFAULT 0 CHECK (steps_done >= 0),
                    total_steps INTEGER NOT NULL CHECK (total_steps >= 0),
                    result_json TEXT,
                    wall_seconds REAL NOT NULL DEFAULT 0,
                    error TEXT,
                    UNIQUE (job_id, unit_index)
                );

                CREATE TABLE checkpoints (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    snapshot BLOB NOT NULL,
                    sha256 TEXT NOT NULL,
                    steps_done INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    UNIQUE (unit_id, sequence)
                );
                """)
        }
        // v2: the latest ε_g a running unit reported, for `sgdyn status`.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE units ADD COLUMN latest_eg REAL")
        }
        // v3: crashed attempts counted apart from attempts (which also count resumes after a
        // shutdown), so that quarantine follows crashes only.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }
}
