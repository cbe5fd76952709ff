//! Paints mentions without telling the page anything: boxes in a closed
//! shadow root overlay, drawn by `extension/content/overlay_painter.js`
//! (shared with the strict-CSP path). Why not `CSS.highlights`, and what
//! the overlay shows: [`escucha_core::paint`]. The page's DOM is not touched
//! beyond the one 0×0 host.

use escucha_core::brands::BrandGroup;
use escucha_core::page_text::{self, FLASH_HIGHLIGHT, OWN_UI_ATTRIBUTE};
use escucha_core::paint;
use escucha_core::protocol::requests::Painted;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{Node, StaticRange};

use super::scan::Found;

#[wasm_bindgen]
extern "C" {
    /// What `escuchaOverlayPainter` returns.
    type Overlay;
    #[wasm_bindgen(js_name = escuchaOverlayPainter)]
    fn overlay_painter(css: &str, layers: Array, own_ui_attribute: &str) -> Overlay;
    #[wasm_bindgen(method)]
    fn add(this: &Overlay, layer: &str, ranges: Array);
    #[wasm_bindgen(method)]
    fn remove(this: &Overlay, layer: &str, ranges: Array);
    #[wasm_bindgen(method)]
    fn set(this: &Overlay, layer: &str, ranges: Array);
    #[wasm_bindgen(method)]
    fn clear(this: &Overlay, layer: &str);
    #[wasm_bindgen(method)]
    fn debug(this: &Overlay) -> JsValue;
    #[wasm_bindgen(method)]
    fn dispose(this: &Overlay);
    #[cfg(feature = "bench")]
    #[wasm_bindgen(method)]
    fn drawn(this: &Overlay) -> js_sys::Promise;
}

pub struct Painter {
    overlay: Option<Overlay>,
    groups: usize,
    /// Everything painted, in the order it was found.
    pub found: Vec<Found>,
}

fn ranges<'a>(it: impl Iterator<Item = &'a StaticRange>) -> Array {
    it.map(JsValue::from).collect()
}

impl Painter {
    pub fn new() -> Painter {
        Painter { overlay: None, groups: 0, found: Vec::new() }
    }

    /// (Re)create the overlay for these groups.
    pub fn configure(&mut self, groups: &[BrandGroup]) -> Result<(), JsValue> {
        self.dispose();
        let layers: Array = paint::layer_order(groups.len()).into_iter().map(JsValue::from).collect();
        self.overlay = Some(overlay_painter(&paint::overlay_css(groups), layers, OWN_UI_ATTRIBUTE));
        self.groups = groups.len();
        Ok(())
    }

    /// Take the overlay away; the page is left as we found it.
    pub fn dispose(&mut self) {
        if let Some(o) = self.overlay.take() {
            o.dispose();
        }
        self.found.clear();
    }

    pub fn add(&mut self, found: Vec<Found>) -> Result<(), JsValue> {
        if let Some(o) = &self.overlay {
            for g in 0..self.groups as u32 {
                let these = ranges(found.iter().filter(|f| f.group == g).map(|f| &f.range));
                if these.length() > 0 {
                    o.add(&page_text::highlight_name(g), these);
                }
            }
        }
        self.found.extend(found);
        Ok(())
    }

    fn unpaint(&mut self, gone: Vec<Found>) {
        let Some(o) = &self.overlay else { return };
        for g in 0..self.groups as u32 {
            let these = ranges(gone.iter().filter(|f| f.group == g).map(|f| &f.range));
            if these.length() > 0 {
                o.remove(&page_text::highlight_name(g), these);
            }
        }
    }

    /// Forget every mention touching `root` (it starts or ends inside it,
    /// also through shadow roots), before `root` is scanned again.
    pub fn remove_within(&mut self, root: &Node) {
        let (gone, kept): (Vec<Found>, Vec<Found>) = std::mem::take(&mut self.found).into_iter().partition(|f| {
            super::observer::contains_deep(root, &f.range.start_container())
                || super::observer::contains_deep(root, &f.range.end_container())
        });
        self.found = kept;
        self.unpaint(gone);
    }

    /// Drop mentions whose text left the page.
    pub fn prune_detached(&mut self) {
        let (kept, gone): (Vec<Found>, Vec<Found>) = std::mem::take(&mut self.found)
            .into_iter()
            .partition(|f| f.range.start_container().is_connected() && f.range.end_container().is_connected());
        self.found = kept;
        self.unpaint(gone);
    }

    pub fn clear(&mut self) {
        if let Some(o) = &self.overlay {
            for g in 0..self.groups as u32 {
                o.clear(&page_text::highlight_name(g));
            }
        }
        self.found.clear();
    }

    /// Paint the comments already in the log, in their status's style
    /// (replacing what was painted before).
    pub fn set_logged(&self, logged: &[(escucha_core::log::Status, StaticRange)]) -> Result<(), JsValue> {
        let Some(o) = &self.overlay else { return Ok(()) };
        for status in escucha_core::log::Status::ALL {
            o.set(&page_text::logged_highlight_name(status), ranges(logged.iter().filter(|(s, _)| *s == status).map(|(_, r)| r)));
        }
        Ok(())
    }

    /// Show `range` in the flash style until [`Painter::unflash`].
    pub fn flash(&self, range: &StaticRange) -> Result<(), JsValue> {
        if let Some(o) = &self.overlay {
            o.set(FLASH_HIGHLIGHT, Array::of1(range));
        }
        Ok(())
    }

    pub fn unflash(&self) {
        if let Some(o) = &self.overlay {
            o.clear(FLASH_HIGHLIGHT);
        }
    }

    /// What is painted, layer by layer, as text (the `GetPainted` answer).
    pub fn painted(&self) -> Painted {
        self.overlay.as_ref().and_then(|o| crate::platform::from_js::<Painted>(o.debug()).ok()).unwrap_or_default()
    }

    /// Resolves with the number of boxes once those for what is painted now
    /// are drawn (benchmarks; awaited outside the engine's borrow).
    #[cfg(feature = "bench")]
    pub fn drawn(&self) -> Option<js_sys::Promise> {
        self.overlay.as_ref().map(|o| o.drawn())
    }
}
