//! Resolving the links a page gives us, and refusing the ones we never store.
//!
//! A small RFC 3986 reference resolver instead of the `url` crate: that crate
//! pulls `idna` and its Unicode tables into the wasm build for a job that,
//! here, is string surgery on already-encoded hrefs. Only `http`/`https`
//! results are ever returned, so `javascript:`, `data:` and friends can never
//! become a permalink or a profile link.

/// Resolve `href` against `base` and return it only if the result is an
/// absolute http(s) URL. Whitespace and control characters that browsers strip
/// from hrefs are stripped first (so `java\nscript:` cannot slip through).
pub fn resolve_http(base: &str, href: &str) -> Option<String> {
    let href: String = href.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    if href.chars().any(|c| c.is_control()) {
        return None;
    }
    let resolved = resolve(base, &href)?;
    if is_http(&resolved) {
        Some(resolved)
    } else {
        None
    }
}

/// True for an absolute `http:`/`https:` URL with a host.
pub fn is_http(url: &str) -> bool {
    match split_scheme(url) {
        Some((scheme, rest)) => {
            (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) && rest.starts_with("//") && rest.len() > 2
        }
        None => false,
    }
}

/// The URL without its `#fragment`.
pub fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

/// Host of an absolute URL, lower-cased, without port or credentials.
pub fn host(url: &str) -> Option<String> {
    let (_, rest) = split_scheme(url)?;
    let rest = rest.strip_prefix("//")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    if host.is_empty() {
        None
    } else {
        Some(host.to_ascii_lowercase())
    }
}

fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic() || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    Some((scheme, &url[colon + 1..]))
}

/// RFC 3986 section 5.2 reference resolution. `None` if the base is not absolute
/// and the reference is not either.
pub fn resolve(base: &str, reference: &str) -> Option<String> {
    if let Some((scheme, rest)) = split_scheme(reference) {
        // Browsers treat `http:foo` (no slashes) as relative when the base is
        // http too; that form is rare enough that we only accept absolute ones.
        return Some(format!("{}:{}", scheme.to_ascii_lowercase(), normalize_after_scheme(rest)));
    }
    let (base_scheme, base_rest) = split_scheme(base)?;
    let base_scheme = base_scheme.to_ascii_lowercase();
    let reference = reference.replace('\\', "/");
    if let Some(net) = reference.strip_prefix("//") {
        return Some(format!("{base_scheme}://{}", &normalize_after_scheme(&format!("//{net}"))[2..]));
    }
    let base_rest = base_rest.strip_prefix("//")?;
    let authority_end = base_rest.find(['/', '?', '#']).unwrap_or(base_rest.len());
    let authority = &base_rest[..authority_end];
    let after = &base_rest[authority_end..];
    let after = without_fragment(after);
    let (base_path, base_query) = match after.find('?') {
        Some(q) => (&after[..q], Some(&after[q..])),
        None => (after, None),
    };
    let base_path = if base_path.is_empty() { "/" } else { base_path };
    let prefix = format!("{base_scheme}://{authority}");
    if reference.is_empty() {
        return Some(format!("{prefix}{base_path}{}", base_query.unwrap_or("")));
    }
    if reference.starts_with('#') {
        return Some(format!("{prefix}{base_path}{}{reference}", base_query.unwrap_or("")));
    }
    if reference.starts_with('?') {
        return Some(format!("{prefix}{base_path}{reference}"));
    }
    let (ref_path, ref_tail) = match reference.find(['?', '#']) {
        Some(i) => (&reference[..i], &reference[i..]),
        None => (reference.as_str(), ""),
    };
    let merged = if ref_path.starts_with('/') {
        ref_path.to_string()
    } else {
        let dir = &base_path[..base_path.rfind('/').map(|i| i + 1).unwrap_or(0)];
        format!("{dir}{ref_path}")
    };
    Some(format!("{prefix}{}{ref_tail}", remove_dot_segments(&merged)))
}

fn normalize_after_scheme(rest: &str) -> String {
    let Some(net) = rest.strip_prefix("//") else { return rest.to_string() };
    let authority_end = net.find(['/', '?', '#']).unwrap_or(net.len());
    let (authority, tail) = net.split_at(authority_end);
    let (path, query) = match tail.find(['?', '#']) {
        Some(i) => tail.split_at(i),
        None => (tail, ""),
    };
    let path = if path.is_empty() { "/".to_string() } else { remove_dot_segments(path) };
    format!("//{}{path}{query}", authority.to_ascii_lowercase())
}

fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if path.starts_with('/') && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_references_like_a_browser() {
        let base = "https://forum.example.com/t/topic.12/page-2?x=1#top";
        for (href, want) in [
            ("/members/ann.5/", Some("https://forum.example.com/members/ann.5/")),
            ("posts/9/", Some("https://forum.example.com/t/topic.12/posts/9/")),
            ("./viewtopic.php?p=3#p3", Some("https://forum.example.com/t/topic.12/viewtopic.php?p=3#p3")),
            ("../../u/bob", Some("https://forum.example.com/u/bob")),
            ("#post123", Some("https://forum.example.com/t/topic.12/page-2?x=1#post123")),
            ("?page=3", Some("https://forum.example.com/t/topic.12/page-2?page=3")),
            ("//cdn.example.org/a", Some("https://cdn.example.org/a")),
            ("HTTP://Example.COM", Some("http://example.com/")),
            ("https://x.org/a/./b/../c", Some("https://x.org/a/c")),
            ("", Some("https://forum.example.com/t/topic.12/page-2?x=1")),
            ("javascript:alert(1)", None),
            (" JavaScript:alert(1)", None),
            ("java\nscript:alert(1)", None),
            ("data:text/html,hi", None),
            ("mailto:a@b.c", None),
            ("http:", None),
        ] {
            assert_eq!(resolve_http(base, href).as_deref(), want, "{href:?}");
        }
    }

    #[test]
    fn needs_an_absolute_base_for_relative_links() {
        assert_eq!(resolve_http("", "/a"), None);
        assert_eq!(resolve_http("about:blank", "/a"), None);
        assert_eq!(resolve_http("", "https://a.b/c").as_deref(), Some("https://a.b/c"));
    }

    #[test]
    fn host_and_fragment() {
        assert_eq!(host("https://user@Old.Reddit.com:443/r/x").as_deref(), Some("old.reddit.com"));
        assert_eq!(host("nope"), None);
        assert_eq!(without_fragment("https://a.b/c?d#e"), "https://a.b/c?d");
    }
}
