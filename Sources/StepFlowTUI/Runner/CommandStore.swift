import Foundation
import StepFlow
import StepFlowSQLite

/// The run store the commands and the console record in (SPEC §9): the SQLite
/// file at `$STEPFLOW_STORE`, else `$XDG_STATE_HOME/stepflow/stepflow.sqlite`,
/// created with its folder on first use.
enum CommandStore {
    /// Opens the store; a store that cannot be opened (damaged, written by a
    /// newer build, in a folder that cannot be written) is one input error,
    /// and the file is left as it was.
    static func open(environment: [String: String] = ProcessInfo.processInfo.environment) throws(InputError)
        -> any RunStore
    {
        do {
            return try SQLiteRunStore.openDefault(environment: environment)
        } catch let error as StoreError {
            throw InputError(VisibleText.sanitize(error.message))
        } catch {
            let location = SQLiteRunStore.defaultLocation(environment: environment).path
            throw InputError(VisibleText.sanitize("cannot open the run store at \(location): \(error)"))
        }
    }

    /// Where the store is, for messages.
    static func location(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        SQLiteRunStore.defaultLocation(environment: environment).path
    }
}
