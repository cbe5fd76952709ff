//! Where Escucha may run: deny rules and per-site switches.
//!
//! * `deny` rules (set by the manager or the team) are never scanned:
//!   - a hostname, `intranet.acme.com`: that host and all its subdomains
//!     (any port, unless the rule gives one: `intranet.acme.com:8443`);
//!   - a wildcard, `*.acme.internal`: the same, written the way browser match
//!     patterns write it (it also covers `acme.internal` itself);
//!   - a URL prefix, `https://wiki.acme.com/private/`: URLs on exactly that host
//!     whose path starts with that text (compared literally, case-sensitively);
//!     `http://` and `https://` rules are treated alike, so a rule keeps working
//!     when a site moves to HTTPS. A hostname followed by a path
//!     (`wiki.acme.com/private/`) is read the same way.
//! * `disabledSites` are hosts the user switched off from the popup (exact host,
//!   see [`site_key`]).
//!
//! Hosts compare case-insensitively and without a trailing dot. URLs are parsed
//! by hand (`scheme://[userinfo@]host[:port]/path`), which is all a page URL
//! needs: the browser has already canonicalized it. Userinfo is skipped, so
//! `https://evil.com@intranet.acme.com/` is on `intranet.acme.com`. IPv6
//! literals keep their brackets (`[::1]`). Internationalized hosts must be
//! written in their `xn--` form, as the browser reports them.

use serde::{Deserialize, Serialize};

/// Site control settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SiteRules {
    /// Rules for sites that are never scanned.
    pub deny: Vec<String>,
    /// Hosts the user switched off (site keys).
    pub disabled_sites: Vec<String>,
}

/// What [`SiteRules::allows`] decided for a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "camelCase")]
pub enum SiteDecision {
    /// Scan it.
    Allowed,
    /// A deny rule covers it; `rule` is the rule as written.
    Denied { rule: String },
    /// The user switched this site off.
    DisabledByUser,
    /// Not a web page Escucha can run on (browser pages, `about:`, `data:`,
    /// extension pages, unparsable URLs). `file:` pages are allowed.
    Unsupported,
}

/// A URL reduced to what the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Url<'a> {
    /// Lowercase.
    scheme: String,
    /// Lowercase, no trailing dot; IPv6 in brackets; empty for `file:`.
    host: String,
    port: Option<u16>,
    /// From the first `/`, `?` or `#` after the host ("" if none).
    path: &'a str,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn clean_host(h: &str) -> String {
    h.trim_end_matches('.').to_ascii_lowercase()
}

/// Parse `scheme://authority/path`. `None` when it isn't that shape.
fn parse_url(url: &str) -> Option<Url<'_>> {
    let url = url.trim();
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    if scheme.is_empty()
        || !scheme.as_bytes()[0].is_ascii_alphabetic()
        || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
    {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let rest = &url[colon + 1..];
    if scheme == "file" {
        let path = rest.trim_start_matches(['/', '\\']);
        return Some(Url { scheme, host: String::new(), port: None, path });
    }
    // Web URLs treat '\' like '/' (as browsers do for http/https).
    let rest = rest
        .strip_prefix("//")
        .or_else(|| rest.strip_prefix("\\\\"))
        .or_else(|| rest.strip_prefix("/\\").or_else(|| rest.strip_prefix("\\/")))?;
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let path = &rest[end..];
    let hostport = match authority.rfind('@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    let (host, port_str) = if let Some(v6) = hostport.strip_prefix('[') {
        let close = v6.find(']')?;
        let after = &v6[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return None,
        };
        (&hostport[..close + 2], port)
    } else {
        match hostport.find(':') {
            Some(c) => (&hostport[..c], Some(&hostport[c + 1..])),
            None => (hostport, None),
        }
    };
    let host = clean_host(host);
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '@') {
        return None;
    }
    let port = match port_str {
        None | Some("") => None,
        Some(p) => {
            let n: u16 = p.parse().ok()?;
            if Some(n) == default_port(&scheme) {
                None
            } else {
                Some(n)
            }
        }
    };
    Some(Url { scheme, host, port, path })
}

fn is_web(scheme: &str) -> bool {
    scheme == "http" || scheme == "https"
}

/// Whether `host` is `domain` or one of its subdomains.
fn host_within(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
            && !host.starts_with('['))
}

/// One deny rule, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DenyRule {
    /// Host and subdomains, optionally one port.
    Domain { domain: String, port: Option<u16> },
    /// Exact host (optionally port), path prefix.
    Prefix { host: String, port: Option<u16>, path: String, file: bool },
}

fn parse_rule(rule: &str) -> Option<DenyRule> {
    let r = rule.trim();
    if r.is_empty() {
        return None;
    }
    if r.contains("://") || r.to_ascii_lowercase().starts_with("file:") {
        let u = parse_url(r)?;
        if !is_web(&u.scheme) && u.scheme != "file" {
            return None;
        }
        let file = u.scheme == "file";
        // file: paths are kept without their leading slashes on both sides.
        let path = if u.path.is_empty() && !file { "/".to_string() } else { u.path.to_string() };
        return Some(DenyRule::Prefix { host: u.host, port: u.port, path, file });
    }
    let r = r.strip_prefix("*.").unwrap_or(r);
    if r.contains('*') {
        return None;
    }
    // A bare host, maybe with a port and/or path: parse it as an https URL.
    let as_url = format!("https://{r}");
    let u = parse_url(&as_url)?;
    let explicit_port = {
        let authority = r.split(['/', '?', '#']).next().unwrap_or("");
        if authority.starts_with('[') {
            authority.contains("]:")
        } else {
            authority.contains(':')
        }
    };
    let port = if explicit_port { u.port.or(Some(443)) } else { None };
    if u.path.is_empty() || u.path == "/" {
        Some(DenyRule::Domain { domain: u.host, port })
    } else {
        Some(DenyRule::Prefix { host: u.host, port, path: u.path.to_string(), file: false })
    }
}

fn effective_port(u: &Url<'_>) -> Option<u16> {
    u.port.or_else(|| default_port(&u.scheme))
}

impl DenyRule {
    fn covers(&self, u: &Url<'_>) -> bool {
        match self {
            DenyRule::Domain { domain, port } => {
                is_web(&u.scheme) && host_within(&u.host, domain) && (port.is_none() || effective_port(u) == *port)
            }
            DenyRule::Prefix { host, port, path, file } => {
                if *file {
                    return u.scheme == "file" && u.path.starts_with(path.as_str());
                }
                is_web(&u.scheme)
                    && u.host == *host
                    && (port.is_none() || effective_port(u) == *port)
                    && (if u.path.is_empty() { "/" } else { u.path }).starts_with(path.as_str())
            }
        }
    }
}

/// The host of an http(s) URL, for per-site switches: lowercase, no port, no
/// trailing dot. `None` for other schemes.
pub fn site_key(url: &str) -> Option<String> {
    let u = parse_url(url)?;
    is_web(&u.scheme).then_some(u.host)
}

/// A deny rule that can't be understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRuleError {
    /// Index into `deny`.
    pub index: usize,
    pub rule: String,
    pub message: String,
}

impl SiteRules {
    /// Decide whether Escucha may scan `url`.
    pub fn allows(&self, url: &str) -> SiteDecision {
        let Some(u) = parse_url(url) else {
            return SiteDecision::Unsupported;
        };
        if !is_web(&u.scheme) && u.scheme != "file" {
            return SiteDecision::Unsupported;
        }
        for rule in &self.deny {
            if parse_rule(rule).is_some_and(|r| r.covers(&u)) {
                return SiteDecision::Denied { rule: rule.clone() };
            }
        }
        if is_web(&u.scheme) && self.disabled_sites.iter().any(|s| clean_host(s.trim()) == u.host) {
            return SiteDecision::DisabledByUser;
        }
        SiteDecision::Allowed
    }

    /// Whether the user switched off the site of `url`.
    pub fn is_disabled(&self, url: &str) -> bool {
        site_key(url).is_some_and(|k| self.disabled_sites.iter().any(|s| clean_host(s.trim()) == k))
    }

    /// Switch the site of `url` off (or back on). Returns `Some(true)` when it
    /// is now disabled, `Some(false)` when enabled again, `None` when the URL
    /// has no site to switch (not http/https).
    pub fn toggle_site(&mut self, url: &str) -> Option<bool> {
        let key = site_key(url)?;
        let before = self.disabled_sites.len();
        self.disabled_sites.retain(|s| clean_host(s.trim()) != key);
        if self.disabled_sites.len() == before {
            self.disabled_sites.push(key);
            Some(true)
        } else {
            Some(false)
        }
    }

    /// Deny rules that can't be understood (they would never match).
    pub fn validate(&self) -> Result<(), Vec<SiteRuleError>> {
        let errs: Vec<SiteRuleError> = self
            .deny
            .iter()
            .enumerate()
            .filter(|(_, r)| parse_rule(r).is_none())
            .map(|(index, r)| SiteRuleError {
                index,
                rule: r.clone(),
                message: format!(
                    "The site rule \"{}\" is not understood; write a host (intranet.acme.com), a wildcard (*.acme.internal) or a URL prefix (https://wiki.acme.com/private/).",
                    r.trim()
                ),
            })
            .collect();
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(deny: &[&str]) -> SiteRules {
        SiteRules { deny: deny.iter().map(|s| s.to_string()).collect(), disabled_sites: vec![] }
    }

    #[test]
    fn parse_table() {
        // (url, host, port, path)
        let cases: &[(&str, &str, Option<u16>, &str)] = &[
            ("https://Foro.Example.COM/t/1?x#y", "foro.example.com", None, "/t/1?x#y"),
            ("https://example.com.", "example.com", None, ""),
            ("https://example.com.:8443/a", "example.com", Some(8443), "/a"),
            ("https://example.com:443/", "example.com", None, "/"),
            ("http://example.com:80", "example.com", None, ""),
            ("https://evil.com@intranet.acme.com/", "intranet.acme.com", None, "/"),
            ("https://a:b@c@intranet.acme.com:99/x", "intranet.acme.com", Some(99), "/x"),
            ("https://[::1]:8080/p", "[::1]", Some(8080), "/p"),
            ("https://[2001:DB8::1]/", "[2001:db8::1]", None, "/"),
            ("HTTPS://EXAMPLE.com?q", "example.com", None, "?q"),
            ("https:\\\\example.com\\x", "example.com", None, "\\x"),
        ];
        for (url, host, port, path) in cases {
            let u = parse_url(url).unwrap_or_else(|| panic!("{url}"));
            assert_eq!((u.host.as_str(), u.port, u.path), (*host, *port, *path), "{url}");
        }
        for bad in ["https://", "https:///x", "nota url", "https://[::1/", "https://host:99999/", "https://ho st/"] {
            assert!(parse_url(bad).is_none() || bad == "nota url", "{bad}");
            assert_ne!(rules(&[]).allows(bad), SiteDecision::Allowed, "{bad}");
        }
    }

    #[test]
    fn decisions_table() {
        let r = SiteRules {
            deny: vec![
                "intranet.acme.com".into(),
                "*.acme.internal".into(),
                "https://wiki.acme.com/private/".into(),
                "localhost:8443".into(),
                "[::1]".into(),
                "docs.acme.com/hr".into(),
            ],
            disabled_sites: vec!["Foro.Example.com".into()],
        };
        let denied = |i: usize| SiteDecision::Denied { rule: r.deny[i].clone() };
        let cases: Vec<(&str, SiteDecision)> = vec![
            ("https://intranet.acme.com/", denied(0)),
            ("https://INTRANET.ACME.COM./x", denied(0)),
            ("http://intranet.acme.com:8080/x", denied(0)),
            ("https://mail.intranet.acme.com/", denied(0)),
            ("https://notintranet.acme.com/", SiteDecision::Allowed),
            ("https://intranet.acme.com.evil.io/", SiteDecision::Allowed),
            ("https://intranet.acme.com@evil.io/", SiteDecision::Allowed),
            ("https://evil.io@intranet.acme.com/", denied(0)),
            ("https://a.acme.internal/", denied(1)),
            ("https://x.y.acme.internal/", denied(1)),
            ("https://acme.internal/", denied(1)),
            ("https://acme.internal.com/", SiteDecision::Allowed),
            ("https://wiki.acme.com/private/page", denied(2)),
            ("http://wiki.acme.com/private/", denied(2)),
            ("https://wiki.acme.com/public/page", SiteDecision::Allowed),
            ("https://wiki.acme.com/Private/page", SiteDecision::Allowed),
            ("https://sub.wiki.acme.com/private/x", SiteDecision::Allowed),
            ("https://localhost:8443/", denied(3)),
            ("https://localhost/", SiteDecision::Allowed),
            ("http://[::1]:3000/", denied(4)),
            ("http://[::2]/", SiteDecision::Allowed),
            ("https://docs.acme.com/hr/pay", denied(5)),
            ("https://docs.acme.com/eng", SiteDecision::Allowed),
            ("https://foro.example.com/t/1", SiteDecision::DisabledByUser),
            ("https://www.foro.example.com/t/1", SiteDecision::Allowed),
            ("https://foro.example.com:8080/", SiteDecision::DisabledByUser),
            ("chrome://extensions", SiteDecision::Unsupported),
            ("about:blank", SiteDecision::Unsupported),
            ("chrome-extension://abc/options.html", SiteDecision::Unsupported),
            ("moz-extension://abc/popup.html", SiteDecision::Unsupported),
            ("data:text/html,hi", SiteDecision::Unsupported),
            ("javascript:alert(1)", SiteDecision::Unsupported),
            ("view-source:https://example.com", SiteDecision::Unsupported),
            ("file:///home/ana/foro.html", SiteDecision::Allowed),
            ("https://example.com/", SiteDecision::Allowed),
        ];
        for (url, want) in cases {
            assert_eq!(r.allows(url), want, "{url}");
        }
    }

    #[test]
    fn file_prefix_rules() {
        let r = rules(&["file:///home/ana/private/"]);
        assert_eq!(r.allows("file:///home/ana/private/x.html"), SiteDecision::Denied { rule: r.deny[0].clone() });
        assert_eq!(r.allows("file:///home/ana/foro.html"), SiteDecision::Allowed);
        assert_eq!(r.allows("https://home/ana/private/"), SiteDecision::Allowed);
    }

    #[test]
    fn site_keys_and_toggles() {
        assert_eq!(site_key("https://Foro.Example.com.:8080/t?x").as_deref(), Some("foro.example.com"));
        assert_eq!(site_key("https://u:p@[::1]/").as_deref(), Some("[::1]"));
        assert_eq!(site_key("about:blank"), None);
        assert_eq!(site_key("file:///x"), None);
        let mut r = SiteRules::default();
        assert_eq!(r.toggle_site("https://foro.example.com/a"), Some(true));
        assert!(r.is_disabled("https://FORO.example.com/b"));
        assert_eq!(r.disabled_sites, ["foro.example.com"]);
        assert_eq!(r.toggle_site("https://foro.example.com/c"), Some(false));
        assert!(!r.is_disabled("https://foro.example.com/b"));
        assert!(r.disabled_sites.is_empty());
        assert_eq!(r.toggle_site("chrome://settings"), None);
    }

    #[test]
    fn rule_validation_and_serde() {
        let r = rules(&["intranet.acme.com", "intranet.*.com", "ftp://x.com/", "https://", ""]);
        let errs = r.validate().unwrap_err();
        assert_eq!(errs.iter().map(|e| e.index).collect::<Vec<_>>(), [1, 2, 3, 4]);
        let json = serde_json::to_string(&SiteRules { deny: vec!["a.com".into()], disabled_sites: vec!["b.com".into()] }).unwrap();
        assert_eq!(json, r#"{"deny":["a.com"],"disabledSites":["b.com"]}"#);
        assert_eq!(serde_json::from_str::<SiteRules>("{}").unwrap(), SiteRules::default());
        assert_eq!(
            serde_json::to_string(&SiteDecision::Denied { rule: "a.com".into() }).unwrap(),
            r#"{"decision":"denied","rule":"a.com"}"#
        );
    }
}
