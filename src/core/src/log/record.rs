//! The capture record: one logged comment, its context and its tags.
//!
//! A record is a state-based CRDT. Its identity and creation are immutable;
//! the single-valued fields a manager sets (sentiment, department, status,
//! priority, assignee, claim, deletion) and the captured context (refreshed
//! when the same comment is captured again) are separate last-writer-wins
//! registers ([`Lww`]); the tags are an add-wins set ([`TagSet`]), the
//! internal comments an add-wins thread ([`Thread`]) and the changes a
//! grow-only history ([`History`]), so concurrent adds are never lost. Two
//! copies of one record merge field by field, so every client and the server
//! converge on the same state whatever order edits arrive in, and
//! re-delivering anything is harmless. Deletion is a register too (a
//! tombstone), which is what lets "undo" and a teammate's concurrent edit
//! resolve like any other edit. Edits are applied in [`super::edit`].
//!
//! Records written before the team workspace (a `note` register, tags as one
//! register) read through `CaptureWire`: the note becomes the thread's
//! first comment and the tags become adds, so no tag or note is lost.

use serde::{Deserialize, Serialize};

use super::claim::Claim;
use super::history::History;
use super::stamp::{Lww, Merge, Stamp};
use super::tag_set::TagSet;
use super::thread::{Comment, Thread};
use super::validate::Register;
use super::verified::VerifiedResponse;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub enum Sentiment {
    Positive,
    #[default]
    Neutral,
    Negative,
    Question,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    #[default]
    New,
    NeedsResponse,
    Responded,
    Escalated,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Sentiment {
    pub const ALL: [Sentiment; 4] = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative, Sentiment::Question];
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
            Sentiment::Question => "question",
        }
    }
}

impl Status {
    pub const ALL: [Status; 5] = [Status::New, Status::NeedsResponse, Status::Responded, Status::Escalated, Status::Closed];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::NeedsResponse => "needsResponse",
            Status::Responded => "responded",
            Status::Escalated => "escalated",
            Status::Closed => "closed",
        }
    }
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// The comment's time as found on the page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CommentTime {
    /// Absolute UTC time (RFC 3339), when it could be worked out.
    pub utc: Option<String>,
    /// What the page said ("hace 3 días", "2024-05-01T10:00:00+02:00"), kept verbatim.
    pub original: String,
    /// True when the page gave no zone and UTC was assumed.
    pub zone_assumed: bool,
}

/// W3C Web Annotation TextQuoteSelector: the mention and a little text around it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TextQuote {
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
}

/// W3C Web Annotation TextPositionSelector, in UTF-16 units of the page text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TextPosition {
    pub start: u32,
    pub end: u32,
}

/// Where and what was captured. Refreshed as a whole on re-capture.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CaptureContext {
    /// The page URL (canonical link preferred).
    pub page_url: String,
    pub page_title: String,
    /// Site name (og:site_name) or, failing that, the host.
    pub site: String,
    pub lang: Option<String>,
    /// The comment's text, bounded (see [`CaptureContext::comment_length`]).
    pub comment_text: String,
    /// The comment's full length in characters, when it was cut to fit.
    pub comment_length: Option<u32>,
    pub author_name: Option<String>,
    pub author_url: Option<String>,
    pub comment_time: Option<CommentTime>,
    /// The comment's own link; http/https only.
    pub permalink: Option<String>,
    /// The brand group and term that matched (empty for "Log selection").
    pub brand: String,
    pub term: String,
    pub quote: TextQuote,
    pub position: Option<TextPosition>,
    /// Which platform adapter found the comment, if any.
    pub platform: Option<String>,
}

/// What a manager can set on a capture; also the team's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Tags {
    pub sentiment: Sentiment,
    pub department: Option<String>,
    pub status: Status,
    pub priority: Priority,
    pub tags: Vec<String>,
    pub note: String,
}

/// One logged comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "CaptureWire")]
pub struct Capture {
    /// Client-generated UUIDv7: unique without coordination, sorts by time.
    pub id: String,
    /// When it was first captured (ms since the epoch, UTC).
    pub created_ms: i64,
    /// The member who first captured it.
    pub created_by: String,
    pub context: Lww<CaptureContext>,
    pub sentiment: Lww<Sentiment>,
    pub department: Lww<Option<String>>,
    pub status: Lww<Status>,
    pub priority: Lww<Priority>,
    pub tags: TagSet,
    /// The member who owns the capture (a member name), if any.
    pub assignee: Lww<Option<String>>,
    /// "Ana is responding" (expires; see [`Claim`]).
    pub claim: Lww<Option<Claim>>,
    /// Internal comments.
    pub comments: Thread,
    /// Every change of status, department, assignee, priority, sentiment.
    pub history: History,
    /// Tombstone: deleted records stay (so a delete syncs) but are hidden.
    pub deleted: Lww<bool>,
    /// verify13: the team's reply found on the page and confirmed.
    pub verified_response: Lww<Option<VerifiedResponse>>,
}

/// What a stored or received record may look like: today's shape, or one
/// written before the team workspace (a `note` register; `tags` as one
/// register, read by [`TagSet`] itself; no assignee, claim, comments or
/// history).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaptureWire {
    id: String,
    created_ms: i64,
    created_by: String,
    context: Lww<CaptureContext>,
    sentiment: Lww<Sentiment>,
    department: Lww<Option<String>>,
    status: Lww<Status>,
    priority: Lww<Priority>,
    #[serde(default)]
    tags: TagSet,
    #[serde(default)]
    assignee: Lww<Option<String>>,
    #[serde(default)]
    claim: Lww<Option<Claim>>,
    #[serde(default)]
    comments: Thread,
    #[serde(default)]
    history: History,
    deleted: Lww<bool>,
    #[serde(default)]
    verified_response: Lww<Option<VerifiedResponse>>,
    /// Legacy: the single note, now the thread's first comment.
    #[serde(default)]
    note: Option<Lww<String>>,
}

impl From<CaptureWire> for Capture {
    fn from(w: CaptureWire) -> Capture {
        let mut comments = w.comments;
        if let Some(note) = w.note.filter(|n| !n.value.trim().is_empty()) {
            comments.insert(legacy_note_comment(&w.id, &w.created_by, &note));
        }
        Capture {
            id: w.id,
            created_ms: w.created_ms,
            created_by: w.created_by,
            context: w.context,
            sentiment: w.sentiment,
            department: w.department,
            status: w.status,
            priority: w.priority,
            tags: w.tags,
            assignee: w.assignee,
            claim: w.claim,
            comments,
            history: w.history,
            deleted: w.deleted,
            verified_response: w.verified_response,
        }
    }
}

/// The comment a legacy note becomes. Every replica migrating the same record
/// makes the same comment: its id derives from the capture id and the note's
/// stamp, its author is the member the stamp names (`member:<name>`, the
/// team log's stamps) or else the capture's author, its time the stamp's.
pub fn legacy_note_comment(capture_id: &str, created_by: &str, note: &Lww<String>) -> Comment {
    let s = &note.stamp;
    let id = derived_uuid(s.ms, &["note", capture_id, &s.counter.to_string(), &s.actor]);
    let author = s.actor.strip_prefix("member:").filter(|m| !m.trim().is_empty()).unwrap_or(created_by);
    Comment::new(id, author, note.value.clone(), s)
}

/// Longest comment (the old note) and tag we keep; longer input is refused.
pub const MAX_NOTE_CHARS: usize = 10_000;
pub const MAX_TAG_CHARS: usize = 60;
pub const MAX_TAGS: usize = 50;

impl Capture {
    /// A new capture with the team's default tags, all stamped by `stamp`.
    pub fn new(id: String, context: CaptureContext, defaults: &Tags, member: &str, stamp: Stamp) -> Capture {
        Capture {
            id,
            created_ms: stamp.ms,
            created_by: member.to_string(),
            context: Lww::new(context, stamp.clone()),
            sentiment: Lww::new(defaults.sentiment, stamp.clone()),
            department: Lww::new(defaults.department.clone(), stamp.clone()),
            status: Lww::new(defaults.status, stamp.clone()),
            priority: Lww::new(defaults.priority, stamp.clone()),
            tags: TagSet::with_tags(&normalize_tags(&defaults.tags), &stamp),
            assignee: Lww::new(None, stamp.clone()),
            claim: Lww::new(None, stamp.clone()),
            comments: if defaults.note.trim().is_empty() {
                Thread::default()
            } else {
                // The card's note is the thread's first comment.
                vec![Comment::new(super::thread::comment_id(&stamp), member, defaults.note.clone(), &stamp)].into()
            },
            history: History::default(),
            deleted: Lww::new(false, stamp.clone()),
            verified_response: Lww::new(None, stamp),
        }
    }

    /// Merge another copy of the same record (same id). Order-independent.
    /// Returns the registers where `other` held a different value that lost
    /// to a newer edit in this copy (what a pusher is told was superseded).
    pub fn merge(&mut self, other: &Capture) -> Vec<Register> {
        debug_assert_eq!(self.id, other.id);
        // Creation facts are immutable, but two copies can disagree (an import,
        // or a capture made before the member name was set, which the team log
        // names after its pusher). Keep the earliest, preferring a named author:
        // a total order, so merge stays commutative.
        let key = |c: &Capture| (c.created_ms, c.created_by.trim().is_empty(), c.created_by.clone());
        if key(other) < key(self) {
            self.created_ms = other.created_ms;
            self.created_by = other.created_by.clone();
        }
        let outcomes = [
            (Register::Context, self.context.merge(&other.context)),
            (Register::Sentiment, self.sentiment.merge(&other.sentiment)),
            (Register::Department, self.department.merge(&other.department)),
            (Register::Status, self.status.merge(&other.status)),
            (Register::Priority, self.priority.merge(&other.priority)),
            (Register::Assignee, self.assignee.merge(&other.assignee)),
            (Register::Claim, self.claim.merge(&other.claim)),
            (Register::Deleted, self.deleted.merge(&other.deleted)),
        ];
        // Sets never lose what the other copy holds: nothing to report.
        self.tags.merge(&other.tags);
        self.comments.merge(&other.comments);
        self.history.merge(&other.history);
        self.verified_response.merge(&other.verified_response);
        outcomes.into_iter().filter(|(_, m)| *m == Merge::Lost).map(|(r, _)| r).collect()
    }

    /// Every stamp in the record: each register's, each tag dot's and each
    /// comment's (text and deletion).
    pub fn all_stamps(&self) -> Vec<&Stamp> {
        let mut out = vec![
            &self.context.stamp,
            &self.sentiment.stamp,
            &self.department.stamp,
            &self.status.stamp,
            &self.priority.stamp,
            &self.assignee.stamp,
            &self.claim.stamp,
            &self.deleted.stamp,
            &self.verified_response.stamp,
        ];
        out.extend(self.tags.dots().map(|d| &d.stamp));
        for k in self.comments.all() {
            out.push(&k.text.stamp);
            out.push(&k.deleted.stamp);
        }
        out
    }

    /// The latest stamp anywhere in the record: "last modified".
    pub fn last_stamp(&self) -> &Stamp {
        [
            &self.context.stamp,
            &self.sentiment.stamp,
            &self.department.stamp,
            &self.status.stamp,
            &self.priority.stamp,
            &self.assignee.stamp,
            &self.claim.stamp,
            &self.deleted.stamp,
            &self.verified_response.stamp,
        ]
        .into_iter()
        .chain(self.tags.last_stamp())
        .chain(self.comments.last_stamp())
        .max()
        .expect("non-empty")
    }

    /// What makes two captures "the same comment": its permalink, or else
    /// the page plus the quoted mention with its surroundings.
    pub fn dedupe_key(&self) -> String {
        dedupe_key(&self.context.value)
    }

    /// The current tags as one value (for display and the card). The note
    /// is empty: a note given on the card is posted as a new comment.
    pub fn current_tags(&self) -> Tags {
        Tags {
            sentiment: self.sentiment.value,
            department: self.department.value.clone(),
            status: self.status.value,
            priority: self.priority.value,
            tags: self.tags.values(),
            note: String::new(),
        }
    }

    /// The visible comments' texts, one per line (search and flat exports).
    pub fn comments_text(&self) -> String {
        self.comments.visible().iter().map(|k| k.text.value.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// The claim, if someone holds it at `now_ms`.
    pub fn active_claim(&self, now_ms: i64) -> Option<&Claim> {
        self.claim.value.as_ref().filter(|c| c.is_active(now_ms))
    }
}

/// See [`Capture::dedupe_key`].
pub fn dedupe_key(ctx: &CaptureContext) -> String {
    match &ctx.permalink {
        Some(link) if !link.is_empty() => format!("link\u{1f}{}", strip_fragmentless_trailing_slash(link)),
        _ => format!(
            "quote\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            strip_fragment(&ctx.page_url),
            ctx.quote.prefix.trim(),
            ctx.quote.exact.trim(),
            ctx.quote.suffix.trim()
        ),
    }
}

fn strip_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

fn strip_fragmentless_trailing_slash(url: &str) -> &str {
    if url.contains('#') {
        url
    } else {
        url.strip_suffix('/').unwrap_or(url)
    }
}

/// Trim, drop empties and duplicates (case-insensitively), keep first spelling and order.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
            out.push(t.to_string());
        }
    }
    out
}

/// A UUIDv7 with time `ms` whose other bits derive from `parts`: the same
/// parts always give the same id (ids of comments and events made by an
/// edit, so a replay makes nothing twice). Two FNV-1a hashes, not for
/// secrecy: only distinct inputs must give distinct ids in practice.
pub fn derived_uuid(ms: i64, parts: &[&str]) -> String {
    fn fnv(seed: u64, parts: &[&str]) -> u64 {
        let mut h = seed;
        for p in parts {
            for b in p.bytes().chain([0x1f]) {
                h ^= b as u64;
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    }
    let a = fnv(0xcbf2_9ce4_8422_2325, parts).to_be_bytes();
    let b = fnv(0x8422_2325_cbf2_9ce4, parts).to_be_bytes();
    let mut r = [0u8; 10];
    r[..8].copy_from_slice(&a);
    r[8..].copy_from_slice(&b[..2]);
    uuid_v7(ms, r)
}

/// A UUIDv7 from a millisecond time and 10 random bytes (the caller supplies
/// randomness, so the core needs no platform RNG).
pub fn uuid_v7(ms: i64, random: [u8; 10]) -> String {
    let ms = (ms.max(0) as u64) & 0xFFFF_FFFF_FFFF;
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6..].copy_from_slice(&random);
    b[6] = 0x70 | (b[6] & 0x0F); // version 7
    b[8] = 0x80 | (b[8] & 0x3F); // RFC 9562 variant
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Whether `id` is a well-formed UUID (any version; imports may carry v4).
pub fn is_uuid(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 5 && [8, 4, 4, 4, 12].iter().zip(&parts).all(|(n, p)| p.len() == *n && p.bytes().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::validate::Field;
    use crate::log::{CaptureEdit, EditRefusal};

    fn st(ms: i64, actor: &str) -> Stamp {
        Stamp { ms, counter: 0, actor: actor.into() }
    }

    fn ctx(permalink: Option<&str>) -> CaptureContext {
        CaptureContext {
            page_url: "https://foro.example/t/1#p3".into(),
            comment_text: "Movistar me cobró dos veces".into(),
            brand: "Telefónica".into(),
            term: "Movistar".into(),
            quote: TextQuote { exact: "Movistar".into(), prefix: "".into(), suffix: " me cobró".into() },
            permalink: permalink.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn new_capture_takes_the_team_defaults() {
        let defaults = Tags { status: Status::NeedsResponse, tags: vec![" factura ".into(), "Factura".into()], ..Default::default() };
        let c = Capture::new("id".into(), ctx(None), &defaults, "ana", st(10, "dev-a"));
        assert_eq!(c.status.value, Status::NeedsResponse);
        assert_eq!(c.tags.values(), vec!["factura".to_string()]);
        assert_eq!(c.created_ms, 10);
        assert!(!c.deleted.value);
    }

    #[test]
    fn concurrent_edits_converge_whatever_the_order() {
        let base = Capture::new("id".into(), ctx(None), &Tags::default(), "ana", st(10, "a"));
        let mut a = base.clone();
        a.apply(
            &CaptureEdit { status: Some(Status::Responded), add_comment: Some("called".into()), ..Default::default() },
            &st(20, "a"),
            "ana",
        )
        .unwrap();
        let mut b = base.clone();
        b.apply(
            &CaptureEdit { status: Some(Status::Escalated), department: Some(Some("PR".into())), ..Default::default() },
            &st(20, "b"),
            "ana",
        )
        .unwrap();
        let mut c = base.clone();
        c.apply(&CaptureEdit { deleted: Some(true), ..Default::default() }, &st(15, "c"), "ana").unwrap();
        let copies = [a, b, c];
        let mut results = Vec::new();
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [1, 0, 2]] {
            let mut r = base.clone();
            for i in order {
                r.merge(&copies[i]);
            }
            results.push(r);
        }
        assert!(results.windows(2).all(|w| w[0] == w[1]));
        let r = &results[0];
        assert_eq!(r.status.value, Status::Escalated, "same ms: actor b > a");
        let said: Vec<(&str, &str)> = r.comments.visible().iter().map(|k| (k.author.as_str(), k.text.value.as_str())).collect();
        assert_eq!(said, vec![("ana", "called")]);
        assert_eq!(r.department.value.as_deref(), Some("PR"));
        assert!(r.deleted.value);
        assert_eq!(r.last_stamp(), &st(20, "b"));
    }

    #[test]
    fn merge_names_the_registers_whose_incoming_value_lost() {
        let base = Capture::new("id".into(), ctx(None), &Tags::default(), "ana", st(10, "a"));
        let mut server = base.clone();
        server.apply(&CaptureEdit { status: Some(Status::Closed), ..Default::default() }, &st(30, "b"), "ana").unwrap();
        let mut offline = base.clone();
        offline
            .apply(
                &CaptureEdit { status: Some(Status::Escalated), add_comment: Some("llamar".into()), ..Default::default() },
                &st(20, "a"),
                "ana",
            )
            .unwrap();
        let lost = server.merge(&offline);
        assert_eq!(lost, vec![Register::Status], "the comment was taken; the status lost to a newer edit");
        assert_eq!((server.status.value, server.comments_text().as_str()), (Status::Closed, "llamar"));
        assert_eq!(server.merge(&offline), vec![Register::Status], "re-sending says so again");
        assert_eq!(server.clone().merge(&server), vec![], "a copy of itself loses nothing");
    }

    #[test]
    fn same_id_and_stamps_with_different_content_converge() {
        // Issue 11: a client re-sent a record with the stamps it had seen but
        // other content; the server kept its own and answered "unchanged".
        let a = Capture::new("id".into(), ctx(None), &Tags::default(), "ana", st(10, "a"));
        let mut b = a.clone();
        b.department.value = Some("otra cosa".into());
        b.context.value.comment_text = "otro texto".into();
        let (mut ab, mut ba) = (a.clone(), b.clone());
        ab.merge(&b);
        ba.merge(&a);
        assert_eq!(ab, ba);
    }

    #[test]
    fn a_named_author_wins_over_an_unnamed_copy_in_any_order() {
        let unnamed = Capture::new("id".into(), ctx(None), &Tags::default(), "", st(10, "a"));
        let mut named = unnamed.clone();
        named.created_by = "ana".into();
        let (mut x, mut y) = (unnamed.clone(), named.clone());
        x.merge(&named);
        y.merge(&unnamed);
        assert_eq!((x.created_by.as_str(), y.created_by.as_str()), ("ana", "ana"));
    }

    #[test]
    fn overlong_edits_are_refused_whole() {
        let mut c = Capture::new("id".into(), ctx(None), &Tags::default(), "ana", st(10, "a"));
        let before = c.clone();
        let err = c
            .apply(
                &CaptureEdit { status: Some(Status::Closed), add_comment: Some("x".repeat(MAX_NOTE_CHARS + 1)), ..Default::default() },
                &st(11, "a"),
                "ana",
            )
            .unwrap_err();
        assert_eq!(err, EditRefusal::TooLong { field: Field::Note, chars: MAX_NOTE_CHARS + 1, max: MAX_NOTE_CHARS });
        assert!(err.to_string().contains("note"), "{err}");
        assert_eq!(c, before);
        let err = c.apply(&CaptureEdit { tags: Some(vec!["y".repeat(61)]), ..Default::default() }, &st(11, "a"), "ana").unwrap_err();
        assert_eq!(err, EditRefusal::TooLong { field: Field::Tag(0), chars: 61, max: 60 });
        assert!(err.to_string().contains("at most 60"), "{err}");
    }

    #[test]
    fn dedupe_prefers_the_permalink_and_ignores_fragments_otherwise() {
        let with_link = |l: &str| dedupe_key(&ctx(Some(l)));
        assert_eq!(with_link("https://f.example/p/3/"), with_link("https://f.example/p/3"));
        assert_ne!(with_link("https://f.example/t#p3"), with_link("https://f.example/t#p4"));
        let mut other_fragment = ctx(None);
        other_fragment.page_url = "https://foro.example/t/1".into();
        assert_eq!(dedupe_key(&ctx(None)), dedupe_key(&other_fragment));
        let mut other_quote = ctx(None);
        other_quote.quote.suffix = " es genial".into();
        assert_ne!(dedupe_key(&ctx(None)), dedupe_key(&other_quote));
    }

    #[test]
    fn uuid_v7_is_well_formed_and_sorts_by_time() {
        let a = uuid_v7(1_700_000_000_000, [0xff; 10]);
        let b = uuid_v7(1_700_000_000_001, [0x00; 10]);
        assert!(is_uuid(&a) && is_uuid(&b));
        assert_eq!(&a[14..15], "7");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert!(a < b);
        assert!(!is_uuid("not-a-uuid"));
    }

    #[test]
    fn records_round_trip_through_json() {
        let c = Capture::new("id".into(), ctx(Some("https://f.example/p/3")), &Tags::default(), "ana", st(10, "a"));
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains("\"createdBy\":\"ana\""));
        assert_eq!(serde_json::from_str::<Capture>(&json).unwrap(), c);
    }
}
