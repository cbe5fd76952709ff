//! The SSRF guard: a destination URL may only reach public addresses.
//!
//! The decision is made on the addresses the host RESOLVES to at send time,
//! and the connection goes to the address checked (never a second lookup), so
//! a name that answers a public address when saved and 127.0.0.1 when used
//! (DNS rebinding) is still refused. An admin may allow private targets
//! explicitly (a server flag: a relay on the LAN, or the tests' receivers).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

/// An http(s) URL taken apart: what the sender connects to and asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    pub https: bool,
    /// The host as written (brackets removed from an IPv6 literal).
    pub host: String,
    pub port: u16,
    /// Path and query, at least "/".
    pub path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UrlProblem {
    /// Not http:// or https://.
    Scheme,
    NoHost,
    /// user:password@ in the URL (ambiguous about the real host).
    Credentials,
    Port,
    /// Spaces, control characters, a fragment.
    Characters,
}

pub fn parse_url(url: &str) -> Result<HttpUrl, UrlProblem> {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) || url.contains('#') {
        return Err(UrlProblem::Characters);
    }
    let (https, rest) = if let Some(r) = strip_prefix_ci(url, "https://") {
        (true, r)
    } else if let Some(r) = strip_prefix_ci(url, "http://") {
        (false, r)
    } else {
        return Err(UrlProblem::Scheme);
    };
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    if authority.contains('@') {
        return Err(UrlProblem::Credentials);
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or(UrlProblem::NoHost)?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() || host.contains(['\\', '%']) {
        return Err(UrlProblem::NoHost);
    }
    let port = match port {
        None => {
            if https {
                443
            } else {
                80
            }
        }
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or(UrlProblem::Port)?,
    };
    let path = if path.is_empty() {
        "/".to_string()
    } else if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_string()
    };
    Ok(HttpUrl { https, host: host.to_ascii_lowercase(), port, path })
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

/// Why an address is not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Range {
    Loopback,
    Private,
    LinkLocal,
    /// 100.64.0.0/10, carrier-grade NAT.
    SharedCgnat,
    Multicast,
    Unspecified,
    Broadcast,
    /// Documentation, benchmarking, reserved and other special-purpose blocks.
    Reserved,
    /// fc00::/7.
    UniqueLocal,
}

/// The range that makes `ip` unreachable for deliveries, if any. IPv4
/// mapped or translated into IPv6 is judged as the IPv4 address it carries.
pub fn forbidden_range(ip: IpAddr) -> Option<Range> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            // 64:ff9b::/96 (NAT64) carries an IPv4 address in its last 32 bits.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|x| *x == 0) {
                return forbidden_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
            }
            forbidden_v6(v6)
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<Range> {
    let [a, b, c, _] = ip.octets();
    Some(match () {
        _ if ip.is_unspecified() || a == 0 => Range::Unspecified,
        _ if ip.is_loopback() => Range::Loopback,
        _ if ip.is_private() => Range::Private,
        _ if ip.is_link_local() => Range::LinkLocal,
        _ if a == 100 && (b & 0xc0) == 64 => Range::SharedCgnat,
        _ if ip.is_multicast() => Range::Multicast,
        _ if ip.is_broadcast() => Range::Broadcast,
        // 192.0.0.0/24, TEST-NETs, 198.18.0.0/15, 240.0.0.0/4.
        _ if (a == 192 && b == 0 && (c == 0 || c == 2))
            || (a == 198 && b == 51 && c == 100)
            || (a == 203 && b == 0 && c == 113)
            || (a == 198 && (b & 0xfe) == 18)
            || a >= 240 =>
        {
            Range::Reserved
        }
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<Range> {
    let s = ip.segments();
    Some(match () {
        _ if ip.is_unspecified() => Range::Unspecified,
        _ if ip.is_loopback() => Range::Loopback,
        _ if ip.is_multicast() => Range::Multicast,
        _ if (s[0] & 0xffc0) == 0xfe80 => Range::LinkLocal,
        _ if (s[0] & 0xfe00) == 0xfc00 => Range::UniqueLocal,
        // fec0::/10 (old site-local), 2001:db8::/32 (documentation), ::/96 (IPv4-compatible).
        _ if (s[0] & 0xffc0) == 0xfec0 || (s[0] == 0x2001 && s[1] == 0x0db8) || s[..6].iter().all(|x| *x == 0) => Range::Reserved,
        _ => return None,
    })
}

/// Refused: the address a name resolved to, and the range it fell in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refused {
    pub address: IpAddr,
    pub range: Range,
}

/// The addresses a sender may connect to, in resolver order. Any forbidden
/// address refuses the whole name (a name that answers one private address
/// among public ones is not trusted), unless private targets are allowed.
pub fn allowed_addresses(resolved: &[IpAddr], allow_private: bool) -> Result<Vec<IpAddr>, Refused> {
    if !allow_private {
        if let Some((address, range)) = resolved.iter().find_map(|a| forbidden_range(*a).map(|r| (*a, r))) {
            return Err(Refused { address, range });
        }
    }
    Ok(resolved.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart() {
        let u = parse_url("https://hooks.slack.com/services/T/B/x?y=1").unwrap();
        assert_eq!((u.https, u.host.as_str(), u.port, u.path.as_str()), (true, "hooks.slack.com", 443, "/services/T/B/x?y=1"));
        let u = parse_url("http://127.0.0.1:8080").unwrap();
        assert_eq!((u.https, u.host.as_str(), u.port, u.path.as_str()), (false, "127.0.0.1", 8080, "/"));
        let u = parse_url("HTTP://[::1]:9/a").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 9));
        for (bad, why) in [
            ("ftp://x", UrlProblem::Scheme),
            ("javascript:alert(1)", UrlProblem::Scheme),
            ("https://", UrlProblem::NoHost),
            ("https://user:pw@evil.example/", UrlProblem::Credentials),
            ("https://a.example:0/", UrlProblem::Port),
            ("https://a.example:99999/", UrlProblem::Port),
            ("https://a.example/ x", UrlProblem::Characters),
            ("https://a.example/#frag", UrlProblem::Characters),
        ] {
            assert_eq!(parse_url(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn private_and_special_ranges_are_refused() {
        let cases: &[(&str, Option<Range>)] = &[
            ("127.0.0.1", Some(Range::Loopback)),
            ("127.8.9.10", Some(Range::Loopback)),
            ("10.1.2.3", Some(Range::Private)),
            ("172.16.0.1", Some(Range::Private)),
            ("172.31.255.255", Some(Range::Private)),
            ("192.168.1.1", Some(Range::Private)),
            ("169.254.169.254", Some(Range::LinkLocal)),
            ("100.64.0.1", Some(Range::SharedCgnat)),
            ("100.127.255.255", Some(Range::SharedCgnat)),
            ("224.0.0.1", Some(Range::Multicast)),
            ("0.0.0.0", Some(Range::Unspecified)),
            ("0.1.2.3", Some(Range::Unspecified)),
            ("255.255.255.255", Some(Range::Broadcast)),
            ("192.0.2.1", Some(Range::Reserved)),
            ("198.18.0.1", Some(Range::Reserved)),
            ("::1", Some(Range::Loopback)),
            ("::", Some(Range::Unspecified)),
            ("fe80::1", Some(Range::LinkLocal)),
            ("fd00::1", Some(Range::UniqueLocal)),
            ("ff02::1", Some(Range::Multicast)),
            ("::ffff:127.0.0.1", Some(Range::Loopback)),
            ("::ffff:10.0.0.1", Some(Range::Private)),
            ("::ffff:169.254.169.254", Some(Range::LinkLocal)),
            ("64:ff9b::a00:1", Some(Range::Private)),
            ("::127.0.0.1", Some(Range::Reserved)),
            ("2001:db8::1", Some(Range::Reserved)),
            // Public.
            ("8.8.8.8", None),
            ("100.63.255.255", None),
            ("100.128.0.1", None),
            ("172.32.0.1", None),
            ("2606:4700::1111", None),
            ("::ffff:8.8.8.8", None),
        ];
        for (ip, want) in cases {
            assert_eq!(forbidden_range(ip.parse().unwrap()), *want, "{ip}");
        }
    }

    #[test]
    fn one_private_answer_refuses_the_name_unless_allowed() {
        let public: IpAddr = "93.184.216.34".parse().unwrap();
        let private: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(allowed_addresses(&[public], false), Ok(vec![public]));
        assert_eq!(allowed_addresses(&[public, private], false), Err(Refused { address: private, range: Range::Loopback }));
        assert_eq!(allowed_addresses(&[public, private], true), Ok(vec![public, private]));
    }
}
