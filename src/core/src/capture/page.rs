//! Page-level facts recorded with every capture: where, what, which language,
//! and the page's JSON-LD (some platforms only describe their posts there).

use serde::{Deserialize, Serialize};

use super::snapshot::{floor_char_boundary, DomSource};
use super::url::{host, resolve_http};

/// Total JSON-LD text kept per page, in bytes.
pub const MAX_JSON_LD_BYTES: usize = 256 * 1024;
/// Elements visited when looking for head data and JSON-LD.
const MAX_VISITS: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// The page's address as the browser has it.
    pub url: String,
    /// `og:title`, else `<title>`.
    #[serde(default)]
    pub title: Option<String>,
    /// `<link rel=canonical>`, absolute, http(s) only.
    #[serde(default)]
    pub canonical_url: Option<String>,
    /// `og:site_name`, else `application-name`, else the host.
    #[serde(default)]
    pub site_name: Option<String>,
    /// `<html lang>`, else `content-language`.
    #[serde(default)]
    pub lang: Option<String>,
    /// `<meta name=generator>`: names the forum or blog software.
    #[serde(default)]
    pub generator: Option<String>,
    /// `<base href>`, when the page sets one.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Raw text of each `application/ld+json` script (bounded).
    #[serde(default)]
    pub json_ld: Vec<String>,
}

impl PageInfo {
    /// The URL relative links resolve against.
    pub fn base(&self) -> &str {
        self.base_url.as_deref().unwrap_or(&self.url)
    }

    /// The URL a capture cites: canonical when present.
    pub fn cite_url(&self) -> &str {
        self.canonical_url.as_deref().unwrap_or(&self.url)
    }

    /// Collect the page facts from the document element `root`.
    pub fn gather<S: DomSource>(source: &S, root: &S::Node, url: &str) -> PageInfo {
        let mut page = PageInfo { url: url.to_string(), ..Default::default() };
        let mut title = None;
        let mut og_title = None;
        let mut og_site = None;
        let mut app_name = None;
        let mut content_lang = None;
        let mut canonical = None;
        let mut json_ld_bytes = 0;
        let mut visits = 0;
        page.lang = source.attribute(root, "lang").map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
        let mut stack = vec![root.clone()];
        while let Some(node) = stack.pop() {
            visits += 1;
            if visits > MAX_VISITS {
                break;
            }
            let Some(tag) = source.tag(&node) else { continue };
            match tag.as_str() {
                "title" if title.is_none() => title = Some(text_of(source, &node)),
                "meta" => {
                    let key = source
                        .attribute(&node, "property")
                        .or_else(|| source.attribute(&node, "name"))
                        .or_else(|| source.attribute(&node, "http-equiv"))
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    let content = source.attribute(&node, "content").map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
                    let slot = match key.as_str() {
                        "og:title" => &mut og_title,
                        "og:site_name" => &mut og_site,
                        "application-name" => &mut app_name,
                        "content-language" => &mut content_lang,
                        "generator" => &mut page.generator,
                        _ => continue,
                    };
                    if slot.is_none() {
                        *slot = content;
                    }
                }
                "link" if canonical.is_none() => {
                    let rel = source.attribute(&node, "rel").unwrap_or_default().to_ascii_lowercase();
                    if rel.split_ascii_whitespace().any(|r| r == "canonical") {
                        canonical = source.attribute(&node, "href");
                    }
                }
                "base" if page.base_url.is_none() => {
                    page.base_url = source.attribute(&node, "href").and_then(|h| resolve_http(url, &h));
                }
                "script" => {
                    let kind = source.attribute(&node, "type").unwrap_or_default().to_ascii_lowercase();
                    if kind.trim() == "application/ld+json" {
                        let mut text = text_of(source, &node);
                        let room = MAX_JSON_LD_BYTES.saturating_sub(json_ld_bytes);
                        if text.len() <= room && !text.is_empty() {
                            json_ld_bytes += text.len();
                            page.json_ld.push(std::mem::take(&mut text));
                        }
                    }
                }
                _ => {
                    let children = source.children(&node);
                    stack.extend(children.into_iter().rev());
                }
            }
        }
        page.title = og_title.or(title).map(|t| collapse(&t)).filter(|t| !t.is_empty());
        page.canonical_url = canonical.and_then(|c| resolve_http(page.base(), &c));
        page.site_name = og_site.or(app_name).map(|s| collapse(&s)).or_else(|| host(url));
        if page.lang.is_none() {
            page.lang = content_lang;
        }
        page
    }
}

fn text_of<S: DomSource>(source: &S, node: &S::Node) -> String {
    let mut out = String::new();
    for child in source.children(node) {
        if let Some(t) = source.text(&child) {
            if out.len() + t.len() > MAX_JSON_LD_BYTES + 1 {
                let keep = floor_char_boundary(&t, (MAX_JSON_LD_BYTES + 1).saturating_sub(out.len()));
                out.push_str(&t[..keep]);
                break;
            }
            out.push_str(&t);
        }
    }
    out
}

/// Collapse runs of whitespace to one space and trim.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
