//! The team accounts box of the Team configuration section (verify13): the
//! team's own handles and profile links per site, one `site: handle, link`
//! per line (`escucha_core::team_accounts::TeamAccounts::from_lines` reads it;
//! the server's one validation words its problems). Set as text only.

use web_sys::HtmlTextAreaElement;

const BOX: &str = "config-team-accounts";

fn textarea() -> HtmlTextAreaElement {
    escucha_ui::dom::by_id(BOX)
}

/// The text typed.
pub fn read() -> String {
    textarea().value()
}

/// Show the document's accounts (`ConfigForm::team_accounts`).
pub fn put(text: &str) {
    textarea().set_value(text);
}
