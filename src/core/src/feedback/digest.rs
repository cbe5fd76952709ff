//! The weekly digest of one department, as data: how many captures it got
//! by sentiment and by brand this week against the week before, its open
//! items, the overdue ones among them, and the week's most negative
//! comments with their links. The server fills [`DigestInput`] from its
//! queries; [`build`] orders, trims and compares, so the rules are tested
//! here without a database.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::schedule::DigestSlot;
use crate::log::{Capture, Priority, Sentiment, Status};

/// Items listed per section; the counts say how many there are in all.
pub const LISTED: usize = 10;
/// Most negative comments listed.
pub const MOST_NEGATIVE: usize = 5;
/// Characters of a comment quoted in a message.
pub const EXCERPT_CHARS: usize = 280;

/// Whether a capture still wants something from its department.
pub fn is_open(status: Status) -> bool {
    matches!(status, Status::New | Status::NeedsResponse | Status::Escalated)
}

/// The statuses [`is_open`] accepts (what the server filters on).
pub fn open_statuses() -> Vec<Status> {
    Status::ALL.into_iter().filter(|s| is_open(*s)).collect()
}

/// One capture as a message lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestItem {
    pub id: String,
    pub created_ms: i64,
    pub brand: String,
    pub site: String,
    pub author: Option<String>,
    /// The comment, cut at [`EXCERPT_CHARS`] characters (with "…").
    pub excerpt: String,
    /// The comment's permalink or its page, only when it is http(s).
    pub link: Option<String>,
    pub sentiment: Sentiment,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<String>,
    /// When it was due, for overdue items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_ms: Option<i64>,
}

/// A link a message may carry: http(s) only, never `javascript:` and the like.
pub fn safe_link(url: &str) -> Option<String> {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    ((lower.starts_with("https://") || lower.starts_with("http://")) && u.len() > 8 && !u.chars().any(char::is_control))
        .then(|| u.to_string())
}

/// The first `n` characters of `text` with white space runs made one space.
pub fn excerpt(text: &str, n: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= n {
        flat
    } else {
        let cut: String = flat.chars().take(n.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

impl DigestItem {
    pub fn of(c: &Capture) -> DigestItem {
        let ctx = &c.context.value;
        DigestItem {
            id: c.id.clone(),
            created_ms: c.created_ms,
            brand: ctx.brand.clone(),
            site: ctx.site.clone(),
            author: ctx.author_name.clone().filter(|a| !a.trim().is_empty()),
            excerpt: excerpt(&ctx.comment_text, EXCERPT_CHARS),
            link: ctx.permalink.as_deref().and_then(safe_link).or_else(|| safe_link(&ctx.page_url)),
            sentiment: c.sentiment.value,
            status: c.status.value,
            priority: c.priority.value,
            assignee: c.assignee.value.clone(),
            due_ms: None,
        }
    }
}

/// Counts of one week.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    pub by_sentiment: BTreeMap<Sentiment, u64>,
    pub by_brand: BTreeMap<String, u64>,
}

impl Tally {
    pub fn total(&self) -> u64 {
        self.by_sentiment.values().sum()
    }
}

/// What the server found for one department and slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestInput {
    /// As captures store it (canonical).
    pub department: String,
    pub slot: DigestSlot,
    pub this_week: Tally,
    pub last_week: Tally,
    /// Every open item of the department (any age).
    pub open: Vec<DigestItem>,
    /// How many open items there are (may exceed `open.len()` when the
    /// server listed only the first ones).
    pub open_total: u64,
    /// The open items past their due time, with `due_ms` set, and their number.
    pub overdue: Vec<DigestItem>,
    pub overdue_total: u64,
    /// This week's negative captures (any order; [`build`] ranks them).
    pub negative: Vec<DigestItem>,
}

/// One line of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Compared<K> {
    pub key: K,
    pub this_week: u64,
    pub last_week: u64,
}

impl<K> Compared<K> {
    /// This week minus last week.
    pub fn change(&self) -> i64 {
        self.this_week as i64 - self.last_week as i64
    }
}

/// The digest, ready to be worded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Digest {
    pub department: String,
    pub slot: DigestSlot,
    pub total: Compared<()>,
    /// Every sentiment, in the log's order, even at zero.
    pub sentiments: Vec<Compared<Sentiment>>,
    /// Brands seen in either week, most captures this week first.
    pub brands: Vec<Compared<String>>,
    pub open_total: u64,
    /// Most urgent first, then oldest.
    pub open: Vec<DigestItem>,
    pub overdue_total: u64,
    /// Longest overdue first.
    pub overdue: Vec<DigestItem>,
    /// Highest priority first, then newest.
    pub most_negative: Vec<DigestItem>,
}

/// Compare, rank and trim. `open` and `overdue` keep the server's totals.
pub fn build(input: DigestInput) -> Digest {
    let DigestInput { department, slot, this_week, last_week, mut open, open_total, mut overdue, overdue_total, negative } = input;
    let sentiments = Sentiment::ALL
        .into_iter()
        .map(|s| Compared {
            key: s,
            this_week: this_week.by_sentiment.get(&s).copied().unwrap_or(0),
            last_week: last_week.by_sentiment.get(&s).copied().unwrap_or(0),
        })
        .collect();
    let mut brands: Vec<Compared<String>> = this_week
        .by_brand
        .keys()
        .chain(last_week.by_brand.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|b| Compared {
            key: b.clone(),
            this_week: this_week.by_brand.get(b).copied().unwrap_or(0),
            last_week: last_week.by_brand.get(b).copied().unwrap_or(0),
        })
        .filter(|c| c.this_week + c.last_week > 0)
        .collect();
    brands.sort_by(|a, b| b.this_week.cmp(&a.this_week).then(b.last_week.cmp(&a.last_week)).then(a.key.cmp(&b.key)));
    open.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.created_ms.cmp(&b.created_ms)).then(a.id.cmp(&b.id)));
    open.truncate(LISTED);
    overdue.sort_by(|a, b| a.due_ms.cmp(&b.due_ms).then(a.created_ms.cmp(&b.created_ms)).then(a.id.cmp(&b.id)));
    overdue.truncate(LISTED);
    let mut most_negative: Vec<DigestItem> = negative.into_iter().filter(|i| i.sentiment == Sentiment::Negative).collect();
    most_negative.sort_by(|a, b| b.priority.cmp(&a.priority).then(b.created_ms.cmp(&a.created_ms)).then(a.id.cmp(&b.id)));
    most_negative.truncate(MOST_NEGATIVE);
    Digest {
        department,
        slot,
        total: Compared { key: (), this_week: this_week.total(), last_week: last_week.total() },
        sentiments,
        brands,
        open_total: open_total.max(open.len() as u64),
        open,
        overdue_total: overdue_total.max(overdue.len() as u64),
        overdue,
        most_negative,
    }
}

#[cfg(test)]
mod tests {
    use super::super::schedule::Period;
    use super::*;

    fn item(id: &str, created_ms: i64, priority: Priority, sentiment: Sentiment) -> DigestItem {
        DigestItem {
            id: id.into(),
            created_ms,
            brand: "Acme".into(),
            site: "forum.example".into(),
            author: None,
            excerpt: String::new(),
            link: None,
            sentiment,
            status: Status::New,
            priority,
            assignee: None,
            due_ms: None,
        }
    }

    fn slot() -> DigestSlot {
        DigestSlot {
            week: "2026-W49".into(),
            at_ms: 1_000,
            period: Period { start_ms: 0, end_ms: 1_000 },
            previous: Period { start_ms: -1_000, end_ms: 0 },
        }
    }

    #[test]
    fn a_digest_compares_ranks_and_trims() {
        let tally = |pairs: &[(Sentiment, u64)], brands: &[(&str, u64)]| Tally {
            by_sentiment: pairs.iter().copied().collect(),
            by_brand: brands.iter().map(|(b, n)| (b.to_string(), *n)).collect(),
        };
        let open: Vec<DigestItem> = (0..14)
            .map(|i| item(&format!("o{i:02}"), i, if i == 9 { Priority::Urgent } else { Priority::Normal }, Sentiment::Neutral))
            .collect();
        let mut late = item("late", 5, Priority::Low, Sentiment::Neutral);
        late.due_ms = Some(50);
        let mut later = item("later", 1, Priority::Low, Sentiment::Neutral);
        later.due_ms = Some(90);
        let negative = vec![
            item("n1", 10, Priority::Normal, Sentiment::Negative),
            item("n2", 20, Priority::Normal, Sentiment::Negative),
            item("n3", 5, Priority::High, Sentiment::Negative),
            item("q", 30, Priority::Urgent, Sentiment::Question),
        ];
        let d = build(DigestInput {
            department: "Logistics".into(),
            slot: slot(),
            this_week: tally(&[(Sentiment::Negative, 3), (Sentiment::Positive, 1)], &[("Acme", 3), ("Rival", 1)]),
            last_week: tally(&[(Sentiment::Negative, 1)], &[("Acme", 1), ("Old", 0), ("Gone", 2)]),
            open,
            open_total: 40,
            overdue: vec![later, late],
            overdue_total: 2,
            negative,
        });
        assert_eq!((d.total.this_week, d.total.last_week, d.total.change()), (4, 1, 3));
        let s: Vec<(Sentiment, u64, u64)> = d.sentiments.iter().map(|c| (c.key, c.this_week, c.last_week)).collect();
        assert_eq!(
            s,
            vec![(Sentiment::Positive, 1, 0), (Sentiment::Neutral, 0, 0), (Sentiment::Negative, 3, 1), (Sentiment::Question, 0, 0)],
            "every sentiment, even at zero"
        );
        let b: Vec<(&str, u64, u64)> = d.brands.iter().map(|c| (c.key.as_str(), c.this_week, c.last_week)).collect();
        assert_eq!(b, vec![("Acme", 3, 1), ("Rival", 1, 0), ("Gone", 0, 2)], "a brand at zero both weeks is left out");
        assert_eq!(d.open.len(), LISTED);
        assert_eq!(d.open[0].id, "o09", "the urgent one first");
        assert_eq!(d.open[1].id, "o00", "then the oldest");
        assert_eq!(d.open_total, 40);
        let overdue: Vec<&str> = d.overdue.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(overdue, vec!["late", "later"], "longest overdue first");
        let neg: Vec<&str> = d.most_negative.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(neg, vec!["n3", "n2", "n1"], "only negative ones, priority then newest");
    }

    #[test]
    fn links_are_http_only_and_excerpts_are_cut() {
        for (url, want) in [
            ("https://forum.example/t/1#p2", Some("https://forum.example/t/1#p2")),
            (" http://forum.example/x ", Some("http://forum.example/x")),
            ("javascript:alert(1)", None),
            ("HTTPS://FORUM.EXAMPLE/", Some("HTTPS://FORUM.EXAMPLE/")),
            ("https://", None),
            ("data:text/html,hi", None),
        ] {
            assert_eq!(safe_link(url).as_deref(), want, "{url}");
        }
        assert_eq!(excerpt("  a\n\n b  ", 10), "a b");
        assert_eq!(excerpt("abcdefghij", 5), "abcd…");
        assert_eq!(excerpt("ñandú ñandú", 6), "ñandú…");
    }
}
