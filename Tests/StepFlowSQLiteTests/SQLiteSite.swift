import Foundation
import StepFlow
import StepFlowSQLite
import StepFlowStoreContract
import StepFlowTestSupport

/// A fresh store file in a temporary folder, removed with the site.
final class SQLiteSite: StoreTestSite {
    let folder: URL
    let path: String

    init() throws {
        folder = try makeTemporaryDirectory()
        path = folder.appendingPathComponent("store.sqlite").path
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    func open(clock: StoreClock) async throws -> any RunStore {
        try SQLiteRunStore(path: path, options: SQLiteStoreOptions(changePollInterval: .milliseconds(2), clock: clock))
    }

    /// The SHA-256 of the file's bytes, or `nil` when it is missing.
    static func fileHash(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { SHA256.hex($0) }
    }
}
