//! The JavaScript side's names for the protocol, generated from the Rust types.
//!
//! `extension/platform/protocol.js` (the service worker and the content
//! scripts load it: `self.escuchaProtocol`), `tests/bench/protocol.js` (the
//! same with the benchmark requests, which `scripts/build.sh` puts in its
//! place in a bench build) and `tests/e2e/protocol.mjs` (the e2e tests and
//! benchmarks import it) are written from [`super::CHANNELS`] and
//! [`ProtocolError`]'s codes. Both are committed; a test fails when they
//! drift from the types, and `ESCUCHA_REGENERATE=1 cargo test -p escucha-core
//! protocol::generated` rewrites them. Another test fails when a script
//! hand-types a request name instead of using these.

use super::{BenchRequest, Channel, ProtocolError, CHANNELS};
use crate::matcher_frame::{FrameReply, FrameRequest};

/// Where the generated files live, from the repository root.
pub const EXTENSION_FILE: &str = "extension/platform/protocol.js";
pub const BENCH_FILE: &str = "tests/bench/protocol.js";
pub const TESTS_FILE: &str = "tests/e2e/protocol.mjs";

/// The card frame's port messages, each direction by its wire `type`
/// (`crate::card_frame`'s channel).
fn card_names() -> (Vec<String>, Vec<String>) {
    use crate::card_frame::{FromCardFrame, ToCardFrame};
    use strum::VariantNames;
    let names = |v: &[&str]| v.iter().map(|n| n.to_string()).collect();
    (names(ToCardFrame::VARIANTS), names(FromCardFrame::VARIANTS))
}

/// The wire `code` of every [`ProtocolError`] variant, read through serde
/// from every variant the derive lists (fields empty): a new variant is in.
pub fn error_codes() -> Vec<String> {
    use strum::IntoEnumIterator;
    ProtocolError::iter().map(|e| wire_tag(&e, "code")).collect()
}

/// The content script's requests to the matcher frame and the frame's
/// replies, by their wire `type`, from every variant.
fn frame_names() -> (Vec<String>, Vec<String>) {
    use strum::{IntoEnumIterator, VariantNames};
    let requests = FrameRequest::iter().map(|r| wire_tag(&r, "type")).collect();
    let replies = FrameReply::VARIANTS.iter().map(|v| v.to_string()).collect();
    (requests, replies)
}

/// What the content script is told to do with a relayed message, by its `do` tag.
fn frame_acts() -> Vec<String> {
    use strum::VariantNames;
    crate::matcher_frame::Act::VARIANTS.iter().map(|v| v.to_string()).collect()
}

/// The serde tag `key` of `value` (`""` if it has none, which a test catches).
fn wire_tag<T: serde::Serialize>(value: &T, key: &str) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.get(key)?.as_str().map(str::to_string)).unwrap_or_default()
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `name: strict('name', { key: 'value', ... })` lines, one per table.
fn tables(with_bench: bool) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = CHANNELS
        .iter()
        .filter(|(name, _)| with_bench || *name != BenchRequest::NAME)
        .map(|(name, requests)| (name.to_string(), requests.iter().map(|r| (r.to_string(), r.to_string())).collect()))
        .collect();
    out.push(("Answer".into(), vec![("ok".into(), "ok".into()), ("error".into(), "error".into())]));
    out.push(("ErrorCode".into(), error_codes().into_iter().map(|c| (camel(&c), c)).collect()));
    let (frame_requests, frame_replies) = frame_names();
    out.push(("FrameRequest".into(), frame_requests.into_iter().map(|n| (n.clone(), n)).collect()));
    out.push(("FrameReply".into(), frame_replies.into_iter().map(|n| (n.clone(), n)).collect()));
    out.push(("FrameAct".into(), frame_acts().into_iter().map(|n| (n.clone(), n)).collect()));
    let (to_card, from_card) = card_names();
    out.push(("ToCardFrame".into(), to_card.into_iter().map(|n| (n.clone(), n)).collect()));
    out.push(("FromCardFrame".into(), from_card.into_iter().map(|n| (n.clone(), n)).collect()));
    out
}

fn object(entries: &[(String, String)]) -> String {
    let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: '{v}'")).collect();
    format!("{{ {} }}", body.join(", "))
}

const HEADER: &str = "// Generated from the protocol's Rust types (src/core/src/protocol/generated.rs): do not edit.\n\
// `ESCUCHA_REGENERATE=1 cargo test -p escucha-core protocol::generated` rewrites it; a test fails when it drifts.\n";

/// A frozen object that throws on a name it does not have, so a typo fails
/// loudly instead of sending `undefined`.
const STRICT: &str = "const strict = (name, o) => new Proxy(Object.freeze(o), {\n  \
get(t, k) {\n    \
if (typeof k === 'string' && !(k in t) && k !== 'then' && k !== 'toJSON') throw new Error(`escuchaProtocol.${name} has no '${k}'`);\n    \
return t[k];\n  \
},\n});\n";

/// `extension/platform/protocol.js`: the shipped names (no benchmarks);
/// `with_bench`: the bench build's copy.
pub fn extension_js(with_bench: bool) -> String {
    let mut s = String::from(HEADER);
    s.push_str("// Loaded by the service worker and the content scripts; sets self.escuchaProtocol.\n(() => {\n");
    for line in STRICT.lines() {
        s.push_str(&format!("  {line}\n"));
    }
    s.push_str("  self.escuchaProtocol = Object.freeze({\n");
    for (name, entries) in tables(with_bench) {
        s.push_str(&format!("    {name}: strict('{name}', {}),\n", object(&entries)));
    }
    s.push_str("  });\n})();\n");
    s
}

/// `tests/e2e/protocol.mjs`: every name, benchmarks included.
pub fn tests_mjs() -> String {
    let mut s = String::from(HEADER);
    s.push_str(STRICT);
    for (name, entries) in tables(true) {
        s.push_str(&format!("export const {name} = strict('{name}', {});\n", object(&entries)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::requests;

    fn root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn committed_files_match_the_rust_types() {
        let regenerate = std::env::var("ESCUCHA_REGENERATE").is_ok_and(|v| v == "1");
        for (file, want) in [(EXTENSION_FILE, extension_js(false)), (BENCH_FILE, extension_js(true)), (TESTS_FILE, tests_mjs())] {
            let path = root().join(file);
            if regenerate {
                std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{file}: {e}"));
            }
            let got = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                got == want,
                "{file} differs from the protocol's Rust types: run `ESCUCHA_REGENERATE=1 cargo test -p escucha-core protocol::generated`"
            );
        }
    }

    #[test]
    fn every_channel_names_only_known_requests_and_every_request_travels() {
        for (channel, names) in CHANNELS {
            for n in *names {
                assert!(requests::ALL.contains(n), "{channel} names unknown request {n}");
            }
        }
        for r in requests::ALL {
            assert!(CHANNELS.iter().any(|(_, names)| names.contains(r)), "request {r} is in no channel");
        }
        let codes = error_codes();
        assert!(codes.iter().all(|c| !c.is_empty()), "{codes:?}");
        assert!(codes.contains(&"bad_message".to_string()) && codes.contains(&"bad_reply".to_string()), "{codes:?}");
        // Each frame request is answered by the reply of its own name; the
        // frame also says hello and refuses what it cannot read.
        let (requests, mut replies) = frame_names();
        assert!(requests.iter().all(|r| !r.is_empty()), "{requests:?}");
        replies.retain(|r| r != "hello" && r != "refused");
        assert_eq!(requests, replies);
        assert_eq!(camel("bad_message"), "badMessage");
        let (to_card, from_card) = card_names();
        assert_eq!(to_card, ["open", "focus", "cover"]);
        assert_eq!(from_card, ["place", "logged", "close", "cover"]);
    }

    /// `type: 'getSettings'`, `=== 'pong'`, `case 'ping'`: a request name typed by hand.
    fn hand_typed(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        let (frame_requests, frame_replies) = frame_names();
        let frame: Vec<&str> = frame_requests.iter().chain(&frame_replies).map(String::as_str).collect();
        for name in requests::ALL.iter().copied().chain(frame) {
            let quoted = [format!("'{name}'"), format!("\"{name}\"")];
            for q in &quoted {
                for (i, _) in text.match_indices(q.as_str()) {
                    let before = text[..i].trim_end();
                    if before.ends_with("type:") || before.ends_with("===") || before.ends_with("!==") || before.ends_with("case") {
                        found.push(format!("{name} at byte {i}"));
                    }
                }
            }
        }
        // The card frame's names are common words ('open', 'close'): only
        // where they are a message's `type`.
        let (to_card, from_card) = card_names();
        for name in to_card.iter().chain(&from_card) {
            for q in [format!("'{name}'"), format!("\"{name}\"")] {
                for (i, _) in text.match_indices(q.as_str()) {
                    let before = text[..i].trim_end();
                    let compared = before.strip_suffix("===").or_else(|| before.strip_suffix("!==")).map(str::trim_end);
                    if before.ends_with("type:") || compared.is_some_and(|b| b.ends_with("type")) {
                        found.push(format!("card frame's {name} at byte {i}"));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn scripts_use_the_generated_names() {
        let mut files = Vec::new();
        let mut stack = vec![root().join("extension"), root().join("tests/e2e"), root().join("tests/bench")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "js" || x == "mjs") {
                    files.push(p);
                }
            }
        }
        assert!(files.len() > 10, "{files:?}");
        let mut bad = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for hit in hand_typed(&text) {
                bad.push(format!("{}: {hit}", f.display()));
            }
        }
        assert!(bad.is_empty(), "hand-typed request names (use escuchaProtocol / tests/e2e/protocol.mjs):\n{}", bad.join("\n"));
        assert_eq!(hand_typed("x({ type: 'ping' })").len(), 1, "the check finds what it looks for");
        assert_eq!(hand_typed("port.postMessage({ type: 'open', opening })").len(), 1, "card frame names too");
        assert_eq!(hand_typed("if (e.data?.type === 'close') x();").len(), 1);
        assert_eq!(hand_typed("if (root.mode === 'open') x();").len(), 0, "a card name that is not a message type");
    }
}
