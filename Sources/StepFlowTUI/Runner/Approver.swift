import Foundation
import StepFlow

/// Who is deciding approvals from this process: the OS user name.
enum Approver {
    /// The name of the user running the process, as the store knows it
    /// (``ProcessIdentity/userName``), so decisions made here are recorded as
    /// known from the OS user rather than claimed.
    static var currentUserName: String {
        ProcessIdentity.userName
    }
}
