//! Making page text fit a capture record, so that every capture Escucha
//! builds passes [`super::validate::validate_capture`] (and so the team log).
//!
//! Pages hand us anything: the page-text block separator (U+001E) and line
//! breaks inside a quote's prefix, control characters, bidi overrides in an
//! author's name, a 1 MB comment, links with spaces. Here each field is made
//! to fit: one-line fields fold breaks and controls into spaces, free text
//! turns block separators into line breaks and drops other controls, bidi
//! embedding/override/isolate controls leave names and links, text is cut at
//! a character boundary to its limit, and links that cannot be made valid are
//! dropped (a missing link beats a wrong one). The same functions repair
//! records quarantined by an older version ([`repair`]).
//!
//! Everything here is deterministic and idempotent: two clients cleaning the
//! same record get the same value, so no new stamp is needed.

use super::record::{Capture, CaptureContext, CommentTime, TextPosition, TextQuote};
use super::stamp::Stamp;
use super::validate::{
    is_bidi_control, is_bidi_format, strip_web_scheme, validate_capture, Field, Kind, ValidationError, MAX_ACTOR_CHARS, MAX_COMMENT_CHARS,
    MAX_LABEL_CHARS, MAX_LANG_CHARS, MAX_PLATFORM_CHARS, MAX_QUOTE_CHARS, MAX_URL_CHARS, MAX_UTC_CHARS,
};
use crate::capture::{Extraction, Zone};

/// The capture context of a mention, from what the extractor found plus the
/// brand group and term that matched and the selectors of the mention in the
/// page text (`quote` may carry the page text's block separators; they are
/// cleaned here). This is how the content script (or the card frame) builds
/// a capture: the result always passes validation unless the page's own
/// address is not a web address, which the store then refuses.
pub fn from_extraction(x: Extraction, brand: &str, term: &str, quote: TextQuote, position: Option<TextPosition>) -> CaptureContext {
    let site = x.site_name.clone().filter(|s| !s.trim().is_empty()).or_else(|| crate::capture::url::host(&x.page_url)).unwrap_or_default();
    let ctx = CaptureContext {
        page_url: x.canonical_url.clone().filter(|u| web_url(u).is_some()).unwrap_or_else(|| x.page_url.clone()),
        page_title: x.title.unwrap_or_default(),
        site,
        lang: x.lang,
        comment_length: x.truncated.then_some(x.original_length),
        comment_text: x.comment_text,
        author_name: x.author_name,
        author_url: x.author_url,
        comment_time: x.time.map(|t| CommentTime { utc: Some(t.utc), original: t.original, zone_assumed: t.zone == Zone::Assumed }),
        permalink: x.permalink,
        platform: x.platform,
        brand: brand.to_string(),
        term: term.to_string(),
        quote,
        position,
    };
    sanitize_context(ctx)
}

/// Every field of a context made to fit the record's rules. The page address
/// is cleaned too, but a context whose page is not a web page stays invalid
/// (see [`page_url_problem`]): there is nothing right to put there.
pub fn sanitize_context(ctx: CaptureContext) -> CaptureContext {
    let comment_chars = ctx.comment_text.chars().count();
    let comment_text = free_text(&ctx.comment_text, MAX_COMMENT_CHARS);
    let cut = comment_chars > MAX_COMMENT_CHARS;
    CaptureContext {
        page_url: page_url(&ctx.page_url),
        page_title: one_line(&ctx.page_title, MAX_LABEL_CHARS),
        site: one_line(&ctx.site, MAX_LABEL_CHARS),
        // A language tag cut short would name another language: drop it instead.
        lang: ctx.lang.map(|l| one_line(&l, usize::MAX)).filter(|l| !l.is_empty() && l.chars().count() <= MAX_LANG_CHARS),
        comment_length: if cut { Some(ctx.comment_length.unwrap_or(0).max(comment_chars as u32)) } else { ctx.comment_length },
        comment_text,
        author_name: ctx.author_name.map(|a| one_line(&a, MAX_LABEL_CHARS)).filter(|a| !a.is_empty()),
        author_url: ctx.author_url.as_deref().and_then(web_url),
        comment_time: ctx.comment_time.map(|t| CommentTime {
            // A UTC text is ours (RFC 3339); anything else in it is not a time.
            utc: t.utc.map(|u| one_line(&u, usize::MAX)).filter(|u| !u.is_empty() && u.chars().count() <= MAX_UTC_CHARS),
            original: one_line(&t.original, MAX_LABEL_CHARS),
            zone_assumed: t.zone_assumed,
        }),
        permalink: ctx.permalink.as_deref().and_then(web_url),
        brand: one_line(&ctx.brand, MAX_LABEL_CHARS),
        term: one_line(&ctx.term, MAX_LABEL_CHARS),
        quote: TextQuote {
            exact: free_text(&ctx.quote.exact, MAX_QUOTE_CHARS),
            // Context around the mention: its spaces at the edges matter for
            // re-anchoring, so only fold, never trim.
            prefix: fold_line(&ctx.quote.prefix, MAX_QUOTE_CHARS, Keep::Last),
            suffix: fold_line(&ctx.quote.suffix, MAX_QUOTE_CHARS, Keep::First),
        },
        position: ctx.position.filter(|p| p.start <= p.end),
        platform: ctx.platform.map(|p| one_line(&p, MAX_PLATFORM_CHARS)).filter(|p| !p.is_empty()),
    }
}

/// Why a (sanitized) context cannot be stored: its page is not a web page.
pub fn page_url_problem(ctx: &CaptureContext) -> Option<ValidationError> {
    let u = &ctx.page_url;
    if u.chars().count() > MAX_URL_CHARS {
        return Some(ValidationError::new(Field::PageUrl, Kind::TooLong { chars: u.chars().count(), max: MAX_URL_CHARS }));
    }
    match web_url(u) {
        Some(clean) if clean == *u => None,
        Some(_) => Some(ValidationError::new(Field::PageUrl, Kind::MalformedUrl)),
        None if strip_web_scheme(u).is_some() => Some(ValidationError::new(Field::PageUrl, Kind::MalformedUrl)),
        None => Some(ValidationError::new(Field::PageUrl, Kind::NotWebUrl)),
    }
}

/// A whole record cleaned the same way (context, member name, department,
/// tags' characters, note's characters). The manager's own note and tags
/// are never shortened.
pub fn sanitize_capture(c: &Capture) -> Capture {
    let mut out = c.clone();
    out.context.value = sanitize_context(c.context.value.clone());
    out.created_by = one_line(&c.created_by, MAX_LABEL_CHARS);
    out.department.value = c.department.value.as_deref().map(|d| one_line(d, MAX_LABEL_CHARS)).filter(|d| !d.is_empty());
    let actor = |s: &Stamp| Stamp { actor: one_line(&s.actor, MAX_ACTOR_CHARS), ..s.clone() };
    out.tags = c.tags.map_tags(|t| one_line(t, usize::MAX)).map_stamps(actor);
    out.assignee.value = c.assignee.value.as_deref().map(|a| one_line(a, MAX_LABEL_CHARS)).filter(|a| !a.is_empty());
    if let Some(claim) = &mut out.claim.value {
        claim.member = one_line(&claim.member, MAX_LABEL_CHARS);
    }
    out.comments = c.comments.map(|k| {
        let mut k = k.clone();
        k.author = one_line(&k.author, MAX_LABEL_CHARS);
        k.text.value = free_text(&k.text.value, usize::MAX);
        k.text.stamp = actor(&k.text.stamp);
        k.deleted.stamp = actor(&k.deleted.stamp);
        k
    });
    out.history = c.history.map(|e| {
        let mut e = e.clone();
        e.member = one_line(&e.member, MAX_LABEL_CHARS);
        e.from = one_line(&e.from, MAX_LABEL_CHARS);
        e.to = one_line(&e.to, MAX_LABEL_CHARS);
        e
    });
    // verify13: the confirmed reply's page text, bounded like the rest.
    out.verified_response.value = c.verified_response.value.as_ref().map(|r| r.cleaned(&r.confirmed_by));
    for stamp in [
        &mut out.verified_response.stamp,
        &mut out.context.stamp,
        &mut out.sentiment.stamp,
        &mut out.department.stamp,
        &mut out.status.stamp,
        &mut out.priority.stamp,
        &mut out.assignee.stamp,
        &mut out.claim.stamp,
        &mut out.deleted.stamp,
    ] {
        stamp.actor = one_line(&stamp.actor, MAX_ACTOR_CHARS);
    }
    out
}

/// What to do with a record the team log refused (or that fails the local
/// check before sending).
#[derive(Debug, Clone, PartialEq)]
pub enum Repair {
    /// Nothing is wrong with it here.
    Valid,
    /// Cleaning fixed it: store this and send it again.
    Repaired(Box<Capture>),
    /// Only the manager can fix it (edit or discard): this is why.
    NeedsManager(ValidationError),
}

/// Decide [`Repair`] for `c`, checked against the clock `now_ms`.
pub fn repair(c: &Capture, now_ms: i64) -> Repair {
    let Err(first) = validate_capture(c, now_ms) else { return Repair::Valid };
    if !first.repairable() {
        return Repair::NeedsManager(first);
    }
    let fixed = sanitize_capture(c);
    match validate_capture(&fixed, now_ms) {
        Ok(()) => Repair::Repaired(Box::new(fixed)),
        Err(e) => Repair::NeedsManager(e),
    }
}

/// Which end of an over-long one-line text to keep.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    First,
    /// A quote's prefix: the words next to the mention are at its end.
    Last,
}

/// One-line text: every control character and line break becomes a space,
/// runs of whitespace one space, bidi controls go, the ends are trimmed, and
/// the result is cut to `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let folded = fold_line(s, usize::MAX, Keep::First);
    // Trim after cutting too, or a second pass would not be a no-op.
    cut(folded.trim(), max, Keep::First).trim_end().to_string()
}

/// Like [`one_line`] without trimming (the edges of a quote's context).
fn fold_line(s: &str, max: usize, keep: Keep) -> String {
    let mut out = String::with_capacity(s.len().min(4 * max.min(1 << 20)));
    let mut last_space = false;
    for c in s.chars() {
        if is_bidi_control(c) {
            continue;
        }
        if c.is_control() || c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    cut(&out, max, keep)
}

/// Free text (comment, note, quoted words): line breaks and tabs stay, the
/// page text's block and unit separators (U+001C–U+001F) become line
/// breaks, other control characters go; cut to `max` characters.
pub fn free_text(s: &str, max: usize) -> String {
    let clean: String = s
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(c),
            '\u{1C}'..='\u{1F}' => Some('\n'),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    cut(&clean, max, Keep::First)
}

/// `s` cut to at most `max` characters, at a character boundary.
fn cut(s: &str, max: usize, keep: Keep) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    match keep {
        Keep::First => s.chars().take(max).collect(),
        Keep::Last => s.chars().skip(n - max).collect(),
    }
}

/// A link as the record keeps it, or `None` when it cannot be one: http(s)
/// with a host, no controls or bidi marks, inner spaces percent-encoded, at
/// most [`MAX_URL_CHARS`] (a cut link would lead somewhere else).
pub fn web_url(s: &str) -> Option<String> {
    web_url_unbounded(s).filter(|u| u.chars().count() <= MAX_URL_CHARS)
}

/// The page's address: cleaned like a link; one too long loses its
/// fragment, then its query (still the same page, mostly). One that cannot
/// be a web address is kept as is, for [`page_url_problem`] to name.
fn page_url(s: &str) -> String {
    let Some(clean) = web_url_unbounded(s) else { return s.to_string() };
    let mut u = clean;
    for sep in ['#', '?'] {
        if u.chars().count() > MAX_URL_CHARS {
            if let Some(i) = u.find(sep) {
                u.truncate(i);
            }
        }
    }
    u
}

/// [`web_url`] without the length bound (which [`page_url`] handles its own way).
fn web_url_unbounded(s: &str) -> Option<String> {
    let trimmed = s.trim();
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if c.is_control() || is_bidi_format(c) {
            continue;
        }
        if c.is_whitespace() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    let rest = strip_web_scheme(&out)?;
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (!rest[..host_end].is_empty()).then_some(out)
}

#[cfg(test)]
mod tests;
