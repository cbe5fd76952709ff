//! verify13: the team's own accounts per site, shown read-only while a team
//! configuration applies (admins edit them in the dashboard). Text only.

use super::*;
use escucha_core::team_config::TeamConfigState;

pub(super) fn mount(app: &Rc<App>, team: &TeamConfigState, after: &web_sys::Node) {
    let Some(active) = &team.active else { return };
    let accounts = &active.doc.config.team_accounts;
    let section =
        dom::el("section", &[("id", "team-accounts-section"), ("aria-labelledby", "team-accounts-title"), ("data-team", "true")], "");
    section.append_child(&dom::el("h2", &[("id", "team-accounts-title")], &t(Key::OptionsTeamAccounts, &[]))).ok();
    section.append_child(&dom::el("p", &[("class", "hint")], &t(Key::OptionsTeamAccountsHint, &[]))).ok();
    if accounts.is_empty() {
        section.append_child(&dom::el("p", &[("id", "team-accounts-none")], &t(Key::OptionsTeamAccountsNone, &[]))).ok();
    } else {
        let list = dom::el("ul", &[("id", "team-accounts")], "");
        for (site, handles) in &accounts.0 {
            list.append_child(&dom::el("li", &[], &format!("{site}: {}", handles.join(", ")))).ok();
        }
        section.append_child(&list).ok();
    }
    let _ = app.ui.root.insert_before(&section, after.next_sibling().as_ref());
}
