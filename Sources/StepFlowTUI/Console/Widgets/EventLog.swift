import Foundation
import StepFlow

/// The run's newest events, one line each: the time of day it arrived (UTC, as
/// in the logs) and the event's own fields, written from the event itself.
///
/// Values are quoted and sanitised as in `stepflow-tui run` lines, so text that
/// looks like a field (`run=x` in an error message) is shown whole.
struct EventLog: Widget {
    let run: RunView
    let focused: Bool
    let theme: Theme

    func draw(into grid: inout CellGrid, area: Rect) {
        grid.box(area, title: "Events", style: theme.border(focused: focused), ascii: theme.ascii)
        let inner = area.inset(by: 1)
        // Only the visible entries are written out, so a long run costs nothing extra per frame.
        let entries = run.log.suffix(inner.height, skippingNewest: run.scroll[.log] ?? 0)
        TextLines(lines: entries.map { TextLines.Line(Self.text(of: $0)) }).draw(into: &grid, area: inner)
    }

    /// One entry's line.
    ///
    /// The run id is left out: the header shows it.
    static func text(of entry: LogEntry) -> String {
        let fields = EventLine.fields(of: entry.event).filter { $0.key != "run" }
        return ([timeOfDay(entry.time)] + fields.map { "\($0.key)=\(EventLine.quoted($0.value))" }).joined(
            separator: " ")
    }

    /// `HH:MM:SS` in UTC.
    static func timeOfDay(_ time: Date) -> String {
        let seconds = Int(time.timeIntervalSince1970.rounded(.down))
        let second = ((seconds % 86_400) + 86_400) % 86_400
        return [second / 3600, second / 60 % 60, second % 60]
            .map { $0 < 10 ? "0\($0)" : String($0) }.joined(separator: ":")
    }
}
