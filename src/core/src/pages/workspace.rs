//! Issue 12's team workspace as the extension's pages show it: the quick
//! views ("Mine", "Unassigned", "My department") and their counts, the
//! @mentions waiting for this member, the toolbar badge that combines them
//! with the page's mention count, the assignee choices, a capture's comment
//! thread and its history as a timeline. Decided here, DOM-free; the card,
//! the popup and the log page only draw what these return.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::card::excerpt;
use crate::i18n::{Arg, Key, Words};
use crate::log::{Capture, EventField, Priority, Sentiment, Status};
use crate::settings::DefaultDepartment;

/// Who is looking: this browser's member name and their department (set in
/// the options page; `None` until set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Me<'a> {
    pub member: &'a str,
    pub department: Option<&'a str>,
}

impl Me<'_> {
    fn name(&self) -> Option<&str> {
        Some(self.member.trim()).filter(|m| !m.is_empty())
    }

    fn department(&self) -> Option<&str> {
        self.department.map(str::trim).filter(|d| !d.is_empty())
    }
}

/// The one-click views of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QuickView {
    /// Assigned to me.
    Mine,
    /// Assigned to nobody.
    Unassigned,
    /// Routed to my department.
    MyDepartment,
}

impl QuickView {
    pub const ALL: [QuickView; 3] = [QuickView::Mine, QuickView::Unassigned, QuickView::MyDepartment];

    /// Its name in the DOM and in the log page's address (`log.html?view=mine`).
    pub fn name(self) -> &'static str {
        match self {
            QuickView::Mine => "mine",
            QuickView::Unassigned => "unassigned",
            QuickView::MyDepartment => "department",
        }
    }

    pub fn parse(name: &str) -> Option<QuickView> {
        QuickView::ALL.into_iter().find(|v| v.name() == name)
    }

    pub fn label(self) -> Key {
        match self {
            QuickView::Mine => Key::WsViewMine,
            QuickView::Unassigned => Key::WsViewUnassigned,
            QuickView::MyDepartment => Key::WsViewMyDepartment,
        }
    }

    /// Whether the view can say anything for `me`: "Mine" needs a member
    /// name, "My department" a department. A view that cannot is shown
    /// disabled with why, never as an empty list that looks like "nothing".
    pub fn available(self, me: &Me) -> bool {
        match self {
            QuickView::Mine => me.name().is_some(),
            QuickView::Unassigned => true,
            QuickView::MyDepartment => me.department().is_some(),
        }
    }

    /// Whether live capture `c` is in this view for `me`.
    pub fn includes(self, c: &Capture, me: &Me) -> bool {
        if c.deleted.value {
            return false;
        }
        let assignee = c.assignee.value.as_deref().map(str::trim).filter(|a| !a.is_empty());
        match self {
            QuickView::Mine => me.name().is_some_and(|m| assignee == Some(m)),
            QuickView::Unassigned => assignee.is_none(),
            QuickView::MyDepartment => {
                me.department().is_some_and(|d| c.department.value.as_deref().is_some_and(|cd| same_department(cd, d)))
            }
        }
    }
}

/// Departments are stored as default ids or as typed; "Ventas" typed in
/// Spanish is the same default department as its English id.
fn same_department(a: &str, b: &str) -> bool {
    crate::settings::canonical_department(a) == crate::settings::canonical_department(b)
}

/// One quick view's chip: its count, or unavailable (with why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuickCount {
    pub view: QuickView,
    pub count: u32,
    pub available: bool,
}

/// The quick views' counts over `captures` (the local window of the log,
/// or the rows the log page's other filters leave).
pub fn quick_counts<'a>(captures: impl IntoIterator<Item = &'a Capture>, me: &Me) -> Vec<QuickCount> {
    let mut counts = [0u32; 3];
    for c in captures {
        for (i, v) in QuickView::ALL.iter().enumerate() {
            if v.available(me) && v.includes(c, me) {
                counts[i] += 1;
            }
        }
    }
    QuickView::ALL.iter().zip(counts).map(|(v, count)| QuickCount { view: *v, count, available: v.available(me) }).collect()
}

/// A chip's label: "Mine · 3", or why it is off ("My department: set yours in the options").
pub fn chip_words(q: &QuickCount, count: impl Fn(u32) -> String) -> Words {
    if q.available {
        Words::new(Key::WsViewChip).word(Words::new(q.view.label())).text(count(q.count))
    } else {
        match q.view {
            QuickView::MyDepartment => Words::new(Key::WsViewNoDepartment),
            _ => Words::new(Key::WsViewNoName),
        }
    }
}

/// One comment that mentions this member, as the popup lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MentionItem {
    pub capture_id: String,
    pub comment_id: String,
    pub author: String,
    pub created_ms: i64,
    /// The comment's start (the popup's line).
    pub text: String,
    /// What the capture is about: brand and the captured words.
    pub brand: String,
    pub quote: String,
}

/// Longest comment excerpt a mention line shows.
pub const MENTION_EXCERPT_CHARS: usize = 140;

/// The comments that mention `me` with `@name` and are not by `me`, newest
/// first. `members`: the team's names (so "@Ana María" is not read as
/// "@Ana"); `me` is added when the list does not have it (no server yet).
pub fn mentions_of<'a>(captures: impl IntoIterator<Item = &'a Capture>, me: &str, members: &[String]) -> Vec<MentionItem> {
    let me = me.trim();
    if me.is_empty() {
        return Vec::new();
    }
    let mut names: Vec<String> = members.to_vec();
    if !names.iter().any(|m| m.trim() == me) {
        names.push(me.to_string());
    }
    let mut out = Vec::new();
    for c in captures {
        if c.deleted.value {
            continue;
        }
        for comment in c.comments.visible() {
            if comment.author.trim() == me {
                continue;
            }
            let text = &comment.text.value;
            if !crate::log::mentions::mentioned(text, &names).iter().any(|m| m.trim() == me) {
                continue;
            }
            let mut line: String = text.chars().take(MENTION_EXCERPT_CHARS).collect();
            if text.chars().count() > MENTION_EXCERPT_CHARS {
                line.push('\u{2026}');
            }
            out.push(MentionItem {
                capture_id: c.id.clone(),
                comment_id: comment.id.clone(),
                author: comment.author.clone(),
                created_ms: comment.created_ms,
                text: line,
                brand: c.context.value.brand.clone(),
                quote: c.context.value.quote.exact.clone(),
            });
        }
    }
    out.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(a.comment_id.cmp(&b.comment_id)));
    out
}

/// Which mentions this member has opened (kept in `storage.local`). Only ids
/// still mentioning the member are kept, so it never grows past the inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MentionsSeen {
    pub ids: BTreeSet<String>,
}

impl MentionsSeen {
    /// The mentions not opened yet, newest first.
    pub fn unseen<'a>(&self, items: &'a [MentionItem]) -> Vec<&'a MentionItem> {
        items.iter().filter(|m| !self.ids.contains(&m.comment_id)).collect()
    }

    /// Opening a mention marks it seen; ids no longer in `items` are dropped.
    pub fn mark(&mut self, comment_id: &str, items: &[MentionItem]) {
        self.ids.insert(comment_id.to_string());
        self.ids.retain(|id| items.iter().any(|m| &m.comment_id == id));
    }
}

/// Mentions the popup lists at most (the badge counts them all).
pub const MENTIONS_LISTED: usize = 20;

/// What the popup shows of the team workspace, computed by the service
/// worker over its local window of the log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSummary {
    pub views: Vec<QuickCount>,
    /// Not yet opened, newest first, at most [`MENTIONS_LISTED`].
    pub mentions: Vec<MentionItem>,
    /// All not yet opened (the badge's number).
    pub unseen: u32,
}

/// The summary over `captures` for `me`, given what was opened already.
pub fn summary(captures: &[Capture], me: &Me, members: &[String], seen: &MentionsSeen) -> WorkspaceSummary {
    let items = mentions_of(captures, me.member, members);
    let unseen = seen.unseen(&items);
    WorkspaceSummary {
        views: quick_counts(captures, me),
        unseen: unseen.len() as u32,
        mentions: unseen.into_iter().take(MENTIONS_LISTED).cloned().collect(),
    }
}

/// The toolbar badge. It had one meaning (the page's mention count); now a
/// teammate's @mention of me outranks it: while mentions wait unopened the
/// badge shows "@" and their number, in its own colour, on every tab; once
/// all are opened it goes back to the page's count. A number the manager
/// can see on the page matters less than a teammate waiting for an answer,
/// and a badge fits about four characters, too few for both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub text: String,
    /// The mention colour (true) or the page count's (false).
    pub mentions: bool,
}

pub fn badge(page_mentions: u32, unseen_mentions: u32) -> Badge {
    let short = |n: u32, cap: u32| if n > cap { format!("{cap}+") } else { n.to_string() };
    match (unseen_mentions, page_mentions) {
        (0, 0) => Badge { text: String::new(), mentions: false },
        (0, n) => Badge { text: short(n, 999), mentions: false },
        (m, _) => Badge { text: format!("@{}", short(m, 99)), mentions: true },
    }
}

/// The assignee menu: (value, label) with "" for nobody; the team's members
/// in their order, then the current assignee if the list lacks them (a
/// member removed since, or no list yet), so a menu never shows a wrong name.
pub fn assignee_options(members: &[String], current: Option<&str>) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = vec![(String::new(), None)];
    for m in members {
        let m = m.trim();
        if !m.is_empty() && !out.iter().any(|(v, _)| v == m) {
            out.push((m.to_string(), Some(m.to_string())));
        }
    }
    if let Some(c) = current.map(str::trim).filter(|c| !c.is_empty()) {
        if !out.iter().any(|(v, _)| v == c) {
            out.push((c.to_string(), Some(c.to_string())));
        }
    }
    out
}

/// One comment as a thread shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    pub id: String,
    pub author: String,
    pub created_ms: i64,
    pub text: String,
    /// Written by this member: they may edit and delete it.
    pub own: bool,
}

/// A capture's visible comments, oldest first.
pub fn thread(c: &Capture, me: &str) -> Vec<CommentView> {
    let me = me.trim();
    c.comments
        .visible()
        .into_iter()
        .map(|k| CommentView {
            id: k.id.clone(),
            author: k.author.clone(),
            created_ms: k.created_ms,
            text: k.text.value.clone(),
            own: !me.is_empty() && k.author.trim() == me,
        })
        .collect()
}

/// One history event as the timeline says it: "ana · Status: New → Responded".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineLine {
    pub ms: i64,
    pub words: Words,
}

/// The capture's history, oldest first.
pub fn timeline(c: &Capture) -> Vec<TimelineLine> {
    c.history
        .events()
        .into_iter()
        .map(|e| TimelineLine {
            ms: e.ms,
            words: {
                let mut w = Words::new(Key::WsHistoryLine).text(e.member.clone()).word(Words::new(field_key(e.field)));
                w.args.extend([value_words(e.field, &e.from), value_words(e.field, &e.to)]);
                w
            },
        })
        .collect()
}

fn field_key(f: EventField) -> Key {
    match f {
        EventField::Status => Key::LogFilterStatus,
        EventField::Department => Key::LogFilterDepartment,
        EventField::Assignee => Key::WsAssignee,
        EventField::Priority => Key::LogFilterPriority,
        EventField::Sentiment => Key::LogFilterSentiment,
    }
}

/// A recorded value in the reader's words: enum values and default
/// departments translated, names as they are, nothing as "none".
pub fn value_words(field: EventField, value: &str) -> Arg {
    let value = value.trim();
    if value.is_empty() {
        return Arg::Words(Words::new(if field == EventField::Assignee { Key::WsUnassigned } else { Key::WsHistoryNone }));
    }
    let word = match field {
        EventField::Status => Status::ALL.into_iter().find(|s| s.as_str() == value).map(Key::status),
        EventField::Priority => Priority::ALL.into_iter().find(|s| s.as_str() == value).map(Key::priority),
        EventField::Sentiment => Sentiment::ALL.into_iter().find(|s| s.as_str() == value).map(Key::sentiment),
        EventField::Department => DefaultDepartment::of(value).map(|d| d.key()),
        EventField::Assignee => None,
    };
    match word {
        Some(k) => Arg::Words(Words::new(k)),
        None => Arg::Text(value.to_string()),
    }
}

/// The capture as one line in a mention or thread heading: its brand and the
/// start of the comment.
pub fn capture_line(c: &Capture) -> String {
    let ctx = &c.context.value;
    excerpt(&ctx.comment_text, &ctx.quote.exact).chars().take(MENTION_EXCERPT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{CaptureContext, CaptureEdit, Stamp, Tags, TextQuote};

    fn stamp(ms: i64, actor: &str) -> Stamp {
        Stamp { ms, counter: 0, actor: actor.into() }
    }

    fn capture(id: &str, by: &str) -> Capture {
        let ctx = CaptureContext {
            page_url: format!("https://foro.example/t/{id}"),
            comment_text: "La fibra de Movistar va lenta".into(),
            brand: "Telefónica".into(),
            quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
            ..Default::default()
        };
        Capture::new(id.into(), ctx, &Tags::default(), by, stamp(1_000, "dev"))
    }

    fn edit(mut c: Capture, e: CaptureEdit, ms: i64, member: &str) -> Capture {
        c.apply(&e, &stamp(ms, &format!("dev-{member}")), member).unwrap();
        c
    }

    fn assigned(id: &str, to: Option<&str>, dept: Option<&str>) -> Capture {
        let e = CaptureEdit { assignee: Some(to.map(String::from)), department: Some(dept.map(String::from)), ..Default::default() };
        edit(capture(id, "bo"), e, 2_000, "bo")
    }

    #[test]
    fn quick_views_count_what_one_click_shows() {
        let mut gone = assigned("x", Some("ana"), Some("Support"));
        gone = edit(gone, CaptureEdit { deleted: Some(true), ..Default::default() }, 3_000, "bo");
        let log = vec![
            assigned("a", Some("ana"), Some("Support")),
            assigned("b", Some("ana"), None),
            assigned("c", None, Some("Support")),
            assigned("d", Some("bo"), Some("Sales")),
            assigned("e", None, None),
            gone,
        ];
        // (who, department) -> counts of Mine, Unassigned, My department; availability
        type Case = (&'static str, Option<&'static str>, [u32; 3], [bool; 3]);
        let cases: [Case; 5] = [
            ("ana", Some("Support"), [2, 2, 2], [true, true, true]),
            (" ana ", Some("  "), [2, 2, 0], [true, true, false]),
            ("bo", Some("Sales"), [1, 2, 1], [true, true, true]),
            ("", None, [0, 2, 0], [false, true, false]),
            // Spanish name of a default department is the same department.
            ("cy", Some("Atención al cliente"), [0, 2, 0], [true, true, true]),
        ];
        for (member, department, want, available) in cases {
            let me = Me { member, department };
            let got = quick_counts(&log, &me);
            assert_eq!(got.iter().map(|q| q.count).collect::<Vec<_>>(), want, "{member:?} {department:?}");
            assert_eq!(got.iter().map(|q| q.available).collect::<Vec<_>>(), available, "{member:?}");
            for q in &got {
                let shown = log.iter().filter(|c| q.available && q.view.includes(c, &me)).count() as u32;
                assert_eq!(shown, q.count, "a chip's count is what clicking it shows");
            }
        }
        let support = assigned("s", None, Some("customer service"));
        let me = Me { member: "ana", department: Some("Atención al cliente") };
        assert!(QuickView::MyDepartment.includes(&support, &me), "default departments match across languages");
        for v in QuickView::ALL {
            assert_eq!(QuickView::parse(v.name()), Some(v));
        }
        assert_eq!(QuickView::parse("all"), None);
    }

    #[test]
    fn chips_say_their_count_or_why_they_are_off() {
        let on = QuickCount { view: QuickView::Mine, count: 3, available: true };
        assert_eq!(chip_words(&on, |n| format!("#{n}")), Words::new(Key::WsViewChip).word(Words::new(Key::WsViewMine)).text("#3"));
        let off = QuickCount { view: QuickView::MyDepartment, count: 0, available: false };
        assert_eq!(chip_words(&off, |n| n.to_string()), Words::new(Key::WsViewNoDepartment));
        let nameless = QuickCount { view: QuickView::Mine, count: 0, available: false };
        assert_eq!(chip_words(&nameless, |n| n.to_string()), Words::new(Key::WsViewNoName));
    }

    fn commented(c: Capture, text: &str, ms: i64, by: &str) -> Capture {
        edit(c, CaptureEdit { add_comment: Some(text.into()), ..Default::default() }, ms, by)
    }

    #[test]
    fn mentions_are_teammates_comments_naming_me() {
        let team: Vec<String> = ["ana", "Ana María", "bo"].map(String::from).to_vec();
        let a = commented(capture("a", "bo"), "@ana ¿lo miras?", 5_000, "bo");
        let a = commented(a, "@ana me lo apunto", 6_000, "ana"); // by me: not a mention
        let b = commented(capture("b", "bo"), "para @Ana María", 7_000, "bo"); // another Ana
        let c = commented(capture("c", "bo"), "@ANA urgente, escribe a ana@example.com", 8_000, "bo");
        let d = commented(capture("d", "bo"), "@ana esto no", 9_000, "bo");
        let d = edit(d, CaptureEdit { deleted: Some(true), ..Default::default() }, 9_500, "bo");
        let items = mentions_of(&[a.clone(), b.clone(), c.clone(), d], "ana", &team);
        let got: Vec<(&str, &str, i64)> = items.iter().map(|m| (m.capture_id.as_str(), m.author.as_str(), m.created_ms)).collect();
        assert_eq!(got, [("c", "bo", 8_000), ("a", "bo", 5_000)], "newest first; own, other Ana, deleted left out");
        assert_eq!((items[0].brand.as_str(), items[0].quote.as_str()), ("Telefónica", "Movistar"));
        // Without a members list (no server yet), @me still counts.
        assert_eq!(mentions_of(std::slice::from_ref(&a), "ana", &[]).len(), 1);
        assert!(mentions_of(&[a], "", &team).is_empty(), "no name, no mentions");
        assert_eq!(mentions_of(&[b], "Ana María", &team).len(), 1);
        let long = commented(capture("l", "bo"), &format!("@ana {}", "x".repeat(400)), 1, "bo");
        let line = &mentions_of(&[long], "ana", &team)[0].text;
        assert_eq!(line.chars().count(), MENTION_EXCERPT_CHARS + 1);
        assert!(line.ends_with('\u{2026}'));
    }

    #[test]
    fn opening_a_mention_marks_it_seen_and_forgets_the_gone() {
        let item = |id: &str, ms| MentionItem {
            capture_id: "c".into(),
            comment_id: id.into(),
            author: "bo".into(),
            created_ms: ms,
            text: String::new(),
            brand: String::new(),
            quote: String::new(),
        };
        let items = vec![item("k3", 3), item("k2", 2), item("k1", 1)];
        let mut seen = MentionsSeen::default();
        assert_eq!(seen.unseen(&items).len(), 3);
        seen.ids.insert("gone".into());
        seen.mark("k2", &items);
        assert_eq!(seen.unseen(&items).iter().map(|m| m.comment_id.as_str()).collect::<Vec<_>>(), ["k3", "k1"]);
        assert_eq!(seen.ids.iter().map(String::as_str).collect::<Vec<_>>(), ["k2"], "ids no longer mentioning me are dropped");
        let json = serde_json::to_string(&seen).unwrap();
        assert_eq!(serde_json::from_str::<MentionsSeen>(&json).unwrap(), seen);
        assert_eq!(serde_json::from_str::<MentionsSeen>("{}").unwrap(), MentionsSeen::default());
    }

    #[test]
    fn the_summary_counts_views_and_unopened_mentions() {
        let team: Vec<String> = ["ana", "bo"].map(String::from).to_vec();
        let mut log: Vec<Capture> = (0..25).map(|i| commented(capture(&format!("c{i:02}"), "bo"), "@ana mira", 1_000 + i, "bo")).collect();
        log.push(assigned("z", Some("ana"), Some("PR")));
        let me = Me { member: "ana", department: Some("PR") };
        let mut seen = MentionsSeen::default();
        let s = summary(&log, &me, &team, &seen);
        assert_eq!((s.unseen, s.mentions.len()), (25, MENTIONS_LISTED));
        assert_eq!(s.mentions[0].capture_id, "c24", "newest first");
        assert_eq!(s.views.iter().map(|q| q.count).collect::<Vec<_>>(), [1, 25, 1]);
        let all = mentions_of(&log, "ana", &team);
        seen.mark(&s.mentions[0].comment_id, &all);
        assert_eq!(summary(&log, &me, &team, &seen).unseen, 24);
    }

    #[test]
    fn the_badge_puts_mentions_of_me_before_the_page_count() {
        let cases = [
            // (page mentions, unseen @mentions) -> (text, mention colour)
            (0, 0, "", false),
            (7, 0, "7", false),
            (1_500, 0, "999+", false),
            (7, 2, "@2", true),
            (0, 1, "@1", true),
            (3, 120, "@99+", true),
        ];
        for (page, unseen, text, mentions) in cases {
            assert_eq!(badge(page, unseen), Badge { text: text.into(), mentions }, "{page} {unseen}");
        }
    }

    #[test]
    fn assignee_menus_never_show_a_wrong_name() {
        let team: Vec<String> = ["ana", " bo ", "", "ana"].map(String::from).to_vec();
        let values = |o: Vec<(String, Option<String>)>| o.into_iter().map(|(v, _)| v).collect::<Vec<_>>();
        assert_eq!(values(assignee_options(&team, None)), ["", "ana", "bo"]);
        assert_eq!(values(assignee_options(&team, Some("bo"))), ["", "ana", "bo"]);
        assert_eq!(values(assignee_options(&team, Some("cy"))), ["", "ana", "bo", "cy"], "a removed member still shows");
        assert_eq!(values(assignee_options(&[], Some("cy"))), ["", "cy"]);
        assert_eq!(assignee_options(&[], None)[0], (String::new(), None));
    }

    #[test]
    fn a_thread_marks_my_own_comments() {
        let c = commented(capture("a", "bo"), "<b>hola</b> @ana", 5_000, "bo");
        let c = commented(c, "voy", 6_000, "ana");
        let t = thread(&c, "ana");
        let got: Vec<(&str, &str, bool)> = t.iter().map(|k| (k.author.as_str(), k.text.as_str(), k.own)).collect();
        assert_eq!(got, [("bo", "<b>hola</b> @ana", false), ("ana", "voy", true)]);
        assert!(thread(&c, "").iter().all(|k| !k.own), "no name: nothing is mine to edit");
    }

    #[test]
    fn the_timeline_words_each_change() {
        let c = capture("a", "bo");
        let c = edit(c, CaptureEdit { status: Some(Status::Responded), ..Default::default() }, 2_000, "ana");
        let c = edit(c, CaptureEdit { assignee: Some(Some("bo".into())), ..Default::default() }, 3_000, "ana");
        let c = edit(c, CaptureEdit { department: Some(Some("customer service".into())), ..Default::default() }, 4_000, "bo");
        let lines = timeline(&c);
        assert_eq!(lines.iter().map(|l| l.ms).collect::<Vec<_>>(), [2_000, 3_000, 4_000]);
        let status = &lines[0].words;
        assert_eq!(status.key, Key::WsHistoryLine);
        assert_eq!(status.args[0], Arg::Text("ana".into()));
        assert_eq!(status.args[1], Arg::Words(Words::new(Key::LogFilterStatus)));
        assert_eq!(status.args[3], Arg::Words(Words::new(Key::StatusResponded)));
        assert_eq!(lines[1].words.args[2], Arg::Words(Words::new(Key::WsUnassigned)));
        assert_eq!(lines[1].words.args[3], Arg::Text("bo".into()));
        assert_eq!(lines[2].words.args[2], Arg::Words(Words::new(Key::WsHistoryNone)));
        assert!(matches!(&lines[2].words.args[3], Arg::Words(w) if w.key != Key::WsHistoryNone), "a default department is translated");
        assert_eq!(value_words(EventField::Status, "bogus"), Arg::Text("bogus".into()), "an unknown value shows as recorded");
    }
}
