import Foundation

extension SQLiteRunStore {
    /// The environment variable naming the store file.
    public static let locationVariable = "STEPFLOW_STORE"

    /// Where the store lives when nobody says otherwise: `$STEPFLOW_STORE`, or
    /// `$XDG_STATE_HOME/stepflow/stepflow.sqlite`, or
    /// `~/.local/state/stepflow/stepflow.sqlite`.
    ///
    /// As the XDG base directory specification says, a relative
    /// `XDG_STATE_HOME` is ignored. A relative `STEPFLOW_STORE` is taken from
    /// the current directory.
    public static func defaultLocation(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let explicit = environment[locationVariable], !explicit.isEmpty {
            return URL(fileURLWithPath: (explicit as NSString).expandingTildeInPath)
        }
        let stateHome: URL
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            stateHome = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            let home =
                environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? FileManager.default.homeDirectoryForCurrentUser.path
            stateHome = URL(fileURLWithPath: home, isDirectory: true)
                .appendingPathComponent(".local", isDirectory: true)
                .appendingPathComponent("state", isDirectory: true)
        }
        return stateHome.appendingPathComponent("stepflow", isDirectory: true)
            .appendingPathComponent("stepflow.sqlite")
    }

    /// Opens (creating it and its folder on first use) the store at ``defaultLocation(environment:)``.
    public static func openDefault(
        environment: [String: String] = ProcessInfo.processInfo.environment, options: SQLiteStoreOptions = .init()
    ) throws -> SQLiteRunStore {
        try SQLiteRunStore(path: defaultLocation(environment: environment).path, options: options)
    }
}
