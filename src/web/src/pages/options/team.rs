//! config12: while a team configuration applies, the page says which version
//! runs and from where, shows the team's brand list, departments, capture
//! defaults and site rules read-only, and lets the member edit only their
//! own additions (extra terms; the sites they switched off are listed).

use super::*;
use escucha_core::protocol::requests::{GetTeamConfig, SavePersonalTerms};
use escucha_core::team_config::{self as core, PersonalTermState, TeamConfigState};

/// The sections that are the team's while its configuration applies.
const TEAM_SECTIONS: [&str; 4] = ["brands-section", "import-export", "departments-section", "defaults-section"];

pub(super) async fn load() -> Option<TeamConfigState> {
    platform::send(&GetTeamConfig {}).await.ok()
}

/// Values the organization's policy sets are shown locked (the service
/// worker applies them whatever is stored).
pub(super) fn lock_policy(team: Option<&TeamConfigState>) {
    let Some(policy) = team.map(|t| &t.policy) else { return };
    let doc = dom::document();
    let mut lines = vec![];
    if policy.endpoint.is_some() {
        if let Some(mode) = doc.get_element_by_id("sync-mode") {
            mode.set_attribute("disabled", "").ok();
            mode.set_attribute("data-locked", "policy").ok();
        }
        if let Some(endpoint) = doc.get_element_by_id("sync-endpoint") {
            endpoint.set_attribute("readonly", "").ok();
            endpoint.set_attribute("data-locked", "policy").ok();
        }
        lines.push(t(Key::OptionsLockedByPolicy, &[]));
    }
    if let Some(team) = &policy.team {
        lines.push(t(Key::OptionsPolicyTeam, &[team]));
    }
    if lines.is_empty() {
        return;
    }
    let note = dom::el("p", &[("id", "sync-policy"), ("class", "muted small")], &lines.join(" "));
    if let Some(endpoint) = doc.get_element_by_id("sync-endpoint") {
        if let Some(field) = endpoint.parent_element() {
            let _ = field.after_with_node_1(&note);
        }
    }
}

/// What the editor shows: the team's parts when a team document applies.
pub(super) fn shown(mut settings: Settings, team: Option<&TeamConfigState>) -> Settings {
    if let Some(active) = team.and_then(|t| t.active.as_ref()) {
        let c = &active.doc.config;
        settings.brands = c.brands.clone();
        settings.departments = c.departments.clone();
        settings.capture_defaults = c.capture_defaults.clone();
        settings.sites.deny = c.deny.clone();
    }
    settings
}

pub(super) fn mount(app: &Rc<App>, team: TeamConfigState) {
    let Some(active) = &team.active else { return };
    let doc = dom::document();
    let version = active.doc.version.to_string();
    let banner = dom::el(
        "p",
        &[("id", "team-config"), ("class", "team-config"), ("role", "status"), ("data-version", &version)],
        &t(Key::OptionsTeamConfigActive, &[&version, &active.server]),
    );
    let _ = app.ui.root.insert_before(&banner, app.ui.root.first_child().and_then(|h| h.next_sibling()).as_ref());
    for id in TEAM_SECTIONS {
        if let Some(s) = doc.get_element_by_id(id) {
            s.set_attribute("inert", "").ok();
            s.set_attribute("data-team", "true").ok();
        }
    }
    app.ui.deny.set_read_only(true);

    let section = dom::el("section", &[("id", "personal-section"), ("aria-labelledby", "personal-section-title")], "");
    section.append_child(&dom::el("h2", &[("id", "personal-section-title")], &t(Key::OptionsPersonalHeading, &[]))).ok();
    section.append_child(&dom::el("p", &[("id", "personal-hint"), ("class", "hint")], &t(Key::OptionsPersonalHint, &[]))).ok();
    let area: HtmlTextAreaElement =
        dom::el("textarea", &[("id", "personal-terms"), ("rows", "4"), ("spellcheck", "false"), ("aria-describedby", "personal-hint")], "")
            .unchecked_into();
    area.set_value(&core::personal_terms_text(&team.personal_terms));
    section.append_child(&area).ok();
    let notes = dom::el("ul", &[("id", "personal-notes"), ("class", "field-errors")], "");
    for (term, state) in &team.personal {
        let key = match state {
            PersonalTermState::Applied => continue,
            PersonalTermState::InTeamList => Key::OptionsPersonalInTeam,
            PersonalTermState::GroupGone => Key::OptionsPersonalGroupGone,
            PersonalTermState::Refused => Key::OptionsPersonalRefused,
        };
        notes.append_child(&dom::el("li", &[], &t(key, &[&term.text, &term.group]))).ok();
    }
    section.append_child(&notes).ok();
    let sites = if team.disabled_sites.is_empty() { "—".to_string() } else { team.disabled_sites.join(", ") };
    section.append_child(&dom::el("p", &[("id", "personal-sites")], &t(Key::OptionsPersonalSites, &[&sites]))).ok();
    let save = dom::el("button", &[("id", "personal-save"), ("type", "button")], &t(Key::OptionsSave, &[]));
    let status = dom::el("p", &[("id", "personal-status"), ("role", "status")], "");
    section.append_child(&save).ok();
    section.append_child(&status).ok();
    let _ = app.ui.root.insert_before(&section, banner.next_sibling().as_ref());
    super::team_accounts::mount(app, &team, &section); // verify13

    let (area, status2, notes2) = (area.clone(), status.clone(), notes.clone());
    events::listen(&save, "click", move |_: Event| {
        let (area, status, notes) = (area.clone(), status2.clone(), notes2.clone());
        wasm_bindgen_futures::spawn_local(async move {
            notes.set_text_content(None);
            let terms = match core::parse_personal_terms(&area.value()) {
                Ok(terms) => terms,
                Err(lines) => {
                    let first = lines.first().map(|l| t(Key::OptionsPersonalLine, &[&l.to_string()])).unwrap_or_default();
                    for line in lines {
                        notes.append_child(&dom::el("li", &[], &t(Key::OptionsPersonalLine, &[&line.to_string()]))).ok();
                    }
                    status.set_text_content(Some(&t(Key::OptionsNotSaved, &[&first])));
                    return;
                }
            };
            match platform::send(&SavePersonalTerms { terms }).await {
                Ok(_) => status.set_text_content(Some(&t(Key::OptionsSaved, &[]))),
                Err(e) => status.set_text_content(Some(&platform::error_text(&e))),
            }
        });
    });
}
