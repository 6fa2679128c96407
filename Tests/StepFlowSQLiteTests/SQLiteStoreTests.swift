import Foundation
import GRDB
import StepFlow
import StepFlowSQLite
import StepFlowStoreContract
import StepFlowTestSupport
import Testing

/// What only the SQLite backend has: its file, its schema, its settings.
@Suite("SQLite store file")
struct SQLiteStoreTests {
    /// A store with `runs` runs in it, closed again (so its WAL is folded into the file).
    private func populatedStore(_ site: SQLiteSite, runs: Int) async throws {
        let store = try await site.open(clock: .system)
        for _ in 0..<runs {
            let (_, request) = try await StoreFixtures(store: store).waitingRun()
            _ = try await store.decide(StoreFixtures.decision(request, by: "alice"))
        }
    }

    @Test("a new store is created with its folder, in WAL mode, with every migration")
    func migratesFromEmpty() async throws {
        let site = try SQLiteSite()
        let path = site.folder.appendingPathComponent("deep/er/store.sqlite").path
        let store = try SQLiteRunStore(path: path)
        let settings = try await store.connectionSettings()
        #expect(settings.journalMode == "wal" && settings.synchronous == 1 && settings.busyTimeoutMs == 30_000)
        let folder = try FileManager.default.attributesOfItem(
            atPath: site.folder.appendingPathComponent("deep/er").path)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        let database = try DatabaseQueue(path: path)
        let applied = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(applied == ["0001 runs, events, approvals, decisions"])
        let tables = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(tables == ["approvals", "decisions", "grdb_migrations", "run_events", "run_steps", "runs"])
        // Opening again finds the migrations done and changes nothing.
        _ = try SQLiteRunStore(path: path)
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM grdb_migrations") } == 1)
    }

    @Test("FULL durability and the busy timeout are options")
    func options() async throws {
        let site = try SQLiteSite()
        let store = try SQLiteRunStore(
            path: site.path, options: SQLiteStoreOptions(durability: .full, busyTimeout: .seconds(5)))
        let settings = try await store.connectionSettings()
        #expect(settings.synchronous == 2 && settings.busyTimeoutMs == 5_000)
    }

    @Test("a store written by a newer build is refused and left untouched")
    func newerSchemaRefused() async throws {
        let site = try SQLiteSite()
        try await populatedStore(site, runs: 3)
        do {
            let database = try DatabaseQueue(path: site.path)
            try await database.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0002 from the future')")
            }
        }
        let before = try #require(SQLiteSite.fileHash(site.path))
        do {
            _ = try SQLiteRunStore(path: site.path)
            Issue.record("a newer store opened")
        } catch let error as StoreError {
            #expect(error.code == .newerSchema)
            #expect(error.message.contains("0002 from the future") && error.message.contains("left untouched"))
            #expect(!error.message.contains("\n"))
        }
        #expect(SQLiteSite.fileHash(site.path) == before)
    }

    @Test("a file that is not a database is refused and left untouched")
    func notADatabase() throws {
        let site = try SQLiteSite()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8_192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(FileManager.default.createFile(atPath: site.path, contents: Data(bytes)))
        try expectCorruptUntouched(site.path, saying: "not an SQLite database")
    }

    @Test("a damaged store is refused and left untouched")
    func damagedStore() async throws {
        let site = try SQLiteSite()
        try await populatedStore(site, runs: 40)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: site.path)[.size] as? Int)
        #expect(size > 4 * 4_096)
        // Garbage over the middle of the file: usually only the whole-file check sees it, but when the
        // pages the opening reads are hit, SQLite itself reports the file malformed first.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: site.path))
        try handle.seek(toOffset: UInt64(size / 2))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 1_500))
        try handle.close()
        try expectCorruptUntouched(site.path, saying: "SQLite's check found", "database disk image is malformed")
    }

    @Test("a truncated store is refused and left untouched")
    func truncatedStore() async throws {
        let site = try SQLiteSite()
        try await populatedStore(site, runs: 40)
        let data = try #require(FileManager.default.contents(atPath: site.path))
        try data.prefix(data.count / 3).write(to: URL(fileURLWithPath: site.path))
        try expectCorruptUntouched(site.path, saying: "unreadable")
    }

    @Test("another application's SQLite database is refused and left untouched")
    func foreignDatabase() async throws {
        let site = try SQLiteSite()
        do {
            let database = try DatabaseQueue(path: site.path)
            try await database.write {
                try $0.execute(sql: "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')")
            }
        }
        try expectCorruptUntouched(site.path, saying: "not a StepFlow store")
    }

    private func expectCorruptUntouched(
        _ path: String, saying details: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try #require(SQLiteSite.fileHash(path), sourceLocation: sourceLocation)
        do {
            _ = try SQLiteRunStore(path: path)
            Issue.record("a bad file opened", sourceLocation: sourceLocation)
        } catch let error as StoreError {
            #expect(error.code == .corrupt, "\(error.message)", sourceLocation: sourceLocation)
            #expect(details.contains { error.message.contains($0) }, "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.hasSuffix("it was left untouched."), sourceLocation: sourceLocation)
            #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
        }
        #expect(SQLiteSite.fileHash(path) == before, "the file changed", sourceLocation: sourceLocation)
    }

    @Test("a record whose JSON was damaged reads as a corrupt store, not a crash")
    func damagedRecord() async throws {
        let site = try SQLiteSite()
        let store = try await site.open(clock: .system)
        _ = try await StoreFixtures(store: store).createRun(id: "r")
        let database = try DatabaseQueue(path: site.path)
        try await database.write { try $0.execute(sql: "UPDATE runs SET route_trace_json = '{not json'") }
        await expectStoreError(.corrupt) { try await store.run("r") }
        await expectStoreError(.corrupt) { try await store.runs(.all) }
    }

    @Test("an empty file is a new store")
    func emptyFileIsNew() async throws {
        let site = try SQLiteSite()
        #expect(FileManager.default.createFile(atPath: site.path, contents: Data()))
        let store = try SQLiteRunStore(path: site.path)
        _ = try await StoreFixtures(store: store).createRun()
        #expect(try await store.runs(.all).count == 1)
    }

    @Test("the default location comes from the environment")
    func defaultLocation() {
        func location(_ environment: [String: String]) -> String {
            SQLiteRunStore.defaultLocation(environment: environment).path
        }
        #expect(
            location(["STEPFLOW_STORE": "/srv/team.sqlite", "XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/srv/team.sqlite"
        )
        #expect(location(["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/stepflow/stepflow.sqlite")
        #expect(location(["HOME": "/h"]) == "/h/.local/state/stepflow/stepflow.sqlite")
        // The XDG specification says to ignore a relative XDG_STATE_HOME; an empty STEPFLOW_STORE is unset.
        #expect(location(["XDG_STATE_HOME": "state", "HOME": "/h"]) == "/h/.local/state/stepflow/stepflow.sqlite")
        #expect(location(["STEPFLOW_STORE": "", "HOME": "/h"]) == "/h/.local/state/stepflow/stepflow.sqlite")
        #expect(location(["STEPFLOW_STORE": "~/team.sqlite", "HOME": "/h"]).hasSuffix("/team.sqlite"))
    }

    @Test("the default store is created on first use with its folder")
    func defaultStoreCreated() async throws {
        let site = try SQLiteSite()
        let state = site.folder.appendingPathComponent("state").path
        let store = try SQLiteRunStore.openDefault(environment: ["XDG_STATE_HOME": state, "HOME": "/nonexistent"])
        #expect(store.path == state + "/stepflow/stepflow.sqlite")
        #expect(FileManager.default.fileExists(atPath: store.path))
        _ = try await StoreFixtures(store: store).createRun()
        let again = try SQLiteRunStore.openDefault(environment: ["XDG_STATE_HOME": state])
        #expect(try await again.runs(.all).count == 1)
    }

    @Test("the audit log cannot be rewritten, even with SQL")
    func auditLogAppendOnly() async throws {
        let site = try SQLiteSite()
        let store = try await site.open(clock: .system)
        _ = try await StoreFixtures(store: store).createRun(id: "r")
        let database = try DatabaseQueue(path: site.path)
        await #expect(throws: DatabaseError.self) {
            try await database.write { try $0.execute(sql: "UPDATE run_events SET kind = 'x'") }
        }
        await #expect(throws: DatabaseError.self) {
            try await database.write { try $0.execute(sql: "DELETE FROM run_events") }
        }
        #expect(try await store.events(of: "r").map(\.kind) == [.workflowStarted])
    }

    @Test("a waiter in one instance sees a commit by another connection without a write of its own")
    func dataVersionWakeUp() async throws {
        let site = try SQLiteSite()
        let store = try await site.open(clock: .system)
        let token = try await store.changeToken()
        // A plain GRDB connection, as another process would have: no notification reaches the store but the file's.
        let other = try DatabaseQueue(path: site.path)
        async let woke = store.nextChange(after: token, timeout: .seconds(30))
        try await other.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (run_id, workflow, fingerprint, status, step_index, state_json, version, created_at, updated_at)
                    VALUES ('raw', 'w', 'f', 'running', 0, '{}', 1, 0, 0)
                    """)
        }
        #expect(try await woke > token)
        #expect(try await store.run("raw")?.workflowName == "w")
        // Nothing changed since: a bounded wait returns the same token.
        let now = try await store.changeToken()
        #expect(try await store.nextChange(after: now, timeout: .milliseconds(20)) == now)
    }
}
