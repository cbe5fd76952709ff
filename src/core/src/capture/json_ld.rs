//! Posts described in the page's JSON-LD (schema.org `Comment`,
//! `DiscussionForumPosting`, `Answer`...). Some platforms print author and
//! date only there; a post is used only when its text matches the comment's.

use serde_json::Value;

use super::detect::COMMENT_TYPES;
use super::time::{parse_machine, CommentTime};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LdPost {
    pub text: String,
    pub author_name: Option<String>,
    pub author_url: Option<String>,
    pub time: Option<CommentTime>,
    pub url: Option<String>,
}

/// Lower-case letters and digits only: what survives any rendering.
pub fn fingerprint(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn str_field(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match v.get(k)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(a) => a.first().and_then(|x| x.as_str()).map(str::to_string),
        _ => None,
    })
}

fn is_post(v: &Value) -> bool {
    let kind = |t: &str| COMMENT_TYPES.contains(&t.rsplit('/').next().unwrap_or(t));
    match v.get("@type") {
        Some(Value::String(t)) => kind(t),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(kind),
        _ => false,
    }
}

/// Every post object in the page's JSON-LD blocks (walked iteratively).
pub fn posts(blocks: &[String], now_ms: i64) -> Vec<LdPost> {
    let mut out = Vec::new();
    for block in blocks {
        let Ok(value) = serde_json::from_str::<Value>(block) else { continue };
        let mut stack = vec![&value];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a.iter()),
                Value::Object(o) => {
                    if is_post(v) {
                        let author = v.get("author").map(|a| match a {
                            Value::Array(list) => list.first().cloned().unwrap_or(Value::Null),
                            other => other.clone(),
                        });
                        let (author_name, author_url) = match &author {
                            Some(Value::String(s)) => (Some(s.clone()), None),
                            Some(a @ Value::Object(_)) => (str_field(a, &["name", "alternateName"]), str_field(a, &["url", "@id"])),
                            _ => (None, None),
                        };
                        let time =
                            str_field(v, &["dateCreated", "datePublished", "uploadDate"]).and_then(|d| parse_machine(&d, "", now_ms));
                        out.push(LdPost {
                            text: str_field(v, &["text", "articleBody", "commentText", "description"]).unwrap_or_default(),
                            author_name,
                            author_url,
                            time,
                            url: str_field(v, &["url", "@id"]).filter(|u| u.starts_with("http") || u.starts_with('/')),
                        });
                    }
                    stack.extend(o.values());
                }
                _ => {}
            }
        }
    }
    out
}

/// The JSON-LD post whose text is the comment's (by fingerprint of its start).
pub fn matching_post(blocks: &[String], comment_text: &str, now_ms: i64) -> Option<LdPost> {
    if blocks.is_empty() {
        return None;
    }
    let comment = fingerprint(comment_text);
    if comment.chars().count() < 20 {
        return None;
    }
    posts(blocks, now_ms).into_iter().find(|p| {
        let fp = fingerprint(&p.text);
        let head: String = fp.chars().take(80).collect();
        head.chars().count() >= 20 && (comment.contains(&head) || fp.contains(&comment.chars().take(80).collect::<String>()))
    })
}
