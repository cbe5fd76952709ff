//! Chart.js configurations for the dashboard's five charts.
//!
//! The numbers come from `log::stats`; this module only decides how they are
//! drawn (chart type, labels in the user's language, one fixed colour per
//! sentiment and status so a colour means the same thing in every chart)
//! and returns plain JSON that the page hands to `new Chart(canvas, config)`.

use serde_json::{json, Value};

use super::i18n::{sentiment_label, status_label, Lang, Text};
use super::view::{sentiment_from_str, status_from_str};
use crate::log::stats::DailySeries;
use crate::log::{Sentiment, Status};

/// Bars in a "by brand/department/site" chart; the rest are summed as "Other".
pub const MAX_BARS: usize = 12;

const PALETTE: [&str; 10] = ["#4263eb", "#f08c00", "#2f9e44", "#e03131", "#7048e8", "#1098ad", "#d6336c", "#5c940d", "#868e96", "#ae3ec9"];

pub fn sentiment_color(s: Sentiment) -> &'static str {
    match s {
        Sentiment::Positive => "#2f9e44",
        Sentiment::Neutral => "#868e96",
        Sentiment::Negative => "#e03131",
        Sentiment::Question => "#1c7ed6",
    }
}

pub fn status_color(s: Status) -> &'static str {
    match s {
        Status::New => "#adb5bd",
        Status::NeedsResponse => "#f08c00",
        Status::Responded => "#2f9e44",
        Status::Escalated => "#e03131",
        Status::Closed => "#495057",
    }
}

/// Which chart: each has a canvas id in `www/index.html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    SentimentPerDay,
    ByBrand,
    ByDepartment,
    BySite,
    StatusOverTime,
}

impl ChartKind {
    pub const ALL: [ChartKind; 5] =
        [ChartKind::SentimentPerDay, ChartKind::ByBrand, ChartKind::ByDepartment, ChartKind::BySite, ChartKind::StatusOverTime];

    pub fn canvas_id(self) -> &'static str {
        match self {
            ChartKind::SentimentPerDay => "chart-sentiment",
            ChartKind::ByBrand => "chart-brand",
            ChartKind::ByDepartment => "chart-department",
            ChartKind::BySite => "chart-site",
            ChartKind::StatusOverTime => "chart-status",
        }
    }

    pub fn title(self) -> Text {
        match self {
            ChartKind::SentimentPerDay => Text::ChartSentimentPerDay,
            ChartKind::ByBrand => Text::ChartByBrand,
            ChartKind::ByDepartment => Text::ChartByDepartment,
            ChartKind::BySite => Text::ChartBySite,
            ChartKind::StatusOverTime => Text::ChartStatusOverTime,
        }
    }
}

/// Stacked bars per day, one dataset per series. `day_labels` are the
/// series' days already formatted for the user (the page uses `Intl`).
fn per_day(series: &DailySeries, day_labels: &[String], lang: Lang, title: Text, label: impl Fn(&str) -> (String, String)) -> Value {
    let datasets: Vec<Value> = series
        .series
        .iter()
        .map(|s| {
            let (name, color) = label(&s.key);
            json!({"label": name, "data": s.counts, "backgroundColor": color, "borderColor": color, "stack": "day"})
        })
        .collect();
    json!({
        "type": "bar",
        "data": {"labels": day_labels, "datasets": datasets},
        "options": base_options(lang, title, json!({
            "x": {"stacked": true},
            "y": {"stacked": true, "beginAtZero": true, "ticks": {"precision": 0}, "title": {"display": true, "text": Text::Mentions.get(lang)}}
        }), true)
    })
}

/// Horizontal bars of totals, largest first, capped at [`MAX_BARS`].
fn totals(series: &DailySeries, lang: Lang, title: Text, empty: Text, name: impl Fn(&str) -> String) -> Value {
    let mut rows: Vec<(String, u32)> = series
        .series
        .iter()
        .filter(|s| s.total > 0)
        .map(|s| (if s.key.is_empty() { empty.get(lang).to_string() } else { name(&s.key) }, s.total))
        .collect();
    if rows.len() > MAX_BARS {
        let rest: u32 = rows[MAX_BARS - 1..].iter().map(|r| r.1).sum();
        rows.truncate(MAX_BARS - 1);
        rows.push((Text::Other.get(lang).to_string(), rest));
    }
    let colors: Vec<&str> = (0..rows.len()).map(|i| PALETTE[i % PALETTE.len()]).collect();
    let mut options = base_options_map(lang, title, json!({"x": {"beginAtZero": true, "ticks": {"precision": 0}}}), false);
    options.insert("indexAxis".into(), json!("y"));
    json!({
        "type": "bar",
        "data": {
            "labels": rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            "datasets": [{"label": Text::Mentions.get(lang), "data": rows.iter().map(|r| r.1).collect::<Vec<_>>(), "backgroundColor": colors}]
        },
        "options": options
    })
}

fn base_options(lang: Lang, title: Text, scales: Value, legend: bool) -> Value {
    Value::Object(base_options_map(lang, title, scales, legend))
}

fn base_options_map(lang: Lang, title: Text, scales: Value, legend: bool) -> serde_json::Map<String, Value> {
    // No animation: redraws follow every keystroke in the search box.
    let v = json!({
        "responsive": true,
        "maintainAspectRatio": false,
        "animation": false,
        "locale": lang.tag(),
        "scales": scales,
        "plugins": {"title": {"display": true, "text": title.get(lang)}, "legend": {"display": legend}}
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// The Chart.js config for one chart.
pub fn chart_config(kind: ChartKind, series: &DailySeries, day_labels: &[String], lang: Lang) -> Value {
    match kind {
        ChartKind::SentimentPerDay => per_day(series, day_labels, lang, kind.title(), |k| match sentiment_from_str(k) {
            Some(s) => (sentiment_label(lang, s).to_string(), sentiment_color(s).to_string()),
            None => (k.to_string(), PALETTE[8].to_string()),
        }),
        ChartKind::StatusOverTime => per_day(series, day_labels, lang, kind.title(), |k| match status_from_str(k) {
            Some(s) => (status_label(lang, s).to_string(), status_color(s).to_string()),
            None => (k.to_string(), PALETTE[8].to_string()),
        }),
        ChartKind::ByBrand => totals(series, lang, kind.title(), Text::NoBrand, str::to_string),
        // A default department in the viewer's language, any other as stored.
        ChartKind::ByDepartment => totals(series, lang, kind.title(), Text::NoDepartment, |k| super::i18n::department_label(lang, k)),
        ChartKind::BySite => totals(series, lang, kind.title(), Text::NoSite, str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::stats::Series;

    fn series(days: usize, rows: &[(&str, u32)]) -> DailySeries {
        DailySeries {
            days: (0..days).map(|d| format!("2024-05-{:02}", d + 1)).collect(),
            series: rows
                .iter()
                .map(|(k, t)| {
                    let mut counts = vec![0; days];
                    counts[0] = *t;
                    Series { key: k.to_string(), total: *t, counts }
                })
                .collect(),
        }
    }

    #[test]
    fn per_day_charts_stack_one_coloured_dataset_per_value_in_the_users_language() {
        let s = series(2, &[("negative", 3), ("positive", 1), ("neutral", 0), ("question", 0)]);
        let labels = vec!["1 may".to_string(), "2 may".to_string()];
        let c = chart_config(ChartKind::SentimentPerDay, &s, &labels, Lang::Es);
        assert_eq!(c["type"], "bar");
        assert_eq!(c["data"]["labels"], json!(["1 may", "2 may"]));
        let ds = c["data"]["datasets"].as_array().unwrap();
        assert_eq!(ds.len(), 4);
        assert_eq!(ds[0]["label"], "Negativo");
        assert_eq!(ds[0]["backgroundColor"], sentiment_color(Sentiment::Negative));
        assert_eq!(ds[0]["data"], json!([3, 0]));
        assert_eq!(c["options"]["scales"]["y"]["stacked"], true);
        assert_eq!(c["options"]["plugins"]["title"]["text"], "Menciones por día según sentimiento");
        let st = chart_config(ChartKind::StatusOverTime, &series(1, &[("responded", 2)]), &["x".into()], Lang::En);
        assert_eq!(st["data"]["datasets"][0]["label"], "Responded");
        assert_eq!(st["data"]["datasets"][0]["backgroundColor"], status_color(Status::Responded));
    }

    #[test]
    fn default_departments_are_named_in_the_viewers_language() {
        let s = series(1, &[("Customer Service", 2), ("Prensa local", 1)]);
        let c = chart_config(ChartKind::ByDepartment, &s, &["x".into()], Lang::Es);
        let want = super::super::i18n::department_label(Lang::Es, "Customer Service");
        assert_ne!(want, "Customer Service", "the table has a Spanish name");
        assert_eq!(c["data"]["labels"], json!([want, "Prensa local"]), "a typed department stays as stored");
    }

    #[test]
    fn totals_charts_name_empty_keys_and_fold_the_tail_into_other() {
        let rows: Vec<(String, u32)> = (0..15).map(|i| (format!("site{i}"), 20 - i)).collect();
        let mut refs: Vec<(&str, u32)> = rows.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        refs.insert(0, ("", 30));
        let c = chart_config(ChartKind::BySite, &series(1, &refs), &[], Lang::En);
        let labels = c["data"]["labels"].as_array().unwrap();
        assert_eq!(labels.len(), MAX_BARS);
        assert_eq!(labels[0], "(unknown site)");
        assert_eq!(labels[MAX_BARS - 1], "Other");
        let data: Vec<u64> = c["data"]["datasets"][0]["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        let total: u64 = 30 + (0..15).map(|i| 20 - i).sum::<u64>();
        assert_eq!(data.iter().sum::<u64>(), total, "nothing lost in Other");
        assert_eq!(c["options"]["indexAxis"], "y");
        let d = chart_config(ChartKind::ByDepartment, &series(1, &[("", 1), ("Soporte", 0)]), &[], Lang::Es);
        assert_eq!(d["data"]["labels"], json!(["Sin departamento"]), "zero rows dropped");
    }

    #[test]
    fn every_chart_has_a_distinct_canvas() {
        let ids: std::collections::HashSet<_> = ChartKind::ALL.iter().map(|k| k.canvas_id()).collect();
        assert_eq!(ids.len(), ChartKind::ALL.len());
    }
}
