//! Paints mentions without touching the page's DOM: one `Highlight` per
//! brand group in `CSS.highlights`, styled by a constructed stylesheet that
//! is adopted by the document and each open shadow root. Where the CSS
//! Custom Highlight API is missing, mentions are wrapped in `<mark>`
//! elements marked as Escucha's own UI instead.

use escucha_core::brands::BrandGroup;
use escucha_core::page_text::{self, FLASH_HIGHLIGHT, OWN_UI_ATTRIBUTE};
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Node, StaticRange};

use super::scan::Found;
use crate::dom;

pub struct Painter {
    /// `CSS.highlights`, or None where the API is missing.
    registry: Option<JsValue>,
    highlights: Vec<JsValue>,
    sheet: Option<JsValue>,
    /// The document and shadow roots our sheet was adopted into, so that
    /// [`Painter::dispose`] can take it back out.
    styled_roots: Vec<JsValue>,
    /// Everything painted, in the order it was found.
    pub found: Vec<Found>,
}

fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    f.apply(target, &args.iter().map(|a| (*a).clone()).collect::<Array>())
}

impl Painter {
    pub fn new() -> Painter {
        let registry = Reflect::get(&js_sys::global(), &"CSS".into())
            .ok()
            .and_then(|css| Reflect::get(&css, &"highlights".into()).ok())
            .filter(|h| h.is_object());
        Painter { registry, highlights: Vec::new(), sheet: None, styled_roots: Vec::new(), found: Vec::new() }
    }

    /// Which path the benchmark measured (only benchmarks ask).
    #[cfg(feature = "bench")]
    pub fn uses_highlight_api(&self) -> bool {
        self.registry.is_some()
    }

    /// (Re)create one highlight per group and the stylesheet for them.
    pub fn configure(&mut self, groups: &[BrandGroup]) -> Result<(), JsValue> {
        self.clear();
        let Some(registry) = &self.registry else { return Ok(()) };
        let ctor = Reflect::get(&js_sys::global(), &"Highlight".into())?;
        let ctor: Function = ctor.dyn_into()?;
        for i in 0..self.highlights.len().max(groups.len()) {
            call(registry, "delete", &[&page_text::highlight_name(i as u32).into()])?;
        }
        self.highlights.clear();
        for (i, _) in groups.iter().enumerate() {
            let h = Reflect::construct(&ctor, &Array::new())?;
            // Earlier groups win where highlights overlap.
            Reflect::set(&h, &"priority".into(), &JsValue::from((groups.len() - i) as u32))?;
            call(registry, "set", &[&page_text::highlight_name(i as u32).into(), &h])?;
            self.highlights.push(h);
        }
        let css = page_text::highlight_css(groups);
        match &self.sheet {
            Some(sheet) => {
                call(sheet, "replaceSync", &[&css.into()])?;
            }
            None => {
                let sheet_ctor: Function = Reflect::get(&js_sys::global(), &"CSSStyleSheet".into())?.dyn_into()?;
                let sheet = Reflect::construct(&sheet_ctor, &Array::new())?;
                call(&sheet, "replaceSync", &[&css.into()])?;
                self.sheet = Some(sheet);
                let document: JsValue = dom::document().into();
                self.adopt_styles(&document)?;
            }
        }
        Ok(())
    }

    /// Make our stylesheet apply inside `root` (the document or a shadow root):
    /// `::highlight()` rules only reach text in their own tree.
    pub fn adopt_styles(&mut self, root: &JsValue) -> Result<(), JsValue> {
        let Some(sheet) = &self.sheet else { return Ok(()) };
        let current: Array = Reflect::get(root, &"adoptedStyleSheets".into())?.dyn_into()?;
        if !current.includes(sheet, 0) {
            let next = current.concat(&Array::of1(sheet));
            Reflect::set(root, &"adoptedStyleSheets".into(), &next)?;
            self.styled_roots.push(root.clone());
        }
        Ok(())
    }

    /// Remove every highlight and take our stylesheet back out of every
    /// root it was adopted into; the page is left as we found it.
    pub fn dispose(&mut self) {
        let _ = self.configure(&[]);
        let _ = self.set_logged(&[]);
        if let Some(sheet) = self.sheet.take() {
            for root in self.styled_roots.drain(..) {
                if let Ok(current) = Reflect::get(&root, &"adoptedStyleSheets".into()) {
                    let kept = Array::from(&current).filter(&mut |s, _, _| s != sheet);
                    let _ = Reflect::set(&root, &"adoptedStyleSheets".into(), &kept);
                }
            }
        }
    }

    pub fn add(&mut self, found: Vec<Found>) -> Result<(), JsValue> {
        if self.registry.is_some() {
            for f in &found {
                if let Some(h) = self.highlights.get(f.group as usize) {
                    call(h, "add", &[f.range.as_ref()])?;
                }
            }
        } else {
            wrap_in_marks(&found)?;
        }
        self.found.extend(found);
        Ok(())
    }

    /// Forget every mention touching `root` (it starts or ends inside it,
    /// also through shadow roots), before `root` is scanned again.
    pub fn remove_within(&mut self, root: &Node) {
        let highlights = &self.highlights;
        self.found.retain(|f| {
            let inside = super::observer::contains_deep(root, &f.range.start_container())
                || super::observer::contains_deep(root, &f.range.end_container());
            if inside {
                if let Some(h) = highlights.get(f.group as usize) {
                    let _ = call(h, "delete", &[f.range.as_ref()]);
                }
            }
            !inside
        });
    }

    /// Drop mentions whose text left the page.
    pub fn prune_detached(&mut self) {
        let highlights = &self.highlights;
        self.found.retain(|f| {
            let alive = f.range.start_container().is_connected() && f.range.end_container().is_connected();
            if !alive {
                if let Some(h) = highlights.get(f.group as usize) {
                    let _ = call(h, "delete", &[f.range.as_ref()]);
                }
            }
            alive
        });
    }

    pub fn clear(&mut self) {
        for h in &self.highlights {
            let _ = call(h, "clear", &[]);
        }
        self.found.clear();
    }

    /// Paint the comments already in the log, in their status's style
    /// (replacing what was painted before). Without the Highlight API they
    /// are not marked on the page; the card and popup still show them.
    pub fn set_logged(&self, logged: &[(escucha_core::log::Status, StaticRange)]) -> Result<(), JsValue> {
        let Some(registry) = &self.registry else { return Ok(()) };
        let ctor: Function = Reflect::get(&js_sys::global(), &"Highlight".into())?.dyn_into()?;
        for status in escucha_core::log::Status::ALL {
            let name = page_text::logged_highlight_name(status);
            let ranges: Array = logged.iter().filter(|(s, _)| *s == status).map(|(_, r)| JsValue::from(r.clone())).collect();
            if ranges.length() == 0 {
                call(registry, "delete", &[&name.into()])?;
                continue;
            }
            let h = Reflect::construct(&ctor, &ranges)?;
            Reflect::set(&h, &"priority".into(), &JsValue::from(500))?;
            call(registry, "set", &[&name.into(), &h])?;
        }
        Ok(())
    }

    /// Show `range` in the flash style until [`Painter::unflash`].
    pub fn flash(&self, range: &StaticRange) -> Result<(), JsValue> {
        let Some(registry) = &self.registry else { return Ok(()) };
        let ctor: Function = Reflect::get(&js_sys::global(), &"Highlight".into())?.dyn_into()?;
        let h = Reflect::construct(&ctor, &Array::of1(range))?;
        Reflect::set(&h, &"priority".into(), &JsValue::from(1000))?;
        call(registry, "set", &[&FLASH_HIGHLIGHT.into(), &h])?;
        Ok(())
    }

    pub fn unflash(&self) {
        if let Some(registry) = &self.registry {
            let _ = call(registry, "delete", &[&FLASH_HIGHLIGHT.into()]);
        }
    }
}

/// Fallback painting for browsers without the Highlight API: wrap each
/// single-node mention in `<mark data-escucha-ui>`, last first so earlier
/// offsets stay valid. Mentions across element boundaries are left unpainted
/// there (wrapping them would restructure the page's elements).
fn wrap_in_marks(found: &[Found]) -> Result<(), JsValue> {
    let doc = dom::document();
    for f in found.iter().rev() {
        let (start, end) = (f.range.start_container(), f.range.end_container());
        if start != end {
            continue;
        }
        let range = doc.create_range()?;
        range.set_start(&start, f.range.start_offset())?;
        range.set_end(&end, f.range.end_offset())?;
        let mark = doc.create_element("mark")?;
        mark.set_attribute(OWN_UI_ATTRIBUTE, "mark")?;
        mark.set_attribute("data-escucha-group", &f.group.to_string())?;
        range.surround_contents(&mark)?;
    }
    Ok(())
}
