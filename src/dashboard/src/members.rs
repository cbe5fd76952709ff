//! The Members section, for admins: the team's members and roles, changing
//! a role, adding a member and issuing a token (shown once, as text). Who
//! sees it is decided in `escucha_core::workspace::members::can_manage`; the
//! server refuses the others anyway. Everything is set as text.

use std::cell::RefCell;

use escucha_core::dashboard::client::Failure;
use escucha_core::dashboard::i18n::{role_label, tr, Lang, Text};
use escucha_core::sync::api::{Me, MemberInfo, MembersResponse, NewMember, NewToken, RoleChange};
use escucha_core::workspace::members::{can_manage, role_path, tokens_path};
use escucha_core::workspace::role::Role;
use escucha_ui::dom::{append_child as append, by_id, clear, el, set_hidden, set_text};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, HtmlSelectElement};

use crate::api::request;

/// The signed-in admin's token and language, and the last list drawn.
#[derive(Default)]
struct Section {
    token: Option<String>,
    lang: Lang,
    members: Vec<MemberInfo>,
}

thread_local! {
    static SECTION: RefCell<Section> = RefCell::new(Section::default());
}

fn state() -> (Option<String>, Lang) {
    SECTION.with(|s| {
        let s = s.borrow();
        (s.token.clone(), s.lang)
    })
}

/// After sign-in: the section for an admin (and its list), nothing for anyone else.
pub fn show(token: &str, me: &Me, lang: Lang) {
    let admin = can_manage(me.role);
    SECTION.with(|s| {
        let mut s = s.borrow_mut();
        s.token = admin.then(|| token.to_string());
        s.lang = lang;
        s.members.clear();
    });
    set_hidden("members", !admin);
    set_text("member-token", "");
    set_text("member-status", "");
    if admin {
        fill_role_select(&by_id("member-new-role"), Role::DEFAULT, lang);
        refresh();
    }
}

/// Sign-out: forget the token and hide the section.
pub fn hide() {
    SECTION.with(|s| *s.borrow_mut() = Section::default());
    set_hidden("members", true);
    set_text("member-token", "");
    clear(&by_id("member-rows"));
}

/// The language switch: redraw in `lang`.
pub fn set_lang(lang: Lang) {
    SECTION.with(|s| s.borrow_mut().lang = lang);
    if state().0.is_some() {
        fill_role_select(&by_id("member-new-role"), selected_role(&by_id("member-new-role")), lang);
        draw();
    }
}

fn fill_role_select(select: &HtmlSelectElement, chosen: Role, lang: Lang) {
    clear(select);
    for r in Role::ALL {
        append(select, &el("option", &[("value", r.as_str())], role_label(lang, r)));
    }
    select.set_value(chosen.as_str());
}

fn selected_role(select: &HtmlSelectElement) -> Role {
    Role::parse(&select.value()).unwrap_or(Role::DEFAULT)
}

fn refresh() {
    let (Some(token), _) = state() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        match request::<MembersResponse>("GET", "/api/v1/members", Some(&token), None).await {
            Ok(list) => {
                SECTION.with(|s| s.borrow_mut().members = list.members);
                draw();
            }
            Err(f) => failed(&f),
        }
    });
}

fn failed(f: &Failure) {
    let lang = state().1;
    set_text("member-status", &tr(lang, Text::MembersFailed, &[&f.message(lang)]));
}

fn draw() {
    let (lang, members) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.members.clone())
    });
    let body: Element = by_id("member-rows");
    clear(&body);
    for m in members {
        let tr_el = el("tr", &[("data-member", &m.name)], "");
        append(&tr_el, &el("td", &[], &m.name));
        let cell = el("td", &[], "");
        let select: HtmlSelectElement =
            el("select", &[("data-field", "role"), ("aria-label", Text::MemberRole.get(lang))], "").unchecked_into();
        fill_role_select(&select, m.role, lang);
        append(&cell, &select);
        append(&tr_el, &cell);
        let actions = el("td", &[], "");
        append(&actions, &el("button", &[("type", "button"), ("data-action", "token")], Text::IssueToken.get(lang)));
        append(&tr_el, &actions);
        append(&body, &tr_el);
    }
}

fn on<F: FnMut(Event) + 'static>(id: &str, event: &str, f: F) {
    let cb = Closure::<dyn FnMut(Event)>::new(f);
    by_id::<Element>(id).add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).expect("listener");
    cb.forget();
}

/// The member name of the row an event came from.
fn row_member(e: &Event) -> Option<(Element, String)> {
    let target = e.target()?.dyn_into::<Element>().ok()?;
    let name = target.closest("tr[data-member]").ok()??.get_attribute("data-member")?;
    Some((target, name))
}

/// Listeners, once at start.
pub fn wire() {
    on("member-rows", "change", |e| {
        let Some((target, name)) = row_member(&e) else { return };
        if target.get_attribute("data-field").as_deref() != Some("role") {
            return;
        }
        let role = selected_role(target.unchecked_ref());
        change_role(name, role);
    });
    on("member-rows", "click", |e| {
        let Some((target, name)) = row_member(&e) else { return };
        if target.get_attribute("data-action").as_deref() == Some("token") {
            issue_token(name);
        }
    });
    on("member-add", "submit", |e| {
        e.prevent_default();
        let input: HtmlInputElement = by_id("member-new-name");
        let name = input.value().trim().to_string();
        if name.is_empty() {
            return;
        }
        let role = selected_role(&by_id("member-new-role"));
        add_member(name, role);
    });
}

fn change_role(name: String, role: Role) {
    let (Some(token), lang) = state() else { return };
    let body = serde_json::to_string(&RoleChange { role }).expect("serializes");
    wasm_bindgen_futures::spawn_local(async move {
        match request::<MemberInfo>("PUT", &role_path(&name), Some(&token), Some(body)).await {
            Ok(m) => set_text("member-status", &tr(lang, Text::RoleChanged, &[&m.name, role_label(lang, m.role)])),
            Err(f) => failed(&f),
        }
        // Either way the list shows what the server holds (a refused change snaps back).
        refresh();
    });
}

fn add_member(name: String, role: Role) {
    let (Some(token), lang) = state() else { return };
    let body = serde_json::to_string(&NewMember { name, role: Some(role) }).expect("serializes");
    wasm_bindgen_futures::spawn_local(async move {
        match request::<MemberInfo>("POST", "/api/v1/members", Some(&token), Some(body)).await {
            Ok(m) => {
                by_id::<HtmlInputElement>("member-new-name").set_value("");
                set_text("member-status", &tr(lang, Text::MemberAdded, &[&m.name, role_label(lang, m.role)]));
                refresh();
            }
            Err(f) => failed(&f),
        }
    });
}

fn issue_token(name: String) {
    let (Some(token), lang) = state() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        match request::<NewToken>("POST", &tokens_path(&name), Some(&token), None).await {
            Ok(t) => {
                set_text("member-status", &tr(lang, Text::TokenIssued, &[&t.member]));
                // The secret as text in its own element, to select and copy.
                set_text("member-token", &t.token);
            }
            Err(f) => failed(&f),
        }
    });
}
