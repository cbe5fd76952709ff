//! wsui12 (issue 12): one capture's assignment, comment thread (add, and
//! edit or delete one's own) and history timeline, beside the list. What it
//! shows is `escucha_core::pages::workspace`'s (thread, timeline); comment
//! text only ever becomes text nodes or a textarea's value.

use escucha_core::i18n::Key;
use escucha_core::log::Capture;
use escucha_core::pages::workspace::{capture_line, thread, timeline};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement};

use super::view::{assignee_select, Ui};
use crate::dom::{append, el};
use crate::platform::t;
use crate::words::say;

/// Draw the panel for `c` (and show it). `editing`: the comment whose text
/// is open for editing, if any.
pub fn render(ui: &Ui, c: &Capture, member: &str, members: &[String], editing: Option<&str>, date: &dyn Fn(i64) -> String) {
    let panel = &ui.details;
    panel.set_text_content(None);
    panel.set_attribute("data-id", &c.id).ok();
    let close = el(
        "button",
        &[("type", "button"), ("data-action", "close-details"), ("class", "close"), ("aria-label", &t(Key::CardClose, &[]))],
        "\u{00d7}",
    );
    let title =
        append(el("div", &[("class", "details-head")], ""), &[&el("h2", &[("id", "details-title")], &t(Key::WsDetails, &[])), &close]);
    let about = el("p", &[("class", "details-capture")], &capture_line(c));
    let assignee = assignee_select(c, members);
    assignee.set_id("details-assignee");
    let assignee_label = append(el("label", &[("for", "details-assignee")], ""), &[&el("span", &[], &t(Key::WsAssignee, &[]))]);

    let comments = el("ol", &[("id", "comments"), ("class", "comments")], "");
    let shown = thread(c, member);
    if shown.is_empty() {
        comments.append_child(&el("li", &[("class", "muted")], &t(Key::WsNoComments, &[]))).ok();
    }
    for k in &shown {
        let item = el("li", &[("data-comment", &k.id)], "");
        let head = append(
            el("div", &[("class", "comment-head")], ""),
            &[&el("strong", &[("class", "comment-author")], &k.author), &el("time", &[], &date(k.created_ms))],
        );
        item.append_child(&head).ok();
        if editing == Some(k.id.as_str()) && k.own {
            let area: HtmlTextAreaElement =
                el("textarea", &[("id", "comment-edit-text"), ("aria-label", &t(Key::WsCommentText, &[]))], "").unchecked_into();
            area.set_value(&k.text);
            let save =
                el("button", &[("type", "button"), ("data-action", "comment-save"), ("data-comment", &k.id)], &t(Key::WsSaveComment, &[]));
            append(&item, &[&area, &save]);
        } else {
            item.append_child(&el("p", &[("class", "comment-text")], &k.text)).ok();
            if k.own {
                let edit = el(
                    "button",
                    &[("type", "button"), ("data-action", "comment-edit"), ("data-comment", &k.id)],
                    &t(Key::WsEditComment, &[]),
                );
                let delete = el(
                    "button",
                    &[("type", "button"), ("data-action", "comment-delete"), ("data-comment", &k.id), ("class", "danger")],
                    &t(Key::WsDeleteComment, &[]),
                );
                let actions: HtmlElement = append(el("div", &[("class", "comment-actions")], ""), &[&edit, &delete]);
                item.append_child(&actions).ok();
            }
        }
        comments.append_child(&item).ok();
    }
    let new_comment = el("textarea", &[("id", "comment-new")], "");
    let new_label = el("label", &[("for", "comment-new")], &t(Key::WsAddComment, &[]));
    let post = el("button", &[("type", "button"), ("data-action", "comment-add"), ("id", "comment-add")], &t(Key::WsPostComment, &[]));

    let history = el("ol", &[("id", "history"), ("class", "history")], "");
    let lines = timeline(c);
    if lines.is_empty() {
        history.append_child(&el("li", &[("class", "muted")], &t(Key::WsNoHistory, &[]))).ok();
    }
    for line in &lines {
        let item = append(el("li", &[], ""), &[&el("time", &[], &date(line.ms)), &el("span", &[], &say(&line.words))]);
        history.append_child(&item).ok();
    }
    append(
        panel,
        &[
            &title,
            &about,
            &assignee_label,
            &assignee,
            &el("h3", &[], &t(Key::WsComments, &[])),
            &comments,
            &new_label,
            &new_comment,
            &post,
            &el("h3", &[], &t(Key::WsHistory, &[])),
            &history,
        ],
    );
    panel.remove_attribute("hidden").ok();
}

pub fn close(ui: &Ui) {
    ui.details.set_attribute("hidden", "").ok();
    ui.details.remove_attribute("data-id").ok();
    ui.details.set_text_content(None);
}

/// The capture the panel shows, if open.
pub fn shown_id(ui: &Ui) -> Option<String> {
    ui.details.get_attribute("data-id")
}

/// A textarea's text in the panel.
pub fn text_of(ui: &Ui, id: &str) -> String {
    ui.details
        .query_selector(&format!("#{id}"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
        .map(|a| a.value())
        .unwrap_or_default()
}

/// Focus the panel's first control (opened from the keyboard or the popup).
pub fn focus(ui: &Ui) {
    if let Some(e) = ui.details.query_selector("#comment-new").ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = e.focus();
    }
}
