//! Email: the message as plain text and as HTML (a `multipart/alternative`
//! the server's SMTP client assembles). The HTML escapes `& < > " '` in every
//! piece of text, page text included, and builds links only from http(s)
//! URLs; the subject loses control characters (no header injection).

use super::message::{clean, safe_url, Block, Message};

/// The subject line: one line, bounded.
pub fn subject(message: &Message) -> String {
    let one_line: String = message.subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    super::message::clip(one_line.trim(), 200)
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped, with newlines as `<br>`.
fn html_text(text: &str) -> String {
    escape_html(text).replace('\n', "<br>")
}

pub fn text(message: &Message) -> String {
    let mut out = String::new();
    for block in &message.blocks {
        match block {
            Block::Heading { text } => out.push_str(&format!("{}\n\n", clean(text))),
            Block::Paragraph { text } => out.push_str(&format!("{}\n\n", clean(text))),
            Block::Quote { text } => {
                for line in clean(text).lines() {
                    out.push_str(&format!("> {line}\n"));
                }
                out.push('\n');
            }
            Block::Fields { fields } => {
                for f in fields {
                    out.push_str(&format!("{}: {}\n", clean(&f.label), clean(&f.value)));
                }
                out.push('\n');
            }
            Block::Link { label, url } => {
                if let Some(url) = safe_url(url) {
                    out.push_str(&format!("{}: {url}\n", clean(label)));
                }
            }
            Block::List { items } => {
                for item in items {
                    match item.url.as_deref().and_then(safe_url) {
                        Some(url) => out.push_str(&format!("- {} <{url}>\n", clean(&item.text))),
                        None => out.push_str(&format!("- {}\n", clean(&item.text))),
                    }
                }
                out.push('\n');
            }
        }
    }
    out.trim_end().to_string() + "\n"
}

pub fn html(message: &Message) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family:sans-serif\">\n",
        message.language.code(),
        escape_html(&subject(message))
    );
    for block in &message.blocks {
        match block {
            Block::Heading { text } => out.push_str(&format!("<h2>{}</h2>\n", html_text(text))),
            Block::Paragraph { text } => out.push_str(&format!("<p>{}</p>\n", html_text(text))),
            Block::Quote { text } => out.push_str(&format!(
                "<blockquote style=\"border-left:3px solid #ccc;margin:0;padding-left:1em\">{}</blockquote>\n",
                html_text(text)
            )),
            Block::Fields { fields } => {
                out.push_str("<table>\n");
                for f in fields {
                    out.push_str(&format!("<tr><th align=\"left\">{}</th><td>{}</td></tr>\n", html_text(&f.label), html_text(&f.value)));
                }
                out.push_str("</table>\n");
            }
            Block::Link { label, url } => {
                if let Some(url) = safe_url(url) {
                    out.push_str(&format!("<p><a href=\"{}\">{}</a></p>\n", escape_html(url), html_text(label)));
                }
            }
            Block::List { items } => {
                out.push_str("<ul>\n");
                for item in items {
                    match item.url.as_deref().and_then(safe_url) {
                        Some(url) => out.push_str(&format!("<li><a href=\"{}\">{}</a></li>\n", escape_html(url), html_text(&item.text))),
                        None => out.push_str(&format!("<li>{}</li>\n", html_text(&item.text))),
                    }
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::message::{Field, Item};
    use crate::delivery::Language;

    const HOSTILE: &str =
        "<script>alert('x')</script> & \"quoted\" <img src=x onerror=alert(1)> *_~ <!channel> @here [l](https://evil.example)";

    fn m() -> Message {
        Message {
            subject: format!("Sujeto\r\nBcc: evil@example.com {HOSTILE}"),
            language: Language::Es,
            blocks: vec![
                Block::Heading { text: HOSTILE.into() },
                Block::Fields { fields: vec![Field { label: "Autor".into(), value: HOSTILE.into() }] },
                Block::Quote { text: format!("{HOSTILE}\nsecond line") },
                Block::Link { label: HOSTILE.into(), url: "https://forum.example/t?a=1&b=\"2\"".into() },
                Block::Link { label: "x".into(), url: "javascript:alert(1)".into() },
                Block::List { items: vec![Item { text: HOSTILE.into(), url: Some("https://forum.example/x".into()) }] },
            ],
        }
    }

    #[test]
    fn html_never_carries_page_markup() {
        let h = html(&m());
        assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"es\">"));
        assert!(!h.contains("<script") && !h.contains("<img") && !h.contains("javascript:"), "{h}");
        assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"), "{h}");
        assert!(h.contains("<a href=\"https://forum.example/t?a=1&amp;b=&quot;2&quot;\">"), "{h}");
        assert!(h.contains("<br>second line"), "{h}");
    }

    #[test]
    fn text_part_and_subject() {
        let t = text(&m());
        assert!(t.contains(&format!("> {HOSTILE}\n> second line")), "{t}");
        assert!(!t.contains("javascript:"));
        let s = subject(&m());
        assert!(!s.contains('\r') && !s.contains('\n'), "{s}");
        assert!(s.chars().count() <= 200);
    }
}
