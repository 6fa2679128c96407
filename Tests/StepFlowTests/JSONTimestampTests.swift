import Foundation
import StepFlowTestSupport
import Testing

@testable import StepFlow

// StepFlow writes and reads its timestamps without Foundation's ISO 8601
// formatter for the years 1583...9999. These checks run both on the same dates
// and require the same text and bit-identical dates.

private let foundationFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

/// Dates across the fast range and around its edges: random instants, whole
/// milliseconds and microseconds, before 1970, far in the future.
private func sampleDates() -> [Date] {
    var rng = SeededGenerator(seed: 8601)
    var dates: [Date] = []
    let firstFast = -13_190_860_800.0  // 1583-01-01, since 2001
    let endOfFast = 252_423_993_600.0  // 10000-01-01, since 2001
    for _ in 0..<20_000 {
        dates.append(Date(timeIntervalSinceReferenceDate: Double.random(in: firstFast..<endOfFast, using: &rng)))
        let recent = Double.random(in: -3e9...3e9, using: &rng)
        dates.append(Date(timeIntervalSince1970: (recent * 1000).rounded() / 1000))
        dates.append(Date(timeIntervalSince1970: (recent * 1_000_000).rounded() / 1_000_000))
        dates.append(Date(timeIntervalSinceReferenceDate: (recent * 1000).rounded() / 1000))
    }
    let edges: [Double] = [
        0, -0.0, -0.0005, -0.001, -1.5, 1e-9, -1e-9, 0.999_999_9, -978_307_200, -978_307_200.001,
        firstFast, firstFast + 0.001, firstFast - 0.001, endOfFast - 0.001, endOfFast - 1e-6, endOfFast,
        -62_135_596_800, 1e12, -1e12,
    ]
    dates += edges.map(Date.init(timeIntervalSinceReferenceDate:))
    dates += [Date.distantPast, Date.distantFuture, Date(timeIntervalSince1970: 1_700_000_000.123)]
    return dates
}

@Suite("JSON timestamps")
struct JSONTimestampTests {
    @Test("dates format to the text ISO8601FormatStyle(includingFractionalSeconds: true) writes")
    func formatsLikeFoundation() {
        var fast = 0
        for date in sampleDates() {
            let expected = date.formatted(foundationFormat)
            #expect(StepFlowJSON.formatDate(date) == expected, "\(date.timeIntervalSinceReferenceDate)")
            if let text = JSONTimestamp.format(date) {
                fast += 1
                #expect(text == expected, "\(date.timeIntervalSinceReferenceDate)")
            }
        }
        #expect(fast > 80_000, "the fast path formats the dates it covers")
    }

    @Test("written timestamps read back to the dates Foundation's parser gives, bit for bit")
    func parsesLikeFoundation() throws {
        var fast = 0
        for date in sampleDates() {
            let text = date.formatted(foundationFormat)
            let expected = try? foundationFormat.parse(text)
            #expect(
                StepFlowJSON.parseDate(text)?.timeIntervalSinceReferenceDate.bitPattern
                    == expected?.timeIntervalSinceReferenceDate.bitPattern, "\(text)")
            if let parsed = JSONTimestamp.parse(text) {
                fast += 1
                #expect(
                    parsed.timeIntervalSinceReferenceDate.bitPattern
                        == expected?.timeIntervalSinceReferenceDate.bitPattern, "\(text)")
            }
        }
        #expect(fast > 80_000, "the fast path reads the timestamps it writes")
    }

    @Test("a date read back is the written millisecond: never later, less than a millisecond earlier")
    func roundTrip() throws {
        for date in sampleDates() where JSONTimestamp.format(date) != nil {
            let back = try #require(StepFlowJSON.parseDate(StepFlowJSON.formatDate(date)))
            let lag = date.timeIntervalSince(back)
            // Milliseconds are truncated, and at these magnitudes a Date is a binary
            // fraction: .123 may be stored as .12299999 and written as .122.
            #expect(lag >= -1e-6 && lag < 0.002, "\(date.timeIntervalSinceReferenceDate): \(lag)")
        }
    }

    @Test("other spellings are left to Foundation's parser")
    func otherSpellings() {
        for text in [
            "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00.123456Z", "2024-01-01T00:00:00.000z",
            "2024-01-01T00:00:00.000+01:00", "1500-06-01T00:00:00.000Z", "2023-02-29T00:00:00.000Z",
            "2024-13-01T00:00:00.000Z", "2024-01-01T24:00:00.000Z", "2024-01-01 00:00:00.000Z", "yesterday", "",
        ] {
            #expect(JSONTimestamp.parse(text) == nil, "\(text)")
            let expected = (try? foundationFormat.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
            #expect(StepFlowJSON.parseDate(text) == expected, "\(text)")
        }
    }
}
