//! Which painted mention is under the pointer, or nearest the caret.
//!
//! Highlights painted with the CSS Custom Highlight API are not elements, so
//! the pointer cannot hit them directly: we ask the browser for the caret
//! position under the pointer and look for a range that contains it.

use escucha_core::page_watch::Side;
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Node, StaticRange};

use crate::dom;

/// The text position under client point (x, y), if it is in text.
pub fn caret_at(x: f64, y: f64) -> Option<(Node, u32)> {
    let doc: JsValue = dom::document().into();
    // caretPositionFromPoint is the standard (Chrome 128+); older Chromium
    // only has caretRangeFromPoint.
    if let Ok(f) = Reflect::get(&doc, &"caretPositionFromPoint".into()).and_then(|f| f.dyn_into::<Function>()) {
        let pos = f.call2(&doc, &x.into(), &y.into()).ok().filter(|p| !p.is_null())?;
        let node: Node = Reflect::get(&pos, &"offsetNode".into()).ok()?.dyn_into().ok()?;
        let offset = Reflect::get(&pos, &"offset".into()).ok()?.as_f64()? as u32;
        return Some((node, offset));
    }
    let f: Function = Reflect::get(&doc, &"caretRangeFromPoint".into()).ok()?.dyn_into().ok()?;
    let range: web_sys::Range = f.call2(&doc, &x.into(), &y.into()).ok()?.dyn_into().ok()?;
    Some((range.start_container().ok()?, range.start_offset().ok()?))
}

/// Index of the range in `ranges` that contains (node, offset).
pub fn containing<'a>(ranges: impl Iterator<Item = &'a StaticRange>, node: &Node, offset: u32) -> Option<usize> {
    let doc = dom::document();
    for (i, r) in ranges.enumerate() {
        let (start, end) = (r.start_container(), r.end_container());
        if &start == node && &end == node {
            if r.start_offset() <= offset && offset <= r.end_offset() {
                return Some(i);
            }
            continue;
        }
        // Mentions that cross element boundaries: let a live Range decide.
        if &start == node || &end == node || start.contains(Some(node)) {
            let Ok(live) = doc.create_range() else { continue };
            if live.set_start(&start, r.start_offset()).is_ok()
                && live.set_end(&end, r.end_offset()).is_ok()
                && live.is_point_in_range(node, offset).unwrap_or(false)
            {
                return Some(i);
            }
        }
    }
    None
}

/// Where (node, offset) lies against `range` (`None`: they cannot be
/// compared, e.g. the range's nodes left the page or sit in another tree).
/// Which mention that makes the nearest is the core's rule
/// ([`escucha_core::page_watch::near_selection`]).
pub fn side(range: &StaticRange, node: &Node, offset: u32) -> Option<Side> {
    let live = dom::document().create_range().ok()?;
    live.set_start(&range.start_container(), range.start_offset()).ok()?;
    live.set_end(&range.end_container(), range.end_offset()).ok()?;
    // comparePoint: -1 the point is before the range, 0 inside, 1 after.
    live.compare_point(node, offset).ok().map(Side::from_compare)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;
    use web_sys::StaticRangeInit;
    wasm_bindgen_test_configure!(run_in_browser);

    fn range(start: &Node, so: u32, end: &Node, eo: u32) -> StaticRange {
        StaticRange::new(&StaticRangeInit::new(end, eo, start, so)).unwrap()
    }

    #[wasm_bindgen_test]
    fn finds_the_range_holding_a_point_including_across_elements() {
        let p = dom::el("p", &[], "Hola ");
        let b = dom::el("b", &[], "ACME");
        p.append_child(&b).unwrap();
        p.append_with_str_1(" Corp y Movistar.").unwrap();
        dom::document().body().unwrap().append_child(&p).unwrap();
        let hola = p.first_child().unwrap();
        let acme = b.first_child().unwrap();
        let tail = p.last_child().unwrap();
        let ranges = [range(&acme, 0, &tail, 5), range(&tail, 8, &tail, 16)];
        assert_eq!(containing(ranges.iter(), &acme, 2), Some(0));
        assert_eq!(containing(ranges.iter(), &tail, 3), Some(0), "inside ' Corp', the second node of the mention");
        assert_eq!(containing(ranges.iter(), &tail, 10), Some(1));
        assert_eq!(containing(ranges.iter(), &hola, 1), None);
        let nearest = |node: &Node, offset| {
            escucha_core::page_watch::near_selection(true, ranges.len(), Some(ranges.iter().map(|r| side(r, node, offset)))).unwrap()
        };
        assert_eq!(nearest(&hola, 1), Some(0));
        assert_eq!(nearest(&tail, 6), Some(1));
        assert_eq!(nearest(&tail, 17), Some(1), "after the last: the last one");
        assert_eq!(side(&ranges[1], &tail, 10), Some(Side::Inside));
        p.remove();
    }
}
