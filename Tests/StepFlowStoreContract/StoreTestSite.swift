import Foundation
import StepFlow
import Synchronization

/// A fresh, empty place for a store (a file, a database) that the contract
/// suite opens; each ``open(clock:)`` is another instance on the same data, as
/// another process would have.
package protocol StoreTestSite: Sendable {
    /// Opens an instance of the store with `clock`.
    func open(clock: StoreClock) async throws -> any RunStore
}

/// A clock that moves only when told: deadlines and leases in tests pass
/// without anyone waiting for them.
package final class ManualClock: Sendable {
    private let current: Mutex<Date>

    /// A clock at `start` (a whole millisecond, as stores keep times).
    package init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    /// The time now.
    package var now: Date { current.withLock { $0 } }

    /// Moves the clock forward.
    package func advance(by duration: Duration) {
        current.withLock { $0 = $0.addingTimeInterval(duration.timeInterval) }
    }

    /// The clock as stores read it.
    package var storeClock: StoreClock {
        StoreClock { [self] in now }
    }
}
