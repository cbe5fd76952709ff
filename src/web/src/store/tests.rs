//! The store against the real IndexedDB of headless Chromium.

use super::*;
use escucha_core::log::counts::LogCounts;
use escucha_core::log::record::{is_uuid, TextQuote};
use escucha_core::log::{Priority, Status};
use escucha_core::protocol::ErrorCode;
use wasm_bindgen_test::wasm_bindgen_test;

fn ctx(n: u32, permalink: bool) -> CaptureContext {
    CaptureContext {
        page_url: format!("https://foro.example/t/{}#p{n}", n % 7),
        page_title: "Hilo".into(),
        site: "foro.example".into(),
        comment_text: format!("Comentario {n}: Movistar me cobró dos veces"),
        permalink: permalink.then(|| format!("https://foro.example/p/{n}")),
        brand: "Telefónica".into(),
        term: "Movistar".into(),
        quote: TextQuote { exact: "Movistar".into(), prefix: format!("Comentario {n}: "), suffix: " me cobró".into() },
        ..Default::default()
    }
}

/// A fresh, uniquely named database, so tests never see each other's data.
async fn fresh(name: &str) -> Store {
    let name = format!("escucha-test-{name}-{}", js_sys::Math::random());
    Store::open_named(&name).await.expect("open")
}

/// Times the team log accepts (records are held to its rules before they are stored).
const T: i64 = 1_750_000_000_000;

fn refused(m: &str) -> QuarantineReason {
    QuarantineReason::Refused { message: m.into() }
}

fn defaults() -> Tags {
    Tags { status: Status::NeedsResponse, ..Default::default() }
}

#[wasm_bindgen_test]
async fn logs_dedupes_edits_and_reads_back_after_reopening() {
    let name = format!("escucha-test-reopen-{}", js_sys::Math::random());
    let store = Store::open_named(&name).await.unwrap();
    let first = store.log_capture(ctx(1, true), None, &defaults(), "ana", T + 1_000).await.unwrap();
    assert!(is_uuid(&first.id));
    assert_eq!(first.status.value, Status::NeedsResponse);
    assert!(first.context.stamp.actor.starts_with("dev-"));

    // The same comment again (same permalink), with new text and a tag choice.
    let mut again_ctx = ctx(1, true);
    again_ctx.comment_text = "edited by its author".into();
    let tags = Tags { priority: Priority::Urgent, ..defaults() };
    let again = store.log_capture(again_ctx, Some(tags), &defaults(), "ana", T + 900).await.unwrap();
    assert_eq!(again.id, first.id, "one record, updated");
    assert_eq!(again.context.value.comment_text, "edited by its author");
    assert_eq!(again.priority.value, Priority::Urgent);
    assert!(again.last_stamp() > first.last_stamp(), "the clock moves on even when the wall clock went back");

    let second = store.log_capture(ctx(2, false), None, &defaults(), "ana", T + 2_000).await.unwrap();
    assert_ne!(second.id, first.id);

    let edited = store
        .edit(
            &first.id,
            &CaptureEdit { add_comment: Some("llamar".into()), status: Some(Status::Responded), ..Default::default() },
            "ana",
            3_000,
        )
        .await
        .unwrap();
    assert_eq!(edited.comments_text(), "llamar");

    let refused = store
        .edit(&first.id, &CaptureEdit { add_comment: Some("x".repeat(20_000)), ..Default::default() }, "ana", T + 3_001)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Invalid);
    let missing = store.edit("0190a0b0-0000-7000-8000-00000000dead", &CaptureEdit::default(), "ana", T + 3_002).await.unwrap_err();
    assert_eq!(missing.code(), ErrorCode::Invalid);

    store.close();
    let store = Store::open_named(&name).await.unwrap();
    let all = store.all().await.unwrap();
    assert_eq!(all.len(), 2);
    let back = all.iter().find(|c| c.id == first.id).unwrap();
    assert_eq!(back, &edited, "exactly what was acknowledged");
    let page = store.page_captures("https://foro.example/t/1#something-else").await.unwrap();
    assert_eq!(page.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec![first.id.as_str()]);

    let status = store.status().await.unwrap();
    assert_eq!((status.total, status.pending, status.quarantined), (2, 2, 0));
}

#[wasm_bindgen_test]
async fn outbox_tracks_acknowledgements_and_quarantine() {
    let store = fresh("outbox").await;
    let a = store.log_capture(ctx(1, true), None, &defaults(), "ana", T + 1_000).await.unwrap();
    let b = store.log_capture(ctx(2, true), None, &defaults(), "ana", T + 1_001).await.unwrap();
    assert_eq!(store.pending(10).await.unwrap().len(), 2);

    // The server took `a`; meanwhile `b` was edited after the upload began.
    store.acknowledge(&a.id, a.last_stamp()).await.unwrap();
    let b2 = store.edit(&b.id, &CaptureEdit { add_comment: Some("n".into()), ..Default::default() }, "ana", T + 1_002).await.unwrap();
    store.acknowledge(&b.id, b.last_stamp()).await.unwrap();
    let pending = store.pending(10).await.unwrap();
    assert_eq!(pending, vec![b2.clone()]);

    store.quarantine(&b2.id, b2.last_stamp(), refused("team log refused: bad department"), T + 1_003).await.unwrap();
    let s = store.status().await.unwrap();
    assert_eq!((s.pending, s.quarantined), (0, 1));
    assert_eq!(store.quarantined().await.unwrap()[0].quarantine.as_ref().unwrap().reason, "team log refused: bad department");

    // Editing it again lifts the quarantine.
    store.edit(&b2.id, &CaptureEdit { department: Some(Some("PR".into())), ..Default::default() }, "ana", T + 1_004).await.unwrap();
    let s = store.status().await.unwrap();
    assert_eq!((s.pending, s.quarantined), (1, 0));

    store.set_meta(META_LAST_SYNC_MS, Some(&1_005i64)).await.unwrap();
    assert_eq!(store.status().await.unwrap().last_sync_ms, Some(1_005));
    assert_eq!(store.meta::<i64>(META_LAST_SYNC_MS).await.unwrap(), Some(1_005));
}

#[wasm_bindgen_test]
async fn merges_records_by_id_and_reads_thousands() {
    let store = fresh("merge").await;
    let local = store.log_capture(ctx(0, true), None, &defaults(), "ana", T + 1_000).await.unwrap();
    let mut theirs = local.clone();
    theirs
        .apply(
            &CaptureEdit { add_comment: Some("de Ben".into()), ..Default::default() },
            &Stamp { ms: T + 2_000, counter: 0, actor: "dev-b".into() },
            "ana",
        )
        .unwrap();
    let mut records = vec![theirs];
    for n in 1..3_000u32 {
        let stamp = Stamp { ms: 5_000 + n as i64, counter: 0, actor: "dev-b".into() };
        let id = uuid_v7(stamp.ms, [n as u8, (n >> 8) as u8, 1, 2, 3, 4, 5, 6, 7, 8]);
        records.push(Capture::new(id, ctx(n, n % 2 == 0), &Tags::default(), "ben", stamp));
    }
    let counts = store.merge_records(records.clone(), MergeSource::Import).await.unwrap();
    assert_eq!((counts.added, counts.merged), (2_999, 1));
    let again = store.merge_records(records, MergeSource::Server).await.unwrap();
    assert_eq!((again.added, again.merged), (0, 3_000));

    let all = store.all().await.unwrap();
    assert_eq!(all.len(), 3_000);
    assert_eq!(all.iter().find(|c| c.id == local.id).unwrap().comments_text(), "de Ben");
    // The server sent back exactly what we hold: nothing left to send.
    let s = store.status().await.unwrap();
    assert_eq!((s.total, s.pending), (3_000, 0));
}

#[wasm_bindgen_test]
async fn refused_or_failed_writes_change_nothing() {
    let store = fresh("abort").await;
    let kept = store.log_capture(ctx(1, true), None, &defaults(), "ana", T + 1_000).await.unwrap();
    // An edit refused after its transaction began: aborted, nothing written.
    let err =
        store.edit(&kept.id, &CaptureEdit { tags: Some(vec!["t".repeat(61)]), ..Default::default() }, "ana", T + 2_000).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Invalid);
    assert_eq!(store.all().await.unwrap(), vec![kept.clone()]);
    // A closed connection reports a storage error a manager can read.
    store.close();
    let err = store.log_capture(ctx(2, true), None, &defaults(), "ana", T + 3_000).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Storage);
    // The failure travels as data (which failure, during what); words come at display time.
    use escucha_core::log::store_error::{StoreAction, StoreFailure};
    assert!(
        matches!(
            &err,
            escucha_core::protocol::ProtocolError::Storage {
                action: StoreAction::Capture,
                failure: StoreFailure::Unavailable(_) | StoreFailure::Aborted(_)
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("this capture was NOT saved"), "{err}");
}

/// The kept totals equal a count through the indexes, and are `want`
/// (stored, live, pending, quarantined).
async fn assert_totals(store: &Store, want: (u32, u32, u32, u32), after: &str) {
    let kept = store.counts().await.unwrap();
    let counted = store.count_by_indexes().await.unwrap();
    assert_eq!(kept, counted, "kept totals drifted after {after}");
    assert_eq!((kept.stored, kept.live, kept.pending, kept.quarantined), want, "after {after}");
    let s = store.status().await.unwrap();
    assert_eq!((s.total, s.pending, s.quarantined), (want.1, want.2, want.3), "status after {after}");
}

#[wasm_bindgen_test]
async fn kept_totals_follow_every_kind_of_write() {
    let store = fresh("totals").await;
    assert_totals(&store, (0, 0, 0, 0), "nothing").await;
    let a = store.log_capture(ctx(1, true), None, &defaults(), "ana", T + 1_000).await.unwrap();
    assert_totals(&store, (1, 1, 1, 0), "a new capture").await;
    store.log_capture(ctx(1, true), None, &defaults(), "ana", T + 1_001).await.unwrap();
    assert_totals(&store, (1, 1, 1, 0), "the same comment again (no change)").await;
    let b = store.log_capture(ctx(2, true), None, &defaults(), "ana", T + 1_002).await.unwrap();
    store.acknowledge(&a.id, a.last_stamp()).await.unwrap();
    assert_totals(&store, (2, 2, 1, 0), "an acknowledgement").await;
    store.acknowledge(&a.id, a.last_stamp()).await.unwrap();
    assert_totals(&store, (2, 2, 1, 0), "a repeated acknowledgement").await;
    store.quarantine(&b.id, b.last_stamp(), refused("refused"), T + 1_003).await.unwrap();
    assert_totals(&store, (2, 2, 0, 1), "a quarantine").await;
    store.quarantine(&b.id, b.last_stamp(), refused("refused"), T + 1_004).await.unwrap();
    assert_totals(&store, (2, 2, 0, 1), "the same refusal again").await;
    let a2 = store.edit(&a.id, &CaptureEdit { deleted: Some(true), ..Default::default() }, "ana", T + 1_005).await.unwrap();
    assert_totals(&store, (2, 1, 1, 1), "a delete (acknowledged record queued again)").await;
    store.edit(&b.id, &CaptureEdit { add_comment: Some("fixed".into()), ..Default::default() }, "ana", T + 1_006).await.unwrap();
    assert_totals(&store, (2, 1, 2, 0), "an edit lifting a quarantine").await;
    store.log_capture(ctx(1, true), None, &defaults(), "ana", T + 1_007).await.unwrap();
    assert_totals(&store, (2, 2, 2, 0), "re-capturing a deleted comment").await;
    let refused = store.edit(&a.id, &CaptureEdit { add_comment: Some("x".repeat(20_000)), ..Default::default() }, "ana", T + 1_008).await;
    assert!(refused.is_err());
    assert_totals(&store, (2, 2, 2, 0), "a refused edit").await;

    // An import: new records (one a tombstone, one named twice), a known one.
    let mut records = Vec::new();
    for n in 10..15u32 {
        let stamp = Stamp { ms: 5_000 + n as i64, counter: 0, actor: "dev-b".into() };
        let id = uuid_v7(stamp.ms, [n as u8, 9, 1, 2, 3, 4, 5, 6, 7, 8]);
        records.push(Capture::new(id, ctx(n, true), &Tags::default(), "ben", stamp));
    }
    records[0]
        .apply(&CaptureEdit { deleted: Some(true), ..Default::default() }, &Stamp { ms: 6_000, counter: 0, actor: "dev-b".into() }, "ana")
        .unwrap();
    let mut twice = records[1].clone();
    twice
        .apply(
            &CaptureEdit { add_comment: Some("second copy".into()), ..Default::default() },
            &Stamp { ms: 6_001, counter: 0, actor: "dev-b".into() },
            "ana",
        )
        .unwrap();
    records.push(twice);
    records.push(a2.clone());
    store.merge_records(records.clone(), MergeSource::Import).await.unwrap();
    assert_totals(&store, (7, 6, 7, 0), "an import").await;
    store.merge_records(records.clone(), MergeSource::Import).await.unwrap();
    assert_totals(&store, (7, 6, 7, 0), "the same import again").await;
    // The team log sends back exactly what we hold: those entries settle.
    let held = store.all().await.unwrap();
    store.merge_records(held, MergeSource::Server).await.unwrap();
    assert_totals(&store, (7, 6, 0, 0), "the team log's copies").await;
    // The team log sends a record we never had.
    let stamp = Stamp { ms: 9_000, counter: 0, actor: "dev-c".into() };
    let theirs = Capture::new(uuid_v7(9_000, [7; 10]), ctx(30, true), &Tags::default(), "cai", stamp);
    store.merge_records(vec![theirs], MergeSource::Server).await.unwrap();
    assert_totals(&store, (8, 7, 0, 0), "a teammate's record").await;
}

#[wasm_bindgen_test]
async fn a_log_without_kept_totals_is_counted_once() {
    let store = fresh("recount").await;
    let a = store.log_capture(ctx(1, true), None, &defaults(), "ana", T + 1_000).await.unwrap();
    store.log_capture(ctx(2, true), None, &defaults(), "ana", T + 1_001).await.unwrap();
    store.quarantine(&a.id, a.last_stamp(), refused("refused"), T + 1_002).await.unwrap();
    // As a database written before the totals existed.
    store.set_meta::<LogCounts>(META_COUNTS, None).await.unwrap();
    assert_eq!(store.meta::<LogCounts>(META_COUNTS).await.unwrap(), None);
    let s = store.status().await.unwrap();
    assert_eq!((s.total, s.pending, s.quarantined), (2, 1, 1));
    assert_eq!(
        store.meta::<LogCounts>(META_COUNTS).await.unwrap(),
        Some(LogCounts { stored: 2, live: 2, pending: 1, quarantined: 1 }),
        "kept from now on"
    );
    // A write that finds no totals counts them, its own change included.
    store.set_meta::<LogCounts>(META_COUNTS, None).await.unwrap();
    store.log_capture(ctx(3, true), None, &defaults(), "ana", T + 1_003).await.unwrap();
    assert_eq!(store.meta::<LogCounts>(META_COUNTS).await.unwrap(), Some(LogCounts { stored: 3, live: 3, pending: 2, quarantined: 1 }));
    assert_totals(&store, (3, 3, 2, 1), "a write without totals").await;
}

#[wasm_bindgen_test]
async fn newest_first_then_the_rest_in_pieces() {
    let store = fresh("pieces").await;
    assert!(store.newest(10).await.unwrap().is_empty());
    assert!(store.chunk(None, 10).await.unwrap().is_empty());
    // Creation times out of id order, as records imported from teammates are.
    let mut records = Vec::new();
    for n in 0..57u32 {
        let stamp = Stamp { ms: 10_000 + ((n * 37) % 57) as i64 * 10, counter: 0, actor: "dev-b".into() };
        let id = uuid_v7(1_000 + n as i64, [n as u8, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        records.push(Capture::new(id, ctx(n, true), &Tags::default(), "ben", stamp));
    }
    store.merge_records(records.clone(), MergeSource::Import).await.unwrap();
    let newest = store.newest(5).await.unwrap();
    let mut by_created = records.clone();
    by_created.sort_by_key(|c| std::cmp::Reverse(c.created_ms));
    assert_eq!(newest, by_created[..5].to_vec(), "newest by creation time, newest first");

    let mut pieces = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let piece = store.chunk(after.as_deref(), 10).await.unwrap();
        let last = piece.len() < 10;
        after = piece.last().map(|c| c.id.clone()).or(after);
        pieces.push(piece);
        if last {
            break;
        }
    }
    assert_eq!(pieces.iter().map(Vec::len).collect::<Vec<_>>(), vec![10, 10, 10, 10, 10, 7]);
    assert_eq!(pieces.concat(), store.all().await.unwrap(), "the pieces are all() in order");
}

#[wasm_bindgen_test]
async fn quarantined_records_are_repaired_at_start_retried_or_discarded() {
    use escucha_core::log::outbox::Quarantine;
    let store = fresh("recheck").await;
    // As an older version stored them: the page text's separator in the
    // quote (the server refused it), and a comment only its author can shorten.
    let sep = store.log_capture(ctx(1, true), None, &defaults(), "ana", T + 1_000).await.unwrap();
    let long = store.log_capture(ctx(2, true), None, &defaults(), "ana", T + 1_001).await.unwrap();
    let mut bad_sep = sep.clone();
    bad_sep.context.value.quote.prefix = "hace 2 horas\u{1e}".into();
    let mut bad_long = long.clone();
    let s = bad_long.last_stamp().clone();
    let text = "n".repeat(escucha_core::log::record::MAX_NOTE_CHARS + 1);
    bad_long.comments.insert(escucha_core::log::Comment::new(escucha_core::log::thread::comment_id(&s), "ana", text, &s));
    store.replace_records(&[bad_sep.clone(), bad_long.clone()]).await.unwrap();
    for c in [&bad_sep, &bad_long] {
        // Legacy entries: English words only, no data.
        let legacy = OutboxEntry {
            quarantine: Some(Quarantine { reason: "contains control characters".into(), at_ms: 5, why: None }),
            ..outbox::queue(c)
        };
        store.update_outbox(&c.id, move |_| Some(legacy)).await.unwrap();
    }
    assert_totals(&store, (2, 2, 0, 2), "two quarantined").await;

    assert_eq!(store.recheck_quarantined(T + 2_000).await.unwrap(), 1);
    assert_totals(&store, (2, 2, 1, 1), "the separator cleaned and queued again").await;
    let fixed = store.get(&sep.id).await.unwrap().unwrap();
    assert_eq!(fixed.context.value.quote.prefix, "hace 2 horas ");
    assert_eq!(fixed.last_stamp(), sep.last_stamp(), "cleaning is not an edit");
    let held = store.quarantined().await.unwrap();
    assert_eq!(held.len(), 1);
    let why = held[0].quarantine.as_ref().unwrap().why.clone().unwrap();
    assert!(
        matches!(&why, QuarantineReason::Invalid { error } if error.field == escucha_core::log::validate::Field::CommentBody(0)),
        "{why:?}"
    );
    assert_eq!(store.recheck_quarantined(T + 3_000).await.unwrap(), 0, "nothing more to do");

    store.retry(&long.id).await.unwrap();
    assert_totals(&store, (2, 2, 2, 0), "retried").await;
    store.quarantine(&long.id, bad_long.last_stamp(), why, T + 4_000).await.unwrap();
    store.discard(&long.id).await.unwrap();
    assert_totals(&store, (1, 1, 1, 0), "discarded").await;
    assert_eq!(store.get(&long.id).await.unwrap(), None);
}

/// A teammate's synced capture (as the team log sends it back).
fn teammate(n: u32, by: &str, ms: i64) -> Capture {
    let id = uuid_v7(ms, [n as u8; 10]);
    Capture::new(id, ctx(n, true), &defaults(), by, Stamp { ms, counter: 0, actor: format!("dev-{by}") })
}

#[wasm_bindgen_test]
async fn a_batched_merge_lands_every_record_and_reports_progress() {
    let store = fresh("batched").await;
    let records: Vec<Capture> = (0..2_050).map(|n| teammate(n % 250 + 1, "bo", T + n as i64)).collect();
    let distinct: std::collections::HashSet<&str> = records.iter().map(|c| c.id.as_str()).collect();
    let distinct = distinct.len() as u32;
    let mut steps = Vec::new();
    let counts = store.merge_in_batches(records, MergeSource::Import, 500, |done, total| steps.push((done, total))).await.unwrap();
    assert_eq!(steps, vec![(500, 2_050), (1_000, 2_050), (1_500, 2_050), (2_000, 2_050), (2_050, 2_050)]);
    assert_eq!(counts.added, distinct);
    assert_eq!(counts.added + counts.merged, 2_050);
    let totals = store.counts().await.unwrap();
    assert_eq!(totals, store.count_by_indexes().await.unwrap(), "the kept totals moved with every batch");
    assert_eq!(totals.stored, distinct);
    assert_eq!(totals.pending, distinct, "an import is queued for the team log");
}

#[wasm_bindgen_test]
async fn eviction_never_drops_a_record_with_a_change_waiting() {
    let store = fresh("evict").await;
    let synced = teammate(1, "bo", T);
    let edited = teammate(2, "bo", T);
    let absent = "0190a0b0-0000-7000-8000-00000000dead".to_string();
    store.merge_records(vec![synced.clone(), edited.clone()], MergeSource::Server).await.unwrap();
    // Edited here after the caller decided to evict it: an outbox entry now.
    store.edit(&edited.id, &CaptureEdit { add_comment: Some("llamar".into()), ..Default::default() }, "ana", T + 10).await.unwrap();
    let ids = vec![synced.id.clone(), edited.id.clone(), absent];
    let gone = store.evict(&ids, |_, has_entry| !has_entry).await.unwrap();
    assert_eq!(gone, 1);
    assert!(store.get(&synced.id).await.unwrap().is_none());
    assert_eq!(store.get(&edited.id).await.unwrap().unwrap().comments_text(), "llamar");
    let totals = store.counts().await.unwrap();
    assert_eq!(totals, store.count_by_indexes().await.unwrap());
    assert_eq!((totals.stored, totals.pending), (1, 1));
    assert_eq!(store.outbox_ids().await.unwrap(), std::iter::once(edited.id.clone()).collect());
}

#[wasm_bindgen_test]
async fn a_pull_stores_only_what_the_window_admits() {
    let store = fresh("admit").await;
    let held = teammate(1, "bo", T);
    let new_in = teammate(2, "bo", T);
    let new_out = teammate(3, "bo", T);
    store.merge_records(vec![held.clone()], MergeSource::Server).await.unwrap();
    let mut later = held.clone();
    later
        .apply(
            &CaptureEdit { status: Some(Status::Responded), ..Default::default() },
            &Stamp { ms: T + 5, counter: 0, actor: "dev-bo".into() },
            "ana",
        )
        .unwrap();
    // Refuse everything new: a held record still takes the team's edit.
    let out_id = new_out.id.clone();
    store.merge_records_where(vec![later, new_in.clone(), new_out], MergeSource::Server, |c| c.id != out_id).await.unwrap();
    assert_eq!(store.get(&held.id).await.unwrap().unwrap().status.value, Status::Responded);
    assert!(store.get(&new_in.id).await.unwrap().is_some());
    assert!(store.get(&out_id).await.unwrap().is_none());
    assert_eq!(store.counts().await.unwrap().stored, 2);
}
