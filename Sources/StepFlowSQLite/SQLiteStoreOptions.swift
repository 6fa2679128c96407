import Foundation
import StepFlow

/// How a ``SQLiteRunStore`` opens and uses its file.
public struct SQLiteStoreOptions: Sendable {
    /// How hard a commit insists on reaching the disk.
    public enum Durability: String, Sendable, Hashable, CaseIterable {
        /// `synchronous = NORMAL` (the default): a commit survives a crash of the
        /// process, and the database is never corrupted; a power loss or OS
        /// crash may undo the last commits. About 25–30 µs per commit.
        case normal
        /// `synchronous = FULL`: every commit is synced to the disk before it
        /// returns, so it also survives a power loss. An fsync per commit (about
        /// 165 µs here, far more on slow disks).
        case full
    }

    /// How hard a commit insists on reaching the disk.
    public var durability: Durability
    /// How long a write waits for another process's write to finish before failing.
    public var busyTimeout: Duration
    /// How often a waiter checks the file's change counter while it waits.
    public var changePollInterval: Duration
    /// Whether opening runs SQLite's `quick_check` over the whole file, so a
    /// damaged store is refused before anything writes to it (linear in the
    /// file's size: milliseconds for a few megabytes).
    public var verifiesOnOpen: Bool
    /// The clock for timestamps, leases and deadlines.
    public var clock: StoreClock

    /// Called between the statements of a write transaction with the point's
    /// name; the crash tests kill the process there.
    package var crashPoint: (@Sendable (String) -> Void)?

    /// Options with the defaults: `NORMAL` durability, 30 s busy timeout, 5 ms polls, verified on open.
    public init(
        durability: Durability = .normal, busyTimeout: Duration = .seconds(30),
        changePollInterval: Duration = .milliseconds(5), verifiesOnOpen: Bool = true, clock: StoreClock = .system
    ) {
        self.durability = durability
        self.busyTimeout = busyTimeout
        self.changePollInterval = changePollInterval
        self.verifiesOnOpen = verifiesOnOpen
        self.clock = clock
    }
}
