//! The digest and the spike alert in words, in the department's language
//! (English or Spanish, from the extension's `_locales` tables through
//! [`say`]), as a channel-neutral document: a subject and blocks of plain
//! text. Page text (comments, authors, brands) enters only as plain text;
//! each channel escapes it when it renders (`delivery`).

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::config::factor_text;
use super::digest::{Compared, Digest, DigestItem};
use super::spike::Spike;
use crate::dashboard::config_editor::say;
use crate::dashboard::i18n::Lang;
use crate::i18n::{Key, Words};
use crate::settings::DefaultDepartment;

/// A worded message: what every channel renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Worded {
    pub subject: String,
    pub blocks: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Part {
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// Someone else's words (a comment).
    Quote {
        text: String,
    },
    /// Lines, each with an optional http(s) link.
    List {
        items: Vec<(String, Option<String>)>,
    },
}

impl Worded {
    /// The delivery outbox's channel-neutral message (each channel escapes
    /// the plain text when it renders).
    pub fn message(self, lang: Lang) -> crate::delivery::Message {
        use crate::delivery::{Block, Item, Language, Message};
        let blocks = self
            .blocks
            .into_iter()
            .map(|p| match p {
                Part::Heading { text } => Block::Heading { text },
                Part::Paragraph { text } => Block::Paragraph { text },
                Part::Quote { text } => Block::Quote { text },
                Part::List { items } => Block::List { items: items.into_iter().map(|(text, url)| Item { text, url }).collect() },
            })
            .collect();
        let language = match lang {
            Lang::En => Language::En,
            Lang::Es => Language::Es,
        };
        Message { subject: self.subject, language, blocks }
    }
}

/// A department's name in `lang` (a default department in that language,
/// any other as the team wrote it).
pub fn department_name(lang: Lang, name: &str) -> String {
    match DefaultDepartment::of(name) {
        Some(d) => say(lang, &Words::new(d.key())),
        None => name.to_string(),
    }
}

/// An instant as local wall-clock time in `zone`: `2026-11-30 09:00`.
pub fn local_time(zone: &str, ms: i64) -> String {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => {
            let dt = tz.to_datetime(ts);
            format!("{:04}-{:02}-{:02} {:02}:{:02}", dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute())
        }
        Err(_) => String::new(),
    }
}

/// "+3", "−2", "±0": the change from last week.
pub fn change(n: i64) -> String {
    match n {
        0 => "±0".into(),
        n if n > 0 => format!("+{n}"),
        n => format!("\u{2212}{}", n.unsigned_abs()),
    }
}

fn count_line<K>(lang: Lang, label: String, c: &Compared<K>) -> String {
    say(
        lang,
        &Words::new(Key::FeedbackDigestCountLine)
            .text(label)
            .text(c.this_week.to_string())
            .text(c.last_week.to_string())
            .text(change(c.change())),
    )
}

fn item_line(lang: Lang, zone: &str, i: &DigestItem) -> (String, Option<String>) {
    let brand = if i.brand.trim().is_empty() { say(lang, &Words::new(Key::FeedbackNoBrand)) } else { i.brand.clone() };
    let author = match &i.author {
        Some(a) => a.clone(),
        None => say(lang, &Words::new(Key::FeedbackUnknownAuthor)),
    };
    let mut line = say(
        lang,
        &Words::new(Key::FeedbackItemLine)
            .text(brand)
            .text(i.site.clone())
            .text(author)
            .word(Words::new(Key::priority(i.priority)))
            .word(Words::new(Key::status(i.status))),
    );
    if let Some(due) = i.due_ms {
        line.push_str(" · ");
        line.push_str(&say(lang, &Words::new(Key::FeedbackItemDue).text(local_time(zone, due))));
    }
    if !i.excerpt.is_empty() {
        line.push_str(": \u{201c}");
        line.push_str(&i.excerpt);
        line.push('\u{201d}');
    }
    (line, i.link.clone())
}

fn list(lang: Lang, zone: &str, items: &[DigestItem], total: u64, blocks: &mut Vec<Part>) {
    if items.is_empty() {
        blocks.push(Part::Paragraph { text: say(lang, &Words::new(Key::FeedbackDigestNone)) });
        return;
    }
    blocks.push(Part::List { items: items.iter().map(|i| item_line(lang, zone, i)).collect() });
    let more = total.saturating_sub(items.len() as u64);
    if more > 0 {
        blocks.push(Part::Paragraph { text: say(lang, &Words::new(Key::FeedbackDigestMore).text(more.to_string())) });
    }
}

/// The weekly digest in `lang`, times in `zone`.
pub fn digest(d: &Digest, lang: Lang, zone: &str) -> Worded {
    let dept = department_name(lang, &d.department);
    let subject = say(lang, &Words::new(Key::FeedbackDigestTitle).text(dept.clone()).text(d.slot.week.clone()));
    let mut blocks = vec![
        Part::Heading { text: subject.clone() },
        Part::Paragraph {
            text: say(
                lang,
                &Words::new(Key::FeedbackDigestPeriod)
                    .text(local_time(zone, d.slot.period.start_ms))
                    .text(local_time(zone, d.slot.period.end_ms))
                    .text(zone.to_string()),
            ),
        },
        Part::Paragraph {
            text: say(
                lang,
                &Words::new(Key::FeedbackDigestTotal)
                    .text(d.total.this_week.to_string())
                    .text(d.total.last_week.to_string())
                    .text(change(d.total.change())),
            ),
        },
        Part::Heading { text: say(lang, &Words::new(Key::FeedbackDigestBySentiment)) },
        Part::List {
            items: d.sentiments.iter().map(|c| (count_line(lang, say(lang, &Words::new(Key::sentiment(c.key))), c), None)).collect(),
        },
        Part::Heading { text: say(lang, &Words::new(Key::FeedbackDigestByBrand)) },
    ];
    if d.brands.is_empty() {
        blocks.push(Part::Paragraph { text: say(lang, &Words::new(Key::FeedbackDigestNone)) });
    } else {
        let name = |b: &str| if b.trim().is_empty() { say(lang, &Words::new(Key::FeedbackNoBrand)) } else { b.to_string() };
        blocks.push(Part::List { items: d.brands.iter().map(|c| (count_line(lang, name(&c.key), c), None)).collect() });
    }
    blocks.push(Part::Heading { text: say(lang, &Words::new(Key::FeedbackDigestOpen).text(dept.clone()).text(d.open_total.to_string())) });
    list(lang, zone, &d.open, d.open_total, &mut blocks);
    blocks.push(Part::Heading { text: say(lang, &Words::new(Key::FeedbackDigestOverdue).text(d.overdue_total.to_string())) });
    list(lang, zone, &d.overdue, d.overdue_total, &mut blocks);
    blocks.push(Part::Heading { text: say(lang, &Words::new(Key::FeedbackDigestMostNegative)) });
    list(lang, zone, &d.most_negative, d.most_negative.len() as u64, &mut blocks);
    Worded { subject, blocks }
}

/// The spike alert in `lang`, times in `zone`.
pub fn spike(s: &Spike, lang: Lang, zone: &str, cool_down_hours: u32) -> Worded {
    let subject = say(lang, &Words::new(Key::FeedbackSpikeTitle).text(s.brand.clone()));
    let w = &s.window.window;
    let expected = format!("{}.{:02}", s.expected_centi / 100, s.expected_centi % 100);
    let body = say(
        lang,
        &Words::new(Key::FeedbackSpikeBody)
            .text(local_time(zone, w.start_ms))
            .text(local_time(zone, w.end_ms))
            .text(zone.to_string())
            .text(s.count.to_string())
            .text(expected)
            .text(w.hours().to_string())
            .text(factor_text(s.factor_percent)),
    );
    let quiet = say(
        lang,
        &Words::new(Key::FeedbackSpikeQuiet)
            .text(s.brand.clone())
            .text(local_time(zone, w.end_ms + cool_down_hours as i64 * super::schedule::HOUR_MS)),
    );
    Worded {
        subject: subject.clone(),
        blocks: vec![Part::Heading { text: subject }, Part::Paragraph { text: body }, Part::Paragraph { text: quiet }],
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::SpikeRule;
    use super::super::digest::{build, DigestInput, Tally};
    use super::super::schedule::{spike_window, DigestSlot, Period};
    use super::super::spike::{decide, BrandCounts, SpikeDecision};
    use super::*;
    use crate::log::{Priority, Sentiment, Status};

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    fn sample() -> Digest {
        let item = DigestItem {
            id: "1".into(),
            created_ms: ms("2026-11-27T10:00:00Z"),
            brand: "Acme <b>".into(),
            site: "forum.example".into(),
            author: None,
            excerpt: "My parcel *never* arrived".into(),
            link: Some("https://forum.example/t/1#p1".into()),
            sentiment: Sentiment::Negative,
            status: Status::New,
            priority: Priority::Urgent,
            assignee: None,
            due_ms: None,
        };
        build(DigestInput {
            department: "Logistics".into(),
            slot: DigestSlot {
                week: "2026-W49".into(),
                at_ms: ms("2026-11-30T15:00:00Z"),
                period: Period { start_ms: ms("2026-11-23T15:00:00Z"), end_ms: ms("2026-11-30T15:00:00Z") },
                previous: Period { start_ms: ms("2026-11-16T15:00:00Z"), end_ms: ms("2026-11-23T15:00:00Z") },
            },
            this_week: Tally { by_sentiment: [(Sentiment::Negative, 3)].into(), by_brand: [("Acme <b>".to_string(), 3)].into() },
            last_week: Tally { by_sentiment: [(Sentiment::Negative, 5)].into(), by_brand: [("Acme <b>".to_string(), 5)].into() },
            open: vec![item.clone()],
            open_total: 12,
            overdue: vec![],
            overdue_total: 0,
            negative: vec![item],
        })
    }

    fn texts(w: &Worded) -> Vec<String> {
        w.blocks
            .iter()
            .flat_map(|b| match b {
                Part::Heading { text } | Part::Paragraph { text } | Part::Quote { text } => vec![text.clone()],
                Part::List { items } => items.iter().map(|(t, _)| t.clone()).collect(),
            })
            .collect()
    }

    #[test]
    fn a_digest_in_english_and_spanish() {
        let d = sample();
        let en = digest(&d, Lang::En, "America/Mexico_City");
        assert_eq!(en.subject, "Weekly digest for Logistics, week 2026-W49");
        let t = texts(&en);
        assert!(t.contains(&"From 2026-11-23 09:00 to 2026-11-30 09:00 (America/Mexico_City).".to_string()), "{t:#?}");
        assert!(t.contains(&"Captures this week: 3 (the week before: 5, \u{2212}2).".to_string()), "{t:#?}");
        assert!(t.contains(&"Negative: 3 (the week before: 5, \u{2212}2)".to_string()), "{t:#?}");
        assert!(t.contains(&"Positive: 0 (the week before: 0, ±0)".to_string()), "{t:#?}");
        assert!(t.contains(&"Open items assigned to Logistics: 12".to_string()), "{t:#?}");
        assert!(t.contains(&"…and 11 more in the dashboard.".to_string()), "{t:#?}");
        // Page text stays as typed (markup included): escaping is each channel's.
        let line = "Acme <b> on forum.example, by an unknown author (Urgent, New): \u{201c}My parcel *never* arrived\u{201d}";
        assert!(t.iter().any(|l| l.eq_ignore_ascii_case(line)), "{t:#?}");
        let es = digest(&d, Lang::Es, "America/Mexico_City");
        assert_eq!(es.subject, "Resumen semanal de Logística, semana 2026-W49");
        let t = texts(&es);
        assert!(t.contains(&"Capturas esta semana: 3 (la semana anterior: 5, \u{2212}2).".to_string()), "{t:#?}");
        assert!(t.contains(&"Vencidos: 0".to_string()) && t.contains(&"Ninguno.".to_string()), "{t:#?}");
        // The links are the items' own, http(s) only.
        let links: Vec<Option<String>> = es
            .blocks
            .iter()
            .filter_map(|b| if let Part::List { items } = b { Some(items.iter().map(|(_, u)| u.clone())) } else { None })
            .flatten()
            .filter(Option::is_some)
            .collect();
        assert_eq!(links, vec![Some("https://forum.example/t/1#p1".to_string()); 2]);
    }

    #[test]
    fn a_spike_alert_in_english_and_spanish() {
        let rule = SpikeRule { window_hours: 3, factor_percent: 250, minimum: 3, cool_down_hours: 12 };
        let w = spike_window(&rule, ms("2026-12-01T10:20:00Z"));
        let SpikeDecision::Fire(s) = decide(&rule, &w, &BrandCounts { brand: "Acme".into(), window: 9, baseline: 112 }, None) else {
            panic!()
        };
        let en = spike(&s, Lang::En, "Europe/Madrid", 12);
        assert_eq!(en.subject, "Spike in negative mentions of Acme");
        assert_eq!(
            texts(&en)[1],
            "Negative captures from 2026-12-01 08:00 to 2026-12-01 11:00 (Europe/Madrid): 9. The 7 days before average 2.00 per 3 hours; the alert is set at 2.5 times that."
        );
        assert_eq!(texts(&en)[2], "No other alert for Acme before 2026-12-01 23:00.");
        let es = spike(&s, Lang::Es, "Europe/Madrid", 12);
        assert_eq!(es.subject, "Pico de menciones negativas de Acme");
        assert!(
            texts(&es)[1].starts_with("Capturas negativas del 2026-12-01 08:00 al 2026-12-01 11:00 (Europe/Madrid): 9."),
            "{:?}",
            texts(&es)
        );
    }

    #[test]
    fn the_worded_digest_is_the_outboxs_message() {
        use crate::delivery::{Block, Language};
        let m = digest(&sample(), Lang::Es, "UTC").message(Lang::Es);
        assert_eq!((m.language, m.subject.as_str()), (Language::Es, "Resumen semanal de Logística, semana 2026-W49"));
        assert!(matches!(&m.blocks[0], Block::Heading { text } if text == &m.subject));
        let linked = m
            .blocks
            .iter()
            .any(|b| matches!(b, Block::List { items } if items.iter().any(|i| i.url.as_deref() == Some("https://forum.example/t/1#p1"))));
        assert!(linked, "{m:?}");
    }

    #[test]
    fn changes_are_signed() {
        assert_eq!([change(3), change(0), change(-2)], ["+3", "±0", "\u{2212}2"]);
    }
}
