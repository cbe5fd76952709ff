//! The *Sites* section: sites switched off from the popup, switched back on here.

use super::*;

pub(super) fn render_disabled_sites(app: &App) {
    let st = app.state.borrow();
    let list = &app.ui.disabled;
    list.set_text_content(None);
    let sites: Vec<&String> = st.base.sites.disabled_sites.iter().filter(|s| !st.reenabled.contains(s)).collect();
    if sites.is_empty() {
        list.append_child(&dom::el("li", &[("class", "muted")], &t(Key::OptionsDisabledSitesNone, &[]))).ok();
    }
    for site in sites {
        let li = dom::el("li", &[], "");
        let host = dom::el("span", &[("class", "site")], site);
        let label = t(Key::OptionsReenableSiteLabel, &[site]);
        let button = dom::el(
            "button",
            &[("type", "button"), ("data-site", site), ("aria-label", &label), ("title", &label)],
            &t(Key::OptionsReenableSite, &[]),
        );
        dom::append(&li, &[&host, &button]);
        list.append_child(&li).ok();
    }
}
