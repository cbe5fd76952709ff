//! The one validation of a capture record, used by everything that makes,
//! stores, imports, sends or receives one: the card's ingest and the store
//! (before writing), import, the sync client (before pushing) and the team-log
//! server. One function, so they cannot disagree about what is a capture.
//!
//! Errors are data ([`ValidationError`]: which field, what is wrong); the
//! server words them in English for its JSON error's `message`
//! (`Display`), the extension in the manager's language
//! ([`ValidationError::words`]). The limits are generous for real comments
//! and small enough that one client cannot fill the team's disk with one record.
//!
//! What Escucha builds from a page always passes: [`super::sanitize`] makes
//! page text fit these rules (property-tested there).

use serde::{Deserialize, Serialize};

use super::edit::CaptureEdit;
use super::record::{is_uuid, Capture, MAX_NOTE_CHARS, MAX_TAGS, MAX_TAG_CHARS};
use super::stamp::{Stamp, MAX_STAMP_COUNTER};
use crate::i18n::Key;

/// Longest URL (page, author, permalink).
pub const MAX_URL_CHARS: usize = 4096;
/// Longest comment text kept (the extension bounds it well below this).
pub const MAX_COMMENT_CHARS: usize = 20_000;
/// Longest quoted mention and each side of context around it.
pub const MAX_QUOTE_CHARS: usize = 2_000;
/// Longest short label: title, site, author, brand, term, department, member.
pub const MAX_LABEL_CHARS: usize = 500;
/// Longest stamp actor (a device id or `member:<name>`).
pub const MAX_ACTOR_CHARS: usize = 200;
/// Longest language tag (BCP 47 allows 35 in practice).
pub const MAX_LANG_CHARS: usize = 35;
/// Longest platform name and UTC time text.
pub const MAX_PLATFORM_CHARS: usize = 64;
pub const MAX_UTC_CHARS: usize = 64;
/// How far ahead of the checking clock a stamp may be on a device (which
/// also holds teammates' stamps, made by other clocks, so it is loose).
pub const MAX_CLOCK_SKEW_MS: i64 = 24 * 60 * 60 * 1000;
/// How far ahead of the team log's clock a pushed stamp may be. A stamp in
/// the future wins every edit made before that time, so the team log refuses
/// one further ahead than a badly set device clock plausibly is.
pub const MAX_PUSHED_STAMP_AHEAD_MS: i64 = 10 * 60 * 1000;
/// No capture predates this (2020-01-01T00:00:00Z).
pub const MIN_TIME_MS: i64 = 1_577_836_800_000;
/// Most comments a record may hold (edits stop at
/// [`super::edit::MAX_THREAD_COMMENTS`]; concurrent posts may pass that).
pub const MAX_COMMENTS: usize = 1_000;
/// Most history events a record may hold.
pub const MAX_EVENTS: usize = 5_000;
/// Most tag adds and removes a record's tag set may hold.
pub const MAX_TAG_DOTS: usize = 2_000;

/// One of a record's last-writer-wins registers (each carries a stamp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Register {
    Context,
    Sentiment,
    Department,
    Status,
    Priority,
    /// The tag set's adds (each carries its stamp).
    Tags,
    /// Legacy: the note register (kept so old refusals still read).
    Note,
    Deleted,
    Assignee,
    Claim,
    /// A comment's text or deletion.
    Comments,
}

impl Register {
    pub fn name(self) -> &'static str {
        match self {
            Register::Context => "context",
            Register::Sentiment => "sentiment",
            Register::Department => "department",
            Register::Status => "status",
            Register::Priority => "priority",
            Register::Tags => "tags",
            Register::Note => "note",
            Register::Deleted => "deleted",
            Register::Assignee => "assignee",
            Register::Claim => "claim",
            Register::Comments => "comments",
        }
    }
}

/// Which field of a record is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "at", rename_all = "camelCase")]
pub enum Field {
    Id,
    CreatedMs,
    CreatedBy,
    StampMs(Register),
    StampCounter(Register),
    StampActor(Register),
    PageUrl,
    PageTitle,
    Site,
    Lang,
    CommentText,
    AuthorName,
    AuthorUrl,
    CommentTimeUtc,
    CommentTimeOriginal,
    Permalink,
    Brand,
    Term,
    QuoteExact,
    QuotePrefix,
    QuoteSuffix,
    Position,
    Platform,
    Department,
    Tags,
    Tag(usize),
    /// Legacy note; also a comment's text in an edit.
    Note,
    Assignee,
    ClaimMember,
    /// The thread as a whole (too many comments).
    Comments,
    CommentId(usize),
    CommentAuthor(usize),
    CommentBody(usize),
    /// The history as a whole (too many events).
    History,
    EventId(usize),
    EventMember(usize),
    EventValue(usize),
}

impl Field {
    /// The JSON path of the field in a record (`context.value.pageUrl`).
    pub fn path(self) -> String {
        let ctx = |f: &str| format!("context.value.{f}");
        match self {
            Field::Id => "id".into(),
            Field::CreatedMs => "createdMs".into(),
            Field::CreatedBy => "createdBy".into(),
            Field::StampMs(r) => format!("{}.stamp.ms", r.name()),
            Field::StampCounter(r) => format!("{}.stamp.counter", r.name()),
            Field::StampActor(r) => format!("{}.stamp.actor", r.name()),
            Field::PageUrl => ctx("pageUrl"),
            Field::PageTitle => ctx("pageTitle"),
            Field::Site => ctx("site"),
            Field::Lang => ctx("lang"),
            Field::CommentText => ctx("commentText"),
            Field::AuthorName => ctx("authorName"),
            Field::AuthorUrl => ctx("authorUrl"),
            Field::CommentTimeUtc => ctx("commentTime.utc"),
            Field::CommentTimeOriginal => ctx("commentTime.original"),
            Field::Permalink => ctx("permalink"),
            Field::Brand => ctx("brand"),
            Field::Term => ctx("term"),
            Field::QuoteExact => ctx("quote.exact"),
            Field::QuotePrefix => ctx("quote.prefix"),
            Field::QuoteSuffix => ctx("quote.suffix"),
            Field::Position => ctx("position"),
            Field::Platform => ctx("platform"),
            Field::Department => "department.value".into(),
            Field::Tags => "tags".into(),
            // The i-th live tag (`tags.adds` in a record, `tags` in an edit).
            Field::Tag(i) => format!("tags[{i}]"),
            Field::Note => "note.value".into(),
            Field::Assignee => "assignee.value".into(),
            Field::ClaimMember => "claim.value.member".into(),
            Field::Comments => "comments".into(),
            Field::CommentId(i) => format!("comments[{i}].id"),
            Field::CommentAuthor(i) => format!("comments[{i}].author"),
            Field::CommentBody(i) => format!("comments[{i}].text.value"),
            Field::History => "history".into(),
            Field::EventId(i) => format!("history[{i}].id"),
            Field::EventMember(i) => format!("history[{i}].member"),
            Field::EventValue(i) => format!("history[{i}].to"),
        }
    }

    /// What a manager calls the field (grouped: a manager does not care
    /// whether it was the quote's prefix or suffix).
    pub fn label_key(self) -> Key {
        match self {
            Field::Id | Field::CreatedMs | Field::StampMs(_) | Field::StampCounter(_) | Field::StampActor(_) => Key::FieldRecord,
            Field::CreatedBy => Key::FieldMember,
            Field::PageUrl | Field::PageTitle | Field::Site | Field::Lang | Field::Platform => Key::FieldPage,
            Field::CommentText => Key::FieldComment,
            Field::AuthorName | Field::AuthorUrl => Key::FieldAuthor,
            Field::CommentTimeUtc | Field::CommentTimeOriginal => Key::FieldTime,
            Field::Permalink => Key::FieldPermalink,
            Field::Brand | Field::Term | Field::QuoteExact | Field::QuotePrefix | Field::QuoteSuffix | Field::Position => Key::FieldMention,
            Field::Department => Key::FieldDepartment,
            Field::Tags | Field::Tag(_) => Key::FieldTags,
            Field::Note | Field::Comments | Field::CommentId(_) | Field::CommentBody(_) => Key::FieldNote,
            Field::Assignee | Field::ClaimMember | Field::CommentAuthor(_) | Field::EventMember(_) => Key::FieldMember,
            Field::History | Field::EventId(_) | Field::EventValue(_) => Key::FieldRecord,
        }
    }

    /// Fields whose text comes from the page (or from settings) and that the
    /// sanitizer may clean or shorten; a manager's own note and tags are not
    /// cut behind their back.
    fn page_derived(self) -> bool {
        !matches!(
            self,
            Field::Id
                | Field::CreatedMs
                | Field::StampMs(_)
                | Field::StampCounter(_)
                | Field::StampActor(_)
                | Field::Tags
                | Field::Tag(_)
                | Field::Note
                | Field::Assignee
                | Field::ClaimMember
                | Field::Comments
                | Field::CommentId(_)
                | Field::CommentAuthor(_)
                | Field::CommentBody(_)
                | Field::History
                | Field::EventId(_)
                | Field::EventMember(_)
                | Field::EventValue(_)
        )
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Kind {
    NotUuid,
    /// A UUID with upper-case hex digits: ids are canonical lower-case, so
    /// the same id in two cases cannot become two records.
    NotLowerCase,
    /// A capture time before 2020 or more than a day ahead.
    ImplausibleTime {
        ms: i64,
    },
    /// A stamp more than a day ahead of the checking clock, or negative.
    FutureStamp {
        ms: i64,
    },
    /// A pushed stamp further ahead of the team log's clock than
    /// [`MAX_PUSHED_STAMP_AHEAD_MS`].
    AheadOfServer {
        ms: i64,
        limit_ms: i64,
    },
    /// A stamp counter above [`MAX_STAMP_COUNTER`].
    CounterTooLarge {
        counter: u32,
        max: u32,
    },
    Empty,
    TooLong {
        chars: usize,
        max: usize,
    },
    TooMany {
        count: usize,
        max: usize,
    },
    /// A control character (U+0000–U+001F, U+007F–U+009F; line breaks in
    /// one-line fields) at character index `at`.
    ControlCharacter {
        at: usize,
        code: u32,
    },
    /// A bidirectional embedding, override or isolate control in a name or
    /// link (it can make text read differently from what it is).
    BidiControl {
        at: usize,
        code: u32,
    },
    /// Not an http:// or https:// URL.
    NotWebUrl,
    /// http(s) but no host, or whitespace in it.
    MalformedUrl,
    /// A text position whose start is after its end.
    Reversed {
        start: u32,
        end: u32,
    },
}

/// One refusal: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationError {
    pub field: Field,
    #[serde(flatten)]
    pub kind: Kind,
}

impl ValidationError {
    pub fn new(field: Field, kind: Kind) -> ValidationError {
        ValidationError { field, kind }
    }

    /// Whether [`super::sanitize::sanitize_capture`] can fix it without the
    /// manager: control and bidi characters, whitespace and over-long text
    /// in what came from the page.
    pub fn repairable(&self) -> bool {
        match self.kind {
            Kind::ControlCharacter { .. } | Kind::BidiControl { .. } => true,
            Kind::TooLong { .. } | Kind::Reversed { .. } => self.field.page_derived(),
            Kind::Empty => self.field == Field::StampActor(Register::Context) || self.field.page_derived(),
            _ => false,
        }
    }

    /// The sentence in the manager's language: its key, the field's key
    /// (the sentence's first placeholder, to translate too) and the other
    /// placeholders.
    pub fn words(&self) -> (Key, Key, Vec<String>) {
        let field = self.field.label_key();
        let (key, args) = match &self.kind {
            Kind::NotUuid | Kind::NotLowerCase => (Key::InvalidNotUuid, vec![]),
            Kind::ImplausibleTime { .. } => (Key::InvalidTime, vec![]),
            Kind::FutureStamp { .. } | Kind::AheadOfServer { .. } | Kind::CounterTooLarge { .. } => (Key::InvalidFutureStamp, vec![]),
            Kind::Empty => (Key::InvalidEmpty, vec![]),
            Kind::TooLong { chars, max } => (Key::InvalidTooLong, vec![chars.to_string(), max.to_string()]),
            Kind::TooMany { count, max } => (Key::InvalidTooMany, vec![count.to_string(), max.to_string()]),
            Kind::ControlCharacter { code, .. } => (Key::InvalidControl, vec![format!("U+{code:04X}")]),
            Kind::BidiControl { code, .. } => (Key::InvalidBidi, vec![format!("U+{code:04X}")]),
            Kind::NotWebUrl => (Key::InvalidNotWebUrl, vec![]),
            Kind::MalformedUrl => (Key::InvalidMalformedUrl, vec![]),
            Kind::Reversed { .. } => (Key::InvalidReversed, vec![]),
        };
        (key, field, args)
    }
}

/// English, for the server's `message` and logs: the field's path, then what is wrong.
impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.field.path();
        match &self.kind {
            Kind::NotUuid => write!(f, "{path}: is not a UUID (8-4-4-4-12 hex digits)"),
            Kind::NotLowerCase => write!(f, "{path}: write the UUID in lower case (ids are canonical lower-case)"),
            Kind::AheadOfServer { ms, limit_ms } => {
                write!(f, "{path}: {ms} is more than {} minutes ahead of the team log's clock; check the device's clock", limit_ms / 60_000)
            }
            Kind::CounterTooLarge { counter, max } => write!(f, "{path}: counter {counter} is above {max}"),
            Kind::ImplausibleTime { ms } => write!(f, "{path}: {ms} is not a plausible capture time (ms since 1970, UTC)"),
            Kind::FutureStamp { ms } => {
                write!(f, "{path}: {ms} is more than a day ahead of the server's clock (or negative); check the device's clock")
            }
            Kind::Empty => write!(f, "{path}: must not be empty"),
            Kind::TooLong { chars, max } => write!(f, "{path}: {chars} characters; at most {max}"),
            Kind::TooMany { count, max } => write!(f, "{path}: {count} tags; at most {max} per capture"),
            Kind::ControlCharacter { at, code } => {
                write!(f, "{path}: contains control characters or line breaks (U+{code:04X} at character {at})")
            }
            Kind::BidiControl { at, code } => {
                write!(f, "{path}: contains a bidirectional control character (U+{code:04X} at character {at})")
            }
            Kind::NotWebUrl => write!(f, "{path}: is not an http:// or https:// URL"),
            Kind::MalformedUrl => write!(f, "{path}: is not a well-formed URL"),
            Kind::Reversed { start, end } => write!(f, "{path}: start {start} is after end {end}"),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Check every field of a capture. `now_ms` is the checking side's clock.
pub fn validate_capture(c: &Capture, now_ms: i64) -> Result<(), ValidationError> {
    let err = |field, kind| Err(ValidationError::new(field, kind));
    if !is_uuid(&c.id) {
        return err(Field::Id, Kind::NotUuid);
    }
    if c.id.bytes().any(|b| b.is_ascii_uppercase()) {
        return err(Field::Id, Kind::NotLowerCase);
    }
    if c.created_ms < MIN_TIME_MS || c.created_ms > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
        return err(Field::CreatedMs, Kind::ImplausibleTime { ms: c.created_ms });
    }
    // May be empty: a capture made before its member set a name; the server
    // names it after the member who pushes it.
    label(Field::CreatedBy, &c.created_by, MAX_LABEL_CHARS, false)?;
    for (register, stamp) in stamps(c) {
        check_stamp(register, stamp, now_ms)?;
    }

    let x = &c.context.value;
    url(Field::PageUrl, &x.page_url, true)?;
    label(Field::PageTitle, &x.page_title, MAX_LABEL_CHARS, false)?;
    label(Field::Site, &x.site, MAX_LABEL_CHARS, false)?;
    if let Some(lang) = &x.lang {
        label(Field::Lang, lang, MAX_LANG_CHARS, false)?;
    }
    text(Field::CommentText, &x.comment_text, MAX_COMMENT_CHARS)?;
    if let Some(name) = &x.author_name {
        label(Field::AuthorName, name, MAX_LABEL_CHARS, false)?;
    }
    if let Some(u) = &x.author_url {
        url(Field::AuthorUrl, u, false)?;
    }
    if let Some(t) = &x.comment_time {
        if let Some(utc) = &t.utc {
            label(Field::CommentTimeUtc, utc, MAX_UTC_CHARS, false)?;
        }
        label(Field::CommentTimeOriginal, &t.original, MAX_LABEL_CHARS, false)?;
    }
    if let Some(u) = &x.permalink {
        url(Field::Permalink, u, false)?;
    }
    label(Field::Brand, &x.brand, MAX_LABEL_CHARS, false)?;
    label(Field::Term, &x.term, MAX_LABEL_CHARS, false)?;
    text(Field::QuoteExact, &x.quote.exact, MAX_QUOTE_CHARS)?;
    text(Field::QuotePrefix, &x.quote.prefix, MAX_QUOTE_CHARS)?;
    text(Field::QuoteSuffix, &x.quote.suffix, MAX_QUOTE_CHARS)?;
    if let Some(p) = &x.position {
        if p.start > p.end {
            return err(Field::Position, Kind::Reversed { start: p.start, end: p.end });
        }
    }
    if let Some(p) = &x.platform {
        label(Field::Platform, p, MAX_PLATFORM_CHARS, false)?;
    }

    if let Some(d) = &c.department.value {
        label(Field::Department, d, MAX_LABEL_CHARS, false)?;
    }
    let tags = c.tags.values();
    // Concurrent adds may pass the edit limit; twice it is refused.
    if tags.len() > 2 * MAX_TAGS {
        return err(Field::Tags, Kind::TooMany { count: tags.len(), max: 2 * MAX_TAGS });
    }
    if c.tags.len_dots() > MAX_TAG_DOTS {
        return err(Field::Tags, Kind::TooMany { count: c.tags.len_dots(), max: MAX_TAG_DOTS });
    }
    for (i, d) in c.tags.live().iter().enumerate() {
        label(Field::Tag(i), &d.tag, MAX_TAG_CHARS, true)?;
    }
    for d in c.tags.dots().skip(c.tags.live().len()) {
        label(Field::Tags, &d.tag, MAX_TAG_CHARS, true)?;
    }
    if let Some(a) = &c.assignee.value {
        label(Field::Assignee, a, MAX_LABEL_CHARS, true)?;
    }
    if let Some(claim) = &c.claim.value {
        label(Field::ClaimMember, &claim.member, MAX_LABEL_CHARS, false)?;
    }
    let comments = c.comments.all();
    if comments.len() > MAX_COMMENTS {
        return err(Field::Comments, Kind::TooMany { count: comments.len(), max: MAX_COMMENTS });
    }
    for (i, k) in comments.iter().enumerate() {
        if !is_uuid(&k.id) {
            return err(Field::CommentId(i), Kind::NotUuid);
        }
        // May be empty like `createdBy`: posted before the member set a name.
        label(Field::CommentAuthor(i), &k.author, MAX_LABEL_CHARS, false)?;
        text(Field::CommentBody(i), &k.text.value, MAX_NOTE_CHARS)?;
    }
    let events = c.history.events();
    if events.len() > MAX_EVENTS {
        return err(Field::History, Kind::TooMany { count: events.len(), max: MAX_EVENTS });
    }
    for (i, e) in events.iter().enumerate() {
        if !is_uuid(&e.id) {
            return err(Field::EventId(i), Kind::NotUuid);
        }
        label(Field::EventMember(i), &e.member, MAX_LABEL_CHARS, false)?;
        label(Field::EventValue(i), &e.from, MAX_LABEL_CHARS, false)?;
        label(Field::EventValue(i), &e.to, MAX_LABEL_CHARS, false)?;
        if e.ms < 0 || e.ms > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
            return err(Field::EventId(i), Kind::FutureStamp { ms: e.ms });
        }
    }
    Ok(())
}

/// What the team log accepts from a push: [`validate_capture`], and no stamp
/// more than [`MAX_PUSHED_STAMP_AHEAD_MS`] ahead of its clock.
pub fn validate_pushed(c: &Capture, now_ms: i64) -> Result<(), ValidationError> {
    validate_capture(c, now_ms)?;
    let limit = now_ms.saturating_add(MAX_PUSHED_STAMP_AHEAD_MS);
    match stamps(c).into_iter().find(|(_, s)| s.ms > limit) {
        Some((register, s)) => {
            Err(ValidationError::new(Field::StampMs(register), Kind::AheadOfServer { ms: s.ms, limit_ms: MAX_PUSHED_STAMP_AHEAD_MS }))
        }
        None => Ok(()),
    }
}

/// Every stamp in the record, with the register (or set) holding it. The
/// assignee and claim of a record written before they existed carry the
/// empty stamp ("never set"), which is not checked.
fn stamps(c: &Capture) -> Vec<(Register, &Stamp)> {
    let unset = |s: &Stamp| *s == Stamp::default();
    let mut out = vec![
        (Register::Context, &c.context.stamp),
        (Register::Sentiment, &c.sentiment.stamp),
        (Register::Department, &c.department.stamp),
        (Register::Status, &c.status.stamp),
        (Register::Priority, &c.priority.stamp),
        (Register::Deleted, &c.deleted.stamp),
    ];
    if !(unset(&c.assignee.stamp) && c.assignee.value.is_none()) {
        out.push((Register::Assignee, &c.assignee.stamp));
    }
    if !(unset(&c.claim.stamp) && c.claim.value.is_none()) {
        out.push((Register::Claim, &c.claim.stamp));
    }
    out.extend(c.tags.dots().map(|d| (Register::Tags, &d.stamp)));
    for k in c.comments.all() {
        out.push((Register::Comments, &k.text.stamp));
        out.push((Register::Comments, &k.deleted.stamp));
    }
    out
}

/// A department as a dashboard edit sets it.
pub fn validate_department(d: &str) -> Result<(), ValidationError> {
    label(Field::Department, d, MAX_LABEL_CHARS, false)
}

/// An edit's values, held to the same rules as the record's fields they
/// set (so an edit cannot store what a push would refuse).
pub fn validate_edit(edit: &CaptureEdit) -> Result<(), ValidationError> {
    if let Some(Some(d)) = &edit.department {
        validate_department(d)?;
    }
    if let Some(tags) = &edit.tags {
        if tags.len() > MAX_TAGS {
            return Err(ValidationError::new(Field::Tags, Kind::TooMany { count: tags.len(), max: MAX_TAGS }));
        }
        for (i, t) in tags.iter().enumerate() {
            // Blank tags are dropped when the edit is applied.
            label(Field::Tag(i), t, MAX_TAG_CHARS, false)?;
        }
    }
    for (i, t) in edit.add_tags.iter().chain(&edit.remove_tags).enumerate() {
        label(Field::Tag(i), t, MAX_TAG_CHARS, false)?;
    }
    if edit.add_tags.len() > MAX_TAGS || edit.remove_tags.len() > MAX_TAG_DOTS {
        let count = edit.add_tags.len().max(edit.remove_tags.len());
        return Err(ValidationError::new(Field::Tags, Kind::TooMany { count, max: MAX_TAGS }));
    }
    if let Some(Some(a)) = &edit.assignee {
        label(Field::Assignee, a, MAX_LABEL_CHARS, false)?;
    }
    if let Some(Some(claim)) = &edit.claim {
        label(Field::ClaimMember, &claim.member, MAX_LABEL_CHARS, false)?;
    }
    if let Some(note) = &edit.add_comment {
        text(Field::Note, note, MAX_NOTE_CHARS)?;
    }
    if let Some(e) = &edit.edit_comment {
        text(Field::Note, &e.text, MAX_NOTE_CHARS)?;
        label(Field::CommentId(0), &e.id, MAX_LABEL_CHARS, true)?;
    }
    if let Some(id) = &edit.delete_comment {
        label(Field::CommentId(0), id, MAX_LABEL_CHARS, true)?;
    }
    Ok(())
}

/// A team or member name (the admin commands): one line, no control or
/// bidirectional characters, not blank, at most [`MAX_LABEL_CHARS`].
pub fn validate_name(name: &str) -> Result<(), Kind> {
    label(Field::CreatedBy, name, MAX_LABEL_CHARS, true).map_err(|e| e.kind)
}

fn check_stamp(register: Register, s: &Stamp, now_ms: i64) -> Result<(), ValidationError> {
    if s.ms < 0 || s.ms > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
        return Err(ValidationError::new(Field::StampMs(register), Kind::FutureStamp { ms: s.ms }));
    }
    if s.counter > MAX_STAMP_COUNTER {
        return Err(ValidationError::new(
            Field::StampCounter(register),
            Kind::CounterTooLarge { counter: s.counter, max: MAX_STAMP_COUNTER },
        ));
    }
    label(Field::StampActor(register), &s.actor, MAX_ACTOR_CHARS, true)
}

/// Whether `c` is a control character a one-line field may not hold.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control()
}

/// Bidirectional embedding, override and isolate controls (not the plain
/// LRM/RLM marks, which names legitimately carry).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Any bidirectional formatting character, marks included: none belongs
/// unescaped in a URL, where one can make a link read as another host.
pub fn is_bidi_format(c: char) -> bool {
    is_bidi_control(c) || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn count_over(field: Field, value: &str, max: usize) -> Result<(), ValidationError> {
    // Counting stops early: a 1 MB value is refused without walking all of it.
    if value.len() > max {
        let n = value.chars().count();
        if n > max {
            return Err(ValidationError::new(field, Kind::TooLong { chars: n, max }));
        }
    }
    Ok(())
}

/// Free text: bounded; line breaks and tabs allowed.
fn text(field: Field, value: &str, max: usize) -> Result<(), ValidationError> {
    count_over(field, value, max)?;
    if let Some((at, c)) = value.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ValidationError::new(field, Kind::ControlCharacter { at, code: c as u32 }));
    }
    Ok(())
}

/// One-line text: bounded, no control characters, non-blank when required.
fn label(field: Field, value: &str, max: usize, required: bool) -> Result<(), ValidationError> {
    count_over(field, value, max)?;
    for (at, c) in value.chars().enumerate() {
        if is_forbidden_control(c) {
            return Err(ValidationError::new(field, Kind::ControlCharacter { at, code: c as u32 }));
        }
        if is_bidi_control(c) {
            return Err(ValidationError::new(field, Kind::BidiControl { at, code: c as u32 }));
        }
    }
    if required && value.trim().is_empty() {
        return Err(ValidationError::new(field, Kind::Empty));
    }
    Ok(())
}

/// An absolute http(s) URL with a host; anything else (javascript:, data:,
/// relative paths) could turn into a live link in someone's dashboard.
fn url(field: Field, value: &str, required: bool) -> Result<(), ValidationError> {
    if value.is_empty() && !required {
        return Ok(());
    }
    count_over(field, value, MAX_URL_CHARS)?;
    let Some(rest) = strip_web_scheme(value) else {
        return Err(ValidationError::new(field, Kind::NotWebUrl));
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if rest[..host_end].is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ValidationError::new(field, Kind::MalformedUrl));
    }
    if let Some((at, c)) = value.chars().enumerate().find(|(_, c)| is_bidi_format(*c)) {
        return Err(ValidationError::new(field, Kind::BidiControl { at, code: c as u32 }));
    }
    Ok(())
}

/// What follows `http://` or `https://` (any case), or `None`.
pub fn strip_web_scheme(value: &str) -> Option<&str> {
    ["https://", "http://"].iter().find_map(|p| value.get(..p.len()).filter(|head| head.eq_ignore_ascii_case(p)).map(|_| &value[p.len()..]))
}

/// The one well-formed capture the log's and the sync client's validation
/// tests break field by field, made a second before their clock `NOW`.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::log::{Capture, CaptureContext, Stamp, Tags, TextQuote};

    pub const NOW: i64 = 1_750_000_000_000;

    pub fn good() -> Capture {
        let ctx = CaptureContext {
            page_url: "https://foro.example/t/1".into(),
            comment_text: "Movistar me cobró dos veces".into(),
            brand: "Telefónica".into(),
            term: "Movistar".into(),
            quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
            ..Default::default()
        };
        let stamp = Stamp { ms: NOW - 1000, counter: 0, actor: "dev-a".into() };
        Capture::new("01890a5d-ac96-774b-bcce-b302099a8057".into(), ctx, &Tags::default(), "ana", stamp)
    }

    /// Post a comment by "ana" with the record's latest stamp (tests break it).
    pub fn comment(c: &mut Capture, text: &str) {
        let s = c.last_stamp().clone();
        c.comments.insert(crate::log::Comment::new(crate::log::thread::comment_id(&s), "ana", text.into(), &s));
    }

    /// The record's tags set to `tags`, added with its latest stamp.
    pub fn tags(c: &mut Capture, tags: Vec<String>) {
        c.tags = crate::log::TagSet::with_tags(&tags, &c.last_stamp().clone());
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{self, good, NOW};
    use super::*;

    #[test]
    fn each_bad_field_is_data() {
        type Breaker = fn(&mut Capture);
        let cases: Vec<(Breaker, Field, Kind, bool)> = vec![
            (|c| c.id = "123".into(), Field::Id, Kind::NotUuid, false),
            (
                |c| c.context.value.quote.prefix = "hola\u{1e}Movistar".into(),
                Field::QuotePrefix,
                Kind::ControlCharacter { at: 4, code: 0x1e },
                true,
            ),
            (|c| c.context.value.author_name = Some("ana\nbo".into()), Field::AuthorName, Kind::ControlCharacter { at: 3, code: 10 }, true),
            (
                |c| c.context.value.author_name = Some("\u{202E}moc.evil".into()),
                Field::AuthorName,
                Kind::BidiControl { at: 0, code: 0x202E },
                true,
            ),
            (
                |c| c.context.value.permalink = Some("https://x.example/\u{2066}a".into()),
                Field::Permalink,
                Kind::BidiControl { at: 18, code: 0x2066 },
                true,
            ),
            (|c| c.context.value.page_url = "javascript:alert(1)".into(), Field::PageUrl, Kind::NotWebUrl, false),
            (|c| c.context.value.page_url = "https:///path".into(), Field::PageUrl, Kind::MalformedUrl, false),
            (
                |c| c.context.value.comment_text = "é".repeat(MAX_COMMENT_CHARS + 1),
                Field::CommentText,
                Kind::TooLong { chars: MAX_COMMENT_CHARS + 1, max: MAX_COMMENT_CHARS },
                true,
            ),
            (
                |c| fixture::comment(c, &"n".repeat(MAX_NOTE_CHARS + 1)),
                Field::CommentBody(0),
                Kind::TooLong { chars: MAX_NOTE_CHARS + 1, max: MAX_NOTE_CHARS },
                false,
            ),
            (
                |c| {
                    fixture::comment(c, "ok");
                    let mut k = c.comments.all()[0].clone();
                    k.text.stamp.actor = " ".into();
                    k.deleted.stamp.actor = " ".into();
                    c.comments = vec![k].into();
                },
                Field::StampActor(Register::Comments),
                Kind::Empty,
                false,
            ),
            (
                |c| c.status.stamp.ms = NOW + MAX_CLOCK_SKEW_MS + 1,
                Field::StampMs(Register::Status),
                Kind::FutureStamp { ms: NOW + MAX_CLOCK_SKEW_MS + 1 },
                false,
            ),
            (|c| c.created_ms = 5, Field::CreatedMs, Kind::ImplausibleTime { ms: 5 }, false),
            (
                // Concurrent adds may pass the edit limit (MAX_TAGS); the
                // record's bound is twice that.
                |c| fixture::tags(c, (0..=2 * MAX_TAGS).map(|i| i.to_string()).collect()),
                Field::Tags,
                Kind::TooMany { count: 2 * MAX_TAGS + 1, max: 2 * MAX_TAGS },
                false,
            ),
            (
                |c| c.context.value.position = Some(crate::log::TextPosition { start: 9, end: 2 }),
                Field::Position,
                Kind::Reversed { start: 9, end: 2 },
                true,
            ),
        ];
        for (i, (breaker, field, kind, repairable)) in cases.into_iter().enumerate() {
            let mut c = good();
            breaker(&mut c);
            let e = validate_capture(&c, NOW).unwrap_err();
            assert_eq!((e.field, &e.kind), (field, &kind), "case {i}");
            assert_eq!(e.repairable(), repairable, "case {i}: {e}");
            // Data survives a round trip (it is kept with a quarantined record).
            let back: ValidationError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
            assert_eq!(back, e);
            // Words exist for it and name the field's label.
            let (key, label, _) = e.words();
            assert!(key.name().starts_with("invalid"), "{key:?}");
            assert_eq!(label, field.label_key());
        }
    }

    #[test]
    fn english_names_the_path() {
        let e = ValidationError::new(Field::Tag(2), Kind::TooLong { chars: 61, max: 60 });
        assert_eq!(e.to_string(), "tags[2]: 61 characters; at most 60");
        let e = ValidationError::new(Field::QuotePrefix, Kind::ControlCharacter { at: 4, code: 0x1e });
        assert!(e.to_string().starts_with("context.value.quote.prefix: contains control characters"), "{e}");
    }

    #[test]
    fn free_text_keeps_line_breaks_and_accents_and_names_keep_marks() {
        let mut c = good();
        c.context.value.comment_text = "Línea uno\nlínea dos\tñ 😀 \u{202E}rtl".into();
        fixture::comment(&mut c, "llamado\r\nok");
        c.context.value.author_name = Some("\u{200F}שלום".into());
        c.context.value.permalink = Some("HTTPS://Foro.example/p/3?x=1#c".into());
        assert_eq!(validate_capture(&c, NOW), Ok(()));
    }
}
