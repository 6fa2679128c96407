import Foundation

/// StepFlow's JSON timestamps, `YYYY-MM-DDTHH:MM:SS.sssZ` in UTC, written and read
/// without `Date.ISO8601FormatStyle` for the years 1583 through 9999.
///
/// The arithmetic is the one swift-corelibs Foundation 6.3 uses, step for step
/// (the whole second is `floor` of the seconds since 2001; milliseconds are the
/// nanoseconds `Int((t - floor(t)) * 1e9)` truncated; parsing adds hours,
/// minutes, seconds and nanoseconds as `Double`s in that order), so the text and
/// the `Date` are bit for bit the formatter's; `JSONTimestampTests` checks that
/// against `ISO8601FormatStyle` itself. Outside those years Foundation's
/// calendar switches to the Julian calendar and to five-digit years, so
/// ``format(_:)`` and ``parse(_:)`` return `nil` there and the caller uses the
/// formatter.
enum JSONTimestamp {
    /// Seconds from 2001-01-01T00:00:00Z to 1583-01-01T00:00:00Z.
    private static let firstFastSecond: Double = -13_190_860_800
    /// Seconds from 2001-01-01T00:00:00Z to 10000-01-01T00:00:00Z.
    private static let endOfFastSeconds: Double = 252_423_993_600
    /// Days from 0000-03-01 (the start of the proleptic Gregorian era used below) to 2001-01-01.
    private static let daysFromEraStartTo2001 = 730_791

    /// The length of every timestamp this type writes.
    static let length = 24

    /// The timestamp's bytes, or `nil` when the date is outside 1583...9999 (or not finite).
    static func format(_ date: Date) -> String? {
        var text: String?
        withBytes(date) { bytes in text = String(decoding: bytes, as: UTF8.self) }
        return text
    }

    /// Calls `body` with the timestamp's bytes; `false` (and no call) when the date is
    /// outside 1583...9999.
    @discardableResult
    static func withBytes(_ date: Date, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        let t = date.timeIntervalSinceReferenceDate
        guard t >= firstFastSecond, t < endOfFastSeconds else { return false }
        let whole = t.rounded(.down)
        let milliseconds = Int((t - whole) * 1_000_000_000) / 1_000_000
        let (days, secondOfDay) = Int(whole).quotientAndRemainder(dividingBy: 86_400)
        // `whole` may be negative: floor the division.
        let (day, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, dayOfMonth) = civilDate(daysSince2001: day)
        let hour = second / 3600
        let minute = second % 3600 / 60

        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
            func put(_ value: Int, at offset: Int, digits: Int) {
                var value = value
                for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
                    value /= 10
                }
            }
            put(year, at: 0, digits: 4)
            buffer[4] = UInt8(ascii: "-")
            put(month, at: 5, digits: 2)
            buffer[7] = UInt8(ascii: "-")
            put(dayOfMonth, at: 8, digits: 2)
            buffer[10] = UInt8(ascii: "T")
            put(hour, at: 11, digits: 2)
            buffer[13] = UInt8(ascii: ":")
            put(minute, at: 14, digits: 2)
            buffer[16] = UInt8(ascii: ":")
            put(second % 60, at: 17, digits: 2)
            buffer[19] = UInt8(ascii: ".")
            put(milliseconds, at: 20, digits: 3)
            buffer[23] = UInt8(ascii: "Z")
            body(UnsafeBufferPointer(buffer))
            return true
        }
    }

    /// Reads a timestamp of exactly the shape ``format(_:)`` writes, for the years
    /// 1583...9999 and valid field values; `nil` for anything else.
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    /// ``parse(_:)`` on the timestamp's UTF-8 bytes.
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count == length, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ offset: Int, _ digits: Int) -> Int? {
            var value = 0
            for index in offset..<offset + digits {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            let milliseconds = number(20, 3),
            (1583...9999).contains(year), (1...12).contains(month),
            (1...daysInMonth(month, year: year)).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }

        // Foundation's order of operations, so the sum rounds the same way.
        var secondsInDay = 0.0
        secondsInDay += Double(hour) * 3600.0
        secondsInDay += Double(minute) * 60.0
        secondsInDay += Double(second)
        secondsInDay += Double(milliseconds * 1_000_000) / Double(1_000_000_000)
        let dayStart = Double(daysSince2001(year: year, month: month, day: day) * 86_400)
        return Date(timeIntervalSinceReferenceDate: dayStart + secondsInDay)
    }

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // The two conversions below count in 400-year eras starting on 1 March, so
    // the leap day is the last day of its year (Hinnant's days-from-civil).

    private static func daysSince2001(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400  // y >= 1582: no negative division
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - daysFromEraStartTo2001
    }

    private static func civilDate(daysSince2001 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + daysFromEraStartTo2001  // > 0 for every date from 1583 on
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
