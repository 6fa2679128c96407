import Foundation
import StepFlow

/// Reads a workflow's initial state from the command line: inline JSON, `@FILE`,
/// or the catalog's default.
public enum StateInput {
    /// The state's JSON bytes for `--state` (`nil` means the catalog default).
    public static func jsonData(_ argument: String?, default defaultState: JSONValue) throws(RunnerError) -> Data {
        guard let argument else { return (try? defaultState.jsonData()) ?? Data("{}".utf8) }
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RunnerError("cannot read the state file '\(path)'; check the path after '@'.")
            }
            return data
        }
        return Data(argument.utf8)
    }

    /// The decoded state, or an error naming what to fix.
    public static func decode(_ data: Data, for entry: CatalogEntry) throws(RunnerError) -> AnyState {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw RunnerError(
                "the state is not valid JSON (\(jsonProblem(error))); pass an object like \(entry.defaultState.jsonText)")
        }
        do {
            return try entry.workflow.decodeState(json: data)
        } catch {
            throw RunnerError(
                "\(error.message) Start from the default state: \(entry.defaultState.jsonText)")
        }
    }

    private static func jsonProblem(_ error: any Error) -> String {
        let nsError = error as NSError
        if let detail = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return nsError.localizedDescription
    }
}

/// A problem with the runner's input: reported as one line, exit code 2.
public struct RunnerError: Error, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public let message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
