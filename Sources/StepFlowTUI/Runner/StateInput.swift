import Foundation
import StepFlow

/// Reads a workflow's initial state from the command line: inline JSON, `@FILE`,
/// or the catalog's default.
enum StateInput {
    /// The state's JSON bytes for `--state` (`nil` means the catalog default).
    static func jsonData(_ argument: String?, default defaultState: JSONValue) throws(InputError) -> Data {
        guard let argument else { return (try? defaultState.jsonData()) ?? Data("{}".utf8) }
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError("cannot read the state file '\(path)'; check the path after '@'.")
            }
            return data
        }
        return Data(argument.utf8)
    }

    /// The decoded state, or an error naming what to fix.
    static func decode(_ data: Data, for entry: CatalogEntry) throws(InputError) -> AnyState {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw InputError(
                "the state is not valid JSON (\(jsonProblem(error))); pass an object like \(entry.defaultState.jsonText)"
            )
        }
        do {
            return try entry.workflow.decodeState(json: data)
        } catch {
            throw InputError(
                "\(error.message) Start from the default state: \(entry.defaultState.jsonText)")
        }
    }

    private static func jsonProblem(_ error: any Error) -> String {
        let nsError = error as NSError
        if let detail = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return nsError.localizedDescription
    }
}
