import Foundation
import StepFlow

/// Checkpoint files on disk: where they go and how they are read.
///
/// A checkpoint file is an export of a paused run and the way to import one
/// into a run store; whether it was resumed is the store's to say, so resuming
/// only reads the file.
enum CheckpointFile {
    /// The folder for checkpoints: `$STEPFLOW_CHECKPOINT_DIR`, else
    /// `$XDG_STATE_HOME/stepflow/checkpoints`, else `~/.local/state/stepflow/checkpoints`.
    static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["STEPFLOW_CHECKPOINT_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        let state =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return URL(fileURLWithPath: state, isDirectory: true).appendingPathComponent("stepflow/checkpoints")
    }

    /// `<workflow>-<run id prefix>-<step>.json` in `directory`.
    static func defaultURL(for checkpoint: ApprovalPause<AnyState>, in directory: URL) -> URL {
        let name = [checkpoint.workflowName, String(checkpoint.runID.prefix(12)), checkpoint.stepName]
            .map(fileSafe).joined(separator: "-")
        return directory.appendingPathComponent(name + ".json")
    }

    /// Writes a checkpoint atomically, creating its folder.
    static func write(_ checkpoint: ApprovalPause<AnyState>, to url: URL) throws(InputError) {
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try checkpoint.jsonData().write(to: url, options: .atomic)
        } catch {
            throw InputError("cannot write the checkpoint to '\(url.path)': \(error.localizedDescription)")
        }
    }

    /// A checkpoint file's bytes and what its header says.
    struct Contents: Sendable {
        /// The file's bytes.
        let data: Data
        /// The workflow the checkpoint belongs to.
        let workflowName: String
    }

    /// Reads a checkpoint file; a missing, unreadable, corrupt or truncated file
    /// is an error that says so.
    static func read(_ url: URL) throws(InputError) -> Contents {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw InputError("cannot read the checkpoint file '\(url.path)'; check the path.")
        }
        guard let json = try? StepFlowJSON.decoder.decode(JSONValue.self, from: data), case .object = json else {
            throw InputError("'\(url.path)' is not a checkpoint: the file is corrupt or truncated.")
        }
        guard let name = json["workflow_name"]?.stringValue else {
            throw InputError("'\(url.path)' is not a StepFlow checkpoint: it has no workflow_name.")
        }
        return Contents(data: data, workflowName: name)
    }

    private static func fileSafe(_ text: String) -> String {
        String(
            text.unicodeScalars.map { scalar in
                CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" ? Character(scalar) : "_"
            })
    }
}
