//! Turning a mention (or a selection) on the page into a capture context:
//! the comment it sits in, who wrote it and when, where it lives, and the
//! selectors that find it again.

use escucha_core::capture::{extract, selector};
use escucha_core::log::{CaptureContext, TextPosition, TextQuote};
use escucha_core::page_text;
use wasm_bindgen::JsCast;
use web_sys::{Node, StaticRange};

use super::scan;
use crate::dom;

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
    let (quote, _) = selector::describe(&text, start, end.min(start + exact.encode_utf16().count() as u32));
    (TextQuote { exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix }, Some(TextPosition { start, end }))
}

/// The capture context of a mention: comment, author, time, permalink, page.
pub fn context_for(range: &StaticRange, brand: &str, term: &str) -> CaptureContext {
    let node: Node = range.start_container();
    let (quote, position) = selectors(range);
    let (snapshot, page) = super::context::gather(&node, range.start_offset(), start_of_end(range, &node));
    // The core builds (and cleans) the context: what it returns is a capture the team log accepts.
    escucha_core::log::sanitize::from_extraction(extract(&snapshot, &page, now_ms()), brand, term, quote, position)
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The page-relative rectangle of a range, for placing the card.
pub fn rect_of(range: &StaticRange) -> (f64, f64, f64, f64) {
    let doc = dom::document();
    let Ok(live) = doc.create_range() else { return (0.0, 0.0, 0.0, 0.0) };
    if live.set_start(&range.start_container(), range.start_offset()).is_err()
        || live.set_end(&range.end_container(), range.end_offset()).is_err()
    {
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
    let inside_own_ui =
        start.parent_element().and_then(|e| e.closest(&format!("[{}]", page_text::OWN_UI_ATTRIBUTE)).ok().flatten()).is_some();
    if inside_own_ui || start.dyn_ref::<web_sys::Text>().is_none() {
        return None;
    }
    let init = web_sys::StaticRangeInit::new(&r.end_container().ok()?, r.end_offset().ok()?, &start, r.start_offset().ok()?);
    StaticRange::new(&init).ok()
}

/// The mention's end offset within its start node (a mention that runs into
/// the next node ends at the start node's end, for the snapshot's purposes).
fn start_of_end(range: &StaticRange, node: &Node) -> u32 {
    if range.end_container() == *node {
        range.end_offset()
    } else {
        node.node_value().map(|v| v.encode_utf16().count() as u32).unwrap_or(range.start_offset())
    }
}

/// Find a quote again in the page text (UTF-16 offsets), preferring the
/// occurrence nearest the recorded position.
pub fn anchor(text: &str, quote: &TextQuote, position: Option<TextPosition>) -> Option<(u32, u32)> {
    let q = selector::TextQuoteSelector { exact: quote.exact.clone(), prefix: quote.prefix.clone(), suffix: quote.suffix.clone() };
    selector::anchor(text, &q, position.map(|p| p.start)).map(|r| (r.start, r.end))
}
