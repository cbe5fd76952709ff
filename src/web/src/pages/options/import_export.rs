//! The brand list as JSON: the JSON box, importing a file, exporting one.

use super::*;

/// Parse JSON (the box or a file); Ok with the list, or localized errors.
pub(super) fn parse_json(text: &str) -> Result<BrandList, Vec<UiError>> {
    BrandList::from_json(text).map_err(|errs| {
        // Validation errors name groups and terms of the list that was read.
        let parsed: Option<BrandList> = serde_json::from_str(text).ok();
        errs.iter()
            .map(|e| {
                let mut ui = errors::brand_error(e, parsed.as_ref(), &JsonLocator);
                if e.line.is_none() {
                    ui.line = None;
                }
                ui
            })
            .collect()
    })
}

/// Replace the editor's groups with `list` (after a successful import).
pub(super) fn load_list(app: &App, list: BrandList) {
    flush_terms(app);
    {
        let mut st = app.state.borrow_mut();
        st.version = list.version;
        st.groups = list.groups.into_iter().map(GroupModel::new).collect();
        st.json_dirty = false;
        st.undo = None;
    }
    app.ui.undo_bar.set_attribute("hidden", "").ok();
    render_groups(app);
    mark_dirty(app);
}

/// Put an imported list into the editor (and the JSON box); not saved yet.
pub(super) fn load_imported(app: &App, list: BrandList) {
    let n = list.groups.len();
    app.ui.json.set_value(&list.to_json_pretty());
    load_list(app, list);
    clear_errors(app);
    let key = words::count(n as u64, Key::OptionsImportedOne, Key::OptionsImportedOther);
    set_status(app, &t(key, &[&n.to_string()]), "");
}

/// Load the JSON box into the editor. On failure the errors are shown and the
/// editor is unchanged; the caller words the status line.
pub(super) fn apply_json(app: &App) -> Result<(), Vec<UiError>> {
    match parse_json(&app.ui.json.value()) {
        Ok(list) => {
            load_imported(app, list);
            Ok(())
        }
        Err(errs) => {
            show_errors(app, &errs);
            Err(errs)
        }
    }
}

pub(super) async fn import_file(app: &Rc<App>) {
    let input = &app.ui.import_file;
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
        Ok(v) => v.as_string().unwrap_or_default(),
        Err(e) => {
            set_status(app, &t(Key::ErrorGeneric, &[&platform::describe_js_error(&e)]), "error");
            return;
        }
    };
    input.set_value(""); // the same file can be chosen again after fixing it
    match parse_json(&text) {
        Ok(list) => {
            load_imported(app, list);
        }
        Err(errs) => {
            // The file's problems are listed under the import controls; the
            // JSON box is left as it was.
            let errs: Vec<UiError> = errs.into_iter().map(|e| UiError { field: "import-file".into(), line: None, ..e }).collect();
            show_errors(app, &errs);
            set_status(app, &t(Key::OptionsImportFailed, &[&first_message(&errs)]), "error");
        }
    }
}

pub(super) fn export(app: &App) {
    if app.state.borrow().json_dirty {
        if let Err(errs) = apply_json(app) {
            return set_status(app, &t(Key::OptionsImportFailed, &[&first_message(&errs)]), "error");
        }
    }
    let list = current_list(app);
    let errs = brand_errors(app, &list);
    if !errs.is_empty() {
        show_errors(app, &errs);
        set_status(app, &t(Key::OptionsExportFailed, &[]), "error");
        return;
    }
    if let Err(e) = dom::download("escucha-brands.json", "application/json", &list.to_json_pretty()) {
        set_status(app, &t(Key::ErrorGeneric, &[&platform::describe_js_error(&e)]), "error");
        return;
    }
    clear_errors(app);
    set_status(app, &t(Key::OptionsExported, &[]), "ok");
}
