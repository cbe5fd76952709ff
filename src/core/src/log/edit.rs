//! A manager's change to one capture ([`CaptureEdit`]) and how it is applied
//! ([`Capture::apply`]): registers are set with the edit's stamp, tags are
//! added and removed in the add-wins set, comments are posted, edited or
//! deleted (only by their author), and every change of status, department,
//! assignee, priority or sentiment is kept as a history event. An edit is
//! refused whole, with data saying why ([`EditRefusal`]).

use serde::{Deserialize, Serialize};

use super::claim::Claim;
use super::history::{Event, EventField};
use super::record::{normalize_tags, Capture, Priority, Sentiment, Status, Tags, MAX_NOTE_CHARS, MAX_TAGS, MAX_TAG_CHARS};
use super::sanitize::{free_text, one_line};
use super::stamp::{Lww, Stamp};
use super::thread::{comment_id, Comment};
use super::validate::{Field, MAX_LABEL_CHARS};
use super::verified::VerifiedResponse;
use crate::i18n::{Key, Words};

/// Longest a claim may be set for in one edit (a claim is renewed, not parked).
pub const MAX_CLAIM_MS: i64 = 8 * 60 * 60 * 1000;
/// Most comments an edit may grow a thread to (merges may exceed it a little;
/// the record's validation allows [`super::validate::MAX_COMMENTS`]).
pub const MAX_THREAD_COMMENTS: usize = 500;

/// A manager's change to one capture; absent fields are left alone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, from = "CaptureEditWire")]
pub struct CaptureEdit {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<Sentiment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Option<String>>,
    /// `Some(None)` releases; a claim is always the editing member's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<Option<Claim>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove_tags: Vec<String>,
    /// Set the tags exactly: turned into adds and removes against the
    /// current tags when applied (so a concurrent add elsewhere survives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Post a comment with this text (id, author and time come from apply);
    /// a blank one posts nothing (the card's empty note).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_comment: Option<CommentEdit>,
    /// Delete the comment with this id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// verify13: confirm the team's reply found on the page (sets the
    /// status to responded at the reply's time; see `log::verified`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_response: Option<VerifiedResponse>,
}

/// Change the text of one's own comment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentEdit {
    pub id: String,
    pub text: String,
}

/// What an edit may look like on the wire, including the legacy `note`
/// (which posts a comment now).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CaptureEditWire {
    sentiment: Option<Sentiment>,
    #[serde(deserialize_with = "present")]
    department: Option<Option<String>>,
    status: Option<Status>,
    priority: Option<Priority>,
    #[serde(deserialize_with = "present")]
    assignee: Option<Option<String>>,
    #[serde(deserialize_with = "present")]
    claim: Option<Option<Claim>>,
    add_tags: Vec<String>,
    remove_tags: Vec<String>,
    tags: Option<Vec<String>>,
    add_comment: Option<String>,
    edit_comment: Option<CommentEdit>,
    delete_comment: Option<String>,
    deleted: Option<bool>,
    confirm_response: Option<VerifiedResponse>,
    note: Option<String>,
}

/// A field that is present: `null` is `Some(None)` ("clear it"), while an
/// absent field stays `None` ("leave it") through `default`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl From<CaptureEditWire> for CaptureEdit {
    fn from(w: CaptureEditWire) -> CaptureEdit {
        CaptureEdit {
            sentiment: w.sentiment,
            department: w.department,
            status: w.status,
            priority: w.priority,
            assignee: w.assignee,
            claim: w.claim,
            add_tags: w.add_tags,
            remove_tags: w.remove_tags,
            tags: w.tags,
            add_comment: w.add_comment.or(w.note.filter(|n| !n.trim().is_empty())),
            edit_comment: w.edit_comment,
            delete_comment: w.delete_comment,
            deleted: w.deleted,
            confirm_response: w.confirm_response,
        }
    }
}

impl CaptureEdit {
    /// An edit that sets every tag field to `tags` (and leaves deletion
    /// alone); a non-empty note is posted as a comment.
    pub fn set_tags(tags: &Tags) -> CaptureEdit {
        CaptureEdit {
            sentiment: Some(tags.sentiment),
            department: Some(tags.department.clone()),
            status: Some(tags.status),
            priority: Some(tags.priority),
            tags: Some(tags.tags.clone()),
            add_comment: Some(tags.note.clone()).filter(|n| !n.trim().is_empty()),
            ..Default::default()
        }
    }

    /// Whether the edit changes nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == CaptureEdit::default()
    }
}

/// Why an edit was refused (nothing of it was applied). Worded at display
/// time: English in [`std::fmt::Display`], the manager's language through
/// [`EditRefusal::words`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum EditRefusal {
    /// A text longer than its limit (a tag, a comment, a name).
    TooLong { field: Field, chars: usize, max: usize },
    /// More tags (or comments) than a capture holds.
    TooMany { field: Field, count: usize, max: usize },
    /// A comment must say something.
    EmptyComment,
    /// Only a comment's author may edit or delete it.
    NotAuthor { comment_id: String, author: String },
    /// No comment has this id (or it was deleted).
    UnknownComment { id: String },
}

impl std::fmt::Display for EditRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditRefusal::TooLong { field, chars, max } => write!(f, "{}: {chars} characters; at most {max}", field.path()),
            EditRefusal::TooMany { field, count, max } => write!(f, "{}: {count} entries; at most {max}", field.path()),
            EditRefusal::EmptyComment => write!(f, "a comment must not be empty"),
            EditRefusal::NotAuthor { comment_id, author } => {
                write!(f, "comment {comment_id} was written by {author}; only its author may change it")
            }
            EditRefusal::UnknownComment { id } => write!(f, "there is no comment {id}"),
        }
    }
}

impl std::error::Error for EditRefusal {}

impl EditRefusal {
    /// The sentence in the manager's language (limits reuse the record
    /// validation's wording, with the field's label translated).
    pub fn words(&self) -> Words {
        let label = |f: &Field| Words::new(f.label_key());
        match self {
            EditRefusal::TooLong { field, chars, max } => {
                Words::new(Key::InvalidTooLong).word(label(field)).text(chars.to_string()).text(max.to_string())
            }
            EditRefusal::TooMany { field, count, max } => {
                Words::new(Key::InvalidTooMany).word(label(field)).text(count.to_string()).text(max.to_string())
            }
            EditRefusal::EmptyComment => Words::new(Key::EditEmptyComment),
            EditRefusal::NotAuthor { author, .. } => Words::new(Key::EditNotAuthor).text(author.clone()),
            EditRefusal::UnknownComment { .. } => Words::new(Key::EditUnknownComment),
        }
    }
}

/// Callers that still report errors as text (ingest) get the English.
impl From<EditRefusal> for String {
    fn from(e: EditRefusal) -> String {
        e.to_string()
    }
}

fn too_long(field: Field, value: &str, max: usize) -> Result<(), EditRefusal> {
    let chars = value.chars().count();
    if chars > max {
        return Err(EditRefusal::TooLong { field, chars, max });
    }
    Ok(())
}

/// Tags as typed, cleaned to one line each, blank and duplicate ones dropped.
fn clean_tags(tags: &[String]) -> Result<Vec<String>, EditRefusal> {
    let tags: Vec<String> = tags.iter().map(|t| one_line(t, usize::MAX)).collect();
    let tags = normalize_tags(&tags);
    for (i, t) in tags.iter().enumerate() {
        too_long(Field::Tag(i), t, MAX_TAG_CHARS)?;
    }
    Ok(tags)
}

/// A register's value as a history event shows it.
fn shown<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}

/// Set a register and, when its value changes, record the event.
fn set_logged<T: Clone + PartialEq + Serialize>(
    reg: &mut Lww<T>,
    value: T,
    stamp: &Stamp,
    member: &str,
    field: EventField,
    events: &mut Vec<Event>,
) {
    if stamp > &reg.stamp && reg.value != value {
        events.push(Event::new(stamp, member, field, shown(&reg.value), shown(&value)));
    }
    reg.set(value, stamp.clone());
}

impl Capture {
    /// Apply a manager's edit with one stamp; `member` is the editing
    /// member's name (a comment's author, a history event's member). Refuses
    /// the edit whole when a value breaks a limit or a comment is not the
    /// member's own.
    pub fn apply(&mut self, edit: &CaptureEdit, stamp: &Stamp, member: &str) -> Result<(), EditRefusal> {
        // Typed or pasted text is held to the record's rules: no control
        // characters (pasted page text carries them), one-line labels.
        let department =
            edit.department.as_ref().map(|d| d.as_deref().map(|d| one_line(d, MAX_LABEL_CHARS)).filter(|d| !d.trim().is_empty()));
        let assignee = edit.assignee.as_ref().map(|a| a.as_deref().map(|a| one_line(a, usize::MAX)).filter(|a| !a.trim().is_empty()));
        if let Some(Some(a)) = &assignee {
            too_long(Field::Assignee, a, MAX_LABEL_CHARS)?;
        }
        let exact_tags = match &edit.tags {
            Some(t) => Some(clean_tags(t)?),
            None => None,
        };
        let add_tags = clean_tags(&edit.add_tags)?;
        let remove_tags = clean_tags(&edit.remove_tags)?;
        let new_comment = match &edit.add_comment {
            Some(text) if !free_text(text, usize::MAX).trim().is_empty() => {
                let text = free_text(text, usize::MAX);
                too_long(Field::Note, &text, MAX_NOTE_CHARS)?;
                if self.comments.len() >= MAX_THREAD_COMMENTS {
                    return Err(EditRefusal::TooMany { field: Field::Comments, count: self.comments.len() + 1, max: MAX_THREAD_COMMENTS });
                }
                Some(text)
            }
            _ => None,
        };
        let edited_comment = match &edit.edit_comment {
            Some(e) => {
                let text = free_text(&e.text, usize::MAX);
                if text.trim().is_empty() {
                    return Err(EditRefusal::EmptyComment);
                }
                too_long(Field::Note, &text, MAX_NOTE_CHARS)?;
                self.own_comment(&e.id, member)?;
                Some((e.id.clone(), text))
            }
            None => None,
        };
        if let Some(id) = &edit.delete_comment {
            self.own_comment(id, member)?;
        }
        // The tags the edit leaves, to bound them before anything changes.
        let mut tags = self.tags.clone();
        if let Some(exact) = &exact_tags {
            tags.set_exactly(exact, stamp);
        }
        for t in &remove_tags {
            tags.remove(t);
        }
        // Every add is a new dot, even of a tag already present: a teammate
        // removing it concurrently has not seen this add, so it stays.
        for t in &add_tags {
            tags.add(t, stamp);
        }
        let count = tags.values().len();
        if count > MAX_TAGS && count > self.tags.values().len() {
            return Err(EditRefusal::TooMany { field: Field::Tags, count, max: MAX_TAGS });
        }

        let mut events = Vec::new();
        if let Some(v) = edit.sentiment {
            set_logged(&mut self.sentiment, v, stamp, member, EventField::Sentiment, &mut events);
        }
        if let Some(v) = department {
            set_logged(&mut self.department, v, stamp, member, EventField::Department, &mut events);
        }
        if let Some(v) = edit.status {
            set_logged(&mut self.status, v, stamp, member, EventField::Status, &mut events);
        }
        if let Some(v) = edit.priority {
            set_logged(&mut self.priority, v, stamp, member, EventField::Priority, &mut events);
        }
        if let Some(v) = assignee {
            set_logged(&mut self.assignee, v, stamp, member, EventField::Assignee, &mut events);
        }
        for e in events {
            self.history.insert(e);
        }
        if let Some(reply) = &edit.confirm_response {
            self.confirm_response(reply, stamp, member);
        }
        if let Some(claim) = &edit.claim {
            // A claim is the editing member's own, and short.
            let claim = claim.as_ref().map(|c| Claim {
                member: if member.is_empty() { one_line(&c.member, MAX_LABEL_CHARS) } else { member.to_string() },
                until_ms: c.until_ms.clamp(stamp.ms, stamp.ms.saturating_add(MAX_CLAIM_MS)),
            });
            self.claim.set(claim, stamp.clone());
        }
        self.tags = tags;
        if let Some(text) = new_comment {
            self.comments.insert(Comment::new(comment_id(stamp), member, text, stamp));
        }
        if let Some((id, text)) = edited_comment {
            if let Some(c) = self.comments.get_mut(&id) {
                c.text.set(text, stamp.clone());
            }
        }
        if let Some(id) = &edit.delete_comment {
            if let Some(c) = self.comments.get_mut(id) {
                c.deleted.set(true, stamp.clone());
            }
        }
        if let Some(v) = edit.deleted {
            self.deleted.set(v, stamp.clone());
        }
        Ok(())
    }

    /// The comment `id` if `member` wrote it and it is not deleted.
    fn own_comment(&self, id: &str, member: &str) -> Result<&Comment, EditRefusal> {
        let c = self.comments.get(id).filter(|c| !c.deleted.value).ok_or_else(|| EditRefusal::UnknownComment { id: id.to_string() })?;
        if c.author != member {
            return Err(EditRefusal::NotAuthor { comment_id: id.to_string(), author: c.author.clone() });
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{CaptureContext, Status};

    fn st(ms: i64, actor: &str) -> Stamp {
        Stamp { ms, counter: 0, actor: actor.into() }
    }

    fn cap() -> Capture {
        let ctx = CaptureContext { page_url: "https://foro.example/t/1".into(), ..Default::default() };
        Capture::new("01890a5d-ac96-774b-bcce-b302099a8057".into(), ctx, &Tags::default(), "ana", st(10, "dev-a"))
    }

    #[test]
    fn only_the_author_edits_or_deletes_a_comment() {
        let mut c = cap();
        c.apply(&CaptureEdit { add_comment: Some("yo llamo".into()), ..Default::default() }, &st(20, "dev-a"), "ana").unwrap();
        let id = c.comments.visible()[0].id.clone();
        let before = c.clone();
        type Case = (&'static str, fn(&str) -> CaptureEdit, Result<(), EditRefusal>);
        let cases: [Case; 5] = [
            (
                "bo",
                |id| CaptureEdit { delete_comment: Some(id.into()), ..Default::default() },
                Err(EditRefusal::NotAuthor { comment_id: String::new(), author: "ana".into() }),
            ),
            (
                "bo",
                |id| CaptureEdit { edit_comment: Some(CommentEdit { id: id.into(), text: "x".into() }), ..Default::default() },
                Err(EditRefusal::NotAuthor { comment_id: String::new(), author: "ana".into() }),
            ),
            (
                "ana",
                |id| CaptureEdit { edit_comment: Some(CommentEdit { id: id.into(), text: " ".into() }), ..Default::default() },
                Err(EditRefusal::EmptyComment),
            ),
            (
                "ana",
                |_| CaptureEdit { delete_comment: Some("nope".into()), ..Default::default() },
                Err(EditRefusal::UnknownComment { id: "nope".into() }),
            ),
            (
                "ana",
                |id| CaptureEdit { edit_comment: Some(CommentEdit { id: id.into(), text: "ya llamé".into() }), ..Default::default() },
                Ok(()),
            ),
        ];
        for (i, (member, make, want)) in cases.into_iter().enumerate() {
            let mut x = before.clone();
            let got = x.apply(&make(&id), &st(30, "dev"), member);
            let got = got.map_err(|e| match e {
                EditRefusal::NotAuthor { author, .. } => EditRefusal::NotAuthor { comment_id: String::new(), author },
                e => e,
            });
            assert_eq!(got, want, "case {i}");
            if want.is_err() {
                assert_eq!(x, before, "case {i}: refused whole");
            }
        }
        c.apply(&CaptureEdit { delete_comment: Some(id.clone()), ..Default::default() }, &st(40, "dev-a"), "ana").unwrap();
        assert!(c.comments.visible().is_empty());
        assert_eq!(c.comments.len(), 1, "a tombstone stays so the delete syncs");
    }

    #[test]
    fn changes_of_tracked_fields_become_history_once() {
        let mut c = cap();
        let e = CaptureEdit { status: Some(Status::Responded), assignee: Some(Some("bo".into())), ..Default::default() };
        c.apply(&e, &st(20, "member:ana"), "ana").unwrap();
        c.apply(&e, &st(20, "member:ana"), "ana").unwrap();
        c.apply(&CaptureEdit { status: Some(Status::Responded), ..Default::default() }, &st(30, "dev-b"), "bo").unwrap();
        let got: Vec<(EventField, &str, &str, &str)> =
            c.history.events().iter().map(|e| (e.field, e.member.as_str(), e.from.as_str(), e.to.as_str())).collect();
        assert_eq!(got.len(), 2, "a replay or a same-value set adds nothing: {got:?}");
        assert!(got.contains(&(EventField::Status, "ana", "new", "responded")));
        assert!(got.contains(&(EventField::Assignee, "ana", "", "bo")));
    }

    #[test]
    fn a_claim_is_the_editors_own_and_bounded() {
        let mut c = cap();
        let claim = Claim { member: "someone else".into(), until_ms: i64::MAX };
        c.apply(&CaptureEdit { claim: Some(Some(claim)), ..Default::default() }, &st(1_000, "dev-b"), "bo").unwrap();
        assert_eq!(c.claim.value, Some(Claim { member: "bo".into(), until_ms: 1_000 + MAX_CLAIM_MS }));
        assert!(c.active_claim(2_000).is_some() && c.active_claim(1_000 + MAX_CLAIM_MS).is_none());
        c.apply(&CaptureEdit { claim: Some(None), ..Default::default() }, &st(2_000, "dev-a"), "ana").unwrap();
        assert_eq!(c.claim.value, None);
    }

    #[test]
    fn legacy_and_null_edit_fields_read_as_meant() {
        let cases: [(&str, CaptureEdit); 4] = [
            (r#"{"note":"llamar"}"#, CaptureEdit { add_comment: Some("llamar".into()), ..Default::default() }),
            (r#"{"assignee":null}"#, CaptureEdit { assignee: Some(None), ..Default::default() }),
            (r#"{"claim":null,"department":null}"#, CaptureEdit { claim: Some(None), department: Some(None), ..Default::default() }),
            (r#"{"addTags":["x"]}"#, CaptureEdit { add_tags: vec!["x".into()], ..Default::default() }),
        ];
        for (json, want) in cases {
            assert_eq!(serde_json::from_str::<CaptureEdit>(json).unwrap(), want, "{json}");
        }
        assert_eq!(serde_json::to_string(&CaptureEdit { assignee: Some(None), ..Default::default() }).unwrap(), r#"{"assignee":null}"#);
    }

    #[test]
    fn refusals_have_words() {
        let cases = [
            (EditRefusal::NotAuthor { comment_id: "c".into(), author: "ana".into() }, Key::EditNotAuthor, 1),
            (EditRefusal::UnknownComment { id: "c".into() }, Key::EditUnknownComment, 0),
            (EditRefusal::EmptyComment, Key::EditEmptyComment, 0),
            (EditRefusal::TooLong { field: Field::Note, chars: 9, max: 8 }, Key::InvalidTooLong, 3),
            (EditRefusal::TooMany { field: Field::Tags, count: 51, max: 50 }, Key::InvalidTooMany, 3),
        ];
        for (e, key, args) in cases {
            let w = e.words();
            assert_eq!((w.key, w.args.len()), (key, args), "{e}");
        }
    }
}
