/// Places items on a line in a fixed order as close as possible to where each
/// wants to be, keeping a minimum distance between neighbours.
///
/// It minimises `Σ weight[i] * (x[i] - desired[i])²` subject to
/// `x[i + 1] - x[i] >= separation[i]`: shifting each item by the sum of the
/// separations before it turns this into isotonic regression, which the
/// pool-adjacent-violators algorithm solves exactly in linear time.
enum OrderedPlacement {
    static func solve(desired: [Double], weights: [Double], separations: [Double]) -> [Double] {
        let count = desired.count
        guard count > 1 else { return desired }
        var shift = [Double](repeating: 0, count: count)
        for index in 1..<count { shift[index] = shift[index - 1] + separations[index - 1] }
        // Blocks of pooled items: weighted sum, total weight, item count.
        var sums: [Double] = []
        var totals: [Double] = []
        var sizes: [Int] = []
        sums.reserveCapacity(count)
        totals.reserveCapacity(count)
        sizes.reserveCapacity(count)
        for index in 0..<count {
            let weight = max(weights[index], 1e-9)
            sums.append(weight * (desired[index] - shift[index]))
            totals.append(weight)
            sizes.append(1)
            while sums.count > 1 {
                let last = sums.count - 1
                // Pool while the previous block's mean is above the last one's.
                guard sums[last - 1] * totals[last] > sums[last] * totals[last - 1] else { break }
                sums[last - 1] += sums[last]
                totals[last - 1] += totals[last]
                sizes[last - 1] += sizes[last]
                sums.removeLast()
                totals.removeLast()
                sizes.removeLast()
            }
        }
        var result = [Double](repeating: 0, count: count)
        var index = 0
        for block in sums.indices {
            let mean = sums[block] / totals[block]
            for _ in 0..<sizes[block] {
                result[index] = mean + shift[index]
                index += 1
            }
        }
        return result
    }
}
