//! Turning a mention (or a selection) on the page into what the card frame
//! needs to capture it, and finding logged captures on the page again.

use escucha_core::capture::selector;
use escucha_core::card_frame::{CardOpening, CardTarget, PageSource, Rect, Viewport};
use escucha_core::log::{TextPosition, TextQuote};
use escucha_core::page_text;
use wasm_bindgen::JsCast;
use web_sys::{Node, StaticRange};

use super::scan;
use crate::dom;

/// What the card frame needs for `range`: the DOM around it, the page's
/// text with the mention's place in it, and where it is on screen. The
/// frame runs the extraction (`escucha_core::card_frame::capture_context`).
pub fn opening_for(range: &StaticRange, target: CardTarget, keyboard: bool) -> CardOpening {
    let node: Node = range.start_container();
    let exact = super::range_text(range);
    let (snapshot, page) = super::context::gather(&node, range.start_offset(), start_of_end(range, &node));
    let (text, text_start) = match scan::collect_page() {
        Ok(collected) => {
            let index = collected.nodes().index_of(&range.start_container(), 0);
            let start = (index >= 0).then(|| collected.starts()[index as usize] + range.start_offset());
            (collected.text(), start)
        }
        Err(_) => (String::new(), None),
    };
    let (x, y, w, h) = rect_of(range);
    let win = web_sys::window().expect("window");
    let num = |v: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    CardOpening {
        target,
        source: PageSource::Snapshot { snapshot, page },
        text_end: text_start.map(|s| s + exact.encode_utf16().count() as u32),
        text,
        text_start,
        exact,
        anchor: Rect { x, y, w, h },
        viewport: Viewport {
            width: num(win.inner_width()),
            height: num(win.inner_height()),
            scroll_x: win.scroll_x().unwrap_or(0.0),
            scroll_y: win.scroll_y().unwrap_or(0.0),
        },
        keyboard,
    }
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
