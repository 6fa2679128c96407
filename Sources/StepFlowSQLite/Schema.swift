import GRDB

/// The store's numbered migrations.
///
/// Never edit one that has shipped: add the next. Times are milliseconds since
/// 1970 (INTEGER); JSON columns hold compact, sorted-keys text. The two log
/// tables are `WITHOUT ROWID` (stored in key order, one B-tree fewer to write
/// per commit); GRDB's observation ignores such tables, and nothing relies on
/// it: waiters poll `PRAGMA data_version`.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001 runs, events, approvals, decisions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE runs (
                        run_id TEXT NOT NULL PRIMARY KEY,
                        workflow TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        status TEXT NOT NULL
                            CHECK (status IN ('running', 'waiting', 'paused', 'succeeded', 'failed', 'cancelled')),
                        step_index INTEGER NOT NULL,
                        state_json TEXT NOT NULL,
                        route_trace_json TEXT NOT NULL DEFAULT '[]',
                        step_count INTEGER NOT NULL DEFAULT 0,
                        approval_id TEXT,
                        owner TEXT,
                        lease_until INTEGER,
                        version INTEGER NOT NULL,
                        started_by TEXT,
                        cancelled_by TEXT,
                        error TEXT,
                        event_count INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        finished_at INTEGER
                    );
                    CREATE INDEX runs_by_created ON runs(created_at);
                    CREATE INDEX runs_by_status ON runs(status, created_at);

                    CREATE TABLE run_events (
                        run_id TEXT NOT NULL REFERENCES runs(run_id),
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        kind TEXT NOT NULL,
                        payload_json TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        PRIMARY KEY (run_id, seq)
                    ) WITHOUT ROWID;
                    -- The audit log is append-only: enforced by the file, not only by this code.
                    CREATE TRIGGER run_events_no_update BEFORE UPDATE ON run_events
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER run_events_no_delete BEFORE DELETE ON run_events
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

                    -- Step results in their own rows: recording a step appends one, whatever the run's length.
                    CREATE TABLE run_steps (
                        run_id TEXT NOT NULL REFERENCES runs(run_id),
                        position INTEGER NOT NULL CHECK (position >= 1),
                        result_json TEXT NOT NULL,
                        PRIMARY KEY (run_id, position)
                    ) WITHOUT ROWID;

                    CREATE TABLE approvals (
                        approval_id TEXT NOT NULL PRIMARY KEY,
                        run_id TEXT NOT NULL REFERENCES runs(run_id),
                        step TEXT NOT NULL,
                        step_index INTEGER NOT NULL,
                        message TEXT,
                        metadata_json TEXT NOT NULL,
                        state_json TEXT NOT NULL,
                        state_hash TEXT NOT NULL,
                        route_preview_json TEXT,
                        requested_at INTEGER NOT NULL,
                        deadline_at INTEGER,
                        on_timeout TEXT CHECK (on_timeout IN ('approve', 'deny')),
                        allowed_approvers_json TEXT NOT NULL DEFAULT '[]',
                        refuses_self_approval INTEGER NOT NULL DEFAULT 0,
                        status TEXT NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'approved', 'denied', 'cancelled')),
                        CHECK ((deadline_at IS NULL) = (on_timeout IS NULL))
                    );
                    CREATE INDEX approvals_by_run ON approvals(run_id);
                    CREATE INDEX approvals_pending ON approvals(deadline_at) WHERE status = 'pending';

                    -- One row per decided request: the primary key is what makes exactly one decision win.
                    CREATE TABLE decisions (
                        approval_id TEXT NOT NULL PRIMARY KEY REFERENCES approvals(approval_id),
                        run_id TEXT NOT NULL REFERENCES runs(run_id),
                        outcome TEXT NOT NULL CHECK (outcome IN ('approve', 'deny')),
                        reason TEXT,
                        approver TEXT NOT NULL,
                        identity_source TEXT NOT NULL CHECK (identity_source IN ('os_user', 'claimed', 'timeout')),
                        seen_state_hash TEXT NOT NULL,
                        idempotency_key TEXT NOT NULL,
                        decided_at INTEGER NOT NULL,
                        receipt TEXT NOT NULL
                    );
                    CREATE INDEX decisions_by_run ON decisions(run_id);
                    """)
        }
        return migrator
    }
}
