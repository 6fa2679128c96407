import Foundation

/// The JSON coders StepFlow uses for checkpoints, results and graphs.
///
/// Dates are ISO 8601 with fractional seconds, keys are sorted so the same value
/// always gives the same bytes, and non-finite numbers are written as strings.
/// The coders are StepFlow's own (``StepFlowJSONEncoder``, ``StepFlowJSONDecoder``):
/// they produce exactly what `JSONEncoder` and `JSONDecoder` configured that way
/// produce, and hand anything unusual to them.
package enum StepFlowJSON {
    /// A compact, sorted-keys encoder.
    package static let encoder = StepFlowJSONEncoder(pretty: false)
    /// An indented, sorted-keys encoder for files people read.
    package static let prettyEncoder = StepFlowJSONEncoder(pretty: true)
    /// A decoder matching ``encoder``.
    package static let decoder = StepFlowJSONDecoder()

    /// Formats a date the way every StepFlow JSON document does.
    package static func formatDate(_ date: Date) -> String {
        JSONTimestamp.format(date) ?? date.formatted(fractionalFormat)
    }

    /// Parses a date written by ``formatDate(_:)`` (or without fractional seconds).
    package static func parseDate(_ text: String) -> Date? {
        if let date = JSONTimestamp.parse(text) { return date }
        return (try? fractionalFormat.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    private static let fractionalFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Foundation's encoder with StepFlow's options: what ``StepFlowJSONEncoder`` matches
    /// and falls back to. (Shared: `JSONEncoder` is `Sendable`, and this one is never
    /// reconfigured.)
    package static func foundationEncoder(pretty: Bool) -> JSONEncoder {
        pretty ? foundationPrettyEncoder : foundationCompactEncoder
    }

    /// Foundation's decoder with StepFlow's options: what ``StepFlowJSONDecoder`` matches
    /// and falls back to.
    package static let foundationDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = parseDate(text) { return date }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an ISO 8601 date")
        }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }()

    private static let foundationCompactEncoder = makeFoundationEncoder(pretty: false)
    private static let foundationPrettyEncoder = makeFoundationEncoder(pretty: true)

    private static func makeFoundationEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty
            ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatDate(date))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }
}
