import Foundation

/// The JSON coders StepFlow uses for checkpoints, results and graphs.
///
/// Dates are ISO 8601 with fractional seconds, keys are sorted so the same value
/// always gives the same bytes, and non-finite numbers are written as strings.
package enum StepFlowJSON {
    /// A compact, sorted-keys encoder.
    package static var encoder: JSONEncoder { makeEncoder(pretty: false) }
    /// An indented, sorted-keys encoder for files people read.
    package static var prettyEncoder: JSONEncoder { makeEncoder(pretty: true) }

    /// A decoder matching ``encoder``.
    package static var decoder: JSONDecoder {
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
    }

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

    private static func makeEncoder(pretty: Bool) -> JSONEncoder {
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
