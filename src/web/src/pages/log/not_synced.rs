//! The log page's "Not synced" view: captures the team log refused (or that
//! our own check holds back), each with why in the manager's language (from
//! the reason's data, never the server's English) and three actions: Retry
//! (send it again as it is), Edit (the note and tags, the parts only the
//! manager can fix; saving queues it again) and Discard (drop it from this
//! browser: it never reached the team log). What cleaning can fix never
//! shows here: the service worker repairs and re-sends it at start.

use std::rc::Rc;

use escucha_core::card::excerpt;
use escucha_core::log::outbox::QuarantineReason;
use escucha_core::log::{Capture, CaptureEdit};
use escucha_core::protocol::requests::{DiscardCapture, EditCapture, RetryCapture};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

use crate::dom::{self, append, el};
use crate::platform::{self, t};
use crate::store::Store;
use escucha_core::i18n::Key;

/// The reason in the manager's words.
pub fn reason_words(why: Option<&QuarantineReason>, english: &str) -> String {
    let why = why.cloned().unwrap_or_else(|| QuarantineReason::Refused { message: english.to_string() });
    let (key, field, args) = why.words();
    let field = field.map(|f| t(f, &[]));
    let all: Vec<&str> = field.iter().map(String::as_str).chain(args.iter().map(String::as_str)).collect();
    t(key, &all)
}

/// Build the panel (hidden until something is not synced) and wire its buttons.
pub fn build() -> HtmlElement {
    let panel = el("details", &[("id", "not-synced"), ("class", "not-synced"), ("hidden", "")], "");
    if web_sys::window().and_then(|w| w.location().hash().ok()).as_deref() == Some("#not-synced") {
        panel.set_attribute("open", "").ok();
    }
    let p = panel.clone();
    let click = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
        let Some(button) = e.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|t| t.closest("[data-action]").ok().flatten())
        else {
            return;
        };
        let action = button.get_attribute("data-action").unwrap_or_default();
        let Some(item) = button.closest("li[data-id]").ok().flatten() else { return };
        let id = item.get_attribute("data-id").unwrap_or_default();
        let panel = p.clone();
        wasm_bindgen_futures::spawn_local(async move { act(&panel, &item, &action, id).await });
    });
    panel.add_event_listener_with_callback("click", click.as_ref().unchecked_ref()).ok();
    click.forget(); // lives as long as the page
    panel
}

async fn act(panel: &HtmlElement, item: &Element, action: &str, id: String) {
    let sent = match action {
        "retry" => platform::send(&RetryCapture { id }).await.map(drop),
        "discard" => platform::send(&DiscardCapture { id }).await.map(drop),
        "edit" => {
            if let Some(form) = item.query_selector(".fix").ok().flatten() {
                form.remove_attribute("hidden").ok();
            }
            return;
        }
        "save" => {
            let value =
                |sel: &str| item.query_selector(sel).ok().flatten().and_then(|e| e.dyn_into::<HtmlInputElement>().ok()).map(|i| i.value());
            let tags = value("[data-field=tags]").map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
            // wsui12: the note is the comment thread; the box fixes its latest comment.
            let comment = item.get_attribute("data-comment").filter(|c| !c.is_empty());
            let edit_comment = match (comment, value("[data-field=note]")) {
                (Some(id), Some(text)) if !text.trim().is_empty() => Some(escucha_core::log::CommentEdit { id, text }),
                _ => None,
            };
            let edit = CaptureEdit { edit_comment, tags, ..Default::default() };
            platform::send(&EditCapture { id, edit }).await.map(drop)
        }
        _ => return,
    };
    let said = sent.err().map(|e| t(Key::LogSaveFailed, &[&platform::error_text(&e)]));
    match said {
        Some(text) => {
            if let Some(s) = item.query_selector(".state").ok().flatten() {
                s.set_text_content(Some(&text));
            }
        }
        None => refresh(panel).await,
    }
}

/// Read what is not synced from the store and show it.
pub async fn refresh(panel: &HtmlElement) {
    let Ok(store) = Store::open().await else { return };
    let Ok(entries) = store.quarantined().await else { return };
    let mut items: Vec<(Capture, String)> = Vec::new();
    for e in entries {
        let Ok(Some(c)) = store.get(&e.id).await else { continue };
        let q = e.quarantine.as_ref();
        items.push((c, reason_words(q.and_then(|q| q.why.as_ref()), q.map_or("", |q| q.reason.as_str()))));
    }
    panel.set_attribute("data-count", &items.len().to_string()).ok();
    if items.is_empty() {
        panel.set_attribute("hidden", "").ok();
        dom::replace_children(panel, &[]);
        return;
    }
    panel.remove_attribute("hidden").ok();
    let summary = el("summary", &[], &t(Key::LogFilterNotSynced, &[&items.len().to_string()]));
    let list = el("ul", &[], "");
    for (c, reason) in items {
        let ctx = &c.context.value;
        let latest = c.comments.visible().last().map(|k| (k.id.clone(), k.text.value.clone()));
        let li = el("li", &[("data-id", &c.id), ("data-comment", latest.as_ref().map_or("", |(id, _)| id.as_str()))], "");
        let button = |action: &str, key: Key| el("button", &[("type", "button"), ("data-action", action)], &t(key, &[]));
        let note = el("input", &[("type", "text"), ("data-field", "note"), ("aria-label", &t(Key::LogNote, &[]))], "");
        note.unchecked_ref::<HtmlInputElement>().set_value(latest.as_ref().map_or("", |(_, text)| text.as_str()));
        let tags = el("input", &[("type", "text"), ("data-field", "tags"), ("aria-label", &t(Key::LogTags, &[]))], "");
        tags.unchecked_ref::<HtmlInputElement>().set_value(&c.tags.values().join(", "));
        let fix = append(el("div", &[("class", "fix"), ("hidden", "")], ""), &[&note, &tags, &button("save", Key::OptionsSave)]);
        let actions = append(
            el("div", &[("class", "actions")], ""),
            &[&button("retry", Key::LogRetry), &button("edit", Key::LogEdit), &button("discard", Key::LogDiscard)],
        );
        append(
            &li,
            &[
                &el("p", &[("class", "reason")], &t(Key::LogNotSynced, &[&reason])),
                &el("p", &[("class", "comment")], &excerpt(&ctx.comment_text, &ctx.quote.exact)),
                &el("p", &[("class", "muted small")], &ctx.page_url),
                &actions,
                &fix,
                &el("p", &[("class", "state"), ("role", "status")], ""),
            ],
        );
        list.append_child(&li).ok();
    }
    let children: [&Element; 2] = [&summary, &list];
    dom::replace_children(panel, &children);
}

/// Keep the panel current; `Rc` so the page's message listener can hold it.
pub fn refresh_soon(panel: &Rc<HtmlElement>) {
    let p = panel.clone();
    wasm_bindgen_futures::spawn_local(async move { refresh(&p).await });
}
