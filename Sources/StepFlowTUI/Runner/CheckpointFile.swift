import Foundation
import StepFlow

/// Checkpoint files on disk: where they go, how they are read, and how a resume
/// marks one as used so the same pause cannot be resumed twice by accident.
///
/// A used checkpoint keeps its JSON and gains a top-level `"resumed"` object
/// (who, when); readers of the checkpoint format ignore it. Every failure
/// leaves the file exactly as it was.
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
        /// The earlier resume's mark, if the checkpoint was already used.
        let resumed: JSONValue?
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
        return Contents(data: data, workflowName: name, resumed: json["resumed"])
    }

    /// Marks the checkpoint as used by this resume, atomically and exclusively:
    /// a second process resuming the same file at the same moment is refused.
    static func markResumed(_ url: URL, by approver: String, at date: Date = Date()) throws(InputError) {
        let lockPath = url.path + ".lock"
        let lock = open(lockPath, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard lock >= 0 else {
            throw InputError(
                "'\(url.path)' is being resumed by another process (lock file '\(lockPath)'); if none is running, delete the lock file."
            )
        }
        defer {
            close(lock)
            unlink(lockPath)
        }
        let contents = try read(url)
        if let mark = contents.resumed { throw alreadyResumed(url, mark) }
        guard case .object(var fields) = try? StepFlowJSON.decoder.decode(JSONValue.self, from: contents.data) else {
            throw InputError("'\(url.path)' changed while it was being resumed; try again.")
        }
        fields["resumed"] = .object(["by": .string(approver), "at": .string(StepFlowJSON.formatDate(date))])
        do {
            try StepFlowJSON.prettyEncoder.encode(JSONValue.object(fields)).write(to: url, options: .atomic)
        } catch {
            throw InputError("cannot mark '\(url.path)' as resumed: \(error.localizedDescription)")
        }
    }

    /// The error for a checkpoint that was already used.
    static func alreadyResumed(_ url: URL, _ mark: JSONValue) -> InputError {
        let by = mark["by"]?.stringValue.map { " by \($0)" } ?? ""
        let at = mark["at"]?.stringValue.map { " at \($0)" } ?? ""
        return InputError(
            "the checkpoint '\(url.path)' was already resumed\(by)\(at); a paused run can be resumed once.")
    }

    private static func fileSafe(_ text: String) -> String {
        String(
            text.unicodeScalars.map { scalar in
                CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" ? Character(scalar) : "_"
            })
    }
}
