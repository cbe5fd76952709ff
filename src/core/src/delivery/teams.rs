//! Microsoft Teams workflow webhooks: the message as an Adaptive Card in a
//! `message` envelope (what the "When a Teams webhook request is received"
//! workflow posts to a channel).
//!
//! Page text only ever goes into `TextRun`s of `RichTextBlock`s, which
//! Adaptive Cards never read as Markdown (unlike `TextBlock`), so `**`,
//! `[x](y)`, `<at>` mentions and HTML show as typed. Links are
//! `Action.OpenUrl` buttons. Long text is clipped.

use serde_json::{json, Value};

use super::message::{clean, clip, safe_url, Block, Message};

const TEXT_MAX: usize = 4000;
const TITLE_MAX: usize = 200;
const ACTIONS_MAX: usize = 6;

fn run(text: &str, max: usize) -> Value {
    json!({ "type": "TextRun", "text": clip(&clean(text), max) })
}

fn rich(runs: Vec<Value>) -> Value {
    json!({ "type": "RichTextBlock", "inlines": runs })
}

pub fn card(message: &Message) -> Value {
    let mut body: Vec<Value> = vec![];
    let mut actions: Vec<Value> = vec![];
    for block in &message.blocks {
        match block {
            Block::Heading { text } => {
                let mut r = run(text, TITLE_MAX);
                r["weight"] = json!("Bolder");
                r["size"] = json!("Large");
                body.push(rich(vec![r]));
            }
            Block::Paragraph { text } => body.push(rich(vec![run(text, TEXT_MAX)])),
            Block::Quote { text } => {
                let mut r = run(text, TEXT_MAX);
                r["italic"] = json!(true);
                body.push(json!({ "type": "Container", "style": "emphasis", "items": [rich(vec![r])] }));
            }
            Block::Fields { fields } => {
                for f in fields {
                    let mut label = run(&format!("{}: ", f.label), TITLE_MAX);
                    label["weight"] = json!("Bolder");
                    body.push(rich(vec![label, run(&f.value, TEXT_MAX)]));
                }
            }
            Block::Link { label, url } => {
                if let Some(url) = safe_url(url) {
                    if actions.len() < ACTIONS_MAX {
                        actions.push(json!({ "type": "Action.OpenUrl", "title": clip(&clean(label), TITLE_MAX), "url": url }));
                    }
                }
            }
            Block::List { items } => {
                for item in items {
                    let mut r = run(&format!("\u{2022} {}", item.text), TEXT_MAX);
                    if let Some(url) = item.url.as_deref().and_then(safe_url) {
                        // selectAction opens the link; the text stays text.
                        r["selectAction"] = json!({ "type": "Action.OpenUrl", "url": url });
                        r["color"] = json!("Accent");
                    }
                    body.push(rich(vec![r]));
                }
            }
        }
    }
    json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "lang": message.language.code(),
        "fallbackText": clip(&clean(&message.subject), TITLE_MAX),
        "body": body,
        "actions": actions,
    })
}

/// The JSON body to POST to the workflow URL.
pub fn render(message: &Message) -> Value {
    json!({
        "type": "message",
        "summary": clip(&clean(&message.subject), TITLE_MAX),
        "attachments": [{ "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": card(message) }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::message::{Field, Item};
    use crate::delivery::Language;

    const HOSTILE: &str = "**bold** [x](https://evil.example) <at>everyone</at> <b>html</b> &amp; @here";

    #[test]
    fn page_text_is_only_in_text_runs() {
        let m = Message {
            subject: HOSTILE.into(),
            language: Language::Es,
            blocks: vec![
                Block::Heading { text: HOSTILE.into() },
                Block::Paragraph { text: HOSTILE.repeat(500) },
                Block::Fields { fields: vec![Field { label: "Autor".into(), value: HOSTILE.into() }] },
                Block::Quote { text: HOSTILE.into() },
                Block::Link { label: "Abrir".into(), url: "https://forum.example/t/1".into() },
                Block::Link { label: "x".into(), url: "javascript:alert(1)".into() },
                Block::List { items: vec![Item { text: HOSTILE.into(), url: Some("https://forum.example/x".into()) }] },
            ],
        };
        let v = render(&m);
        let card = &v["attachments"][0]["content"];
        assert_eq!(card["lang"], "es");
        let s = card["body"].to_string();
        // No TextBlock (the Markdown-reading element) anywhere in the body.
        assert!(!s.contains("\"TextBlock\""), "{s}");
        assert!(s.contains("\"type\":\"TextRun\""));
        // The text arrives as typed: nothing escaped away, nothing interpreted.
        assert!(s.contains("**bold** [x](https://evil.example) <at>everyone</at>"), "{s}");
        let para = card["body"][1]["inlines"][0]["text"].as_str().unwrap();
        assert_eq!(para.chars().count(), TEXT_MAX);
        let actions = card["actions"].as_array().unwrap();
        assert_eq!(actions.len(), 1, "the javascript: link is dropped");
        assert_eq!(actions[0]["url"], "https://forum.example/t/1");
    }
}
