import Foundation

/// Who is deciding approvals from this process: the OS user name.
enum Approver {
    /// The name of the user running the process (`getpwuid`, then `$USER`).
    static var currentUserName: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return text }
        }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }
}
