//! Slack incoming webhooks: the message as Block Kit.
//!
//! Page text only ever goes into `plain_text` objects (no mrkdwn, so `*_~`,
//! `>` quotes and `<url|label>` links are shown as typed) with Slack's three
//! control characters escaped (`&`, `<`, `>`), which also turns `<!channel>`
//! and `<@U123>` into text. Links are buttons: their URL is a field, never
//! markup. Every text is clipped to Slack's limits, so a long comment cannot
//! make Slack refuse the whole message.

use serde_json::{json, Value};

use super::message::{clean, clip, safe_url, Block, Message};

/// Slack's limits (Block Kit reference).
const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const FIELDS_MAX: usize = 10;
const BUTTON_MAX: usize = 75;
const URL_MAX: usize = 3000;
const BLOCKS_MAX: usize = 50;

/// `&`, `<`, `>` as Slack's entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Clip first (so an entity is never cut in half), then escape.
fn plain(text: &str, max: usize) -> Value {
    // An escaped character takes up to 5; clip so the escaped text fits.
    let mut clipped = clip(&clean(text), max);
    while escape(&clipped).chars().count() > max {
        let n = clipped.chars().count();
        clipped = clip(&clipped, n.saturating_sub(n / 10).max(1));
    }
    let text = if clipped.trim().is_empty() { "\u{2014}".to_string() } else { escape(&clipped) };
    json!({ "type": "plain_text", "text": text, "emoji": false })
}

fn button(label: &str, url: &str) -> Option<Value> {
    let url = safe_url(url).filter(|u| u.len() <= URL_MAX)?;
    Some(json!({ "type": "button", "text": plain(label, BUTTON_MAX), "url": url }))
}

/// The JSON body to POST to the webhook URL.
pub fn render(message: &Message) -> Value {
    let mut blocks: Vec<Value> = vec![];
    let mut buttons: Vec<Value> = vec![];
    let flush = |blocks: &mut Vec<Value>, buttons: &mut Vec<Value>| {
        if !buttons.is_empty() {
            blocks.push(json!({ "type": "actions", "elements": std::mem::take(buttons) }));
        }
    };
    for block in &message.blocks {
        if !matches!(block, Block::Link { .. }) {
            flush(&mut blocks, &mut buttons);
        }
        match block {
            Block::Heading { text } => blocks.push(json!({ "type": "header", "text": plain(text, HEADER_MAX) })),
            Block::Paragraph { text } => blocks.push(json!({ "type": "section", "text": plain(text, SECTION_MAX) })),
            Block::Quote { text } => {
                blocks.push(json!({ "type": "section", "text": plain(&format!("\u{201c}{text}\u{201d}"), SECTION_MAX) }))
            }
            Block::Fields { fields } => {
                let fields: Vec<Value> =
                    fields.iter().take(FIELDS_MAX).map(|f| plain(&format!("{}: {}", f.label, f.value), FIELD_MAX)).collect();
                if !fields.is_empty() {
                    blocks.push(json!({ "type": "section", "fields": fields }));
                }
            }
            Block::Link { label, url } => buttons.extend(button(label, url)),
            Block::List { items } => {
                for item in items {
                    let mut section = json!({ "type": "section", "text": plain(&format!("\u{2022} {}", item.text), SECTION_MAX) });
                    if let Some(b) = item.url.as_deref().and_then(|u| button("\u{2197}", u)) {
                        section["accessory"] = b;
                    }
                    blocks.push(section);
                }
            }
        }
    }
    flush(&mut blocks, &mut buttons);
    blocks.truncate(BLOCKS_MAX);
    json!({ "text": escape(&clip(&message.subject, SECTION_MAX)), "mrkdwn": false, "blocks": blocks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::message::{Field, Item};
    use crate::delivery::Language;

    pub(crate) const HOSTILE: &str = "<!channel> @here <@U024BE7LH> *bold* _it_ ~s~ `code` > quote [x](https://evil.example) <https://evil.example|click> & <script>alert(1)</script>";

    fn hostile_message(long: usize) -> Message {
        Message {
            subject: HOSTILE.into(),
            language: Language::En,
            blocks: vec![
                Block::Heading { text: HOSTILE.into() },
                Block::Paragraph { text: HOSTILE.repeat(long) },
                Block::Fields { fields: vec![Field { label: "Author".into(), value: HOSTILE.into() }] },
                Block::Quote { text: HOSTILE.into() },
                Block::Link { label: HOSTILE.into(), url: "https://forum.example/t/1#p2".into() },
                Block::Link { label: "bad".into(), url: "javascript:alert(1)".into() },
                Block::List { items: vec![Item { text: HOSTILE.into(), url: Some("https://forum.example/x".into()) }] },
            ],
        }
    }

    /// Every text object in the rendering, with its type.
    fn texts(v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(m) => {
                if let (Some(Value::String(t)), Some(Value::String(text))) = (m.get("type"), m.get("text")) {
                    out.push((t.clone(), text.clone()));
                }
                m.values().for_each(|x| texts(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| texts(x, out)),
            _ => {}
        }
    }

    #[test]
    fn hostile_page_text_stays_text() {
        let v = render(&hostile_message(1));
        let mut all = vec![];
        texts(&v, &mut all);
        assert!(all.len() >= 6, "{all:?}");
        for (kind, text) in &all {
            if kind == "plain_text" {
                assert!(!text.contains('<') && !text.contains('>'), "unescaped: {text}");
                assert!(!text.contains("<!channel>") && !text.contains("<@U"), "{text}");
            }
            // No page text anywhere as mrkdwn.
            assert_ne!(kind, "mrkdwn", "{text}");
        }
        let top = v["text"].as_str().unwrap();
        assert!(top.starts_with("&lt;!channel&gt; @here &lt;@U024BE7LH&gt;"), "{top}");
        assert_eq!(v["mrkdwn"], false);
        // & escaped once, not twice.
        assert!(top.contains(" &amp; &lt;script&gt;"), "{top}");
        // The javascript: link is gone; the http one is a button.
        let s = v.to_string();
        assert!(!s.contains("javascript:"), "{s}");
        assert!(s.contains("\"url\":\"https://forum.example/t/1#p2\""), "{s}");
    }

    #[test]
    fn very_long_text_is_clipped_to_slacks_limits() {
        let v = render(&hostile_message(200));
        let mut all = vec![];
        texts(&v, &mut all);
        for (_, text) in &all {
            assert!(text.chars().count() <= SECTION_MAX, "{} chars", text.chars().count());
        }
        let header = v["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(header.chars().count() <= HEADER_MAX);
        // Cut text never ends inside an entity.
        let para = v["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(para.ends_with('…'), "{}", &para[para.len() - 20..]);
        let tail: String = para.chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
        assert!(!tail.contains('&') || tail.contains(';'), "{tail}");
    }
}
