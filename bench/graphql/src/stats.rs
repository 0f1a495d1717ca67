//! Latency percentiles by the nearest-rank method.

/// The value at percentile `p` (0 < p ≤ 100) of `sorted` (ascending): the
/// smallest value with at least `p` % of the values at or below it. `None`
/// for an empty slice.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    // ceil(p/100 · n) as a 1-based rank, clamped to 1..=n.
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

/// Percentiles of a set of latencies, microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub count: usize,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Summary {
    /// Sorts `latencies` and summarises them.
    pub fn of(latencies: &mut [u64]) -> Self {
        latencies.sort_unstable();
        let at = |p| percentile(latencies, p).unwrap_or(0);
        let sum: u128 = latencies.iter().map(|&v| u128::from(v)).sum();
        Self {
            count: latencies.len(),
            mean_us: if latencies.is_empty() {
                0.0
            } else {
                sum as f64 / latencies.len() as f64
            },
            p50_us: at(50.0),
            p90_us: at(90.0),
            p99_us: at(99.0),
            max_us: latencies.last().copied().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_on_one_to_hundred() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&v, 99.5), Some(100));
        assert_eq!(percentile(&v, 100.0), Some(100));
        assert_eq!(percentile(&v, 0.1), Some(1));
    }

    #[test]
    fn small_and_empty_sets() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7], 99.0), Some(7));
        // 4 values: p50 is the 2nd, p99 the 4th (not an interpolation).
        assert_eq!(percentile(&[10, 20, 30, 40], 50.0), Some(20));
        assert_eq!(percentile(&[10, 20, 30, 40], 51.0), Some(30));
        assert_eq!(percentile(&[10, 20, 30, 40], 99.0), Some(40));
    }

    #[test]
    fn summary_sorts_first() {
        let mut v = vec![5, 1, 4, 2, 3];
        let s = Summary::of(&mut v);
        assert_eq!((s.count, s.p50_us, s.max_us), (5, 3, 5));
        assert!((s.mean_us - 3.0).abs() < 1e-9);
        assert_eq!(Summary::of(&mut []), Summary::default());
    }
}
