import Foundation
import Testing

@testable import StepFlowTUI

/// Sends messages through ``ConsoleUpdate`` and fails on anything the test did
/// not state, as TCA's exhaustive `TestStore` does: the model after the message
/// must equal the model before it with the stated changes applied, and the
/// commands returned must be exactly the ones stated (none, unless said).
///
/// ```swift
/// var store = ConsoleTestStore(exampleModel())
/// store.send(.key(.down)) { $0.catalogSelection = 1 }
/// store.send(.key("q"), commands: [.quit]) { $0.quitting = true }
/// ```
struct ConsoleTestStore {
    /// The model after the last message.
    private(set) var model: ConsoleModel

    init(_ model: ConsoleModel) {
        self.model = model
    }

    /// Sends `message`; `change` states every change it makes to the model, and `commands` every command it returns.
    ///
    /// A difference is reported field by field.
    mutating func send(
        _ message: ConsoleMessage, commands expected: [ConsoleCommand] = [],
        sourceLocation: SourceLocation = #_sourceLocation,
        _ change: (inout ConsoleModel) -> Void = { _ in }
    ) {
        var expectedModel = model
        change(&expectedModel)
        let commands = ConsoleUpdate.update(&model, message)
        if model != expectedModel {
            let differences = ModelDiff.differences(expected: expectedModel, actual: model)
            Issue.record(
                Comment(
                    rawValue: "\(message) left the model other than stated:\n"
                        + (differences.isEmpty
                            ? "(no field-level difference found)" : differences.joined(separator: "\n"))),
                sourceLocation: sourceLocation)
        }
        if commands != expected {
            Issue.record(
                Comment(rawValue: "\(message) returned \(commands), expected \(expected)"),
                sourceLocation: sourceLocation)
        }
    }
}

/// A readable field-by-field difference of two values, through reflection:
/// `runs[0].steps[1].status: expected running, got paused`.
enum ModelDiff {
    static func differences(expected: Any, actual: Any, path: String = "model") -> [String] {
        let left = Mirror(reflecting: expected)
        let right = Mirror(reflecting: actual)
        if let leftDate = expected as? Date, let rightDate = actual as? Date {
            return leftDate == rightDate
                ? [] : [leaf(path, leftDate.timeIntervalSince1970, rightDate.timeIntervalSince1970)]
        }
        switch (left.displayStyle, right.displayStyle) {
        case (.struct, .struct), (.class, .class), (.tuple, .tuple):
            let rightChildren = Array(right.children)
            var found: [String] = []
            for (index, child) in left.children.enumerated() where index < rightChildren.count {
                let name = child.label.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 } ?? "\(index)"
                found += differences(expected: child.value, actual: rightChildren[index].value, path: "\(path).\(name)")
            }
            return found
        case (.collection, .collection):
            let leftItems = left.children.map(\.value)
            let rightItems = right.children.map(\.value)
            var found: [String] = []
            for index in 0..<max(leftItems.count, rightItems.count) {
                let item = "\(path)[\(index)]"
                if index >= leftItems.count {
                    found.append("\(item): not expected, got \(describe(rightItems[index]))")
                } else if index >= rightItems.count {
                    found.append("\(item): expected \(describe(leftItems[index])), missing")
                } else {
                    found += differences(expected: leftItems[index], actual: rightItems[index], path: item)
                }
            }
            return found
        case (.dictionary, .dictionary), (.set, .set):
            // Equal dictionaries and sets can list their members in different orders.
            let leftItems = members(left)
            let rightItems = members(right)
            return Set(leftItems.keys).union(rightItems.keys).sorted().flatMap { key -> [String] in
                let item = "\(path)[\(key)]"
                switch (leftItems[key], rightItems[key]) {
                case (let leftValue?, let rightValue?):
                    return differences(expected: leftValue, actual: rightValue, path: item)
                case (let leftValue?, nil): return ["\(item): expected \(describe(leftValue)), missing"]
                case (nil, let rightValue?): return ["\(item): not expected, got \(describe(rightValue))"]
                case (nil, nil): return []
                }
            }
        case (.optional, .optional):
            if let leftValue = left.children.first?.value, let rightValue = right.children.first?.value {
                return differences(expected: leftValue, actual: rightValue, path: path)
            }
        case (.enum, .enum):
            if let leftCase = left.children.first, let rightCase = right.children.first,
                leftCase.label == rightCase.label
            {
                return differences(
                    expected: leftCase.value, actual: rightCase.value, path: "\(path)(\(leftCase.label ?? ""))")
            }
        default:
            break
        }
        let leftText = describe(expected)
        let rightText = describe(actual)
        return leftText == rightText ? [] : [leaf(path, leftText, rightText)]
    }

    /// A dictionary's values (or a set's members) by the description of their key.
    private static func members(_ mirror: Mirror) -> [String: Any] {
        var found: [String: Any] = [:]
        for child in mirror.children {
            let pair = Array(Mirror(reflecting: child.value).children)
            if mirror.displayStyle == .dictionary, pair.count == 2 {
                found[describe(pair[0].value)] = pair[1].value
            } else {
                found[describe(child.value)] = child.value
            }
        }
        return found
    }

    private static func leaf(_ path: String, _ expected: Any, _ actual: Any) -> String {
        "\(path): expected \(expected), got \(actual)"
    }

    private static func describe(_ value: Any) -> String {
        String(reflecting: value)
    }
}
