//! Every fixture in tests/fixtures/adapters/ against its `.expected.json`:
//! the platform (or generic method) recognised and each field extracted.

use std::path::PathBuf;

use escucha_corpus::Doc;
use serde_json::Value;

/// 2024-06-15T12:00:00Z: the capture time relative fixtures resolve against.
const NOW: i64 = 1_718_452_800_000;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/adapters")
}

fn check(name: &str) -> Vec<String> {
    let dir = fixtures();
    let html = std::fs::read_to_string(dir.join(format!("{name}.html"))).expect("fixture html");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.expected.json"))).expect("sidecar")).expect("json");
    let doc = Doc::parse(&html, want["url"].as_str().expect("url"));
    let ex = doc.capture_text(want["mention"].as_str().expect("mention"), NOW);
    let got = serde_json::to_value(&ex).expect("serialize");
    let mut errors = Vec::new();
    let mut expect = |what: &str, got: &Value, want: &Value| {
        if got != want {
            errors.push(format!("{name}: {what}: got {got}, want {want}"));
        }
    };
    for key in ["platform", "authorName", "authorUrl", "permalink", "method", "siteName", "canonicalUrl", "lang"] {
        if let Some(w) = want.get(key) {
            expect(key, &got[key], w);
        }
    }
    expect("time.utc", &got["time"]["utc"], &want["timeUtc"]);
    if let Some(z) = want.get("timeZone") {
        expect("time.zone", &got["time"]["zone"], z);
    }
    if let Some(o) = want.get("timeOriginal") {
        expect("time.original", &got["time"]["original"], o);
    }
    for s in want["textContains"].as_array().into_iter().flatten() {
        if !ex.comment_text.contains(s.as_str().unwrap_or_default()) {
            errors.push(format!("{name}: text {:?} lacks {s}", ex.comment_text));
        }
    }
    for s in want["textExcludes"].as_array().into_iter().flatten() {
        if ex.comment_text.contains(s.as_str().unwrap_or_default()) {
            errors.push(format!("{name}: text {:?} has {s}", ex.comment_text));
        }
    }
    // The selectors re-find the mention in the extracted comment.
    let mention = want["mention"].as_str().unwrap_or_default();
    if ex.quote.exact != mention {
        errors.push(format!("{name}: quote.exact {:?}", ex.quote.exact));
    }
    errors
}

#[test]
fn every_adapter_fixture_extracts_its_fields() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".expected.json").map(str::to_string))
        .collect();
    names.sort();
    for platform in [
        "wordpress",
        "discourse",
        "phpbb",
        "vbulletin",
        "xenforo",
        "disqus",
        "reddit-old",
        "reddit-new",
        "hackernews",
        "stackexchange",
        "blogger",
        "youtube",
    ] {
        assert!(names.iter().any(|n| n == platform), "missing fixture for {platform}");
    }
    let errors: Vec<String> = names.iter().flat_map(|n| check(n)).collect();
    assert!(errors.is_empty(), "{} problems:\n{}", errors.len(), errors.join("\n"));
}
