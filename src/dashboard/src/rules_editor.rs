//! The routing rules editor (rules13): the ordered rule list of the team
//! configuration, edited by admins inside the configuration form and saved
//! with it. What rules mean is `escucha_core::routing`.

use std::cell::RefCell;

use escucha_core::routing::Rule;

thread_local! {
    static RULES: RefCell<Vec<Rule>> = const { RefCell::new(Vec::new()) };
}

/// The rules as edited (what the configuration form saves).
pub fn rules() -> Vec<Rule> {
    RULES.with(|r| r.borrow().clone())
}

/// Show a loaded document's rules.
pub fn show(rules: &[Rule]) {
    RULES.with(|r| *r.borrow_mut() = rules.to_vec());
}
