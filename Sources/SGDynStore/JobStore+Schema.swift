import Foundation
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
        // v4 (sgdyn 0.2): the store's identity; jobs know their claimed file by name, keep their
        // validated form, go through `publishing`, and include rejections; units carry their kind,
        // sweep point, seed, encoded work, result and own crash count; submissions to executors.
        migrator.registerMigration("v4", foreignKeyChecks: .deferred) { db in
            try migrateToVersion4(db)
        }
        migrator.registerMigration("v5") { db in
            // The job's spool folder of each submission, so a restart with the spool moved in the
            // config still reads what the old arrays' workers report there.
            try db.execute(sql: "ALTER TABLE submissions ADD COLUMN spool TEXT")
        }
        return migrator
    }

    private static func migrateToVersion4(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);

            CREATE TABLE jobs_v4 (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                bundle_name TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN (\(sqlList(Set(JobState.allCases))))),
                outcome TEXT CHECK (outcome IS NULL OR outcome IN (\(sqlList(Set(JobOutcome.allCases))))),
                priority INTEGER NOT NULL DEFAULT 0,
                submitted_at TEXT NOT NULL,
                claimed_name TEXT NOT NULL,
                job_bytes BLOB NOT NULL,
                job_sha256 TEXT NOT NULL,
                spec BLOB,
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                resumes INTEGER NOT NULL DEFAULT 0 CHECK (resumes >= 0),
                error TEXT,
                rejection_message TEXT,
                rejection_key TEXT,
                rejection_line INTEGER,
                rejection_column INTEGER,
                bundle_path TEXT,
                cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
                publish_requested INTEGER NOT NULL DEFAULT 0 CHECK (publish_requested IN (0, 1)),
                publish_attempts INTEGER NOT NULL DEFAULT 0,
                publish_after TEXT,
                executor TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            INSERT INTO jobs_v4 (id, name, bundle_name, state, outcome, priority, submitted_at, claimed_name, job_bytes,
                                 job_sha256, attempts, resumes, error, bundle_path, cancel_requested, created_at, updated_at)
                SELECT id, name, bundle_name,
                       CASE WHEN state = 'failed' AND bundle_path IS NULL THEN 'unpublished' ELSE state END,
                       CASE WHEN state IN ('done','failed','cancelled','quarantined') THEN state END,
                       priority, submitted_at, claimed_path, job_bytes, job_sha256,
                       attempts, resumes, error, bundle_path, cancel_requested, created_at, updated_at
                FROM jobs;

            CREATE TABLE units_v4 (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                unit_index INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN (\(sqlList(Set(UnitKind.allCases))))),
                point_index INTEGER NOT NULL,
                seed INTEGER,
                spec BLOB,
                legacy_parameters_json TEXT,
                state TEXT NOT NULL CHECK (state IN (\(sqlList(Set(UnitState.allCases))))),
                steps_done INTEGER NOT NULL DEFAULT 0 CHECK (steps_done >= 0),
                total_steps INTEGER NOT NULL CHECK (total_steps >= 0),
                result BLOB,
                diverged_at REAL,
                wall_seconds REAL NOT NULL DEFAULT 0,
                latest_eg REAL,
                crashes INTEGER NOT NULL DEFAULT 0,
                attempt INTEGER NOT NULL DEFAULT 0,
                submission_id INTEGER,
                executor_state TEXT,
                error TEXT,
                UNIQUE (job_id, unit_index)
            );
            INSERT INTO units_v4 (id, job_id, unit_index, kind, point_index, legacy_parameters_json, state, steps_done,
                                  total_steps, wall_seconds, latest_eg, crashes, error)
                SELECT u.id, u.job_id, u.unit_index, 'simulation', -1, u.parameters_json, u.state, u.steps_done,
                       u.total_steps, u.wall_seconds, u.latest_eg, 0, u.error
                FROM units u;
            -- A 0.1.0 job counted crashes per job; give them to its first unfinished unit, so the
            -- quarantine rule (a unit that crashed its worker three times) keeps its count.
            UPDATE units_v4 SET crashes = (SELECT crashes FROM jobs WHERE jobs.id = units_v4.job_id)
                WHERE id IN (SELECT MIN(id) FROM units_v4 WHERE state <> 'done' GROUP BY job_id);

            DROP TABLE units;
            ALTER TABLE units_v4 RENAME TO units;
            DROP TABLE jobs;
            ALTER TABLE jobs_v4 RENAME TO jobs;
            CREATE INDEX jobs_by_state_and_order ON jobs (state, priority DESC, submitted_at, id);
            CREATE INDEX jobs_by_sha256 ON jobs (job_sha256);
            CREATE INDEX jobs_by_name ON jobs (name);
            CREATE INDEX units_by_job ON units (job_id, unit_index);

            CREATE TABLE submissions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                executor TEXT NOT NULL,
                token TEXT NOT NULL UNIQUE,
                external_id TEXT,
                state TEXT NOT NULL CHECK (state IN (\(sqlList(Set(SubmissionState.allCases))))),
                tasks TEXT NOT NULL,
                created_at TEXT NOT NULL,
                ended_at TEXT
            );
            CREATE INDEX submissions_by_state ON submissions (state, job_id);
            """)
        // 0.1.0 stored the claimed file's path as text; only its name identifies it.
        for row in try Row.fetchAll(db, sql: "SELECT id, claimed_name FROM jobs") {
            let path: String = row["claimed_name"]
            try db.execute(sql: "UPDATE jobs SET claimed_name = ? WHERE id = ?",
                           arguments: [(path as NSString).lastPathComponent, row["id"] as Int64])
        }
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('store_id', ?)", arguments: [UUID().uuidString.lowercased()])
    }
}

/// Values as an SQL list literal; safe to splice because the values come from the enums.
func sqlList<Value: RawRepresentable<String>>(_ values: Set<Value>) -> String {
    values.map { "'\($0.rawValue)'" }.sorted().joined(separator: ",")
}
