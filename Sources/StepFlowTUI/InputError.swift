/// A problem with what the user gave (arguments, state, checkpoint, terminal):
/// one sentence saying what is wrong and how to fix it; commands exit with 2.
struct InputError: Error, CustomStringConvertible {
    /// What is wrong and how to fix it.
    let message: String
    /// Creates the error.
    init(_ message: String) { self.message = message }
    /// The message.
    var description: String { message }
}
