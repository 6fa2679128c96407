/// Track assignment within one gap (see ``EdgeRouting``), with scratch space
/// reused from gap to gap.
struct GapRouter {
    private var successor: [Int: Int] = [:]
    private var predecessor: [Int: Int] = [:]
    private var rows: [[(Int, Int)]] = []

    /// Routes the gap's segments; returns the number of dogleg rows and track rows.
    mutating func route(
        _ members: [Int], exit: [Int], entry: [Int], exitAt: inout [Int32], used: inout [Bool], width: inout Int,
        trackRow: inout [Int], jogRow: inout [Int], jogColumn: inout [Int]
    ) -> (Int, Int) {
        successor.removeAll(keepingCapacity: true)
        predecessor.removeAll(keepingCapacity: true)
        var bent: [Int] = []
        for segment in members where exit[segment] != entry[segment] {
            bent.append(segment)
            exitAt[exit[segment]] = Int32(segment)
        }
        for segment in members {
            used[exit[segment]] = true
            used[entry[segment]] = true
        }
        // A bent segment leaving where another arrives must turn first.
        for segment in bent {
            let leaving = Int(exitAt[entry[segment]])
            if leaving >= 0 && leaving != segment {
                successor[leaving] = segment
                predecessor[segment] = leaving
            }
        }
        // Constraints form chains and cycles; a dogleg breaks each cycle.
        var visited = Set<Int>()
        for segment in bent where predecessor[segment] == nil {
            var current: Int? = segment
            while let c = current, visited.insert(c).inserted { current = successor[c] }
        }
        var doglegs: [Int] = []
        for segment in bent where !visited.contains(segment) {
            // The smallest segment on the cycle takes the dogleg.
            var chosen = segment
            var current = segment
            while visited.insert(current).inserted {
                chosen = min(chosen, current)
                guard let next = successor[current] else {
                    preconditionFailure("a bent segment no chain reaches lies on a cycle, so it has a successor")
                }
                current = next
            }
            if let next = successor[chosen] { predecessor[next] = nil }
            successor[chosen] = nil
            doglegs.append(chosen)
        }
        for segment in doglegs {
            let column = freeColumn(from: exit[segment], toward: entry[segment], used: &used, width: &width)
            jogColumn[segment] = column
        }

        // Dogleg rows first, then tracks in preference order under the chain rules.
        rows.removeAll(keepingCapacity: true)
        for segment in doglegs.sorted(by: { exit[$0] < exit[$1] }) {
            jogRow[segment] = place(span: (exit[segment], jogColumn[segment]), notBefore: 0)
        }
        let jogs = rows.count
        rows.removeAll(keepingCapacity: true)
        // A track starts at the segment's dogleg, if it has one, else where it leaves.
        let start = { [jogColumn] (segment: Int) -> Int in
            jogColumn[segment] >= 0 ? jogColumn[segment] : exit[segment]
        }
        // Rightward edges first, rightmost start first; then leftward, leftmost start first.
        let ranked = bent.sorted { a, b in
            let (ra, rb) = (entry[a] > start(a), entry[b] > start(b))
            if ra != rb { return ra }
            return ra ? start(a) > start(b) : start(a) < start(b)
        }
        var rank: [Int: Int] = [:]
        for (index, segment) in ranked.enumerated() { rank[segment] = index }
        // Chains link bent segments only, and every bent segment is ranked.
        func rankOf(_ segment: Int) -> Int {
            guard let index = rank[segment] else { preconditionFailure("segment \(segment) is not bent") }
            return index
        }
        var heap = MinHeap()
        for segment in bent where predecessor[segment] == nil { heap.push(rankOf(segment)) }
        while let next = heap.pop() {
            let segment = ranked[next]
            let floor = predecessor[segment].map { trackRow[$0] + 1 } ?? 0
            trackRow[segment] = place(span: (start(segment), entry[segment]), notBefore: floor)
            if let follower = successor[segment] { heap.push(rankOf(follower)) }
        }
        let tracks = rows.count

        for segment in members {
            exitAt[exit[segment]] = -1
            used[exit[segment]] = false
            used[entry[segment]] = false
            if jogColumn[segment] >= 0 && jogColumn[segment] < used.count { used[jogColumn[segment]] = false }
        }
        return (jogs, tracks)
    }

    /// The first row at or after `notBefore` where the span fits with a blank column either side.
    private mutating func place(span: (Int, Int), notBefore: Int) -> Int {
        let low = min(span.0, span.1)
        let high = max(span.0, span.1)
        var row = notBefore
        while row < rows.count {
            if rows[row].allSatisfy({ high + 1 < $0.0 || $0.1 + 1 < low }) {
                rows[row].append((low, high))
                return row
            }
            row += 1
        }
        while rows.count < row { rows.append([]) }
        rows.append([(low, high)])
        return row
    }

    /// A column with no vertical line in this gap, nearest `start` towards `target`.
    private func freeColumn(from start: Int, toward target: Int, used: inout [Bool], width: inout Int) -> Int {
        let step = target >= start ? 1 : -1
        func take(_ candidate: Int) -> Bool {
            guard candidate >= 0, candidate < used.count, !used[candidate] else { return false }
            used[candidate] = true
            width = max(width, candidate + 1)
            return true
        }
        // Between the two ends first, then ever further out on either side.
        var column = start + step
        while column != target {
            if take(column) { return column }
            column += step
        }
        for distance in 1...max(1, used.count) {
            if take(target + step * distance) { return target + step * distance }
            if take(start - step * distance) { return start - step * distance }
        }
        // Every column is taken: use a new one right of everything.
        let outside = max(width, used.count)
        width = outside + 1
        return outside
    }
}

/// A small binary min-heap of integers.
private struct MinHeap {
    private var items: [Int] = []

    mutating func push(_ value: Int) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count && items[left] < items[smallest] { smallest = left }
                if right < items.count && items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
