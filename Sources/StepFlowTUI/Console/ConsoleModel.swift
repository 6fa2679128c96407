import Foundation
import StepFlow

/// Everything the console shows, as a plain value: `update` changes it, `render` draws it.
///
/// It is `Equatable`, so a test can fail on any change it did not expect.
package struct ConsoleModel: Sendable, Equatable {
    /// The terminal size in cells.
    package var width: Int
    /// The terminal size in cells.
    package var height: Int
    /// The workflows that can be started.
    package var catalog: [CatalogItem]
    /// The screen in front.
    package var screen: ConsoleScreen = .home
    /// Which home list has the focus.
    package var homeFocus: HomeFocus = .catalog
    /// The selected catalog row.
    package var catalogSelection = 0
    /// The selected session-run row.
    package var runSelection = 0
    /// The runs of this session, oldest first.
    package var runs: [RunView] = []
    /// The state editor, while open.
    package var editor: StateEditor?
    /// The approval prompt, while open.
    package var prompt: ApprovalPrompt?
    /// A modal over everything else.
    package var overlay: Overlay?
    /// The focused pane of the run view.
    package var runFocus: RunPane = .steps
    /// A one-line notice in the footer (errors included).
    package var notice: String?
    /// Whether colour may be used.
    package var colors: Bool
    /// Whether Unicode glyphs may be used.
    package var unicode: Bool
    /// The current time (spinners, countdowns, elapsed time): advanced by ticks
    /// and by every message stamped with a time, never turned back.
    package var now: Date
    /// The OS user recorded as approver.
    package var approver: String
    /// Set when the user confirmed quitting.
    package var quitting = false
    /// The signal that ended the console, if one did.
    package var interruptedBy: Int32?

    /// The smallest terminal the console draws in.
    package static let minimumWidth = 60
    /// The smallest terminal the console draws in.
    package static let minimumHeight = 16

    /// Creates the model for a catalog.
    package init(
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
    package func run(_ key: Int) -> RunView? {
        runs.first { $0.key == key }
    }

    /// How many approvals wait for a decision, over all runs.
    package var waitingCount: Int {
        runs.reduce(0) { $0 + $1.pendingApprovals.count }
    }

    /// Whether any run is still going (running or waiting).
    package var hasActiveRuns: Bool {
        runs.contains { $0.status == .running }
    }
}

/// A catalog workflow as the console lists it.
package struct CatalogItem: Sendable, Equatable {
    /// The workflow's name.
    package let name: String
    /// One line about it.
    package let summary: String
    /// Its number of steps.
    package let stepCount: Int
    /// Its default state, as pretty JSON text.
    package let defaultStateText: String
    /// Its graph.
    package let graph: WorkflowGraph

    /// Creates an item from a catalog entry.
    package init(_ entry: CatalogEntry) {
        name = entry.name
        summary = entry.summary
        stepCount = entry.stepCount
        defaultStateText =
            (try? StepFlowJSON.prettyEncoder.encode(entry.defaultState))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        graph = entry.workflow.graph
    }
}

/// The screens of the console.
package enum ConsoleScreen: Hashable, Sendable {
    /// The catalog and the session's runs.
    case home
    /// One run, by key.
    case run(Int)
}

/// The two lists of the home screen.
package enum HomeFocus: Hashable, Sendable {
    /// The catalog.
    case catalog
    /// The session's runs.
    case runs
}

/// The panes of the run view, in Tab order.
package enum RunPane: Hashable, Sendable, CaseIterable {
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
package enum Overlay: Hashable, Sendable {
    /// Every key of the current view.
    case help
    /// "Quit while work is active?"
    case confirmQuit
    /// A workflow's Mermaid text.
    case mermaid(workflow: String, text: String)
}

/// The JSON state editor shown before a run starts.
package struct StateEditor: Hashable, Sendable {
    /// The catalog row being started.
    package var catalogIndex: Int
    /// The text, one string per line.
    package var lines: [String]
    /// The cursor's line.
    package var row = 0
    /// The cursor's column, in characters.
    package var column = 0
    /// Why the text cannot run yet.
    package var error: String?

    /// An editor over `text`.
    package init(catalogIndex: Int, text: String) {
        self.catalogIndex = catalogIndex
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.isEmpty { lines = [""] }
    }

    /// The whole text.
    package var text: String { lines.joined(separator: "\n") }
}

/// The open approval prompt.
package struct ApprovalPrompt: Hashable, Sendable {
    /// The run waiting.
    package var runKey: Int
    /// The reason typed so far.
    package var reason = ""
    /// Whether keys go into the reason field.
    package var editingReason = false
}

/// An approval a run waits for.
package struct PendingApproval: Sendable, Equatable {
    /// The controller's id for the waiting handler, which a decision answers.
    package let id: Int
    /// What is asked.
    package let request: ApprovalRequest
}

/// One run as the console shows it.
package struct RunView: Sendable, Equatable {
    /// The console's key for the run.
    package let key: Int
    /// The engine's run id.
    package var runID: String
    /// The workflow's name.
    package let workflowName: String
    /// The catalog row it came from.
    package let catalogIndex: Int
    /// The run's status.
    package var status: RunStatus = .running
    /// When it started.
    package var startedAt: Date
    /// When it finished.
    package var finishedAt: Date?
    /// One row per declared step.
    package var steps: [StepRow]
    /// The event log, newest last, bounded; lines are formatted only when drawn.
    package var log = BoundedLog<LogEntry>(capacity: 500)
    /// The latest state; encoded to JSON only when the inspector draws it.
    package var state: AnyState
    /// The approvals the run waits for, oldest first (several when child
    /// workflows ask at the same time); the prompt answers the first.
    package var pendingApprovals: [PendingApproval] = []
    /// The request the prompt shows: the oldest one waiting.
    package var waiting: ApprovalRequest? { pendingApprovals.first?.request }
    /// Where its checkpoint was saved, when paused.
    package var checkpointPath: String?
    /// The scroll offsets of the panes.
    package var scroll: [RunPane: Int] = [:]
    /// The selected step row.
    package var selectedStep = 0
}

/// One step's line in the run view.
package struct StepRow: Hashable, Sendable {
    /// The step's name.
    package let name: String
    /// Whether it is approval-gated.
    package let gated: Bool
    /// Its status.
    package var status: StepStatus = .pending
    /// Attempts so far.
    package var attempts = 0
    /// Its duration, when finished.
    package var durationMs: Int?
    /// The route taken.
    package var route: String?
    /// The approval decision, in words.
    package var decision: String?
    /// The last error, on one line.
    package var lastError: String?
    /// When a scheduled retry starts.
    package var retryAt: Date?
    /// Child workflows run by the step: name and status.
    package var children: [ChildRow] = []
    /// Whether its children are shown.
    package var expanded = true
}

/// A child workflow under its parent step.
package struct ChildRow: Hashable, Sendable {
    /// The child's run id.
    package let runID: String
    /// The child's workflow name.
    package let name: String
    /// Its status.
    package var status: RunStatus
    /// Its steps as they finish: name and status.
    package var steps: [String] = []
}

/// One event of a run's log, with the time it arrived.
package struct LogEntry: Sendable, Equatable {
    /// When the console received the event.
    package let time: Date
    /// The event.
    package let event: WorkflowEvent
}

/// A log that keeps only its newest entries: memory stays flat however long a run is.
package struct BoundedLog<Entry: Sendable>: Sendable {
    /// The most entries kept.
    package let capacity: Int
    private var storage: [Entry] = []
    private var start = 0
    /// Lines dropped so far.
    package private(set) var dropped = 0

    /// An empty log.
    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds an entry, dropping the oldest when full.
    package mutating func append(_ line: Entry) {
        if storage.count < capacity {
            storage.append(line)
        } else {
            storage[start] = line
            start = (start + 1) % capacity
            dropped += 1
        }
    }

    /// The entries, oldest first.
    package var entries: [Entry] {
        Array(storage[start...] + storage[..<start])
    }

    /// The newest `count` entries (or fewer), oldest first, skipping the newest `skip`.
    package func suffix(_ count: Int, skippingNewest skip: Int = 0) -> [Entry] {
        let end = max(0, storage.count - skip)
        let begin = max(0, end - count)
        return (begin..<end).map { storage[(start + $0) % storage.count] }
    }

    /// How many entries are kept.
    package var count: Int { storage.count }
}

extension BoundedLog: Equatable where Entry: Equatable {
    /// Equal when they keep the same entries in the same order and dropped as many.
    package static func == (lhs: BoundedLog, rhs: BoundedLog) -> Bool {
        lhs.capacity == rhs.capacity && lhs.dropped == rhs.dropped && lhs.entries == rhs.entries
    }
}
