//! The spike alert's decision: does a brand's count of negative captures in
//! the window exceed its 7-day baseline (scaled to the window's length) by
//! the configured factor? Counts are whole numbers and the comparison is
//! exact integer arithmetic, so a count on the threshold never flips with
//! rounding.

use serde::{Deserialize, Serialize};

use super::config::SpikeRule;
use super::schedule::{SpikeWindow, BASELINE_MS, HOUR_MS};

/// One brand's negative captures in a window and in the 7 days before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrandCounts {
    pub brand: String,
    pub window: u64,
    pub baseline: u64,
}

/// What the rule says about one brand's window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SpikeDecision {
    /// Not above the baseline × factor.
    Quiet,
    /// Above it, but fewer than the rule's minimum: a handful is no spike.
    BelowMinimum,
    /// A spike, but the last alert for this brand was less than the
    /// cool-down ago: no new alert before `until_ms`.
    CoolingDown { until_ms: i64 },
    /// Alert.
    Fire(Spike),
}

/// An alert's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spike {
    pub brand: String,
    pub window: SpikeWindow,
    pub count: u64,
    pub baseline: u64,
    /// The baseline scaled to the window, in hundredths (for display: "1.25").
    pub expected_centi: u64,
    pub factor_percent: u32,
}

/// The baseline's count scaled to a window of `window_ms`, in hundredths.
pub fn expected_centi(baseline: u64, window_ms: i64) -> u64 {
    (baseline as u128 * 100 * window_ms.max(0) as u128 / BASELINE_MS as u128) as u64
}

/// `last_alert_window_end`: the window end of the last alert sent for this
/// brand (the run table keeps it), compared on window ends so two servers
/// agree whatever their ticks' milliseconds.
pub fn decide(rule: &SpikeRule, w: &SpikeWindow, counts: &BrandCounts, last_alert_window_end: Option<i64>) -> SpikeDecision {
    let window_ms = w.window.end_ms - w.window.start_ms;
    // count / window > factor × baseline / 7 days, multiplied out.
    let above = counts.window as u128 * BASELINE_MS as u128 * 100
        > counts.baseline as u128 * window_ms.max(0) as u128 * rule.factor_percent as u128;
    if !above {
        return SpikeDecision::Quiet;
    }
    if counts.window < rule.minimum as u64 {
        return SpikeDecision::BelowMinimum;
    }
    if let Some(last) = last_alert_window_end {
        let until_ms = last + rule.cool_down_hours as i64 * HOUR_MS;
        if w.window.end_ms < until_ms {
            return SpikeDecision::CoolingDown { until_ms };
        }
    }
    SpikeDecision::Fire(Spike {
        brand: counts.brand.clone(),
        window: *w,
        count: counts.window,
        baseline: counts.baseline,
        expected_centi: expected_centi(counts.baseline, window_ms),
        factor_percent: rule.factor_percent,
    })
}

#[cfg(test)]
mod tests {
    use super::super::schedule::spike_window;
    use super::*;

    const T0: i64 = 1_796_000_400_000; // a whole hour

    fn counts(window: u64, baseline: u64) -> BrandCounts {
        BrandCounts { brand: "Acme".into(), window, baseline }
    }

    #[test]
    fn decision_table() {
        // 3-hour window, ×3, at least 5, 12-hour cool-down. A 7-day baseline
        // of 56 is 1 per 3 hours; ×3 is 3, so 4 is above it.
        let rule = SpikeRule { window_hours: 3, factor_percent: 300, minimum: 5, cool_down_hours: 12 };
        let w = spike_window(&rule, T0);
        let fire = |n, b| matches!(decide(&rule, &w, &counts(n, b), None), SpikeDecision::Fire(_));
        let cases: Vec<(&str, u64, u64, Option<i64>, &str)> = vec![
            ("nothing", 0, 0, None, "quiet"),
            ("baseline of zero, one capture: above, below the minimum", 1, 0, None, "below"),
            ("baseline of zero, at the minimum", 5, 0, None, "fire"),
            ("exactly baseline × factor is not above it", 6, 112, None, "quiet"),
            ("one more is", 7, 112, None, "fire"),
            ("above, under the minimum", 4, 56, None, "below"),
            ("a steady brand never alerts", 30, 560, None, "quiet"),
            ("cooling down: last alert 11 hours before this window's end", 9, 0, Some(w.window.end_ms - 11 * HOUR_MS), "cooling"),
            ("the cool-down is over at exactly 12 hours", 9, 0, Some(w.window.end_ms - 12 * HOUR_MS), "fire"),
        ];
        for (name, n, b, last, want) in cases {
            let got = match decide(&rule, &w, &counts(n, b), last) {
                SpikeDecision::Quiet => "quiet",
                SpikeDecision::BelowMinimum => "below",
                SpikeDecision::CoolingDown { until_ms } => {
                    assert_eq!(until_ms, last.unwrap() + 12 * HOUR_MS, "{name}");
                    "cooling"
                }
                SpikeDecision::Fire(s) => {
                    assert_eq!((s.count, s.baseline, s.window), (n, b, w), "{name}");
                    "fire"
                }
            };
            assert_eq!(got, want, "{name}");
        }
        assert!(!fire(6, 112) && fire(7, 112));
    }

    #[test]
    fn a_cool_down_lets_one_alert_through_per_period_as_the_clock_steps() {
        // The window is judged every hour over a day of a steady flood of 20
        // negative captures per window on a zero baseline: with a 12-hour
        // cool-down, alerts go out at hours 0, 12 and 24, no others.
        let rule = SpikeRule { window_hours: 3, factor_percent: 300, minimum: 5, cool_down_hours: 12 };
        let mut last = None;
        let mut fired = vec![];
        for hour in 0..=24 {
            // Any millisecond inside the hour: the judgement is the hour's.
            let now = T0 + hour * HOUR_MS + (hour * 7_919) % HOUR_MS;
            let w = spike_window(&rule, now);
            if let SpikeDecision::Fire(s) = decide(&rule, &w, &counts(20, 0), last) {
                last = Some(s.window.window.end_ms);
                fired.push(hour);
            }
        }
        assert_eq!(fired, vec![0, 12, 24]);
    }

    #[test]
    fn the_expected_count_is_the_baseline_scaled_to_the_window() {
        assert_eq!(expected_centi(56, 3 * HOUR_MS), 100);
        assert_eq!(expected_centi(0, 3 * HOUR_MS), 0);
        assert_eq!(expected_centi(7, 24 * HOUR_MS), 100);
        assert_eq!(expected_centi(10, 24 * HOUR_MS), 142, "rounded down to the hundredth");
    }
}
