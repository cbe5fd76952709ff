//! Whether the page could be drawing over the card, from facts the content
//! script reads at Log time (the check Firefox needs: it has no
//! IntersectionObserver v2, so "visible" there means only "in view").
//!
//! The card's host is shown in the browser's top layer (`popover="manual"`
//! and `showPopover()`), above every ordinary element whatever its z-index,
//! and top-layer elements are not painted inside their ancestors (an
//! ancestor's opacity, filter or transform does not reach them). What can
//! still hide it or draw over it is then only:
//! - the page taking it out of the top layer (`hidePopover()`, removing the
//!   `popover` attribute, moving the host), or any other change the page
//!   makes to the host's attributes (its inline style is the only way to
//!   restyle it: `all: initial !important` inline beats every page rule);
//! - something the page put in the top layer after it (a popover, a modal
//!   dialog, a full-screen element): the browser does not tell the order of
//!   the top layer, so any other element there counts as covering;
//! - `::before` / `::after` on the host (page rules reach pseudo-elements);
//! - a hidden or collapsed ancestor (`checkVisibility`).

use serde::{Deserialize, Serialize};

/// What else is in the top layer, as the selector that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TopLayerKind {
    /// `:popover-open`
    Popover,
    /// `:modal` (a dialog opened with `showModal()`)
    Modal,
    /// `:fullscreen`
    Fullscreen,
}

impl TopLayerKind {
    /// The selectors the content script asks, in this order.
    pub const SELECTORS: [(&'static str, TopLayerKind); 3] =
        [(":popover-open", TopLayerKind::Popover), (":modal", TopLayerKind::Modal), (":fullscreen", TopLayerKind::Fullscreen)];
}

/// The host's computed style properties that can fade, hide, move or blend
/// the card, each with the only value that leaves it as drawn. An empty
/// value (a property the browser does not know) cannot act and is accepted.
pub const STYLE_EXPECTED: &[(&str, &str)] = &[
    ("display", "block"),
    ("visibility", "visible"),
    ("opacity", "1"),
    ("filter", "none"),
    ("transform", "none"),
    ("translate", "none"),
    ("scale", "none"),
    ("rotate", "none"),
    ("clip-path", "none"),
    ("mask-image", "none"),
    ("mix-blend-mode", "normal"),
    ("content-visibility", "visible"),
    ("offset-path", "none"),
    ("outline-style", "none"),
    ("zoom", "1"),
];

/// The host's pseudo-elements a page rule could draw over the card with.
pub const PSEUDO_ELEMENTS: [&str; 2] = ["::before", "::after"];

/// What the content script saw at Log time (raw values: the decision is
/// [`covered`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverFacts {
    /// Our host matches `:popover-open` (it is in the top layer).
    pub on_top_layer: bool,
    /// The page changed an attribute of our host since it was shown.
    pub tampered: bool,
    /// Every other element in the top layer, in document order.
    pub others: Vec<TopLayerKind>,
    /// The host's computed values for [`STYLE_EXPECTED`]'s properties.
    pub style: Vec<(String, String)>,
    /// The computed `content` of each of [`PSEUDO_ELEMENTS`].
    pub pseudo: Vec<(String, String)>,
    /// `host.checkVisibility(…)`, None where the browser has none.
    pub check_visibility: Option<bool>,
}

/// Why the card counts as covered (all refuse Log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverReason {
    /// No facts came (the content script did not answer in time).
    NoAnswer,
    /// Our host is not in the top layer.
    NotOnTopLayer,
    /// The page changed our host's attributes.
    Tampered,
    /// Something else is in the top layer, maybe above the card.
    TopLayer { kind: TopLayerKind },
    /// A property of the host is not as we drew it.
    Styled { property: String, value: String },
    /// A page rule generates content on the host.
    Pseudo { pseudo: String, content: String },
    /// The browser says the host is not rendered visibly.
    Hidden,
}

/// The reason the card may be covered, or None when nothing the page can
/// do draws over it. Missing facts are a refusal: a wrong capture is worse
/// than a second click.
pub fn covered(facts: Option<&CoverFacts>) -> Option<CoverReason> {
    let Some(f) = facts else { return Some(CoverReason::NoAnswer) };
    if !f.on_top_layer {
        return Some(CoverReason::NotOnTopLayer);
    }
    if f.tampered {
        return Some(CoverReason::Tampered);
    }
    if let Some(kind) = f.others.first() {
        return Some(CoverReason::TopLayer { kind: *kind });
    }
    if f.check_visibility == Some(false) {
        return Some(CoverReason::Hidden);
    }
    for (property, want) in STYLE_EXPECTED {
        // A property not reported at all is unknown, which refuses; one the
        // browser does not implement reads "" and cannot act.
        match f.style.iter().find(|(p, _)| p == property) {
            Some((_, v)) if v.is_empty() || v == want => {}
            Some((_, v)) => return Some(CoverReason::Styled { property: property.to_string(), value: v.clone() }),
            None => return Some(CoverReason::Styled { property: property.to_string(), value: String::new() }),
        }
    }
    for pseudo in PSEUDO_ELEMENTS {
        match f.pseudo.iter().find(|(p, _)| p == pseudo) {
            Some((_, c)) if c == "none" || c == "normal" || c.is_empty() => {}
            Some((_, c)) => return Some(CoverReason::Pseudo { pseudo: pseudo.to_string(), content: c.clone() }),
            None => return Some(CoverReason::Pseudo { pseudo: pseudo.to_string(), content: String::new() }),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> CoverFacts {
        CoverFacts {
            on_top_layer: true,
            tampered: false,
            others: vec![],
            style: STYLE_EXPECTED.iter().map(|(p, v)| (p.to_string(), v.to_string())).collect(),
            pseudo: PSEUDO_ELEMENTS.iter().map(|p| (p.to_string(), "none".to_string())).collect(),
            check_visibility: Some(true),
        }
    }

    fn with_style(property: &str, value: &str) -> CoverFacts {
        let mut f = clean();
        f.style.iter_mut().find(|(p, _)| p == property).unwrap().1 = value.to_string();
        f
    }

    fn styled(property: &str, value: &str) -> Option<CoverReason> {
        Some(CoverReason::Styled { property: property.into(), value: value.into() })
    }

    #[test]
    fn only_a_card_alone_on_top_and_as_drawn_is_uncovered() {
        let mut no_pseudo = clean();
        no_pseudo.pseudo[1].1 = "normal".into();
        let mut unknown_property = clean();
        unknown_property.style.retain(|(p, _)| p != "zoom");
        let mut after = clean();
        after.pseudo[1].1 = "\"\"".into();
        let mut missing_pseudo = clean();
        missing_pseudo.pseudo.clear();
        let cases: Vec<(&str, Option<CoverFacts>, Option<CoverReason>)> = vec![
            ("as drawn", Some(clean()), None),
            ("no checkVisibility (older browser)", Some(CoverFacts { check_visibility: None, ..clean() }), None),
            ("pseudo content 'normal'", Some(no_pseudo), None),
            ("a property this browser lacks reads empty", Some(with_style("zoom", "")), None),
            ("no answer", None, Some(CoverReason::NoAnswer)),
            ("hidePopover / popover removed", Some(CoverFacts { on_top_layer: false, ..clean() }), Some(CoverReason::NotOnTopLayer)),
            ("host attributes changed", Some(CoverFacts { tampered: true, ..clean() }), Some(CoverReason::Tampered)),
            (
                "a page popover",
                Some(CoverFacts { others: vec![TopLayerKind::Popover], ..clean() }),
                Some(CoverReason::TopLayer { kind: TopLayerKind::Popover }),
            ),
            (
                "a modal dialog",
                Some(CoverFacts { others: vec![TopLayerKind::Modal, TopLayerKind::Popover], ..clean() }),
                Some(CoverReason::TopLayer { kind: TopLayerKind::Modal }),
            ),
            (
                "full screen",
                Some(CoverFacts { others: vec![TopLayerKind::Fullscreen], ..clean() }),
                Some(CoverReason::TopLayer { kind: TopLayerKind::Fullscreen }),
            ),
            ("an ancestor hides it", Some(CoverFacts { check_visibility: Some(false), ..clean() }), Some(CoverReason::Hidden)),
            ("faded", Some(with_style("opacity", "0.05")), styled("opacity", "0.05")),
            ("closed popover kept displayed", Some(with_style("display", "none")), styled("display", "none")),
            ("visibility", Some(with_style("visibility", "hidden")), styled("visibility", "hidden")),
            ("filter", Some(with_style("filter", "opacity(0.1)")), styled("filter", "opacity(0.1)")),
            (
                "transform",
                Some(with_style("transform", "matrix(0.01, 0, 0, 0.01, 0, 0)")),
                styled("transform", "matrix(0.01, 0, 0, 0.01, 0, 0)"),
            ),
            ("scale", Some(with_style("scale", "0.01")), styled("scale", "0.01")),
            ("clip-path", Some(with_style("clip-path", "inset(50%)")), styled("clip-path", "inset(50%)")),
            (
                "mask",
                Some(with_style("mask-image", "linear-gradient(transparent, transparent)")),
                styled("mask-image", "linear-gradient(transparent, transparent)"),
            ),
            ("blend", Some(with_style("mix-blend-mode", "multiply")), styled("mix-blend-mode", "multiply")),
            ("content-visibility", Some(with_style("content-visibility", "hidden")), styled("content-visibility", "hidden")),
            ("inset outline", Some(with_style("outline-style", "solid")), styled("outline-style", "solid")),
            ("zoom", Some(with_style("zoom", "0.1")), styled("zoom", "0.1")),
            ("a property not reported", Some(unknown_property), styled("zoom", "")),
            ("::after drawn over it", Some(after), Some(CoverReason::Pseudo { pseudo: "::after".into(), content: "\"\"".into() })),
            ("pseudo not reported", Some(missing_pseudo), Some(CoverReason::Pseudo { pseudo: "::before".into(), content: String::new() })),
        ];
        for (name, facts, want) in cases {
            assert_eq!(covered(facts.as_ref()), want, "{name}");
        }
    }

    #[test]
    fn facts_read_from_the_content_scripts_json() {
        let json = r#"{"onTopLayer":true,"tampered":false,"others":["popover","fullscreen"],
            "style":[["opacity","1"]],"pseudo":[["::before","none"]],"checkVisibility":null}"#;
        let f: CoverFacts = serde_json::from_str(json).unwrap();
        assert_eq!(f.others, vec![TopLayerKind::Popover, TopLayerKind::Fullscreen]);
        assert_eq!(f.style, vec![("opacity".to_string(), "1".to_string())]);
        assert_eq!(f.check_visibility, None);
    }
}
