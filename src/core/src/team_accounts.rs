//! The team's own accounts on the sites it watches (issue 13, verified
//! response): per site, the handles or profile URLs the team answers from.
//! A later post by one of them that quotes or replies to a captured comment
//! is proposed as its response (`capture::reply`).
//!
//! JSON: `{"forum.acme.com": ["@acme_support", "https://forum.acme.com/members/acme-care.12/"]}`.
//! A site is a host (`www.` ignored) and covers its subdomains; an entry is a
//! handle (compared without case and without a leading `@`) or an http(s)
//! profile URL on that site (compared without scheme, fragment and trailing
//! slash). Only an exact handle or profile match counts: a wrong "responded"
//! is worse than none.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capture::url::{host, is_http, without_fragment};

/// Longest handle or profile URL kept, in characters.
pub const MAX_ACCOUNT_CHARS: usize = 300;
/// Most accounts per site.
pub const MAX_ACCOUNTS_PER_SITE: usize = 100;

/// Site → the team's handles or profile URLs there.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TeamAccounts(pub BTreeMap<String, Vec<String>>);

/// One account as matched against a post's author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// A handle, folded (no `@`, lower case, single spaces).
    Handle(String),
    /// A profile URL, as [`profile_key`] folds it.
    Profile(String),
}

/// Why an entry of the team accounts is refused (worded in `team_config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum AccountProblem {
    /// The site is not a host name (or an http(s) address with one).
    Site { site: String },
    /// An account that is blank, too long, too many, or a link that is not
    /// an http(s) profile on that site.
    Account { site: String, account: String },
}

/// Fold a handle: `@Acme Support ` → `acme support`.
pub fn fold_handle(h: &str) -> String {
    let h = h.trim();
    let h = h.strip_prefix('@').unwrap_or(h);
    h.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A profile URL without scheme, fragment, `www.` and trailing slash, host
/// lower-cased: what two links to one profile have in common.
pub fn profile_key(url: &str) -> Option<String> {
    if !is_http(url) {
        return None;
    }
    let h = host(url)?;
    let rest = without_fragment(url).split_once("//")?.1;
    let path = rest.find(['/', '?']).map(|i| &rest[i..]).unwrap_or("");
    let path = path.strip_suffix('/').unwrap_or(path);
    Some(format!("{}{path}", h.strip_prefix("www.").unwrap_or(&h)))
}

/// A site key as typed (a host or an address) → its host, `www.` dropped.
pub fn site_host(site: &str) -> Option<String> {
    let site = site.trim();
    let h = if site.contains("://") { host(site)? } else { site.trim_end_matches('/').to_ascii_lowercase() };
    let h = h.strip_prefix("www.").unwrap_or(&h).to_string();
    let ok = h.contains('.')
        && !h.starts_with('.')
        && !h.ends_with('.')
        && h.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    ok.then_some(h)
}

fn covers(site: &str, page_host: &str) -> bool {
    let page_host = page_host.strip_prefix("www.").unwrap_or(page_host);
    page_host == site || page_host.ends_with(&format!(".{site}"))
}

impl TeamAccounts {
    pub fn is_empty(&self) -> bool {
        self.0.values().all(|v| v.is_empty())
    }

    /// Every problem at once, in site order.
    pub fn validate(&self) -> Vec<AccountProblem> {
        let mut out = Vec::new();
        for (site, accounts) in &self.0 {
            let Some(h) = site_host(site) else {
                out.push(AccountProblem::Site { site: site.clone() });
                continue;
            };
            for (i, a) in accounts.iter().enumerate() {
                let bad = a.trim().is_empty()
                    || a.chars().count() > MAX_ACCOUNT_CHARS
                    || a.chars().any(char::is_control)
                    || i >= MAX_ACCOUNTS_PER_SITE
                    || (a.contains("://") && !(is_http(a.trim()) && host(a.trim()).is_some_and(|ah| covers(&h, &ah))))
                    || (!a.contains("://") && fold_handle(a).is_empty());
                if bad {
                    out.push(AccountProblem::Account { site: site.clone(), account: a.clone() });
                }
            }
        }
        out
    }

    /// The accounts that apply on a page (its address or canonical link).
    pub fn for_page(&self, page_url: &str) -> Vec<Account> {
        let Some(page_host) = host(page_url) else { return Vec::new() };
        self.0
            .iter()
            .filter(|(site, _)| site_host(site).is_some_and(|s| covers(&s, &page_host)))
            .flat_map(|(_, list)| list.iter())
            .filter_map(|a| {
                let a = a.trim();
                if a.contains("://") {
                    profile_key(a).map(Account::Profile)
                } else {
                    Some(fold_handle(a)).filter(|h| !h.is_empty()).map(Account::Handle)
                }
            })
            .collect()
    }

    /// Parse the dashboard's text: one `site: handle, https://…/profile` per line.
    pub fn from_lines(text: &str) -> TeamAccounts {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            // The site ends at the first ": " or ':' not part of "://".
            let (site, rest) = match line.find(": ").or_else(|| line.find(':').filter(|i| !line[*i..].starts_with("://"))) {
                Some(i) => (line[..i].trim(), line[i + 1..].trim()),
                None => (line, ""),
            };
            let entry = map.entry(site.to_string()).or_default();
            entry.extend(rest.split([',', ' ']).map(str::trim).filter(|a| !a.is_empty()).map(str::to_string));
        }
        TeamAccounts(map)
    }

    /// The dashboard's text of these accounts (what [`from_lines`](Self::from_lines) reads).
    pub fn to_lines(&self) -> String {
        self.0.iter().map(|(site, list)| format!("{site}: {}", list.join(", "))).collect::<Vec<_>>().join("\n")
    }
}

/// Whether a post's author is one of `accounts`: the same profile link, or
/// the same handle as its display name.
pub fn is_team_author(accounts: &[Account], name: Option<&str>, url: Option<&str>) -> bool {
    let name = name.map(fold_handle).filter(|n| !n.is_empty());
    let url = url.and_then(profile_key);
    accounts.iter().any(|a| match a {
        Account::Handle(h) => name.as_deref() == Some(h.as_str()),
        Account::Profile(p) => url.as_deref() == Some(p.as_str()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts(pairs: &[(&str, &[&str])]) -> TeamAccounts {
        TeamAccounts(pairs.iter().map(|(s, l)| (s.to_string(), l.iter().map(|a| a.to_string()).collect())).collect())
    }

    #[test]
    fn validation_table() {
        for (name, t, want) in [
            ("empty", accounts(&[]), vec![]),
            ("handle and profile", accounts(&[("forum.acme.com", &["@acme_support", "https://forum.acme.com/members/care.12/"])]), vec![]),
            ("address as site", accounts(&[("https://www.acme.com/forum", &["acme"])]), vec![]),
            ("not a host", accounts(&[("acme", &["x"])]), vec![AccountProblem::Site { site: "acme".into() }]),
            (
                "blank account",
                accounts(&[("acme.com", &["  "])]),
                vec![AccountProblem::Account { site: "acme.com".into(), account: "  ".into() }],
            ),
            ("bare @", accounts(&[("acme.com", &["@"])]), vec![AccountProblem::Account { site: "acme.com".into(), account: "@".into() }]),
            (
                "profile on another site",
                accounts(&[("acme.com", &["https://evil.example/u/acme"])]),
                vec![AccountProblem::Account { site: "acme.com".into(), account: "https://evil.example/u/acme".into() }],
            ),
            (
                "javascript link",
                accounts(&[("acme.com", &["javascript://acme.com/%0aalert(1)"])]),
                vec![AccountProblem::Account { site: "acme.com".into(), account: "javascript://acme.com/%0aalert(1)".into() }],
            ),
            ("subdomain profile", accounts(&[("acme.com", &["https://forum.acme.com/u/care"])]), vec![]),
        ] {
            assert_eq!(t.validate(), want, "{name}");
        }
    }

    #[test]
    fn matching_table() {
        let t = accounts(&[("acme.com", &["@Acme_Support", "https://forum.acme.com/members/care.12/"]), ("other.org", &["bob"])]);
        let on = t.for_page("https://forum.acme.com/threads/x.1/page-2");
        for (name, author, url, want) in [
            ("handle, any case, no @", Some("acme_support"), None, true),
            ("handle with spaces", Some(" @ACME_SUPPORT "), None, true),
            ("profile, other scheme and slash", None, Some("http://forum.acme.com/members/care.12"), true),
            ("profile with fragment", Some("Care"), Some("https://www.forum.acme.com/members/care.12/#x"), true),
            ("lookalike handle", Some("acme_support2"), None, false),
            ("other site's handle", Some("bob"), None, false),
            ("other profile", None, Some("https://forum.acme.com/members/care.13/"), false),
            ("nothing known", None, None, false),
        ] {
            assert_eq!(is_team_author(&on, author, url), want, "{name}");
        }
        assert!(t.for_page("https://notacme.com/x").is_empty(), "a suffix that is not a subdomain");
        assert_eq!(t.for_page("https://www.other.org/t").len(), 1);
    }

    #[test]
    fn lines_round_trip() {
        let t = TeamAccounts::from_lines("forum.acme.com: @acme, https://forum.acme.com/u/care\n\nother.org:bob\n");
        assert_eq!(t, accounts(&[("forum.acme.com", &["@acme", "https://forum.acme.com/u/care"]), ("other.org", &["bob"])]));
        assert_eq!(TeamAccounts::from_lines(&t.to_lines()), t);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"forum.acme.com":["@acme","https://forum.acme.com/u/care"],"other.org":["bob"]}"#
        );
    }
}
