//! Turning a mention (or a selection) on the page into a capture context:
//! the comment it sits in, who wrote it and when, where it lives, and the
//! selectors that find it again.

use escucha_core::log::{CaptureContext, TextPosition, TextQuote};
use escucha_core::page_text;
use wasm_bindgen::JsCast;
use web_sys::{Node, StaticRange};

use super::scan;
use crate::dom;

/// Characters of context kept on each side of the quote (W3C TextQuoteSelector).
const QUOTE_CONTEXT: usize = 32;

/// Where `range` sits in the whole page's text, and the quote around it.
pub fn selectors(range: &StaticRange) -> (TextQuote, Option<TextPosition>) {
    let exact = super::range_text(range);
    let Ok(collected) = scan::collect_page() else {
        return (TextQuote { exact, ..Default::default() }, None);
    };
    let nodes = collected.nodes();
    let index = nodes.index_of(&range.start_container(), 0);
    if index < 0 {
        return (TextQuote { exact, ..Default::default() }, None);
    }
    let starts = collected.starts();
    let start = starts[index as usize] + range.start_offset();
    let end = start + exact.encode_utf16().count() as u32;
    let text = collected.text();
    let quote = quote_at(&text, start, end, QUOTE_CONTEXT);
    (quote, Some(TextPosition { start, end }))
}

/// The capture context of a mention: comment, author, time, permalink, page.
pub fn context_for(range: &StaticRange, brand: &str, term: &str) -> CaptureContext {
    let node: Node = range.start_container();
    let (quote, position) = selectors(range);
    let mut ctx = provisional_context(&node);
    ctx.brand = brand.to_string();
    ctx.term = term.to_string();
    ctx.quote = quote;
    ctx.position = position;
    ctx
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The page-relative rectangle of a range, for placing the card.
pub fn rect_of(range: &StaticRange) -> (f64, f64, f64, f64) {
    let doc = dom::document();
    let Ok(live) = doc.create_range() else { return (0.0, 0.0, 0.0, 0.0) };
    if live.set_start(&range.start_container(), range.start_offset()).is_err() || live.set_end(&range.end_container(), range.end_offset()).is_err() {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let r = live.get_bounding_client_rect();
    (r.x(), r.y(), r.width(), r.height())
}

/// The current selection as a static range, when it holds page text
/// (not our own UI, not an input).
pub fn selection_range() -> Option<StaticRange> {
    let sel = web_sys::window()?.get_selection().ok()??;
    if sel.range_count() == 0 {
        return None;
    }
    let r = sel.get_range_at(0).ok()?;
    let start = r.start_container().ok()?;
    let inside_own_ui = start
        .parent_element()
        .and_then(|e| e.closest(&format!("[{}]", page_text::OWN_UI_ATTRIBUTE)).ok().flatten())
        .is_some();
    if inside_own_ui || start.dyn_ref::<web_sys::Text>().is_none() {
        return None;
    }
    let init = web_sys::StaticRangeInit::new(&r.end_container().ok()?, r.end_offset().ok()?, &start, r.start_offset().ok()?);
    StaticRange::new(&init).ok()
}

// PROVISIONAL until the comment extractor lands: page facts and the
// enclosing block's text only.
fn provisional_context(node: &Node) -> CaptureContext {
    let doc = dom::document();
    let mut block = node.parent_element();
    while let Some(b) = &block {
        if !page_text::INLINE_TAGS.contains(&b.local_name().as_str()) {
            break;
        }
        block = b.parent_element();
    }
    CaptureContext {
        page_url: doc.url().unwrap_or_default(),
        page_title: doc.title(),
        site: web_sys::window().and_then(|w| w.location().host().ok()).unwrap_or_default(),
        comment_text: block.and_then(|b| b.text_content()).unwrap_or_default().trim().to_string(),
        ..Default::default()
    }
}

fn quote_at(text: &str, start: u32, end: u32, n: usize) -> TextQuote {
    let units: Vec<u16> = text.encode_utf16().collect();
    let (s, e) = (start as usize, (end as usize).min(units.len()));
    let lossy = |a: usize, b: usize| String::from_utf16_lossy(&units[a.min(units.len())..b.min(units.len())]);
    TextQuote { exact: lossy(s, e), prefix: lossy(s.saturating_sub(n), s), suffix: lossy(e, e + n) }
}

/// Find a quote again in the page text (UTF-16 offsets). PROVISIONAL until
/// the core anchoring module lands: the quote with its context first, then
/// the occurrence of the exact text nearest the recorded position.
pub fn anchor(text: &str, quote: &TextQuote, position: Option<TextPosition>) -> Option<(u32, u32)> {
    if quote.exact.is_empty() {
        return None;
    }
    let u16_at = |byte: usize| text[..byte].encode_utf16().count() as u32;
    let exact_len = quote.exact.encode_utf16().count() as u32;
    let full = format!("{}{}{}", quote.prefix, quote.exact, quote.suffix);
    if let Some(b) = text.find(&full) {
        let s = u16_at(b) + quote.prefix.encode_utf16().count() as u32;
        return Some((s, s + exact_len));
    }
    let hint = position.map(|p| p.start).unwrap_or(0);
    text.match_indices(&quote.exact).map(|(b, _)| u16_at(b)).min_by_key(|s| s.abs_diff(hint)).map(|s| (s, s + exact_len))
}
