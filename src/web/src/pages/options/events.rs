//! The options page's event wiring: one delegated listener per container,
//! which reads the target's `data-field` / `data-action` and the group's
//! `data-index`, so re-rendering a group list creates no closures.

use super::*;

pub(super) fn listen<E: JsCast + 'static>(target: &web_sys::EventTarget, event: &str, f: impl Fn(E) + 'static) {
    let cb = Closure::<dyn Fn(Event)>::new(move |e: Event| f(e.unchecked_into()));
    target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).expect("listener");
    cb.forget(); // page-lifetime listeners on long-lived containers
}

pub(super) fn target_el(e: &Event) -> Option<Element> {
    e.target()?.dyn_into::<Element>().ok()
}

pub(super) fn group_index(el: &Element) -> Option<usize> {
    el.closest(".group").ok()??.get_attribute("data-index")?.parse().ok()
}

pub(super) fn wire(app: &Rc<App>) {
    let ui = &app.ui;
    {
        let a = app.clone();
        listen(&ui.groups, "input", move |e: Event| on_group_input(&a, &e));
    }
    {
        let a = app.clone();
        listen(&ui.groups, "change", move |e: Event| on_group_change(&a, &e));
    }
    {
        let a = app.clone();
        listen(&ui.groups, "click", move |e: Event| on_group_click(&a, &e));
    }
    for ev in ["keyup", "focusin", "select"] {
        let a = app.clone();
        listen(&ui.groups, ev, move |e: Event| {
            if let Some(el) = target_el(&e) {
                if el.get_attribute("data-field").as_deref() == Some("terms") {
                    caret_moved(&a, &el);
                }
            }
        });
    }
    {
        let a = app.clone();
        listen(&ui.add_group, "click", move |_: Event| add_group(&a));
    }
    {
        let a = app.clone();
        listen(&ui.undo, "click", move |_: Event| undo_delete(&a));
    }
    {
        let a = app.clone();
        listen(&ui.save, "click", move |_: Event| spawn_save(&a));
    }
    {
        let a = app.clone();
        listen(&dom::document(), "keydown", move |e: KeyboardEvent| {
            if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("s") {
                e.prevent_default();
                spawn_save(&a);
            }
        });
    }
    {
        let a = app.clone();
        let window = web_sys::window().expect("window");
        listen(&window, "beforeunload", move |e: Event| {
            if a.state.borrow().dirty {
                e.prevent_default();
                js_sys::Reflect::set(&e, &"returnValue".into(), &"".into()).ok();
            }
        });
    }
    for area in [&ui.deny, &ui.departments] {
        let a = app.clone();
        listen(area, "input", move |_: Event| mark_dirty(&a));
    }
    let d = &ui.defaults;
    for control in [
        d.sentiment.unchecked_ref::<web_sys::EventTarget>(),
        d.status.unchecked_ref(),
        d.priority.unchecked_ref(),
        d.department.unchecked_ref(),
        d.tags.unchecked_ref(),
    ] {
        let a = app.clone();
        listen(control, "input", move |_: Event| mark_dirty(&a));
    }
    {
        let a = app.clone();
        listen(&ui.json, "input", move |_: Event| {
            a.state.borrow_mut().json_dirty = true;
            mark_dirty(&a);
        });
    }
    {
        let a = app.clone();
        listen(&ui.json_details, "toggle", move |_: Event| {
            // Show the editor's current list when opened (unless the box holds unapplied edits).
            if a.ui.json_details.has_attribute("open") && !a.state.borrow().json_dirty {
                let list = current_list(&a);
                a.ui.json.set_value(&list.to_json_pretty());
            }
        });
    }
    {
        let a = app.clone();
        listen(&ui.json_apply, "click", move |_: Event| {
            if let Err(errs) = apply_json(&a) {
                set_status(&a, &t(Key::OptionsImportFailed, &[&first_message(&errs)]), "error");
            }
        });
    }
    {
        let a = app.clone();
        listen(&ui.export, "click", move |_: Event| export(&a));
    }
    {
        let a = app.clone();
        listen(&ui.import_file, "change", move |_: Event| {
            let a = a.clone();
            wasm_bindgen_futures::spawn_local(async move { import_file(&a).await });
        });
    }
    {
        let a = app.clone();
        listen(&ui.disabled, "click", move |e: Event| {
            let Some(el) = target_el(&e) else { return };
            let Some(site) = el.closest("button[data-site]").ok().flatten().and_then(|b| b.get_attribute("data-site")) else {
                return;
            };
            a.state.borrow_mut().reenabled.push(site);
            render_disabled_sites(&a);
            mark_dirty(&a);
        });
    }
    {
        let a = app.clone();
        listen(&ui.summary_list, "click", move |e: Event| {
            let Some(b) = target_el(&e).and_then(|el| el.closest("button[data-goto]").ok().flatten()) else { return };
            let field = b.get_attribute("data-goto").unwrap_or_default();
            let line = b.get_attribute("data-line").and_then(|l| l.parse().ok());
            go_to(&a, &field, line);
        });
    }
}

pub(super) fn on_group_input(app: &Rc<App>, e: &Event) {
    let Some(el) = target_el(e) else { return };
    let Some(gi) = group_index(&el) else { return };
    let field = el.get_attribute("data-field").unwrap_or_default();
    let fieldset = el.closest(".group").ok().flatten();
    if field == "terms" {
        let mut st = app.state.borrow_mut();
        if !st.pending_terms.contains(&gi) {
            st.pending_terms.push(gi);
        }
        if !st.flush_scheduled {
            st.flush_scheduled = true;
            let a = app.clone();
            gloo_timers::callback::Timeout::new(0, move || flush_terms(&a)).forget();
        }
        drop(st);
        return mark_dirty(app);
    }
    {
        let mut st = app.state.borrow_mut();
        let Some(gm) = st.groups.get_mut(gi) else { return };
        match field.as_str() {
            "name" => {
                gm.group.name = el.unchecked_ref::<HtmlInputElement>().value();
                if let Some(fs) = &fieldset {
                    view::update_legend(fs, gi, &gm.group.name);
                }
            }
            "color-hex" => {
                let v = el.unchecked_ref::<HtmlInputElement>().value();
                if let (Some(c), Some(fs)) = (model::picker_color(&v), &fieldset) {
                    if let Some(picker) = view::find::<HtmlInputElement>(fs, "[data-field=color]") {
                        picker.set_value(&c);
                    }
                }
                gm.group.color = v.trim().to_string();
            }
            "color" => {
                let v = el.unchecked_ref::<HtmlInputElement>().value();
                if let Some(hex) = fieldset.as_ref().and_then(|fs| view::find::<HtmlInputElement>(fs, "[data-field=color-hex]")) {
                    hex.set_value(&v);
                }
                gm.group.color = v;
            }
            "exclusions" => gm.set_exclusions_text(&el.unchecked_ref::<HtmlTextAreaElement>().value()),
            _ => return,
        }
    }
    mark_dirty(app);
}

pub(super) fn on_group_change(app: &Rc<App>, e: &Event) {
    flush_terms(app);
    let Some(el) = target_el(e) else { return };
    let Some(gi) = group_index(&el) else { return };
    let field = el.get_attribute("data-field").unwrap_or_default();
    {
        let mut st = app.state.borrow_mut();
        let Some(gm) = st.groups.get_mut(gi) else { return };
        match field.as_str() {
            "kind" => {
                gm.group.kind = match el.unchecked_ref::<HtmlSelectElement>().value().as_str() {
                    "product" => BrandKind::Product,
                    "competitor" => BrandKind::Competitor,
                    _ => BrandKind::Own,
                }
            }
            "enabled" => gm.group.enabled = el.unchecked_ref::<HtmlInputElement>().checked(),
            "opt" => {
                let Some(ti) = gm.selected else { return };
                let Some(term) = gm.group.terms.get_mut(ti) else { return };
                let on = el.unchecked_ref::<HtmlInputElement>().checked();
                let o: &mut TermOptions = &mut term.options;
                match el.get_attribute("data-opt").as_deref() {
                    Some("case") => o.case_sensitive = on,
                    Some("diacritics") => o.diacritic_sensitive = on,
                    Some("word") => o.whole_word = on,
                    Some("regex") => o.regex = on,
                    _ => return,
                }
                if let Some(fs) = el.closest(".group").ok().flatten() {
                    view::update_terms_info(&fs, gi, gm);
                }
            }
            _ => return,
        }
    }
    mark_dirty(app);
}

pub(super) fn on_group_click(app: &Rc<App>, e: &Event) {
    let Some(el) = target_el(e) else { return };
    if el.get_attribute("data-field").as_deref() == Some("terms") {
        caret_moved(app, &el);
        return;
    }
    let Some(button) = el.closest("button[data-action]").ok().flatten() else { return };
    let Some(gi) = group_index(&button) else { return };
    flush_terms(app);
    match button.get_attribute("data-action").as_deref() {
        Some("up") if gi > 0 => move_group(app, gi, gi - 1, "up"),
        Some("down") => {
            let n = app.state.borrow().groups.len();
            if gi + 1 < n {
                move_group(app, gi, gi + 1, "down");
            }
        }
        Some("delete") => delete_group(app, gi),
        Some("goto-term") => {
            let line = button.get_attribute("data-line").and_then(|l| l.parse().ok());
            go_to(app, &format!("group-{gi}-terms"), line);
        }
        _ => {}
    }
}
