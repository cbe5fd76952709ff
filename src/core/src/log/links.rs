//! Which links the log shows and opens.
//!
//! Comment text, authors and links come from strangers' pages. The log page
//! and the service worker only ever follow absolute http(s) links, never
//! `javascript:`, `data:` or relative ones.

use super::record::CaptureContext;

/// Whether `url` is an absolute http(s) link: the only links the log shows
/// as clickable or opens (never `javascript:`, `data:` …).
pub fn is_http_url(url: &str) -> bool {
    let rest = ["https://", "http://"]
        .iter()
        .find_map(|p| url.get(..p.len()).filter(|head| head.eq_ignore_ascii_case(p)).map(|_| &url[p.len()..]));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/') && !r.chars().any(|c| c.is_control() || c.is_whitespace()))
}

/// Where "open comment" goes: the comment's permalink, else its page; `None`
/// when neither is a web link.
pub fn comment_link(ctx: &CaptureContext) -> Option<&str> {
    [ctx.permalink.as_deref(), Some(ctx.page_url.as_str())].into_iter().flatten().find(|l| is_http_url(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links_are_links() {
        let cases = [
            ("https://a.example/x", true),
            ("HTTP://A.EXAMPLE", true),
            ("javascript:alert(1)", false),
            (" javascript:alert(1)", false),
            ("JaVaScRiPt:alert(1)", false),
            ("data:text/html,x", false),
            ("https://", false),
            ("https://a.example/\nx", false),
            ("//a.example", false),
            ("", false),
        ];
        for (url, want) in cases {
            assert_eq!(is_http_url(url), want, "{url:?}");
        }
    }

    #[test]
    fn opening_prefers_a_safe_permalink_then_the_page() {
        let ctx = |permalink: Option<&str>, page: &str| CaptureContext {
            permalink: permalink.map(String::from),
            page_url: page.into(),
            ..Default::default()
        };
        assert_eq!(comment_link(&ctx(Some("https://f.example/p/1"), "https://f.example/t")), Some("https://f.example/p/1"));
        assert_eq!(comment_link(&ctx(Some("javascript:alert(1)"), "https://f.example/t")), Some("https://f.example/t"));
        assert_eq!(comment_link(&ctx(None, "https://f.example/t")), Some("https://f.example/t"));
        assert_eq!(comment_link(&ctx(Some("javascript:alert(1)"), "data:text/html,x")), None);
    }
}
