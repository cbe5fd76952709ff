//! The channel-neutral message: a subject, a language and a few kinds of
//! block. Everything in it is plain text (page text included); each channel
//! escapes it its own way when rendering, so no block ever carries markup.

use serde::{Deserialize, Serialize};

use super::destination::Language;
use crate::log::Capture;

/// One message, written once, rendered per channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The email subject; the notification text of Slack and Teams.
    pub subject: String,
    pub language: Language,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Block {
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// Label/value pairs (author, site, brand…).
    Fields {
        fields: Vec<Field>,
    },
    /// Someone else's words: the captured comment.
    Quote {
        text: String,
    },
    Link {
        label: String,
        url: String,
    },
    /// A list of items, each with an optional link (a digest's comments).
    List {
        items: Vec<Item>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Only http(s) URLs become links; anything else (javascript:, data:) is
/// dropped, because a wrong link is worse than none.
pub fn safe_url(url: &str) -> Option<&str> {
    let u = url.trim();
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(u).filter(|u| !u.chars().any(|c| c.is_control() || c == ' '))
}

/// The words of the capture message, per language.
struct Words {
    routed: &'static str,
    author: &'static str,
    site: &'static str,
    brand: &'static str,
    sentiment: &'static str,
    priority: &'static str,
    open_page: &'static str,
    open_escucha: &'static str,
    unknown: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::En => Words {
            routed: "New comment for",
            author: "Author",
            site: "Site",
            brand: "Brand",
            sentiment: "Sentiment",
            priority: "Priority",
            open_page: "Open the comment",
            open_escucha: "Open in Escucha",
            unknown: "unknown",
        },
        Language::Es => Words {
            routed: "Nuevo comentario para",
            author: "Autor",
            site: "Sitio",
            brand: "Marca",
            sentiment: "Sentimiento",
            priority: "Prioridad",
            open_page: "Abrir el comentario",
            open_escucha: "Abrir en Escucha",
            unknown: "desconocido",
        },
    }
}

fn sentiment_word(s: crate::log::Sentiment, lang: Language) -> &'static str {
    use crate::log::Sentiment::*;
    match (s, lang) {
        (Positive, Language::En) => "positive",
        (Neutral, Language::En) => "neutral",
        (Negative, Language::En) => "negative",
        (Positive, Language::Es) => "positivo",
        (Neutral, Language::Es) => "neutro",
        (Negative, Language::Es) => "negativo",
        (Question, Language::En) => "question",
        (Question, Language::Es) => "pregunta",
    }
}

fn priority_word(p: crate::log::Priority, lang: Language) -> &'static str {
    use crate::log::Priority::*;
    match (p, lang) {
        (Low, Language::En) => "low",
        (Normal, Language::En) => "normal",
        (High, Language::En) => "high",
        (Urgent, Language::En) => "urgent",
        (Low, Language::Es) => "baja",
        (Normal, Language::Es) => "normal",
        (High, Language::Es) => "alta",
        (Urgent, Language::Es) => "urgente",
    }
}

/// "A capture reached `department`": the comment, its author, site, brand,
/// the link to the comment and the link into Escucha (`escucha_url`, the
/// dashboard's address for this capture, when the server knows its own).
pub fn capture_message(capture: &Capture, department: &str, escucha_url: Option<&str>, lang: Language) -> Message {
    let w = words(lang);
    let ctx = &capture.context.value;
    let author = ctx.author_name.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| w.unknown.to_string());
    let mut fields = vec![Field { label: w.author.into(), value: author }, Field { label: w.site.into(), value: ctx.site.clone() }];
    if !ctx.brand.is_empty() {
        fields.push(Field { label: w.brand.into(), value: ctx.brand.clone() });
    }
    fields.push(Field { label: w.sentiment.into(), value: sentiment_word(capture.sentiment.value, lang).into() });
    fields.push(Field { label: w.priority.into(), value: priority_word(capture.priority.value, lang).into() });
    let mut blocks = vec![
        Block::Heading { text: format!("{} {department}", w.routed) },
        Block::Paragraph { text: ctx.page_title.clone() },
        Block::Fields { fields },
        Block::Quote { text: ctx.comment_text.clone() },
    ];
    let page = ctx.permalink.as_deref().and_then(safe_url).or_else(|| safe_url(&ctx.page_url));
    if let Some(url) = page {
        blocks.push(Block::Link { label: w.open_page.into(), url: url.into() });
    }
    if let Some(url) = escucha_url.and_then(safe_url) {
        blocks.push(Block::Link { label: w.open_escucha.into(), url: url.into() });
    }
    Message { subject: format!("{} {department}: {}", w.routed, ctx.site), language: lang, blocks }
}

/// Cut `text` to at most `max` characters, ending with "…" when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Page text with control characters (newlines aside) removed: they have no
/// business in a notification and some channels choke on them.
pub fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || *c == '\n').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links_survive() {
        assert_eq!(safe_url("https://a.example/x"), Some("https://a.example/x"));
        assert_eq!(safe_url(" HTTP://a.example "), Some("HTTP://a.example"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
        assert_eq!(safe_url("https://a.example/\nx"), None);
    }

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip("ñññ", 3), "ñññ");
        assert_eq!(clip("ññññ", 3), "ññ…");
    }
}
