//! What goes into the local log: a new capture, a re-capture of a comment
//! already logged, or records arriving from elsewhere (an import file, the
//! team log). The browser store asks these functions what to write; they
//! decide, it only reads and writes.

use super::edit::CaptureEdit;
use super::record::{Capture, CaptureContext, Tags};
use super::sanitize::{one_line, page_url_problem, sanitize_context};
use super::stamp::Stamp;
pub use super::validate::{MAX_CLOCK_SKEW_MS, MAX_COMMENT_CHARS, MAX_LABEL_CHARS};

/// The record to store after a capture, and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub record: Capture,
    /// No record for this comment existed: a new one was made.
    pub created: bool,
    /// The stored record differs from what was there (so it must be written
    /// and queued for sync). False when the same comment was captured again
    /// with the same context and tags.
    pub changed: bool,
}

/// The stamp for a local change: later than our clock, than the wall clock,
/// and than anything already in the record being changed (hybrid logical clock).
pub fn next_stamp(last_issued: &Stamp, seen: Option<&Stamp>, now_ms: i64, actor: &str) -> Stamp {
    let floor = match seen {
        Some(s) if s > last_issued => s,
        _ => last_issued,
    };
    Stamp::next(floor, now_ms, actor)
}

/// Capture a comment. `existing` is the record already stored under the same
/// [`dedupe_key`](super::record::dedupe_key), if any; `tags: None` means
/// "one-click Log": the team defaults for a new record, the record's own tags
/// for a re-capture. `stamp` must come from [`next_stamp`] (seeing `existing`).
pub fn ingest_capture(
    existing: Option<&Capture>,
    context: CaptureContext,
    tags: Option<&Tags>,
    defaults: &Tags,
    member: &str,
    new_id: String,
    stamp: Stamp,
) -> Result<Ingested, String> {
    let context = clean_context(context)?;
    let Some(existing) = existing else {
        let tags = validated_tags(tags.unwrap_or(defaults))?;
        // The member name comes from settings; it is held to the record's rules too.
        let record = Capture::new(new_id, context, &tags, &one_line(member, MAX_LABEL_CHARS), stamp);
        return Ok(Ingested { record, created: true, changed: true });
    };
    let mut record = existing.clone();
    // Only what actually changed gets a new stamp: capturing the same comment
    // twice must not make every field look freshly edited to teammates.
    if record.context.value != context {
        record.context.set(context, stamp.clone());
    }
    if let Some(wanted) = tags {
        let wanted = validated_tags(wanted)?;
        record.apply(&edit_between(&record.current_tags(), &wanted), &stamp, &one_line(member, MAX_LABEL_CHARS))?;
    }
    if record.deleted.value {
        // Logging a comment that was deleted means the manager wants it back.
        record.deleted.set(false, stamp);
    }
    let changed = record != *existing;
    Ok(Ingested { record, created: false, changed })
}

/// Which stored record a capture updates when several share its dedupe key
/// (two teammates captured the same comment before syncing): a live one
/// before a deleted one, then the first created, then the smallest id, so
/// every client picks the same.
pub fn pick_existing(candidates: &[Capture]) -> Option<&Capture> {
    candidates.iter().min_by(|a, b| (a.deleted.value, a.created_ms, &a.id).cmp(&(b.deleted.value, b.created_ms, &b.id)))
}

/// The edit that turns `current` into `wanted`, naming only fields that differ.
pub fn edit_between(current: &Tags, wanted: &Tags) -> CaptureEdit {
    fn diff<T: PartialEq + Clone>(a: &T, b: &T) -> Option<T> {
        (a != b).then(|| b.clone())
    }
    CaptureEdit {
        sentiment: diff(&current.sentiment, &wanted.sentiment),
        department: diff(&current.department, &wanted.department),
        status: diff(&current.status, &wanted.status),
        priority: diff(&current.priority, &wanted.priority),
        tags: diff(&current.tags, &wanted.tags),
        // The card's note is posted as a new comment.
        add_comment: Some(wanted.note.clone()).filter(|n| !n.trim().is_empty()),
        ..Default::default()
    }
}

/// Tags as [`Capture::apply`] would store them, or why they are refused.
/// `apply` is the one validator, so new and re-captured records obey the same limits.
fn validated_tags(tags: &Tags) -> Result<Tags, String> {
    let mut scratch = Capture::new(String::new(), CaptureContext::default(), &Tags::default(), "", Stamp::default());
    let edit = CaptureEdit::set_tags(tags);
    scratch.apply(&edit, &Stamp { ms: 1, counter: 0, actor: String::new() }, "")?;
    // The note is posted as a comment; keep it (cleaned) for the record.
    let note = scratch.comments.visible().first().map(|k| k.text.value.clone()).unwrap_or_default();
    Ok(Tags { note, ..scratch.current_tags() })
}

/// A captured context made safe to store ([`sanitize_context`]: control
/// characters, bidi controls, lengths, links that are not http(s) dropped).
/// Refused only when the page itself is not a web page.
pub fn clean_context(ctx: CaptureContext) -> Result<CaptureContext, String> {
    let ctx = sanitize_context(ctx);
    if page_url_problem(&ctx).is_some() {
        return Err("A capture needs the address (http or https) of the page it came from.".into());
    }
    Ok(ctx)
}

/// The page a capture belongs to, for "captures on this page": its URL
/// without the fragment (a comment's `#p3` anchor is the same page).
pub fn page_key(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

/// What merging one incoming record did to the local log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// There was no local copy.
    Added,
    /// The local copy took newer fields from the incoming one.
    Updated,
    /// The local copy already had everything.
    Unchanged,
}

/// Merge an incoming copy of a record into the local one (same id).
pub fn merge_incoming(local: Option<&Capture>, incoming: &Capture) -> (Capture, MergeOutcome) {
    match local {
        None => (incoming.clone(), MergeOutcome::Added),
        Some(local) => {
            let mut merged = local.clone();
            merged.merge(incoming);
            let outcome = if merged == *local { MergeOutcome::Unchanged } else { MergeOutcome::Updated };
            (merged, outcome)
        }
    }
}

/// Counts for [`crate::protocol::requests::Imported`]: `merged` counts records
/// that already existed locally, whether or not they brought anything new.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    pub added: u32,
    pub merged: u32,
}

impl MergeCounts {
    pub fn count(&mut self, outcome: MergeOutcome) {
        match outcome {
            MergeOutcome::Added => self.added += 1,
            MergeOutcome::Updated | MergeOutcome::Unchanged => self.merged += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::record::{dedupe_key, Priority, Status, TextQuote, MAX_NOTE_CHARS};

    fn st(ms: i64, counter: u32) -> Stamp {
        Stamp { ms, counter, actor: "dev-a".into() }
    }

    fn ctx(text: &str) -> CaptureContext {
        CaptureContext {
            page_url: "https://foro.example/t/1#p3".into(),
            comment_text: text.into(),
            permalink: Some("https://foro.example/t/1#p3".into()),
            quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
            ..Default::default()
        }
    }

    fn defaults() -> Tags {
        Tags { status: Status::NeedsResponse, ..Default::default() }
    }

    #[test]
    fn next_stamp_is_after_the_clock_the_wall_and_the_record() {
        let cases = [
            // (last issued, seen in record, now) -> expected
            (st(100, 0), None, 200, st(200, 0)),
            (st(100, 0), None, 50, st(100, 1)),
            (st(100, 0), Some(Stamp { ms: 300, counter: 2, actor: "dev-z".into() }), 200, st(300, 3)),
            (st(100, 0), Some(st(10, 0)), 200, st(200, 0)),
        ];
        for (last, seen, now, want) in cases {
            assert_eq!(next_stamp(&last, seen.as_ref(), now, "dev-a"), want, "{last:?} {seen:?} {now}");
        }
    }

    #[test]
    fn a_new_capture_takes_defaults_or_given_tags() {
        let n = ingest_capture(None, ctx("a"), None, &defaults(), "ana", "id1".into(), st(10, 0)).unwrap();
        assert!(n.created && n.changed);
        assert_eq!(n.record.status.value, Status::NeedsResponse);
        assert_eq!(n.record.created_by, "ana");
        let given =
            Tags { priority: Priority::Urgent, department: Some("  ".into()), tags: vec!["x".into(), " X".into()], ..Default::default() };
        let n = ingest_capture(None, ctx("a"), Some(&given), &defaults(), "ana", "id1".into(), st(10, 0)).unwrap();
        assert_eq!(n.record.priority.value, Priority::Urgent);
        assert_eq!(n.record.status.value, Status::New, "given tags replace the defaults whole");
        assert_eq!(n.record.department.value, None, "blank department is no department");
        assert_eq!(n.record.tags.values(), vec!["x".to_string()]);
    }

    #[test]
    fn recapturing_updates_the_same_record_and_stamps_only_what_changed() {
        let first = ingest_capture(None, ctx("old text"), None, &defaults(), "ana", "id1".into(), st(10, 0)).unwrap().record;
        // Same comment, same everything: nothing to write.
        let same = ingest_capture(Some(&first), ctx("old text"), None, &defaults(), "ben", "id2".into(), st(20, 0)).unwrap();
        assert!(!same.created && !same.changed);
        assert_eq!(same.record, first);
        // Edited comment text, one-click Log: context refreshed, tags kept.
        let mut edited = first.clone();
        edited.apply(&CaptureEdit { status: Some(Status::Responded), ..Default::default() }, &st(15, 0), "ana").unwrap();
        let again = ingest_capture(Some(&edited), ctx("new text"), None, &defaults(), "ben", "id2".into(), st(20, 0)).unwrap();
        assert!(!again.created && again.changed);
        assert_eq!(again.record.id, "id1");
        assert_eq!(again.record.created_by, "ana");
        assert_eq!(again.record.context.value.comment_text, "new text");
        assert_eq!(again.record.context.stamp, st(20, 0));
        assert_eq!(again.record.status.value, Status::Responded, "one-click Log keeps the record's tags");
        assert_eq!(again.record.sentiment.stamp, st(10, 0), "untouched fields keep their stamps");
        // Card with tags: only the differing field is stamped.
        let wanted = Tags { priority: Priority::High, ..edited.current_tags() };
        let tagged = ingest_capture(Some(&edited), ctx("old text"), Some(&wanted), &defaults(), "ben", "x".into(), st(30, 0)).unwrap();
        assert_eq!(tagged.record.priority.value, Priority::High);
        assert_eq!(tagged.record.priority.stamp, st(30, 0));
        assert_eq!(tagged.record.status.stamp, st(15, 0));
        assert_eq!(tagged.record.context.stamp, st(10, 0));
    }

    #[test]
    fn recapturing_a_deleted_comment_brings_it_back() {
        let mut r = ingest_capture(None, ctx("a"), None, &defaults(), "ana", "id1".into(), st(10, 0)).unwrap().record;
        r.apply(&CaptureEdit { deleted: Some(true), ..Default::default() }, &st(11, 0), "ana").unwrap();
        let back = ingest_capture(Some(&r), ctx("a"), None, &defaults(), "ana", "x".into(), st(12, 0)).unwrap();
        assert!(back.changed && !back.record.deleted.value);
    }

    #[test]
    fn bad_input_is_refused_or_cleaned() {
        let mut no_page = ctx("a");
        no_page.page_url = "javascript:alert(1)".into();
        assert!(ingest_capture(None, no_page, None, &defaults(), "ana", "i".into(), st(1, 0)).unwrap_err().contains("address"));
        let mut hostile = ctx(&"é".repeat(MAX_COMMENT_CHARS + 5));
        hostile.permalink = Some("javascript:alert(1)".into());
        hostile.author_url = Some("data:text/html,x".into());
        let r = ingest_capture(None, hostile, None, &defaults(), "ana", "i".into(), st(1, 0)).unwrap().record;
        assert_eq!(r.context.value.permalink, None);
        assert_eq!(r.context.value.author_url, None);
        assert_eq!(r.context.value.comment_text.chars().count(), MAX_COMMENT_CHARS);
        assert_eq!(r.context.value.comment_length, Some(MAX_COMMENT_CHARS as u32 + 5));
        let long_note = Tags { note: "n".repeat(MAX_NOTE_CHARS + 1), ..Default::default() };
        let err = ingest_capture(None, ctx("a"), Some(&long_note), &defaults(), "ana", "i".into(), st(1, 0)).unwrap_err();
        assert!(err.contains("note"), "{err}");
    }

    #[test]
    fn dedupe_and_page_keys_ignore_the_fragment_of_the_page() {
        let mut a = ctx("a");
        a.permalink = None;
        let mut b = a.clone();
        b.page_url = "https://foro.example/t/1".into();
        assert_eq!(dedupe_key(&a), dedupe_key(&b));
        assert_eq!(page_key(&a.page_url), "https://foro.example/t/1");
        assert_eq!(page_key("https://x.example/?q=1"), "https://x.example/?q=1");
    }

    #[test]
    fn merging_incoming_records_counts_added_and_merged() {
        let local = ingest_capture(None, ctx("a"), None, &defaults(), "ana", "id1".into(), st(10, 0)).unwrap().record;
        let mut newer = local.clone();
        newer
            .apply(
                &CaptureEdit { add_comment: Some("from Ben".into()), ..Default::default() },
                &Stamp { ms: 20, counter: 0, actor: "dev-b".into() },
                "ana",
            )
            .unwrap();
        let mut other = local.clone();
        other.id = "id2".into();
        let cases = [
            (None, &local, MergeOutcome::Added),
            (Some(&local), &local, MergeOutcome::Unchanged),
            (Some(&local), &newer, MergeOutcome::Updated),
            (Some(&newer), &local, MergeOutcome::Unchanged),
        ];
        let mut counts = MergeCounts::default();
        for (l, inc, want) in cases {
            let (merged, got) = merge_incoming(l, inc);
            assert_eq!(got, want);
            assert_eq!(merged.comments_text(), if l == Some(&newer) || inc == &newer { "from Ben" } else { "" });
            counts.count(got);
        }
        assert_eq!(counts, MergeCounts { added: 1, merged: 3 });
    }

    #[test]
    fn the_same_record_is_picked_among_duplicates() {
        let mk = |id: &str, ms: i64, deleted: bool| {
            let mut c = Capture::new(id.into(), ctx("a"), &Tags::default(), "ana", st(ms, 0));
            c.deleted.value = deleted;
            c
        };
        let cases: [(Vec<Capture>, Option<&str>); 4] = [
            (vec![], None),
            (vec![mk("b", 5, false), mk("a", 5, false)], Some("a")),
            (vec![mk("a", 1, true), mk("b", 9, false)], Some("b")),
            (vec![mk("b", 2, false), mk("a", 3, false)], Some("b")),
        ];
        for (list, want) in cases {
            assert_eq!(pick_existing(&list).map(|c| c.id.as_str()), want);
        }
    }
}
