//! Verified response (issue 13) on the fixture threads of
//! tests/fixtures/threads/ (phpBB, XenForo, Discourse, a WordPress comment
//! tree), parsed with html5ever: for each case, the comment under the
//! mention, the team accounts, and the reply expected (or none).

use std::path::PathBuf;

use escucha_core::capture::reply::find_reply;
use escucha_core::capture::Snapshot;
use escucha_core::team_accounts::TeamAccounts;
use escucha_corpus::Doc;
use serde_json::Value;

/// 2024-06-15T12:00:00Z: the revisit time.
const NOW: i64 = 1_718_452_800_000;

fn run(name: &str) -> (usize, Vec<String>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/threads");
    let html = std::fs::read_to_string(dir.join(format!("{name}.html"))).expect("fixture html");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.expected.json"))).expect("sidecar")).expect("json");
    let doc = Doc::parse(&html, want["url"].as_str().expect("url"));
    let page = doc.page();
    let mut errors = Vec::new();
    let cases = want["cases"].as_array().expect("cases");
    for case in cases {
        let label = format!("{name}: {}", case["name"].as_str().unwrap_or("?"));
        let mention = case["mention"].as_str().expect("mention");
        let (node, s, e) = doc.find(mention).unwrap_or_else(|| panic!("{label}: no {mention:?} in the page"));
        let snapshot = Snapshot::gather(&doc, &node, s, e);
        let accounts: TeamAccounts = serde_json::from_value(case["accounts"].clone()).expect("accounts");
        assert!(accounts.validate().is_empty(), "{label}: accounts invalid");
        let found = find_reply(&snapshot, &page, NOW, &accounts.for_page(page.cite_url()));
        let got = match &found {
            Some(r) => serde_json::json!({
                "handle": r.handle,
                "timeUtc": r.time.as_ref().map(|t| t.utc.clone()),
                "permalink": r.permalink,
                "evidence": r.evidence,
            }),
            None => Value::Null,
        };
        println!("{label}: {got}");
        if got != case["reply"] {
            errors.push(format!("{label}: got {got}, want {}", case["reply"]));
        }
    }
    (cases.len(), errors)
}

#[test]
fn fixture_threads_per_platform() {
    let mut errors = Vec::new();
    let mut total = 0;
    for name in ["phpbb", "xenforo", "discourse", "wordpress"] {
        let (n, e) = run(name);
        total += n;
        errors.extend(e);
    }
    assert!(errors.is_empty(), "{} of {total} cases wrong:\n{}", errors.len(), errors.join("\n"));
}
