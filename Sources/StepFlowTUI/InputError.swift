/// A problem with what the user gave (arguments, state, checkpoint, terminal):
/// one sentence saying what is wrong and how to fix it; commands exit with 2.
public struct InputError: Error, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public let message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
