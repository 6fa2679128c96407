/// The version of the StepFlow SDK.
public enum StepFlowVersion {
    /// The version string, `major.minor.patch`.
    public static let current = "0.1.0"
}
