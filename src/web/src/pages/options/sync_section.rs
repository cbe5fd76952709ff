//! Options › Sync: where captures go (off, team log, webhook), the address,
//! the member name, the token (write-only: saved through the service worker
//! and never shown back), "Test connection", "Sync now", and the items the
//! server refused. The browser's permission for the endpoint's origin is
//! requested inside the click handler, before any `await`, because
//! `permissions.request` needs the user's gesture.

use crate::words;
use escucha_core::i18n::Words;
use std::rc::Rc;

use escucha_core::i18n::Key;
use escucha_core::protocol::requests::{GetSettings, GetSyncState, SaveSettings, SaveSyncToken, SyncNow, TestConnection};
use escucha_core::settings::{SyncMode, SyncSettings};
use escucha_core::sync::client::parse_endpoint;
use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

use crate::dom::{append, el};
use crate::platform::{self, t};

struct SyncUi {
    mode: HtmlSelectElement,
    endpoint: HtmlInputElement,
    member: HtmlInputElement,
    /// wsui12: the member's own department ("My department" view).
    department: HtmlSelectElement,
    token: HtmlInputElement,
    token_state: HtmlElement,
    status: HtmlElement,
    quarantine: HtmlElement,
}

/// Build the section at the end of `root` and fill it from `sync`.
pub fn mount(root: &HtmlElement, sync: &SyncSettings, departments: &[String]) {
    let section = el("section", &[("id", "sync-section")], "");
    let title = el("h2", &[], &t(Key::OptionsSync, &[]));
    let mode: HtmlSelectElement = el("select", &[("id", "sync-mode")], "").unchecked_into();
    for (value, key) in [("off", Key::OptionsSyncOff), ("teamLog", Key::OptionsSyncTeamLog), ("webhook", Key::OptionsSyncWebhook)] {
        mode.append_child(&el("option", &[("value", value)], &t(key, &[]))).ok();
    }
    mode.set_value(match sync.mode {
        SyncMode::Off => "off",
        SyncMode::TeamLog => "teamLog",
        SyncMode::Webhook => "webhook",
    });
    let input = |id: &str, kind: &str| -> HtmlInputElement {
        el("input", &[("id", id), ("type", kind), ("autocomplete", "off"), ("spellcheck", "false")], "").unchecked_into()
    };
    let endpoint = input("sync-endpoint", "url");
    endpoint.set_placeholder("https://log.example.com");
    endpoint.set_value(&sync.endpoint);
    let member = input("sync-member", "text");
    member.set_value(&sync.member);
    let department: HtmlSelectElement = el("select", &[("id", "sync-department")], "").unchecked_into();
    let mut choices: Vec<String> = departments.to_vec();
    if let Some(d) = sync.department.as_ref().filter(|d| !choices.contains(d)) {
        choices.push(d.clone());
    }
    department.append_child(&el("option", &[("value", "")], &t(Key::WsNoMyDepartment, &[]))).ok();
    for d in &choices {
        department.append_child(&el("option", &[("value", d)], &words::department(d))).ok();
    }
    department.set_value(sync.department.as_deref().unwrap_or(""));
    let token = input("sync-token", "password");
    let token_state = el("p", &[("id", "sync-token-state"), ("class", "muted small")], "");
    let save = el("button", &[("id", "sync-save"), ("type", "button"), ("class", "primary")], &t(Key::OptionsSyncSave, &[]));
    let test = el("button", &[("id", "sync-test"), ("type", "button")], &t(Key::OptionsSyncTest, &[]));
    let now = el("button", &[("id", "sync-now"), ("type", "button")], &t(Key::OptionsSyncNow, &[]));
    let status = el("p", &[("id", "sync-status"), ("role", "status")], "");
    let quarantine = el("div", &[("id", "sync-quarantine")], "");
    let field = |id: &str, key: Key, control: &HtmlElement| {
        append(el("div", &[("class", "field")], ""), &[&el("label", &[("for", id)], &t(key, &[])), control])
    };
    let row: HtmlElement = append(el("div", &[("class", "row")], ""), &[&save, &test, &now]);
    append(
        &section,
        &[
            &title,
            &el("p", &[("class", "muted small")], &t(Key::OptionsSyncHint, &[])),
            &field("sync-mode", Key::OptionsSyncMode, mode.unchecked_ref()),
            &field("sync-endpoint", Key::OptionsSyncEndpoint, endpoint.unchecked_ref()),
            &field("sync-member", Key::OptionsSyncMember, member.unchecked_ref()),
            &field("sync-department", Key::WsMyDepartment, department.unchecked_ref()),
            &el("p", &[("class", "muted small")], &t(Key::WsMyDepartmentHint, &[])),
            &field("sync-token", Key::OptionsSyncToken, token.unchecked_ref()),
            &token_state,
            &row,
            &status,
            &quarantine,
        ],
    );
    root.append_child(&section).ok();
    let ui = Rc::new(SyncUi { mode, endpoint, member, department, token, token_state, status, quarantine });
    refresh(&ui);

    let u = ui.clone();
    on_click(&save, move || {
        let granted = request_permission(&u);
        let u = u.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if !permission_ok(&u, granted).await {
                return;
            }
            match save_all(&u).await {
                Ok(()) => show(&u, &t(Key::OptionsSyncSaved, &[]), "ok"),
                Err(e) => show(&u, &e, "error"),
            }
            refresh(&u);
        });
    });
    let u = ui.clone();
    on_click(&test, move || {
        let granted = request_permission(&u);
        let u = u.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if !permission_ok(&u, granted).await {
                return;
            }
            u.status.remove_attribute("data-code").ok();
            show(&u, &t(Key::OptionsSyncTesting, &[]), "");
            let token = Some(u.token.value()).filter(|v| !v.trim().is_empty());
            match platform::send(&TestConnection { mode: mode_of(&u), endpoint: u.endpoint.value(), token }).await {
                Ok(r) => {
                    u.status.set_attribute("data-code", r.code()).ok();
                    show(&u, &words::say(&r.words()), if r.ok() { "ok" } else { "error" });
                }
                Err(e) => show(&u, &platform::error_text(&e), "error"),
            }
        });
    });
    let u = ui.clone();
    on_click(&now, move || {
        let u = u.clone();
        wasm_bindgen_futures::spawn_local(async move {
            show(&u, &t(Key::OptionsSyncTesting, &[]), "");
            match platform::send(&SyncNow {}).await {
                Ok(r) => match r.problem {
                    Some(p) => show(&u, &words::say(&p.words()), "error"),
                    None => {
                        let counted = |n: u32, one, other| Words::new(words::count(n as u64, one, other)).text(n.to_string());
                        let done = Words::new(Key::OptionsSyncDoneCounts)
                            .word(counted(r.sent, Key::CountSentOne, Key::CountSentOther))
                            .word(counted(r.received, Key::CountReceivedOne, Key::CountReceivedOther));
                        show(&u, &words::say(&done), "ok")
                    }
                },
                Err(e) => show(&u, &platform::error_text(&e), "error"),
            }
            refresh(&u);
        });
    });
}

fn mode_of(ui: &SyncUi) -> SyncMode {
    match ui.mode.value().as_str() {
        "teamLog" => SyncMode::TeamLog,
        "webhook" => SyncMode::Webhook,
        _ => SyncMode::Off,
    }
}

/// Ask for this endpoint's origin now, synchronously inside the click.
/// `None` when there is nothing to ask for (sync off or a bad address; the
/// service worker reports the latter in words).
fn request_permission(ui: &SyncUi) -> Option<(String, Promise)> {
    let mode = mode_of(ui);
    if mode == SyncMode::Off {
        return None;
    }
    let endpoint = parse_endpoint(&ui.endpoint.value(), mode).ok()?;
    let promise = platform::request_origin_permission(&endpoint.permission_pattern).ok()?;
    Some((endpoint.origin, promise))
}

async fn permission_ok(ui: &SyncUi, request: Option<(String, Promise)>) -> bool {
    let Some((origin, promise)) = request else { return true };
    match JsFuture::from(promise).await {
        Ok(v) if v.as_bool() == Some(true) => true,
        _ => {
            show(ui, &t(Key::OptionsSyncPermissionDenied, &[&origin]), "error");
            false
        }
    }
}

/// Save the sync part of the settings (on top of what is stored now) and,
/// when one was typed, the token.
async fn save_all(ui: &SyncUi) -> Result<(), String> {
    let mut settings = match platform::send(&GetSettings {}).await {
        Ok(r) => match r.problem {
            None => r.settings,
            Some(p) => return Err(words::say(&Words::new(Key::OptionsSettingsProblem).word(p.words()))),
        },
        Err(e) => return Err(platform::error_text(&e)),
    };
    let mode = mode_of(ui);
    if mode != SyncMode::Off {
        if let Err(e) = parse_endpoint(&ui.endpoint.value(), mode) {
            return Err(t(e.key(), &[]));
        }
    }
    let department = Some(escucha_core::settings::canonical_department(&ui.department.value())).filter(|d| !d.is_empty());
    settings.sync =
        SyncSettings { mode, endpoint: ui.endpoint.value().trim().to_string(), member: ui.member.value().trim().to_string(), department };
    let token = ui.token.value();
    if !token.trim().is_empty() {
        platform::send(&SaveSyncToken { token }).await.map_err(|e| platform::error_text(&e))?;
        ui.token.set_value("");
    }
    platform::send(&SaveSettings { settings }).await.map(drop).map_err(|e| platform::error_text(&e))
}

/// Token state and refused items, from the service worker.
fn refresh(ui: &Rc<SyncUi>) {
    let ui = ui.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(escucha_core::protocol::requests::SyncState { token_saved, quarantined, .. }) = platform::send(&GetSyncState {}).await
        else {
            return;
        };
        ui.token_state.set_text_content(Some(&t(if token_saved { Key::OptionsSyncTokenSet } else { Key::OptionsSyncTokenNone }, &[])));
        ui.token_state.set_attribute("data-saved", if token_saved { "true" } else { "false" }).ok();
        let heading = el("h3", &[], &t(Key::OptionsSyncQuarantined, &[]));
        if quarantined.is_empty() {
            crate::dom::replace_children(
                &ui.quarantine,
                &[&heading, &el("p", &[("class", "muted small")], &t(Key::OptionsSyncQuarantineNone, &[]))],
            );
            return;
        }
        // The reasons, and what to do about each, live in the log's "Not synced" view.
        let link = el(
            "a",
            &[
                ("id", "sync-quarantine-link"),
                ("href", "../log/log.html#not-synced"),
                ("target", "_blank"),
                ("data-count", &quarantined.len().to_string()),
            ],
            &t(
                words::count(quarantined.len() as u64, Key::OptionsSyncNotSyncedLinkOne, Key::OptionsSyncNotSyncedLinkOther),
                &[&quarantined.len().to_string()],
            ),
        );
        let list = append(el("p", &[], ""), &[&link]);
        crate::dom::replace_children(&ui.quarantine, &[&heading, &list]);
    });
}

fn show(ui: &SyncUi, text: &str, class: &str) {
    ui.status.set_text_content(Some(text));
    ui.status.set_class_name(class);
}

fn on_click(el: &HtmlElement, f: impl Fn() + 'static) {
    let cb = Closure::<dyn Fn()>::new(f);
    el.set_onclick(Some(cb.as_ref().unchecked_ref()));
    cb.forget(); // lives as long as the page
}
