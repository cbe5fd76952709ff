//! Saving: validated edits are sent to the service worker, on top of what is
//! stored now.

use super::*;
use escucha_core::protocol::requests::{GetSettings, SaveSettings};
use escucha_core::protocol::ProtocolError;

pub(super) fn spawn_save(app: &Rc<App>) {
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move { save(&a).await });
}

pub(super) async fn save(app: &Rc<App>) {
    if app.state.borrow().saving {
        return;
    }
    let pending_json = app.state.borrow().json_dirty;
    if pending_json {
        if let Err(errs) = apply_json(app) {
            return not_saved(app, &errs);
        }
    }
    let (brands, deny, departments) = match collect(app) {
        Ok(v) => v,
        Err(errs) => return not_saved(app, &errs),
    };
    clear_errors(app);
    {
        let mut st = app.state.borrow_mut();
        if st.problem.is_some() && !st.overwrite_confirmed {
            st.overwrite_confirmed = true;
            drop(st);
            set_status(app, &t(Key::OptionsConfirmOverwrite, &[]), "error");
            return;
        }
        st.saving = true;
    }
    app.ui.save.set_attribute("aria-busy", "true").ok();
    set_status(app, &t(Key::OptionsSaving, &[]), "");
    let edits_at_start = app.state.borrow().edits;

    // Start from what is stored now, so that a site switched off from the
    // popup while this page was open is kept.
    let fresh = platform::send(&GetSettings {}).await.ok().filter(|r| r.problem.is_none()).map(|r| r.settings);
    let mut settings = {
        let st = app.state.borrow();
        let mut s = fresh.unwrap_or_else(|| st.base.clone());
        s.sites.disabled_sites.retain(|site| !st.reenabled.contains(site));
        s
    };
    settings.brands = brands;
    settings.sites.deny = deny;
    settings.departments = departments;
    settings.capture_defaults = read_defaults(&app.ui.defaults);

    let reply = platform::send(&SaveSettings { settings: settings.clone() }).await;
    app.state.borrow_mut().saving = false;
    app.ui.save.remove_attribute("aria-busy").ok();
    match reply {
        Ok(_) => {
            {
                let mut st = app.state.borrow_mut();
                st.base = settings;
                st.problem = None;
                st.reenabled.clear();
                st.dirty = st.edits != edits_at_start;
            }
            app.ui.problem.set_attribute("hidden", "").ok();
            if !app.state.borrow().json_dirty {
                app.ui.json.set_value(&app.state.borrow().base.brands.to_json_pretty());
            }
            render_disabled_sites(app);
            show_dirty(app, app.state.borrow().dirty);
            set_status(app, &t(Key::OptionsSaved, &[]), "ok");
        }
        // The validator's report follows "Not saved:" as before.
        Err(ProtocolError::Invalid { detail }) => set_status(app, &t(Key::OptionsNotSaved, &[&detail]), "error"),
        Err(e) => set_status(app, &platform::error_text(&e), "error"),
    }
}
