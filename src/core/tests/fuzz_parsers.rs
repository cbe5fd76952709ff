//! Property-based fuzzing of every parser that takes outside input: the sync
//! API's JSON (pushed captures, edits, ids, cursors, pull answers), import
//! files, brand lists, regex terms, comment times and URLs. Each property is
//! "never panics" plus what the parser promises (what it accepts is valid,
//! survives a round trip, cleaning is idempotent).
//!
//! `cargo test` runs a bounded budget ([`DEFAULT_CASES`] per property);
//! `make fuzz` runs the same properties with `ESCUCHA_FUZZ_CASES` (much
//! larger) in release mode. Inputs mix structured JSON (so the parsers get
//! past their first check) with arbitrary strings.

use escucha_core::brands::BrandList;
use escucha_core::capture::{time, url};
use escucha_core::log::import::parse_import;
use escucha_core::log::sanitize::web_url;
use escucha_core::log::validate::{validate_capture, validate_pushed};
use escucha_core::log::Capture;
use escucha_core::matching::Matcher;
use escucha_core::sync::api::{parse_cursor, PullResponse, PushRequest};
use escucha_core::sync::validate::{parse_capture, parse_edit, parse_id, parse_strict};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Cases per property in `cargo test`.
const DEFAULT_CASES: u32 = 128;
const NOW: i64 = 1_750_000_000_000;

fn config() -> ProptestConfig {
    let cases = std::env::var("ESCUCHA_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Text a hostile client might send: controls, bidi, NUL, URL-ish and UUID-ish shapes.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[\\x00-\\x1f\\u{7f}-\\u{9f}\\u{200e}\\u{200f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a-zA-Z0-9:/.%#?-]{0,40}",
        Just(String::new()),
        "(https?|javascript|data|HTTPS|ftp):(//)?[a-z0-9.\\-]{0,12}(/[^ ]{0,20})?",
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    ]
}

/// Arbitrary JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        nasty_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    nasty_text(),
                    Just("id".to_string()),
                    Just("status".to_string()),
                    Just("tags".to_string()),
                    Just("note".to_string()),
                    Just("items".to_string()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid capture record as JSON.
fn good_capture() -> Value {
    let stamp = json!({"ms": NOW - 1000, "counter": 0, "actor": "dev-a"});
    json!({
        "id": "01890a5d-ac96-774b-bcce-b302099a8057",
        "createdMs": NOW - 1000,
        "createdBy": "ana",
        "context": {"value": {"pageUrl": "https://foro.example/t/1", "commentText": "Movistar me cobró dos veces",
            "brand": "Telefónica", "term": "Movistar", "quote": {"exact": "Movistar"}}, "stamp": stamp},
        "sentiment": {"value": "neutral", "stamp": stamp},
        "department": {"value": null, "stamp": stamp},
        "status": {"value": "new", "stamp": stamp},
        "priority": {"value": "normal", "stamp": stamp},
        "tags": {"value": [], "stamp": stamp},
        "note": {"value": "", "stamp": stamp},
        "deleted": {"value": false, "stamp": stamp}
    })
}

/// The valid record with one field (by JSON pointer) replaced.
fn mutated_capture() -> impl Strategy<Value = Value> {
    let pointers = prop::sample::select(vec![
        "/id",
        "/createdMs",
        "/createdBy",
        "/context/value/pageUrl",
        "/context/value/permalink",
        "/context/value/authorUrl",
        "/context/value/authorName",
        "/context/value/commentText",
        "/context/value/quote/prefix",
        "/context/value/position",
        "/context/stamp/ms",
        "/status/value",
        "/status/stamp/counter",
        "/status/stamp/ms",
        "/note/value",
        "/tags/value",
        "/department/value",
        "/deleted/value",
        "/deleted/stamp/actor",
    ]);
    let replacement = prop_oneof![
        any_json(),
        (0i64..4_000_000_000_000).prop_map(|n| json!(n)),
        prop::collection::vec(nasty_text(), 0..4).prop_map(|v| json!(v)),
        (0u64..=u64::from(u32::MAX) + 1).prop_map(|n| json!(n))
    ];
    (pointers, replacement).prop_map(|(ptr, value)| {
        let mut c = good_capture();
        if let Some(slot) = c.pointer_mut(ptr) {
            *slot = value;
        } else if let Some(Value::Object(ctx)) = c.pointer_mut("/context/value") {
            ctx.insert(ptr.rsplit('/').next().unwrap().to_string(), value);
        }
        c
    })
}

fn edit_json() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec!["sentiment", "department", "status", "priority", "tags", "note", "deleted"]).prop_map(String::from);
    let value = prop_oneof![
        any_json(),
        prop::collection::vec(nasty_text(), 0..4).prop_map(|v| json!(v)),
        nasty_text().prop_map(Value::String),
        prop::sample::select(vec!["closed", "escalated", "urgent", "negative"]).prop_map(|s| json!(s)),
    ];
    prop_oneof![any_json(), prop::collection::btree_map(key, value, 1..4).prop_map(|m| Value::Object(m.into_iter().collect()))]
}

proptest! {
    #![proptest_config(config())]

    /// Pushed items: whatever is accepted is a valid record that survives a
    /// JSON round trip unchanged; anything else is a message.
    #[test]
    fn pushed_captures(value in prop_oneof![mutated_capture(), any_json()]) {
        match parse_capture(&value, NOW) {
            Ok(c) => {
                prop_assert_eq!(validate_pushed(&c, NOW), Ok(()));
                prop_assert!(!c.id.bytes().any(|b| b.is_ascii_uppercase()));
                let back: Capture = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
                prop_assert_eq!(back, c);
            }
            Err(message) => prop_assert!(!message.is_empty()),
        }
        let _ = parse_strict::<PushRequest<Value>>(&json!({ "items": [value] }));
    }

    /// Edits: an accepted edit, applied, never leaves a record a push would refuse.
    #[test]
    fn edits(value in edit_json()) {
        if let Ok(edit) = parse_edit(&value) {
            let mut c: Capture = serde_json::from_value(good_capture()).unwrap();
            let stamp = escucha_core::log::Stamp { ms: NOW, counter: 0, actor: "member:ana".into() };
            if c.apply(&edit, &stamp, "ana").is_ok() {
                prop_assert_eq!(validate_pushed(&c, NOW), Ok(()), "edit {}", value);
            }
        }
    }

    /// Path ids and pull cursors.
    #[test]
    fn ids_and_cursors(text in nasty_text(), n in any::<u64>()) {
        if parse_id(&text).is_ok() {
            prop_assert!(escucha_core::log::record::is_uuid(&text) && text == text.to_ascii_lowercase());
        }
        if let Some(seq) = parse_cursor(&text) {
            prop_assert!(text.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(text.parse::<u64>().ok(), Some(seq));
        }
        prop_assert_eq!(parse_cursor(&n.to_string()), Some(n));
    }

    /// What a client reads back from a server (which may not be ours).
    #[test]
    fn pull_answers(value in prop_oneof![
        any_json(),
        prop::collection::vec(mutated_capture(), 0..3).prop_map(|items| json!({"items": items, "cursor": "7", "more": false})),
    ]) {
        let _ = serde_json::from_value::<PullResponse>(value.clone());
        let _ = serde_json::from_slice::<PullResponse>(value.to_string().as_bytes());
    }

    /// Import files: every record kept is valid, with a canonical id.
    #[test]
    fn import_files(items in prop::collection::vec(prop_oneof![mutated_capture(), any_json()], 0..4), wrap in 0..3u8, junk in nasty_text()) {
        let text = match wrap {
            0 => json!({"format": "escucha-log", "version": 1, "captures": items}).to_string(),
            1 => json!(items).to_string(),
            _ => junk,
        };
        if let Ok(batch) = parse_import(&text, NOW) {
            for c in &batch.records {
                prop_assert_eq!(validate_capture(c, NOW), Ok(()));
            }
        }
    }

    /// Brand lists as imported: parse; if accepted, build the matcher and
    /// run it; what it reports lies inside the text.
    #[test]
    fn brand_lists(value in prop_oneof![
        any_json(),
        prop::collection::vec((nasty_text(), any::<bool>(), any::<bool>()), 0..4).prop_map(|terms| json!({"groups": [{"name": "A", "color": "#f90",
            "terms": terms.into_iter().map(|(text, regex, whole)| json!({"text": text, "options": {"regex": regex, "wholeWord": whole}})).collect::<Vec<_>>()}]})),
    ], page in ".{0,80}") {
        if let Ok(list) = BrandList::from_json(&value.to_string()) {
            if let Ok(m) = Matcher::new(&list) {
                let len = page.encode_utf16().count() as u32;
                for hit in m.find(&page) {
                    prop_assert!(hit.start < hit.end && hit.end <= len, "{:?} in {} units", hit, len);
                }
            }
        }
    }

    /// Regex terms alone: any pattern compiles or is refused with a reason;
    /// none panics on hostile text.
    #[test]
    fn regex_terms(pattern in prop_oneof![".{0,30}", "[()\\[\\]{}*+?|^$.\\\\a-c0-9,]{0,30}"], page in "[a-c ]{0,200}") {
        let list = json!({"groups": [{"name": "A", "color": "#f90", "terms": [{"text": pattern, "options": {"regex": true}}]}]});
        if let Ok(list) = BrandList::from_json(&list.to_string()) {
            if let Ok(m) = Matcher::new(&list) {
                let len = page.encode_utf16().count() as u32;
                for hit in m.find(&page) {
                    prop_assert!(hit.start < hit.end && hit.end <= len);
                }
            }
        }
    }

    /// Comment times as pages write them: machine values, epochs and text.
    /// Whatever is understood is a real instant.
    #[test]
    fn time_text(
        text in prop_oneof![".{0,40}", "[0-9 :/.TZ+-]{0,30}", "(hace|ago|ayer|yesterday|[0-9]{1,4}) ?(min|h|d|días?|hours?|semanas?) ?(ago)?"],
        lang in prop::option::of(prop::sample::select(vec!["es", "en", "pt", "fr", "xx"])),
    ) {
        for t in [time::parse_text(&text, NOW, lang), time::parse_machine(&text, &text, NOW)].into_iter().flatten() {
            prop_assert_eq!(escucha_core::log::dates::parse_rfc3339(&t.utc), Some(t.epoch_ms), "{} gave {}", text, t.utc);
        }
        let _ = time::parse_epoch(&text);
        let _ = escucha_core::log::dates::parse_rfc3339(&text);
        let _ = escucha_core::log::dates::parse_day(&text);
    }

    /// URLs: cleaning gives a link the validation accepts, and is idempotent;
    /// resolving against a page never yields anything but http(s).
    #[test]
    fn urls(raw in nasty_text(), base in "https?://[a-z]{1,8}\\.example(/[a-z%]{0,8}){0,3}") {
        if let Some(clean) = web_url(&raw) {
            prop_assert_eq!(web_url(&clean), Some(clean.clone()));
            let mut c: Capture = serde_json::from_value(good_capture()).unwrap();
            c.context.value.permalink = Some(clean.clone());
            prop_assert_eq!(validate_capture(&c, NOW), Ok(()), "{:?}", clean);
        }
        if let Some(resolved) = url::resolve_http(&base, &raw) {
            prop_assert!(url::is_http(&resolved), "{} + {:?} = {}", base, raw, resolved);
        }
        let _ = url::host(&raw);
    }
}
