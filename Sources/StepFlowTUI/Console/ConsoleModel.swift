import Foundation
import StepFlow

/// Everything the console shows, as a plain value: `update` changes it, `render` draws it.
///
/// It is `Equatable`, so a test can fail on any change it did not expect.
public struct ConsoleModel: Sendable, Equatable {
    /// The terminal size in cells.
    public var width: Int
    /// The terminal size in cells.
    public var height: Int
    /// The workflows that can be started.
    public var catalog: [CatalogItem]
    /// The screen in front.
    public var screen: ConsoleScreen = .home
    /// Which home list has the focus.
    public var homeFocus: HomeFocus = .catalog
    /// The selected catalog row.
    public var catalogSelection = 0
    /// The selected session-run row.
    public var runSelection = 0
    /// The runs of this session, oldest first.
    public var runs: [RunView] = []
    /// The state editor, while open.
    public var editor: StateEditor?
    /// The approval prompt, while open.
    public var prompt: ApprovalPrompt?
    /// A modal over everything else.
    public var overlay: Overlay?
    /// The focused pane of the run view.
    public var runFocus: RunPane = .steps
    /// A one-line notice in the footer (errors included).
    public var notice: String?
    /// Whether colour may be used.
    public var colors: Bool
    /// Whether Unicode glyphs may be used.
    public var unicode: Bool
    /// The current time (spinners, countdowns, elapsed time): advanced by ticks
    /// and by every message stamped with a time, never turned back.
    public var now: Date
    /// The OS user recorded as approver.
    public var approver: String
    /// Set when the user confirmed quitting.
    public var quitting = false
    /// The signal that ended the console, if one did.
    public var interruptedBy: Int32?

    /// The smallest terminal the console draws in.
    public static let minimumWidth = 60
    /// The smallest terminal the console draws in.
    public static let minimumHeight = 16

    /// Creates the model for a catalog.
    public init(
        catalog: [CatalogItem], width: Int, height: Int, colors: Bool = true, unicode: Bool = true,
        now: Date = Date(), approver: String = "operator"
    ) {
        self.catalog = catalog
        self.width = width
        self.height = height
        self.colors = colors
        self.unicode = unicode
        self.now = now
        self.approver = approver
    }

    /// The run with this key.
    public func run(_ key: Int) -> RunView? {
        runs.first { $0.key == key }
    }

    /// How many approvals wait for a decision, over all runs.
    public var waitingCount: Int {
        runs.reduce(0) { $0 + $1.pendingApprovals.count }
    }

    /// Whether any run is still going (running or waiting).
    public var hasActiveRuns: Bool {
        runs.contains { $0.status == .running }
    }
}

/// A catalog workflow as the console lists it.
public struct CatalogItem: Sendable, Equatable {
    /// The workflow's name.
    public let name: String
    /// One line about it.
    public let summary: String
    /// Its number of steps.
    public let stepCount: Int
    /// Its default state, as pretty JSON text.
    public let defaultStateText: String
    /// Its graph.
    public let graph: WorkflowGraph

    /// Creates an item from a catalog entry.
    public init(_ entry: CatalogEntry) {
        name = entry.name
        summary = entry.summary
        stepCount = entry.stepCount
        defaultStateText = (try? StepFlowJSON.prettyEncoder.encode(entry.defaultState))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        graph = entry.workflow.graph
    }
}

/// The screens of the console.
public enum ConsoleScreen: Hashable, Sendable {
    /// The catalog and the session's runs.
    case home
    /// One run, by key.
    case run(Int)
}

/// The two lists of the home screen.
public enum HomeFocus: Hashable, Sendable {
    /// The catalog.
    case catalog
    /// The session's runs.
    case runs
}

/// The panes of the run view, in Tab order.
public enum RunPane: Hashable, Sendable, CaseIterable {
    /// The step list.
    case steps
    /// The live graph.
    case graph
    /// The state inspector.
    case state
    /// The event log.
    case log
}

/// Modals that are not the approval prompt.
public enum Overlay: Hashable, Sendable {
    /// Every key of the current view.
    case help
    /// "Quit while work is active?"
    case confirmQuit
    /// A workflow's Mermaid text.
    case mermaid(workflow: String, text: String)
}

/// The JSON state editor shown before a run starts.
public struct StateEditor: Hashable, Sendable {
    /// The catalog row being started.
    public var catalogIndex: Int
    /// The text, one string per line.
    public var lines: [String]
    /// The cursor's line.
    public var row = 0
    /// The cursor's column, in characters.
    public var column = 0
    /// Why the text cannot run yet.
    public var error: String?

    /// An editor over `text`.
    public init(catalogIndex: Int, text: String) {
        self.catalogIndex = catalogIndex
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.isEmpty { lines = [""] }
    }

    /// The whole text.
    public var text: String { lines.joined(separator: "\n") }
}

/// The open approval prompt.
public struct ApprovalPrompt: Hashable, Sendable {
    /// The run waiting.
    public var runKey: Int
    /// The reason typed so far.
    public var reason = ""
    /// Whether keys go into the reason field.
    public var editingReason = false
}

/// An approval a run waits for.
public struct PendingApproval: Sendable, Equatable {
    /// The controller's id for the waiting handler, which a decision answers.
    public let id: Int
    /// What is asked.
    public let request: ApprovalRequest
}

/// One run as the console shows it.
public struct RunView: Sendable, Equatable {
    /// The console's key for the run.
    public let key: Int
    /// The engine's run id.
    public var runID: String
    /// The workflow's name.
    public let workflowName: String
    /// The catalog row it came from.
    public let catalogIndex: Int
    /// The run's status.
    public var status: RunStatus = .running
    /// When it started.
    public var startedAt: Date
    /// When it finished.
    public var finishedAt: Date?
    /// One row per declared step.
    public var steps: [StepRow]
    /// The event log, newest last, bounded; lines are formatted only when drawn.
    public var log = BoundedLog<LogEntry>(capacity: 500)
    /// The latest state; encoded to JSON only when the inspector draws it.
    public var state: AnyState
    /// The approvals the run waits for, oldest first (several when child
    /// workflows ask at the same time); the prompt answers the first.
    public var pendingApprovals: [PendingApproval] = []
    /// The request the prompt shows: the oldest one waiting.
    public var waiting: ApprovalRequest? { pendingApprovals.first?.request }
    /// Where its checkpoint was saved, when paused.
    public var checkpointPath: String?
    /// The scroll offsets of the panes.
    public var scroll: [RunPane: Int] = [:]
    /// The selected step row.
    public var selectedStep = 0
}

/// One step's line in the run view.
public struct StepRow: Hashable, Sendable {
    /// The step's name.
    public let name: String
    /// Whether it is approval-gated.
    public let gated: Bool
    /// Its status.
    public var status: StepStatus = .pending
    /// Attempts so far.
    public var attempts = 0
    /// Its duration, when finished.
    public var durationMs: Int?
    /// The route taken.
    public var route: String?
    /// The approval decision, in words.
    public var decision: String?
    /// The last error, on one line.
    public var lastError: String?
    /// When a scheduled retry starts.
    public var retryAt: Date?
    /// Child workflows run by the step: name and status.
    public var children: [ChildRow] = []
    /// Whether its children are shown.
    public var expanded = true
}

/// A child workflow under its parent step.
public struct ChildRow: Hashable, Sendable {
    /// The child's run id.
    public let runID: String
    /// The child's workflow name.
    public let name: String
    /// Its status.
    public var status: RunStatus
    /// Its steps as they finish: name and status.
    public var steps: [String] = []
}

/// One event of a run's log, with the time it arrived.
public struct LogEntry: Sendable, Equatable {
    /// When the console received the event.
    public let time: Date
    /// The event.
    public let event: WorkflowEvent

    /// The event as a plain line (the same format as `stepflow-tui run`).
    public var line: String { EventLine.format(event, at: time) }
}

/// A log that keeps only its newest entries: memory stays flat however long a run is.
public struct BoundedLog<Entry: Sendable>: Sendable {
    /// The most entries kept.
    public let capacity: Int
    private var storage: [Entry] = []
    private var start = 0
    /// Lines dropped so far.
    public private(set) var dropped = 0

    /// An empty log.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds an entry, dropping the oldest when full.
    public mutating func append(_ line: Entry) {
        if storage.count < capacity {
            storage.append(line)
        } else {
            storage[start] = line
            start = (start + 1) % capacity
            dropped += 1
        }
    }

    /// The entries, oldest first.
    public var entries: [Entry] {
        Array(storage[start...] + storage[..<start])
    }

    /// The newest `count` entries (or fewer), oldest first, skipping the newest `skip`.
    public func suffix(_ count: Int, skippingNewest skip: Int = 0) -> [Entry] {
        let end = max(0, storage.count - skip)
        let begin = max(0, end - count)
        return (begin..<end).map { storage[(start + $0) % storage.count] }
    }

    /// How many entries are kept.
    public var count: Int { storage.count }
}

extension BoundedLog: Equatable where Entry: Equatable {
    /// Equal when they keep the same entries in the same order and dropped as many.
    public static func == (lhs: BoundedLog, rhs: BoundedLog) -> Bool {
        lhs.capacity == rhs.capacity && lhs.dropped == rhs.dropped && lhs.entries == rhs.entries
    }
}
