import Foundation
import GRDB
import GRDBSQLite
import StepFlow
import Synchronization

/// The run store on an embedded SQLite file, shared by every process on the
/// machine that opens the same path (SPEC §9).
///
/// The file is in WAL mode: readers never block the writer, and one write
/// transaction at a time, opened `IMMEDIATE` (GRDB's default for writes), so
/// deciding is serialised across processes without `SELECT … FOR UPDATE`. A
/// write that finds another process writing waits up to
/// ``SQLiteStoreOptions/busyTimeout``. Waiters learn of other processes'
/// commits by polling `PRAGMA data_version` on a connection of their own,
/// holding no lock while they wait.
///
/// Opening refuses, leaving the file untouched, a store written by a newer
/// build (``StoreError/Code/newerSchema``) and a file that is damaged or not a
/// store (``StoreError/Code/corrupt``).
public final class SQLiteRunStore: RunStore {
    /// The database file.
    public let path: String
    /// The clock for timestamps, leases and deadlines.
    public let clock: StoreClock
    let pool: DatabasePool
    let options: SQLiteStoreOptions
    let monitor: ChangeMonitor
    let checkpointer: Checkpointer
    /// Writes of this store queued or running on GRDB's writer (see ``write(_:)``).
    private let writesInFlight = Atomic<Int>(0)
    /// Reads of this store in flight: at most ``readerCount`` hold a reader connection each.
    private let readsInFlight = Atomic<Int>(0)
    /// GRDB's pool size for reader connections.
    private static let readerCount = 5

    /// Opens the store at `path`, creating the file and its folder on first use.
    public init(path: String, options: SQLiteStoreOptions = .init()) throws {
        self.path = path
        self.options = options
        self.clock = options.clock
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            // Approvals name people and hold workflow state: private to the user by default.
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.unavailable(at: path, "its folder cannot be created", cause: error)
        }
        try Self.preflight(path: path, options: options)

        var configuration = Configuration()
        configuration.label = "StepFlow.SQLiteRunStore"
        configuration.busyMode = .timeout(options.busyTimeout.timeInterval)
        configuration.maximumReaderCount = Self.readerCount
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if options.durability == .full {
                // The pool sets NORMAL on its writer when it enables WAL; only the writer commits.
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            }
            try Self.migrate(pool, path: path)
            // Checkpoints run off the writers' path (see Checkpointer); this is the writer's fallback.
            try pool.writeWithoutTransaction {
                try $0.execute(sql: "PRAGMA wal_autocheckpoint = \(Checkpointer.fallbackPages)")
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
        monitor = ChangeMonitor(path: path, interval: options.changePollInterval)
        checkpointer = Checkpointer(path: path)
    }

    // MARK: Opening

    private static let sqliteHeader = Data("SQLite format 3\u{0}".utf8)

    /// Checks an existing file through a read-only connection before anything
    /// may write to it: a newer or damaged store is refused untouched.
    private static func preflight(path: String, options: SQLiteStoreOptions) throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return }
        // SQLite takes an empty file for a new database.
        guard size > 0 else { return }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.unavailable(at: path, "the file cannot be read")
        }
        let header = (try? handle.read(upToCount: sqliteHeader.count)) ?? Data()
        try? handle.close()
        guard header == sqliteHeader else { throw StoreError.corrupt(at: path, "not an SQLite database") }

        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(options.busyTimeout.timeInterval)
        do {
            let connection = try DatabaseQueue(path: path, configuration: configuration)
            try connection.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if options.verifiesOnOpen {
                    let problems = try String.fetchAll(db, sql: "PRAGMA quick_check")
                    if problems != ["ok"] {
                        // Rows may hold several lines and a "*** in database main ***" heading.
                        let lines = problems.flatMap { $0.split(separator: "\n") }.filter { !$0.hasPrefix("***") }
                        let first = lines.first.map(String.init) ?? "no answer"
                        let more = lines.count > 1 ? " and \(lines.count - 1) more problems" : ""
                        throw StoreError.corrupt(at: path, "SQLite's check found: \(first)\(more)")
                    }
                }
                guard tables.contains("grdb_migrations") else {
                    if tables.isEmpty { return }
                    throw StoreError.corrupt(at: path, "an SQLite database, but not a StepFlow store")
                }
                let known = Set(Schema.migrator.migrations)
                let unknown = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                    .filter { !known.contains($0) }
                if !unknown.isEmpty { throw StoreError.newerSchema(at: path, unknownMigrations: unknown) }
            }
            try connection.close()
        } catch {
            throw storeError(error, path: path)
        }
    }

    /// Applies the migrations this build knows.
    ///
    /// GRDB reads the applied migrations outside the transaction that applies
    /// the next one, so two processes opening a new store at once can both try
    /// it; the loser's transaction fails and rolls back. It then tries again
    /// while some process made progress, and fails only when nobody did.
    private static func migrate(_ pool: DatabasePool, path: String) throws {
        let migrator = Schema.migrator
        var applied = try pool.read { try migrator.appliedIdentifiers($0) }
        while true {
            do {
                try migrator.migrate(pool)
                break
            } catch {
                let now = try pool.read { try migrator.appliedIdentifiers($0) }
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { break }
                guard now != applied else { throw error }
                applied = now
            }
        }
        let known = Set(migrator.migrations)
        let unknown = try pool.read { try migrator.appliedIdentifiers($0) }.subtracting(known)
        if !unknown.isEmpty { throw StoreError.newerSchema(at: path, unknownMigrations: Array(unknown)) }
    }

    // MARK: Errors

    /// The one-sentence store error for anything SQLite or GRDB threw.
    static func storeError(_ error: any Error, path: String) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        if error is DecodingError {
            return StoreError.corrupt(
                at: path, "a record's JSON does not have the shape this build reads", cause: error)
        }
        guard let database = error as? DatabaseError else {
            return StoreError.unavailable(at: path, String(describing: error), cause: error)
        }
        switch database.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError.corrupt(at: path, database.message ?? "damaged", cause: error)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError.unavailable(
                at: path, "another process kept it locked for longer than the busy timeout", cause: error)
        case .SQLITE_FULL:
            return StoreError.unavailable(at: path, "the disk is full", cause: error)
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN, .SQLITE_AUTH:
            return StoreError.unavailable(
                at: path, "it cannot be opened for writing (\(database.message ?? "permission denied"))", cause: error)
        default:
            return StoreError.unavailable(
                at: path, database.message ?? "SQLite error \(database.resultCode)", cause: error)
        }
    }

    /// Runs `body` in one IMMEDIATE write transaction; wakes this process's waiters after the commit.
    ///
    /// The fast path runs it on the calling thread, as GRDB's blocking API
    /// does: half the cost of a round trip through GRDB's async API, which
    /// hops to the writer's queue and back. It is taken only when it cannot
    /// block: no other write of this store is in flight (so the writer queue
    /// is free) and the file's write lock is free at once (a busy timeout of
    /// zero). Otherwise the write goes the async way, where waiting for
    /// another process holds no thread of the concurrency pool.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let value: T
        do {
            if let fast = try writeAtOnce(body) {
                value = fast
            } else {
                writesInFlight.add(1, ordering: .acquiringAndReleasing)
                defer { writesInFlight.subtract(1, ordering: .acquiringAndReleasing) }
                value = try await pool.write(body)
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
        monitor.noteWrite()
        checkpointer.noteCommit()
        return value
    }

    /// The write on this thread, or `nil` if that would have to wait.
    private func writeAtOnce<T>(_ body: (Database) throws -> T) throws -> T? {
        guard writesInFlight.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged
        else { return nil }
        defer { writesInFlight.subtract(1, ordering: .acquiringAndReleasing) }
        let busyMilliseconds = Int32(clamping: options.busyTimeout.storeMilliseconds)
        return try pool.writeWithoutTransaction { db -> T? in
            var value: T?
            var began = false
            sqlite3_busy_timeout(db.sqliteConnection, 0)
            defer { sqlite3_busy_timeout(db.sqliteConnection, busyMilliseconds) }
            do {
                try db.inTransaction(.immediate) {
                    began = true
                    value = try body(db)
                    return .commit
                }
            } catch let error as DatabaseError where !began && error.resultCode == .SQLITE_BUSY {
                // Another process is writing: wait for it the async way.
                return nil
            }
            return value
        }
    }

    /// Runs `body` on a snapshot.
    ///
    /// On the calling thread when a reader connection is sure to be free (WAL
    /// readers never wait for writers), else the async way.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            let inFlight = readsInFlight.add(1, ordering: .acquiringAndReleasing).newValue
            defer { readsInFlight.subtract(1, ordering: .acquiringAndReleasing) }
            if inFlight <= Self.readerCount { return try readAtOnce(body) }
            return try await pool.read(body)
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    private func readAtOnce<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// Stops at a named point of a write transaction when a crash test asks to.
    func crashPoint(_ name: String) {
        options.crashPoint?(name)
    }

    // MARK: Reading

    /// The run `runID`, if any.
    public func run(_ runID: String) async throws -> RunRecord? {
        try await read { db in try Self.fetchRun(db, runID) }
    }

    /// Runs matching `filter`, newest first.
    public func runs(_ filter: RunFilter) async throws -> [RunRecord] {
        try await read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let statuses = filter.statuses {
                conditions.append("status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))")
                arguments += statuses.sorted { $0.rawValue < $1.rawValue }.map(\.rawValue)
            }
            if let workflow = filter.workflowName {
                conditions.append("workflow = ?")
                arguments.append(workflow)
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(max(0, filter.limit))
            return try Row.fetchAll(
                db,
                sql: "SELECT \(Rows.runColumns) FROM runs \(whereClause) ORDER BY created_at DESC, rowid DESC LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Rows.run)
        }
    }

    /// Every pending request, oldest first.
    public func pendingApprovals() async throws -> [ApprovalRequestRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Rows.requestColumns) FROM \(Rows.requestFrom) WHERE a.status = 'pending' "
                    + "ORDER BY a.requested_at, a.rowid"
            ).map(Rows.request)
        }
    }

    /// The request `requestID`, if any.
    public func approvalRequest(_ requestID: String) async throws -> ApprovalRequestRecord? {
        try await read { db in try Self.fetchRequest(db, requestID) }
    }

    /// Every request of run `runID`, oldest first.
    public func approvalRequests(of runID: String) async throws -> [ApprovalRequestRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Rows.requestColumns) FROM \(Rows.requestFrom) WHERE a.run_id = ? "
                    + "ORDER BY a.requested_at, a.rowid",
                arguments: [runID]
            ).map(Rows.request)
        }
    }

    /// The results of the run's recorded steps, in run order.
    public func stepResults(of runID: String) async throws -> [StoredJSON] {
        try await read { db in try Self.fetchSteps(db, runID) }
    }

    /// The run's events after `sequence`, in order.
    public func events(of runID: String, after sequence: Int, limit: Int?) async throws -> [RunEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Rows.eventColumns) FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [runID, sequence, limit ?? -1]
            ).map(Rows.event)
        }
    }

    /// The decision of request `requestID`, if any.
    public func decision(for requestID: String) async throws -> DecisionRecord? {
        try await read { db in try Self.fetchDecision(db, requestID) }
    }

    static func fetchRun(_ db: Database, _ runID: String) throws -> RunRecord? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(Rows.runColumns) FROM runs WHERE run_id = ?"), arguments: [runID]
        ).map(Rows.run)
    }

    static func fetchSteps(_ db: Database, _ runID: String) throws -> [StoredJSON] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT result_json FROM run_steps WHERE run_id = ? ORDER BY position"),
            arguments: [runID]
        ).map(StoredJSON.init(trustedText:))
    }

    static func fetchRequest(_ db: Database, _ requestID: String) throws -> ApprovalRequestRecord? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(Rows.requestColumns) FROM \(Rows.requestFrom) WHERE a.approval_id = ?"),
            arguments: [requestID]
        ).map(Rows.request)
    }

    static func fetchDecision(_ db: Database, _ requestID: String) throws -> DecisionRecord? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(Rows.decisionColumns) FROM decisions WHERE approval_id = ?"),
            arguments: [requestID]
        ).map(Rows.decision)
    }

    // MARK: Changes

    /// The file's change counter now, as a token.
    public func changeToken() async throws -> ChangeToken {
        do {
            return try monitor.token()
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Waits for a commit by any connection after `token`, or `timeout`.
    public func nextChange(after token: ChangeToken, timeout: Duration?) async throws -> ChangeToken {
        do {
            return try await monitor.next(after: token, timeout: timeout)
        } catch {
            throw Self.storeError(error, path: path)
        }
    }
}

extension SQLiteRunStore {
    /// The writer connection's journal mode, `synchronous` level (1 NORMAL, 2
    /// FULL) and busy timeout, as SQLite reports them (for tests and diagnostics).
    package func connectionSettings() async throws -> (journalMode: String, synchronous: Int, busyTimeoutMs: Int) {
        try await pool.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? -1
            )
        }
    }
}
