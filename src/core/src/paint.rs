//! How mentions are painted so that page scripts learn nothing from it.
//!
//! `CSS.highlights` is one registry per document, shared with the page's own
//! scripts: a page that planted a dictionary could read back which words we
//! highlight (the brand list) and, from the layer names, which comments the
//! team logged and their status. So nothing page-readable names a range or a
//! status. Mentions are painted as plain boxes in an overlay: one host
//! element whose shadow root is CLOSED (its content is unreachable from page
//! scripts), sized 0×0 so its box tells nothing, `pointer-events: none` so
//! hit testing (`elementsFromPoint`, clicks, `caretPositionFromPoint`) goes
//! through it to the page as if it were not there. Only ranges near the
//! viewport get boxes, from the ranges' client rects; the rest wait until an
//! `IntersectionObserver` says their text came near.
//!
//! The layers keep the names the highlights had (`escucha-g0`…,
//! `escucha-logged-<status>`, `escucha-flash`): they are class names inside
//! the closed root and the names the debug answer (`GetPainted`) uses.

use crate::brands::BrandGroup;
use crate::log::Status;
use crate::page_text::{highlight_name, logged_highlight_name, FLASH_HIGHLIGHT};

/// The overlay host's style, as `:host` rules of the closed root's own sheet
/// (each `!important`: an important rule of the inner tree beats any page
/// rule aimed at the host, inline or not, and the host carries no style
/// attribute for the page to read). 0×0 at the document origin and
/// overflowing: boxes are placed in document coordinates, so the page's own
/// scrolling carries them without any work from us.
pub const OVERLAY_HOST_STYLE: &[(&str, &str)] = &[
    ("all", "initial"),
    ("position", "absolute"),
    ("left", "0px"),
    ("top", "0px"),
    ("width", "0px"),
    ("height", "0px"),
    ("overflow", "visible"),
    ("display", "block"),
    ("pointer-events", "none"),
    ("z-index", "2147483646"),
];

/// The overlay's stylesheet (inside the closed root). Boxes are the group's
/// colour, translucent over the text. (`mix-blend-mode: multiply` on the
/// host looked more like a highlighter pen but was measured: every scrolled
/// frame of the 10k-post thread took 50–100 ms instead of 16.7.) Colours come from a
/// validated brand list (`#rgb`/`#rrggbb`); anything else falls back to the
/// default so nothing from settings can inject CSS.
pub fn overlay_css(groups: &[BrandGroup]) -> String {
    let mut css = String::from(":host {");
    for (k, v) in OVERLAY_HOST_STYLE {
        css.push_str(&format!(" {k}: {v} !important;"));
    }
    css.push_str(" }\n");
    css.push_str(
        "div { position: absolute; pointer-events: none; box-sizing: border-box; margin: 0; padding: 0; border: 0; }\n\
         .layer { left: 0; top: 0; width: 0; height: 0; }\n",
    );
    for (i, g) in groups.iter().enumerate() {
        let color = if is_hex_color(&g.color) { g.color.as_str() } else { "#ffd54f" };
        css.push_str(&format!(".{} {{ background-color: {color}; opacity: 0.4; }}\n", highlight_name(i as u32)));
    }
    for status in Status::ALL {
        let (style, color) = logged_style(status);
        css.push_str(&format!(".{} {{ border-bottom: 2px {style} {color}; }}\n", logged_highlight_name(status)));
    }
    css.push_str(&format!(".{FLASH_HIGHLIGHT} {{ background-color: #1c7ed6; opacity: 0.45; outline: 3px solid #1c7ed6; }}\n"));
    css
}

/// The order layers stack in, bottom first: groups, then logged, then flash.
pub fn layer_order(groups: usize) -> Vec<String> {
    let mut names: Vec<String> = (0..groups as u32).map(highlight_name).collect();
    names.extend(Status::ALL.map(logged_highlight_name));
    names.push(FLASH_HIGHLIGHT.to_string());
    names
}

/// Underline per status: open work dashed, settled work solid.
fn logged_style(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::New => ("dashed", "#1c7ed6"),
        Status::NeedsResponse => ("dashed", "#e8590c"),
        Status::Escalated => ("dashed", "#c92a2a"),
        Status::Responded => ("solid", "#2b8a3e"),
        Status::Closed => ("solid", "#868e96"),
    }
}

fn is_hex_color(c: &str) -> bool {
    c.strip_prefix('#').is_some_and(|h| (h.len() == 3 || h.len() == 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(color: &str) -> BrandGroup {
        serde_json::from_value(serde_json::json!({ "name": "G", "color": color, "terms": [] })).unwrap()
    }

    #[test]
    fn colours_are_validated_and_nothing_else_gets_in() {
        let css = overlay_css(&[group("#abc"), group("red; } * { display:none"), group("#12345g")]);
        assert!(css.contains(".escucha-g0 { background-color: #abc;"));
        assert!(css.contains(".escucha-g1 { background-color: #ffd54f;"));
        assert!(css.contains(".escucha-g2 { background-color: #ffd54f;"));
        assert!(!css.contains("display:none"));
        assert!(css.contains(".escucha-logged-escalated { border-bottom: 2px dashed"));
        assert!(css.contains(".escucha-flash {"));
        assert!(css.starts_with(":host { all: initial !important;"));
        assert!(css.contains("pointer-events: none !important;"));
    }

    #[test]
    fn layers_stack_groups_then_logged_then_flash() {
        let order = layer_order(2);
        assert_eq!(order.first().map(String::as_str), Some("escucha-g0"));
        assert_eq!(order.get(2).map(String::as_str), Some("escucha-logged-new"));
        assert_eq!(order.last().map(String::as_str), Some(FLASH_HIGHLIGHT));
        assert_eq!(order.len(), 2 + Status::ALL.len() + 1);
    }

    #[test]
    fn the_host_is_inert_and_empty() {
        let get = |k: &str| OVERLAY_HOST_STYLE.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        assert_eq!(get("pointer-events"), Some("none"));
        assert_eq!(get("width"), Some("0px"));
        assert_eq!(get("height"), Some("0px"));
    }
}
