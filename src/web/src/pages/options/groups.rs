//! Brand groups in the editor: terms parsed from their textareas, the term
//! under the caret, adding, moving, deleting (with undo) and going to a line.

use super::*;

/// The term on the caret's line of a terms textarea.
pub(super) fn caret_term(gm: &GroupModel, area: &HtmlTextAreaElement) -> Option<usize> {
    let pos = area.selection_start().ok().flatten()?;
    gm.term_at_line(model::line_of_utf16_offset(&area.value(), pos))
}

/// Parse the terms textareas that changed since the last flush.
pub(super) fn flush_terms(app: &App) {
    let pending = {
        let mut st = app.state.borrow_mut();
        st.flush_scheduled = false;
        std::mem::take(&mut st.pending_terms)
    };
    if pending.is_empty() {
        return;
    }
    let doc = dom::document();
    let mut st = app.state.borrow_mut();
    for gi in pending {
        let (Some(gm), Some(area)) = (st.groups.get_mut(gi), doc.get_element_by_id(&format!("group-{gi}-terms"))) else {
            continue;
        };
        let area: HtmlTextAreaElement = area.unchecked_into();
        gm.set_terms_text(&area.value());
        gm.selected = caret_term(gm, &area);
        if let Some(fs) = area.closest(".group").ok().flatten() {
            view::update_terms_info(&fs, gi, gm);
        }
    }
}

pub(super) fn caret_moved(app: &App, el: &Element) {
    flush_terms(app);
    let Some(gi) = group_index(el) else { return };
    let mut st = app.state.borrow_mut();
    let Some(gm) = st.groups.get_mut(gi) else { return };
    let sel = caret_term(gm, el.unchecked_ref());
    if sel != gm.selected {
        gm.selected = sel;
        if let Some(fs) = el.closest(".group").ok().flatten() {
            view::update_term_options(&fs, gi, gm);
        }
    }
}

pub(super) fn render_groups(app: &App) {
    flush_terms(app);
    let mut st = app.state.borrow_mut();
    let n = st.groups.len();
    let frag = dom::document().create_document_fragment();
    for (i, gm) in st.groups.iter_mut().enumerate() {
        gm.reset_lines();
        frag.append_child(&view::group(i, n, gm)).expect("append");
    }
    app.ui.groups.set_text_content(None);
    app.ui.groups.append_child(&frag).expect("append");
}

pub(super) fn focus(id: &str) {
    if let Some(el) = dom::document().get_element_by_id(id) {
        el.unchecked_into::<HtmlElement>().focus().ok();
    }
}

pub(super) fn add_group(app: &Rc<App>) {
    flush_terms(app);
    let i = {
        let mut st = app.state.borrow_mut();
        let color = PALETTE[st.groups.len() % PALETTE.len()].to_string();
        st.groups.push(GroupModel::new(BrandGroup {
            id: String::new(),
            name: String::new(),
            kind: BrandKind::Own,
            color,
            enabled: true,
            terms: vec![],
            exclusions: vec![],
        }));
        st.groups.len() - 1
    };
    render_groups(app);
    mark_dirty(app);
    focus(&format!("group-{i}-name"));
}

pub(super) fn move_group(app: &Rc<App>, from: usize, to: usize, dir: &str) {
    app.state.borrow_mut().groups.swap(from, to);
    render_groups(app);
    mark_dirty(app);
    let n = app.state.borrow().groups.len();
    // Keep the keyboard where it was; at the edge the button is disabled.
    let at_edge = (dir == "up" && to == 0) || (dir == "down" && to + 1 == n);
    let other = if dir == "up" { "down" } else { "up" };
    focus(&format!("group-{to}-{}", if at_edge { other } else { dir }));
}

pub(super) fn delete_group(app: &Rc<App>, gi: usize) {
    let name = {
        let mut st = app.state.borrow_mut();
        if gi >= st.groups.len() {
            return;
        }
        let gm = st.groups.remove(gi);
        let name = if gm.group.name.trim().is_empty() { format!("#{}", gi + 1) } else { errors::short(&gm.group.name) };
        st.undo = Some((gi, gm));
        name
    };
    render_groups(app);
    mark_dirty(app);
    app.ui.undo_text.set_text_content(Some(&t(Key::OptionsGroupDeleted, &[&name])));
    app.ui.undo_bar.remove_attribute("hidden").ok();
    app.ui.undo.focus().ok();
}

pub(super) fn undo_delete(app: &Rc<App>) {
    flush_terms(app);
    let Some((gi, gm)) = app.state.borrow_mut().undo.take() else { return };
    let i = {
        let mut st = app.state.borrow_mut();
        let i = gi.min(st.groups.len());
        st.groups.insert(i, gm);
        i
    };
    app.ui.undo_bar.set_attribute("hidden", "").ok();
    render_groups(app);
    mark_dirty(app);
    focus(&format!("group-{i}-name"));
}

/// Select `line` of a textarea (or just focus the field).
pub(super) fn go_to(app: &App, field: &str, line: Option<u32>) {
    let Some(el) = dom::document().get_element_by_id(field) else { return };
    if let Some(details) = el.closest("details").ok().flatten() {
        details.set_attribute("open", "").ok();
    }
    let el: HtmlElement = el.unchecked_into();
    el.focus().ok();
    if let (Some(line), Some(area)) = (line, el.dyn_ref::<HtmlTextAreaElement>()) {
        let (start, end) = model::utf16_range_of_line(&area.value(), line);
        area.set_selection_range(start, end).ok();
        // Scroll the line into view (textareas use a fixed line height, see options.css).
        area.set_scroll_top(((line as i32 - 3).max(0)) * view::LINE_HEIGHT_PX);
        // Show the options of the term on that line.
        if area.get_attribute("data-field").as_deref() == Some("terms") {
            caret_moved(app, area);
        }
    }
}
