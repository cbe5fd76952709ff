//! What the capture card shows and how a manager's input becomes a capture.
//!
//! The card (drawn by the content script inside a closed shadow root) is a
//! view of a [`CardModel`]. Every decision — which fields were found, which
//! the manager must fill in, whether the comment is already logged and by
//! whom, what a "Log" click sends — is made here, so it is tested natively.
//! A field that was not found is shown as missing with an input; the card
//! never invents one.

use serde::{Deserialize, Serialize};

use crate::i18n::{Key, Words};
use crate::log::record::{dedupe_key, Capture, CaptureContext, Tags};
use crate::log::{CaptureEdit, Claim};
use crate::pages::workspace::{assignee_options, thread, CommentView};

/// Longest excerpt of the comment the card shows (the record keeps more).
pub const EXCERPT_CHARS: usize = 280;

/// One context field as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "camelCase")]
pub enum FieldView {
    Found(String),
    /// Not on the page; the card offers an input instead.
    Missing,
}

impl FieldView {
    fn of(v: &Option<String>) -> FieldView {
        match v.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => FieldView::Found(s.to_string()),
            _ => FieldView::Missing,
        }
    }
}

/// Already in the log: who logged it and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedView {
    pub id: String,
    pub by: String,
    pub status: &'static str,
    /// Logged by someone else on the team (pulled from the team log).
    pub by_teammate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardModel {
    pub brand: String,
    pub term: String,
    pub excerpt: String,
    /// The text is only the passage around the mention: extraction could not
    /// tell the comment's bounds (`capture::TextScope::Passage`), and says so.
    pub passage_only: bool,
    pub author: FieldView,
    pub author_url: FieldView,
    /// The comment time as the page said it; the view formats `utc` locally.
    pub time_original: FieldView,
    pub time_utc: Option<String>,
    pub permalink: FieldView,
    pub logged: Option<LoggedView>,
    /// What the tag widgets start with: the record's tags, or the team defaults.
    pub tags: Tags,
    pub departments: Vec<String>,
    /// The team's side of a logged capture (issue 12): set by [`CardModel::team`].
    pub team: Option<TeamView>,
}

/// Who is answering a capture, as the card says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimView {
    pub member: String,
    pub until_ms: i64,
    /// This member's own claim (the card offers to release it).
    pub mine: bool,
}

/// A logged capture's assignment, claim and comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    pub assignee: Option<String>,
    /// Only an active claim: a lapsed one says nothing.
    pub claim: Option<ClaimView>,
    pub comments: Vec<CommentView>,
    /// The assignee menu: (value, name), "" for nobody.
    pub assignees: Vec<(String, Option<String>)>,
}

impl TeamView {
    pub fn of(c: &Capture, member: &str, members: &[String], now_ms: i64) -> TeamView {
        let me = member.trim();
        let assignee = c.assignee.value.clone().filter(|a| !a.trim().is_empty());
        let claim = c.claim.value.as_ref().filter(|k| k.is_active(now_ms) && !k.member.trim().is_empty()).map(|k| ClaimView {
            member: k.member.clone(),
            until_ms: k.until_ms,
            mine: !me.is_empty() && k.member.trim() == me,
        });
        TeamView { assignees: assignee_options(members, assignee.as_deref()), assignee, claim, comments: thread(c, member) }
    }

    /// "Ana is responding (until 10:32)" / "You are responding (until 10:32)";
    /// `until` is the claim's end in the reader's locale.
    pub fn claim_line(&self, until: &str) -> Option<Words> {
        let k = self.claim.as_ref()?;
        Some(if k.mine { Words::new(Key::WsClaimYou).text(until) } else { Words::new(Key::WsClaimBy).text(k.member.clone()).text(until) })
    }

    /// What the claim button does now.
    pub fn claim_action(&self) -> ClaimAction {
        match &self.claim {
            Some(k) if k.mine => ClaimAction::Release,
            _ => ClaimAction::Claim,
        }
    }

    /// The claim an edit carries: an edit by the member holding the claim
    /// renews it for another [`crate::log::CLAIM_MINUTES`]; anyone else's
    /// edit leaves it alone.
    pub fn renewal(&self, member: &str, now_ms: i64) -> Option<Option<Claim>> {
        match &self.claim {
            Some(k) if k.mine => Some(Some(Claim::starting(member.trim(), now_ms))),
            _ => None,
        }
    }
}

/// The claim button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimAction {
    /// "I'm responding": claim for [`crate::log::CLAIM_MINUTES`] (taking
    /// over a teammate's claim is allowed: the card has said theirs first).
    Claim,
    /// "Stop responding".
    Release,
}

impl ClaimAction {
    pub fn label(self) -> Key {
        match self {
            ClaimAction::Claim => Key::WsClaim,
            ClaimAction::Release => Key::WsRelease,
        }
    }

    pub fn edit(self, member: &str, now_ms: i64) -> CaptureEdit {
        let claim = match self {
            ClaimAction::Claim => Some(Claim::starting(member.trim(), now_ms)),
            ClaimAction::Release => None,
        };
        CaptureEdit { claim: Some(claim), ..Default::default() }
    }
}

/// What the card's "Update" sends for a logged capture: the tag widgets,
/// the assignee only when the manager changed it (re-sending an unchanged
/// one would overwrite a teammate's reassignment made meanwhile), the
/// comment box as a new comment, and the claim renewal.
pub fn update_edit(team: &TeamView, tags: &Tags, assignee: &str, comment: &str, member: &str, now_ms: i64) -> CaptureEdit {
    let mut edit = CaptureEdit::set_tags(&Tags { note: String::new(), ..tags.clone() });
    let assignee = Some(assignee.trim().to_string()).filter(|a| !a.is_empty());
    if assignee != team.assignee {
        edit.assignee = Some(assignee);
    }
    let comment = comment.trim();
    edit.add_comment = (!comment.is_empty()).then(|| comment.to_string());
    edit.claim = team.renewal(member, now_ms);
    edit
}

impl CardModel {
    /// `existing`: captures already known on this page (own and teammates').
    pub fn new(ctx: &CaptureContext, existing: &[Capture], defaults: &Tags, departments: &[String], member: &str) -> CardModel {
        let logged = find_logged(ctx, existing);
        let tags = logged.map(Capture::current_tags).unwrap_or_else(|| defaults.clone());
        CardModel {
            brand: ctx.brand.clone(),
            term: ctx.term.clone(),
            excerpt: excerpt(&ctx.comment_text, &ctx.quote.exact),
            passage_only: false,
            author: FieldView::of(&ctx.author_name),
            author_url: FieldView::of(&ctx.author_url),
            time_original: FieldView::of(&ctx.comment_time.as_ref().map(|t| t.original.clone())),
            time_utc: ctx.comment_time.as_ref().and_then(|t| t.utc.clone()),
            permalink: FieldView::of(&ctx.permalink),
            logged: logged.map(|c| LoggedView {
                id: c.id.clone(),
                by: c.created_by.clone(),
                status: c.status.value.as_str(),
                by_teammate: matches!(Attribution::of(&c.created_by, member), Attribution::Member(_)),
            }),
            tags,
            departments: departments.to_vec(),
            team: None,
        }
    }

    /// Add the team's side (assignee, claim, comments) when the comment is
    /// already logged. `members`: the team's names for the assignee menu.
    pub fn team(mut self, ctx: &CaptureContext, existing: &[Capture], member: &str, members: &[String], now_ms: i64) -> CardModel {
        self.team = find_logged(ctx, existing).map(|c| TeamView::of(c, member, members, now_ms));
        self
    }
}

/// Who logged a capture, as the card, the popup and the log page say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribution {
    /// This browser's member ("In your log").
    You,
    /// Someone named ("Logged by ana").
    Member(String),
}

impl Attribution {
    /// `created_by` of a capture, seen by `member` (this browser's member
    /// name; empty when not set). A capture without a name is ours: the team
    /// log names every capture after the member who pushed it, so only ours
    /// can lack one (made before the name was set). A named capture when we
    /// have no name of our own says the name: true whoever it is.
    pub fn of(created_by: &str, member: &str) -> Attribution {
        let (by, me) = (created_by.trim(), member.trim());
        if by.is_empty() || by == me {
            Attribution::You
        } else {
            Attribution::Member(by.to_string())
        }
    }

    /// The card's and popup's line: "Logged by ana · Responded" or "In your
    /// log · Responded", given the status already in the manager's words.
    pub fn line(&self, status_words: &str) -> (Key, Vec<String>) {
        match self {
            Attribution::You => (Key::CardLoggedByYou, vec![status_words.to_string()]),
            Attribution::Member(name) => (Key::CardLoggedBy, vec![name.clone(), status_words.to_string()]),
        }
    }

    /// The log page's row label ("Logged by ana" / "In your log").
    pub fn label(&self) -> (Key, Vec<String>) {
        match self {
            Attribution::You => (Key::LogInYourLog, vec![]),
            Attribution::Member(name) => (Key::LogLoggedBy, vec![name.clone()]),
        }
    }
}

/// The non-deleted capture of the same comment, if any.
pub fn find_logged<'a>(ctx: &CaptureContext, existing: &'a [Capture]) -> Option<&'a Capture> {
    let key = dedupe_key(ctx);
    existing.iter().find(|c| !c.deleted.value && c.dedupe_key() == key)
}

/// What the manager typed into the inputs for fields the page lacked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManualFields {
    pub author_name: String,
    pub permalink: String,
    pub time: String,
}

/// Why the manager's input was refused; the card words it in their language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FillInError {
    /// The typed link is not an http(s) URL (e.g. `javascript:`).
    NotAWebLink(String),
}

impl std::fmt::Display for FillInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FillInError::NotAWebLink(link) => {
                write!(f, "\u{201c}{link}\u{201d} is not a web link (it must start with http:// or https://).")
            }
        }
    }
}

/// Fold the manager's input into the context. Only fills gaps (found values
/// win); a permalink that is not http(s) is refused.
pub fn fill_in(mut ctx: CaptureContext, manual: &ManualFields) -> Result<CaptureContext, FillInError> {
    let author = manual.author_name.trim();
    if ctx.author_name.is_none() && !author.is_empty() {
        ctx.author_name = Some(author.to_string());
    }
    let link = manual.permalink.trim();
    if ctx.permalink.is_none() && !link.is_empty() {
        let lower = link.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) || link.len() < 10 || link.contains(char::is_whitespace) {
            return Err(FillInError::NotAWebLink(link.to_string()));
        }
        ctx.permalink = Some(link.to_string());
    }
    let time = manual.time.trim();
    if ctx.comment_time.is_none() && !time.is_empty() {
        // Kept as the manager wrote it; no UTC is invented from free text.
        ctx.comment_time = Some(crate::log::CommentTime { utc: None, original: time.to_string(), zone_assumed: false });
    }
    Ok(ctx)
}

/// The start of the comment, around the mention when it is further in.
pub fn excerpt(text: &str, mention: &str) -> String {
    let text = text.trim();
    let count = text.chars().count();
    if count <= EXCERPT_CHARS {
        return text.to_string();
    }
    let at = if mention.is_empty() { None } else { text.find(mention) };
    let start_char = match at {
        Some(byte) => text[..byte].chars().count().saturating_sub(EXCERPT_CHARS / 3),
        None => 0,
    }
    .min(count - EXCERPT_CHARS);
    let body: String = text.chars().skip(start_char).take(EXCERPT_CHARS).collect();
    let lead = if start_char > 0 { "\u{2026}" } else { "" };
    let tail = if start_char + EXCERPT_CHARS < count { "\u{2026}" } else { "" };
    format!("{lead}{}{tail}", body.trim())
}

/// rules13: what the team's routing rules will do with this comment once it
/// is logged, as the card's line "→ Logistics · High · #delivery": the same
/// [`crate::routing::evaluate`] the team-log server runs at ingest, on the
/// context and the tags chosen so far. `None` when no rule changes anything
/// or the comment is already logged (rules run once, at first arrival).
/// `department` and `priority` word the values in the reader's language.
pub fn route_line(
    rules: &[crate::routing::Rule],
    ctx: &CaptureContext,
    tags: &Tags,
    logged: bool,
    department: impl Fn(&str) -> String,
    priority: impl Fn(crate::log::Priority) -> String,
) -> Option<String> {
    if logged || rules.is_empty() {
        return None;
    }
    let out = crate::routing::evaluate(rules, (ctx, tags));
    let mut parts: Vec<String> = vec![];
    parts.extend(out.department.as_deref().map(department));
    parts.extend(out.assignee.as_ref().map(|a| format!("@{a}")));
    parts.extend(out.priority.map(priority));
    parts.extend(out.tags.iter().map(|t| format!("#{t}")));
    parts.extend(out.send_to.iter().map(|d| format!("\u{2197} {d}")));
    (!parts.is_empty()).then(|| format!("\u{2192} {}", parts.join(" \u{b7} ")))
}

/// Why the card refuses a "Log" or "Update" click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogRefusal {
    /// The click was not the manager's (`isTrusted` false).
    NotDeliberate,
    /// The card was not visibly on top: hidden, faded, transformed or
    /// covered (the page made it invisible and put a decoy where the
    /// manager would click), or the browser has not said yet.
    NotVisible,
}

impl LogRefusal {
    pub fn key(self) -> Key {
        match self {
            LogRefusal::NotDeliberate => Key::CardNotDeliberate,
            LogRefusal::NotVisible => Key::CardNotVisible,
        }
    }
}

/// Whether a click on "Log" may log. `trusted`: the click's `isTrusted`;
/// `visible`: the browser's latest verdict on the card frame being visible
/// and unoccluded (IntersectionObserver v2 `isVisible`, which accounts for
/// opacity, filters, transforms and anything drawn over it, in every
/// ancestor frame), None while it has given none. Unknown is refused: a
/// wrong capture is worse than asking the manager to click again.
pub fn log_allowed(trusted: bool, visible: Option<bool>) -> Result<(), LogRefusal> {
    if !trusted {
        return Err(LogRefusal::NotDeliberate);
    }
    match visible {
        Some(true) => Ok(()),
        _ => Err(LogRefusal::NotVisible),
    }
}

/// Whether a request sent from a tab whose page is `sender_page` (as the
/// browser reports the sender, never as the request says) may reach the
/// captures filed under `requested`: read them (a content script), edit or
/// delete one (the card frame, with its ticket's page). The page itself, or
/// its canonical link, which the service worker cannot check against the
/// page's DOM and so allows on the same host only, the rule logging follows
/// ([`crate::card_frame::cited_page_allowed`]). A sender without an address
/// reaches nothing.
pub fn page_reachable(sender_page: &str, requested: &str) -> Result<(), crate::protocol::ProtocolError> {
    if !sender_page.is_empty() && crate::card_frame::cited_page_allowed(sender_page, requested) {
        return Ok(());
    }
    Err(crate::protocol::ProtocolError::OtherPage { page: sender_page.to_string(), cited: requested.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Stamp, Status, TextQuote};

    fn ctx() -> CaptureContext {
        CaptureContext {
            page_url: "https://foro.example/t/9".into(),
            comment_text: "La fibra de Movistar va lentísima desde ayer".into(),
            brand: "Telefónica".into(),
            term: "Movistar".into(),
            author_name: Some("  lucia_m ".into()),
            quote: TextQuote { exact: "Movistar".into(), prefix: "fibra de ".into(), suffix: " va".into() },
            ..Default::default()
        }
    }

    fn stamp(ms: i64) -> Stamp {
        Stamp { ms, counter: 0, actor: "d".into() }
    }

    #[test]
    fn missing_fields_are_shown_as_missing_never_invented() {
        let m = CardModel::new(&ctx(), &[], &Tags::default(), &["PR".into()], "ana");
        assert_eq!(m.author, FieldView::Found("lucia_m".into()));
        assert_eq!(m.permalink, FieldView::Missing);
        assert_eq!(m.time_original, FieldView::Missing);
        assert_eq!(m.time_utc, None);
        assert!(m.logged.is_none());
        assert_eq!(m.departments, vec!["PR".to_string()]);
    }

    #[test]
    fn an_already_logged_comment_shows_who_and_its_status() {
        let mut theirs = Capture::new("id1".into(), ctx(), &Tags::default(), "bruno", stamp(1));
        theirs.status.set(Status::Responded, stamp(2));
        let mut deleted = Capture::new("id0".into(), ctx(), &Tags::default(), "ana", stamp(1));
        deleted.deleted.set(true, stamp(3));
        let m = CardModel::new(&ctx(), &[deleted, theirs], &Tags::default(), &[], "ana");
        let logged = m.logged.unwrap();
        assert_eq!((logged.id.as_str(), logged.by.as_str(), logged.status, logged.by_teammate), ("id1", "bruno", "responded", true));
        assert_eq!(m.tags.status, Status::Responded, "widgets start from the record");
    }

    #[test]
    fn attribution_names_teammates_and_never_shows_an_empty_name() {
        use Attribution::*;
        let cases = [
            // (created_by, member) -> attribution
            ("bruno", "ana", Member("bruno".into())),
            ("bruno", "", Member("bruno".into())), // the card used to say "In your log" here
            (" ana ", "ana", You),
            ("", "ana", You), // made before the name was set: ours
            ("", "", You),
            ("ana", "", Member("ana".into())),
        ];
        for (by, member, want) in cases {
            assert_eq!(Attribution::of(by, member), want, "{by:?} seen by {member:?}");
        }
        assert_eq!(Member("bo".into()).line("Responded"), (Key::CardLoggedBy, vec!["bo".to_string(), "Responded".to_string()]));
        assert_eq!(You.line("New"), (Key::CardLoggedByYou, vec!["New".to_string()]));
        assert_eq!(Member("bo".into()).label(), (Key::LogLoggedBy, vec!["bo".to_string()]));
        assert_eq!(You.label().0, Key::LogInYourLog);
        // The card passes an empty member name today: a teammate's capture still reads as theirs.
        let theirs = Capture::new("id1".into(), ctx(), &Tags::default(), "bruno", stamp(1));
        let m = CardModel::new(&ctx(), &[theirs], &Tags::default(), &[], "");
        assert!(m.logged.unwrap().by_teammate);
    }

    fn claimed(c: Capture, by: &str, at: i64) -> Capture {
        let mut c = c;
        let e = CaptureEdit { claim: Some(Some(Claim::starting(by, at))), ..Default::default() };
        c.apply(&e, &stamp(at), by).unwrap();
        c
    }

    #[test]
    fn a_teammates_claim_shows_before_anyone_types() {
        use crate::log::CLAIM_MINUTES;
        let t0 = 1_780_000_000_000;
        let theirs = claimed(Capture::new("id1".into(), ctx(), &Tags::default(), "bruno", stamp(1)), "Ana", t0);
        let until = t0 + CLAIM_MINUTES * 60_000;
        // (now, viewer) -> claim line key and args, button
        let cases = [
            (t0 + 60_000, "bo", Some((Key::WsClaimBy, vec!["Ana", "10:32"])), ClaimAction::Claim),
            (t0 + 60_000, "Ana", Some((Key::WsClaimYou, vec!["10:32"])), ClaimAction::Release),
            (until, "bo", None, ClaimAction::Claim), // lapsed at its time
            (until + 1, "Ana", None, ClaimAction::Claim),
        ];
        for (now, viewer, line, action) in cases {
            let m = CardModel::new(&ctx(), std::slice::from_ref(&theirs), &Tags::default(), &[], viewer).team(
                &ctx(),
                std::slice::from_ref(&theirs),
                viewer,
                &["Ana".into(), "bo".into()],
                now,
            );
            let team = m.team.expect("logged: the team's side shows");
            let got = team.claim_line("10:32").map(|w| (w.key, w.args));
            let want = line.map(|(k, a)| (k, a.into_iter().map(|s| crate::i18n::Arg::Text(s.into())).collect::<Vec<_>>()));
            assert_eq!(got, want, "{viewer} at {now}");
            assert_eq!(team.claim_action(), action, "{viewer} at {now}");
        }
        let not_logged = CardModel::new(&ctx(), &[], &Tags::default(), &[], "bo").team(&ctx(), &[], "bo", &[], t0);
        assert!(not_logged.team.is_none());
    }

    #[test]
    fn update_sends_only_what_changed_and_renews_my_claim() {
        let t0 = 1_780_000_000_000;
        let mut c = Capture::new("id1".into(), ctx(), &Tags::default(), "bruno", stamp(1));
        c.apply(&CaptureEdit { assignee: Some(Some("bo".into())), ..Default::default() }, &stamp(2), "bruno").unwrap();
        let mine = claimed(c.clone(), "ana", t0);
        let team = TeamView::of(&mine, "ana", &["ana".into(), "bo".into()], t0 + 1_000);
        let tags = Tags { note: "old note".into(), tags: vec!["x".into()], ..Default::default() };
        let e = update_edit(&team, &tags, "bo", "  ", "ana", t0 + 5_000);
        assert_eq!(e.assignee, None, "unchanged assignee is not re-sent");
        assert_eq!(e.add_comment, None);
        assert_eq!(e.claim, Some(Some(Claim::starting("ana", t0 + 5_000))), "my claim is renewed by my edit");
        let e = update_edit(&team, &tags, "", " @bo mira ", "ana", t0 + 5_000);
        assert_eq!(e.assignee, Some(None), "unassigning is a change");
        assert_eq!(e.add_comment.as_deref(), Some("@bo mira"));
        let theirs = TeamView::of(&claimed(c, "bo", t0), "ana", &[], t0 + 1_000);
        assert_eq!(update_edit(&theirs, &tags, "ana", "", "ana", t0).claim, None, "a teammate's claim is left alone");
        assert_eq!(update_edit(&theirs, &tags, "ana", "", "ana", t0).assignee, Some(Some("ana".into())));
        assert_eq!(ClaimAction::Release.edit("ana", t0).claim, Some(None));
        assert_eq!(ClaimAction::Claim.edit(" ana ", t0).claim, Some(Some(Claim::starting("ana", t0))));
        let values: Vec<String> = theirs.assignees.iter().map(|(v, _)| v.clone()).collect();
        assert_eq!(values, ["", "bo"], "the current assignee is offered even without a members list");
    }

    #[test]
    fn fill_in_only_fills_gaps_and_checks_links() {
        let manual = ManualFields { author_name: "other".into(), permalink: "https://foro.example/p/3".into(), time: "ayer".into() };
        let c = fill_in(ctx(), &manual).unwrap();
        assert_eq!(c.author_name.as_deref(), Some("  lucia_m "), "found value wins");
        assert_eq!(c.permalink.as_deref(), Some("https://foro.example/p/3"));
        assert_eq!(c.comment_time.unwrap().utc, None);
        for bad in ["javascript:alert(1)", "foro.example/p/3", "https://a b.example/"] {
            let err = fill_in(ctx(), &ManualFields { permalink: bad.into(), ..Default::default() }).unwrap_err();
            assert_eq!(err, FillInError::NotAWebLink(bad.trim().into()));
            assert!(err.to_string().contains("not a web link"), "{bad}: {err}");
        }
    }

    #[test]
    fn excerpt_centres_on_a_late_mention() {
        let long = format!("{} Movistar {}", "a ".repeat(400), "b ".repeat(400));
        let e = excerpt(&long, "Movistar");
        assert!(e.contains("Movistar") && e.starts_with('\u{2026}') && e.ends_with('\u{2026}'), "{e}");
        assert!(e.chars().count() <= EXCERPT_CHARS + 2);
        assert_eq!(excerpt(" short ", "x"), "short");
    }

    #[test]
    fn a_tab_reaches_only_its_own_page() {
        let cases: &[(&str, &str, bool)] = &[
            ("https://foro.example/t/1", "https://foro.example/t/1", true),
            ("https://foro.example/t/1?page=2", "https://foro.example/t/1", true), // its canonical link, same host
            ("https://www.foro.example/t/1", "https://foro.example/t/1", true),
            ("https://foro.example/t/1", "https://banco.example/cuenta", false),
            ("https://foro.example.evil/t/1", "https://foro.example/t/1", false),
            ("https://evil.example/#https://foro.example/t/1", "https://foro.example/t/1", false),
            ("", "https://foro.example/t/1", false),
            ("about:blank", "https://foro.example/t/1", false),
            ("about:srcdoc", "about:srcdoc", true),
        ];
        for (page, requested, ok) in cases {
            assert_eq!(page_reachable(page, requested).is_ok(), *ok, "{page} → {requested}");
        }
        assert_eq!(
            page_reachable("https://a.example/", "https://b.example/"),
            Err(crate::protocol::ProtocolError::OtherPage { page: "https://a.example/".into(), cited: "https://b.example/".into() })
        );
    }

    #[test]
    fn only_a_deliberate_click_on_a_visible_card_logs() {
        let cases = [
            (true, Some(true), Ok(())),
            (true, Some(false), Err(LogRefusal::NotVisible)),
            (true, None, Err(LogRefusal::NotVisible)),
            (false, Some(true), Err(LogRefusal::NotDeliberate)),
            (false, None, Err(LogRefusal::NotDeliberate)),
        ];
        for (trusted, visible, want) in cases {
            assert_eq!(log_allowed(trusted, visible), want, "trusted {trusted}, visible {visible:?}");
        }
        assert_eq!(LogRefusal::NotVisible.key(), Key::CardNotVisible);
    }

    /// rules13: the line the card shows before Log, from the team's rules.
    #[test]
    fn the_route_line_says_what_the_rules_will_do() {
        use crate::log::{Priority, Sentiment};
        use crate::routing::{Action, Condition, Rule};
        let rules = vec![Rule {
            name: "Slow fibre".into(),
            enabled: true,
            when: Condition::All {
                of: vec![Condition::Words { words: vec!["lentisima".into()] }, Condition::Sentiment { is: Sentiment::Negative }],
            },
            then: vec![
                Action::SetDepartment { name: "Engineering".into() },
                Action::SetPriority { priority: Priority::High },
                Action::AddTags { tags: vec!["fibra".into()] },
                Action::SendTo { destination: "eng-slack".into() },
            ],
            stop: false,
        }];
        let dep = |d: &str| format!("<{d}>");
        let prio = |p: Priority| p.as_str().to_uppercase();
        let negative = Tags { sentiment: Sentiment::Negative, ..Tags::default() };
        assert_eq!(
            route_line(&rules, &ctx(), &negative, false, dep, prio).as_deref(),
            Some("\u{2192} <Engineering> \u{b7} HIGH \u{b7} #fibra \u{b7} \u{2197} eng-slack")
        );
        // The sentiment chosen on the card decides; once logged, rules do not run again.
        assert_eq!(route_line(&rules, &ctx(), &Tags::default(), false, dep, prio), None);
        assert_eq!(route_line(&rules, &ctx(), &negative, true, dep, prio), None);
        assert_eq!(route_line(&[], &ctx(), &negative, false, dep, prio), None);
    }
}
