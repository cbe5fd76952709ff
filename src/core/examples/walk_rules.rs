//! Print the text walk's rules (escucha_core::page_text::walk_rules) as JSON,
//! for the highlighting benchmark, which runs the collector in a page's main
//! world to price the layout-aware boundaries.
fn main() {
    println!("{}", serde_json::to_string(&escucha_core::page_text::walk_rules()).expect("rules serialize"));
}
