import StepFlowStoreContract
import Testing

/// The store contract, every check on a fresh SQLite file.
@Suite("Store contract on SQLite")
struct SQLiteContractTests {
    @Test(arguments: StoreContract.checks)
    func contract(_ check: StoreContract.Check) async throws {
        try await check.run(on: try SQLiteSite())
    }
}
