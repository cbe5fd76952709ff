//! One scan: collect a subtree's text, match it, and turn matches into ranges.

use escucha_core::matching::{Matcher, Mention, Scratch};
use escucha_core::page_text;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Node, StaticRange};

#[wasm_bindgen]
extern "C" {
    /// What `extension/content/text_collector.js` returns.
    pub type Collected;
    #[wasm_bindgen(js_name = escuchaCollectText, catch)]
    fn collect_text(root: &Node, rules: &JsValue) -> Result<Collected, JsValue>;
    #[wasm_bindgen(method, getter)]
    pub fn nodes(this: &Collected) -> Array;
    #[wasm_bindgen(method, getter)]
    pub fn text(this: &Collected) -> String;
    /// The same text, left in JavaScript (see [`text_into`]).
    #[wasm_bindgen(method, getter, js_name = text)]
    fn text_js(this: &Collected) -> js_sys::JsString;
    /// `TextEncoder.encodeInto` of `text` from UTF-16 unit `from` into
    /// `into`: [units read, bytes written].
    #[wasm_bindgen(js_name = escuchaEncodeText)]
    fn encode_text(text: &js_sys::JsString, from: u32, into: &js_sys::Uint8Array) -> Array;
    #[wasm_bindgen(method, getter)]
    pub fn starts(this: &Collected) -> Vec<u32>;
    #[wasm_bindgen(method, getter)]
    pub fn ends(this: &Collected) -> Vec<u32>;
    #[wasm_bindgen(method, getter, js_name = shadowRoots)]
    fn shadow_roots(this: &Collected) -> Array;
    /// The ranges of located spans, made in one call.
    #[wasm_bindgen(js_name = escuchaMakeRanges, catch)]
    fn make_ranges(nodes: &Array, spans: &[u32], painted: &js_sys::WeakSet) -> Result<Array, JsValue>;
    /// Whether a subtree holds a node of a painted mention.
    #[wasm_bindgen(js_name = escuchaHoldsPainted)]
    pub fn holds_painted(root: &Node, painted: &js_sys::WeakSet) -> bool;
    /// Benchmarks: the bare walk every highlighter pays.
    #[wasm_bindgen(js_name = escuchaFloorWalk)]
    pub fn floor_walk() -> u32;
}

/// A mention painted on the page.
pub struct Found {
    pub group: u32,
    /// Which term matched; the capture record names it.
    #[allow(dead_code)]
    pub term: u32,
    pub range: StaticRange,
}

/// The result of scanning one subtree.
pub struct Scan {
    pub found: Vec<Found>,
    /// Open shadow roots met on the way: they need our styles and an observer.
    pub shadow_roots: Vec<Node>,
}

/// The whole page's text as the matcher sees it (selectors are relative to it).
pub fn collect_page() -> Result<Collected, JsValue> {
    collect_text(&super::page_root(), &rules_object())
}

/// The walk rules as one JS object, built once so the collector can cache
/// its lookup sets on it.
pub fn rules_object() -> JsValue {
    crate::platform::to_js(&page_text::walk_rules())
}

thread_local! {
    /// The page text's UTF-8 bytes, kept from one scan to the next (see [`text_into`]).
    static TEXT_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The collected text, encoded by the browser straight into `buf`'s spare
/// room in wasm memory. wasm-bindgen's own string passing allocates the
/// text's length, grows that to three bytes a unit at the first non-ASCII
/// character and shrinks it again, for every scan of a 4 M-unit page;
/// mostly-ASCII text needs about one byte a unit, and a buffer kept from
/// the last scan already has the room.
fn text_into(collected: &Collected, mut buf: Vec<u8>) -> String {
    let text = collected.text_js();
    let units = text.length() as usize;
    buf.clear();
    let mut read = 0usize;
    let mut room = units + units / 8 + 16;
    while read < units {
        buf.reserve(room);
        let spare = buf.capacity() - buf.len();
        // SAFETY: the view covers only the vector's spare capacity, and
        // nothing allocates in wasm memory (which would move it) while the
        // view is alive.
        let view = unsafe { js_sys::Uint8Array::view_mut_raw(buf.as_mut_ptr().add(buf.len()), spare) };
        let r = encode_text(&text, read as u32, &view);
        let (r_read, written) = (r.get(0).as_f64().unwrap_or(0.0) as usize, r.get(1).as_f64().unwrap_or(0.0) as usize);
        // SAFETY: the encoder wrote `written` bytes into that spare room.
        unsafe { buf.set_len(buf.len() + written.min(spare)) };
        read += r_read;
        if r_read == 0 && spare >= 4 {
            break; // no progress with room for any character: never loop forever
        }
        // What is left needs at most three bytes a unit.
        room = (units - read.min(units)) * 3;
    }
    // TextEncoder writes UTF-8 and stops only between characters; checked
    // anyway (a few ms on 4 MB): should it ever fail, nothing is scanned
    // rather than offsets that no longer fit the page.
    String::from_utf8(buf).unwrap_or_default()
}

thread_local! {
    /// Phase timings of scans, collected only while a benchmark asks for them.
    pub static PHASES: std::cell::RefCell<Option<Vec<(&'static str, f64)>>> = const { std::cell::RefCell::new(None) };
}

pub fn mark_phase(name: &'static str, since: f64) -> f64 {
    let now = super::now();
    PHASES.with(|p| {
        if let Some(v) = p.borrow_mut().as_mut() {
            match v.iter_mut().find(|(n, _)| *n == name) {
                Some((_, t)) => *t += now - since,
                None => v.push((name, now - since)),
            }
        }
    });
    now
}

/// How long the newest changes took from their mutation record to their
/// ranges being registered and to the next frame: the observer calls this
/// after each rescan with the time its batch's first record arrived. The
/// figures go to `escuchaNewPostLatency` in the content script's own world
/// (invisible to the page), where the benchmark reads them over CDP; at
/// most the last 1000 batches are kept.
pub fn record_latency(since: f64) {
    const KEEP: u32 = 1000;
    let registered = super::now() - since;
    let global = js_sys::global();
    let key = JsValue::from_str("escuchaNewPostLatency");
    let log: Array = match js_sys::Reflect::get(&global, &key).ok().and_then(|v| v.dyn_into::<Array>().ok()) {
        Some(a) => a,
        None => {
            let a = Array::new();
            let _ = js_sys::Reflect::set(&global, &key, &a);
            a
        }
    };
    if log.length() >= KEEP {
        log.shift();
    }
    let entry = js_sys::Float64Array::new_with_length(2);
    entry.set_index(0, registered);
    entry.set_index(1, f64::NAN);
    log.push(&entry);
    let frame = Closure::once_into_js(move || entry.set_index(1, super::now() - since));
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(frame.unchecked_ref());
    }
}

/// `painted` collects the nodes of the ranges made (see [`holds_painted`]).
pub fn scan(root: &Node, matcher: &Matcher, rules: &JsValue, scratch: &mut Scratch, painted: &js_sys::WeakSet) -> Result<Scan, JsValue> {
    let t = super::now();
    let collected = collect_text(root, rules)?;
    let t = mark_phase("collect", t);
    let shadow_roots = collected.shadow_roots().iter().map(|n| n.unchecked_into()).collect();
    let text = text_into(&collected, TEXT_BUFFER.take());
    let t = mark_phase("transfer", t);
    let mut mentions: Vec<Mention> = Vec::new();
    if !text.is_empty() {
        matcher.find_into(&text, scratch, &mut mentions);
    }
    TEXT_BUFFER.set(text.into_bytes());
    let t = mark_phase("match", t);
    if mentions.is_empty() {
        return Ok(Scan { found: Vec::new(), shadow_roots });
    }
    let spans = page_text::locate(&mentions, &collected.starts(), &collected.ends());
    let flat: Vec<u32> = spans.iter().flat_map(|s| [s.start_node, s.start_offset, s.end_node, s.end_offset]).collect();
    let ranges = make_ranges(&collected.nodes(), &flat, painted)?;
    let found = spans
        .iter()
        .enumerate()
        .map(|(i, s)| Found { group: s.group, term: s.term, range: ranges.get(i as u32).unchecked_into() })
        .collect();
    mark_phase("ranges", t);
    Ok(Scan { found, shadow_roots })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dom;
    use escucha_core::brands::BrandList;
    use wasm_bindgen_test::*;
    wasm_bindgen_test_configure!(run_in_browser);

    /// Load the real collector, as the manifest does for content scripts.
    fn load_collector() {
        js_sys::eval(include_str!("../../../../extension/content/text_collector.js")).expect("collector loads");
    }

    fn texts(found: &[Found]) -> Vec<String> {
        found.iter().map(|f| crate::content::range_text(&f.range)).collect()
    }

    /// Build `<tag>text</tag>` children under `parent` with DOM calls only.
    fn child(parent: &web_sys::Node, tag: &str, text: &str) -> web_sys::HtmlElement {
        let e = dom::el(tag, &[], text);
        parent.append_child(&e).unwrap();
        e
    }

    fn scan_fixture(root: &web_sys::Node) -> Scan {
        load_collector();
        let matcher = Matcher::new(&BrandList::default()).unwrap();
        scan(root, &matcher, &rules_object(), &mut Scratch::default(), &js_sys::WeakSet::new()).unwrap()
    }

    #[wasm_bindgen_test]
    fn finds_mentions_across_inline_elements_and_skips_editable_and_form_text() {
        let root = dom::el("div", &[], "");
        dom::document().body().unwrap().append_child(&root).unwrap();
        let p = child(&root, "p", "😀😀 Hola ");
        child(&p, "b", "ACME");
        p.append_with_str_1(" Corp y Telefonica.").unwrap();
        child(&root, "textarea", "Movistar en un textarea");
        let editable = child(&root, "div", "Orange en un borrador");
        editable.set_attribute("contenteditable", "true").unwrap();
        child(&root, "p", "Vivo en Orange County.");
        child(&root, "p", "ACME");
        child(&root, "p", "Corp no sigue a ACME: otro bloque.");

        let result = scan_fixture(&root);
        assert_eq!(texts(&result.found), vec!["ACME Corp", "Telefonica", "ACME", "ACME"]);
        // "ACME Corp" spans the <b> and the following text node.
        assert_ne!(result.found[0].range.start_container(), result.found[0].range.end_container());
        root.remove();
    }

    /// The text goes into wasm memory in passes when a first guess of one
    /// byte a unit is short (CJK is three bytes a unit; an emoji, four for
    /// two), and the buffer kept from a bigger scan is reused: the offsets
    /// must come out right either way.
    #[wasm_bindgen_test]
    fn text_needing_more_bytes_than_units_keeps_its_offsets() {
        let root = dom::el("div", &[], "");
        dom::document().body().unwrap().append_child(&root).unwrap();
        child(&root, "p", &format!("{} Movistar {} ACME Corp", "日本語".repeat(400), "😀".repeat(300)));
        let big = scan_fixture(&root);
        assert_eq!(texts(&big.found), vec!["Movistar", "ACME Corp"]);
        root.remove();
        let small = dom::el("div", &[], "");
        dom::document().body().unwrap().append_child(&small).unwrap();
        child(&small, "p", "ñ Orange");
        assert_eq!(texts(&scan_fixture(&small).found), vec!["Orange"]);
        small.remove();
    }

    #[wasm_bindgen_test]
    fn walks_open_shadow_roots_and_reports_them() {
        let host = dom::el("div", &[], "");
        dom::document().body().unwrap().append_child(&host).unwrap();
        let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
        child(&shadow, "p", "Dentro: Movistar responde.");
        let result = scan_fixture(&host);
        assert_eq!(texts(&result.found), vec!["Movistar"]);
        assert_eq!(result.shadow_roots.len(), 1);
        host.remove();
    }

    /// The text the matcher sees for `root`, separators shown as "|".
    fn seen(root: &web_sys::Node) -> String {
        load_collector();
        let c = collect_text(root, &rules_object()).unwrap();
        c.text().replace(escucha_core::matching::BLOCK_SEPARATOR, "|")
    }

    #[wasm_bindgen_test]
    fn word_boundaries_follow_layout_not_tags() {
        let body = dom::document().body().unwrap();
        let case = |build: &dyn Fn(&web_sys::Node)| {
            let root = dom::el("div", &[], "");
            body.append_child(&root).unwrap();
            build(&root);
            let got = seen(&root);
            root.remove();
            got
        };
        // Issue 15 row 1: a block's end does not glue to a following inline.
        let got = case(&|r| {
            let outer = child(r, "div", "");
            child(&outer, "div", "por");
            dom::append(&outer, &[&dom::el("a", &[("href", "#")], "Movistar")]);
        });
        assert_eq!(got, "por|Movistar");
        let got = case(&|r| {
            child(r, "div", "Me encanta Movistar");
            child(r, "span", "3 me gusta");
        });
        assert_eq!(got, "Me encanta Movistar|3 me gusta");
        let got = case(&|r| {
            child(r, "h3", "Autor");
            child(r, "b", "Vodafone");
            r.append_child(&dom::document().create_text_node(" responde")).unwrap();
        });
        assert_eq!(got, "Autor|Vodafone responde");
        // Row 6: a custom element is inline; a span made a block breaks.
        let got = case(&|r| {
            let p = child(r, "p", "");
            child(&p, "x-b", "Movi");
            p.append_child(&dom::document().create_text_node("star")).unwrap();
        });
        assert_eq!(got, "Movistar");
        let got = case(&|r| {
            let p = child(r, "p", "Tele");
            dom::append(&p, &[&dom::el("span", &[("style", "display:block")], "fónica")]);
        });
        assert_eq!(got, "Tele|fónica");
        // A custom element styled as a block breaks; a div made inline joins.
        let got = case(&|r| {
            let p = child(r, "div", "");
            dom::append(&p, &[&dom::el("x-post", &[("style", "display:block")], "ACME")]);
            p.append_child(&dom::document().create_text_node("Corp")).unwrap();
            dom::append(&p, &[&dom::el("div", &[("style", "display:inline")], "Tele")]);
            p.append_child(&dom::document().create_text_node("fónica")).unwrap();
        });
        assert_eq!(got, "ACME|CorpTelefónica");
        // <br>, images and empty blocks break; empty inlines and <wbr> do not.
        let got = case(&|r| {
            let p = child(r, "p", "Movi");
            child(&p, "br", "");
            p.append_child(&dom::document().create_text_node("star")).unwrap();
            child(&p, "img", "");
            p.append_child(&dom::document().create_text_node("Tele")).unwrap();
            child(&p, "span", "");
            child(&p, "wbr", "");
            p.append_child(&dom::document().create_text_node("fónica")).unwrap();
            child(&p, "div", "");
            p.append_child(&dom::document().create_text_node("fin")).unwrap();
        });
        assert_eq!(got, "Movi|star|Telefónica|fin");
        // A block nested in an inline ends its line too, also with nothing
        // after it inside the inline (the walk sees it end).
        let got = case(&|r| {
            let p = child(r, "p", "");
            let a = child(&p, "a", "");
            child(&a, "div", "Tele");
            p.append_child(&dom::document().create_text_node("fónica")).unwrap();
        });
        assert_eq!(got, "Tele|fónica");
    }

    #[wasm_bindgen_test]
    fn own_ui_is_never_scanned() {
        let root = dom::el("div", &[], "");
        dom::document().body().unwrap().append_child(&root).unwrap();
        let ours = child(&root, "div", "Movistar en la tarjeta de Escucha");
        ours.set_attribute(page_text::OWN_UI_ATTRIBUTE, "card").unwrap();
        child(&root, "p", "Movistar en la página");
        let result = scan_fixture(&root);
        assert_eq!(texts(&result.found), vec!["Movistar"]);
        assert_eq!(result.found[0].range.start_container().parent_element().unwrap().local_name(), "p");
        root.remove();
    }
}
