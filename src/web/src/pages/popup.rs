//! The toolbar popup: what Escucha found on this page, grouped by brand, each
//! mention one click away; the per-site switch; engine status. What it says
//! is decided in [`escucha_core::pages::popup`]; this module draws it.

use escucha_core::i18n::Key;
use escucha_core::pages::popup::{self as model, PageScan};
use escucha_core::pages::workspace as team;
use escucha_core::protocol::requests::{
    GetLogStatus, GetPageMentions, GetSettings, GetWorkspace, MentionOpened, Ping, RevealMention, ToggleSite,
};
use escucha_core::protocol::GroupMentions;
use escucha_core::sites::site_key;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::dom;
use crate::pages::{app_root, heading};
use crate::platform::{self, t, PlatformError};
use crate::words::{language, say};

pub async fn start() -> Result<(), PlatformError> {
    crate::pages::set_document_lang();
    let root = app_root();
    let page = dom::el("p", &[("id", "page-status")], "");
    let mentions = dom::el("div", &[("id", "mentions")], "");
    let site = dom::el("button", &[("id", "toggle-site"), ("type", "button"), ("hidden", "")], "");
    let options = dom::el("button", &[("id", "open-options"), ("type", "button")], &t(Key::PopupOpenOptions, &[]));
    on_click(&options, || {
        let _ = platform::call_sync("runtime.openOptionsPage", &[]);
    });
    let log = dom::el("button", &[("id", "open-log"), ("type", "button")], &t(Key::PopupOpenLog, &[]));
    on_click(&log, || {
        wasm_bindgen_futures::spawn_local(async {
            if let Ok(url) = platform::call_sync("runtime.getURL", &["log/log.html".into()]) {
                let _ = platform::open_tab(&url.as_string().unwrap_or_default()).await;
            }
        });
    });
    let engine = dom::el("p", &[("id", "engine"), ("class", "muted small")], "");
    let welcome = dom::el("button", &[("id", "open-welcome"), ("type", "button"), ("hidden", "")], &t(Key::PopupOpenWelcome, &[]));
    on_click(&welcome, || {
        wasm_bindgen_futures::spawn_local(async {
            if let Ok(url) = platform::call_sync("runtime.getURL", &[escucha_core::first_run::WELCOME_PAGE.into()]) {
                let _ = platform::open_tab(&url.as_string().unwrap_or_default()).await;
            }
        });
    });
    let actions = dom::append(dom::el("div", &[("class", "actions")], ""), &[&site, &log, &options, &welcome]);
    dom::append(&root, &[&heading(&t(Key::PopupTitle, &[])), &page, &mentions, &actions, &engine]);

    // The service worker answers from Rust: proof the engine runs there too.
    // The version is for tests and bug reports, not words for the manager.
    match platform::send(&Ping {}).await {
        Ok(pong) => {
            engine.set_attribute("data-version", &pong.version).ok();
            engine.set_attribute("data-ready", "true").ok();
        }
        Err(e) => engine.set_text_content(Some(&platform::error_text(&e))),
    }

    render_sync_status(&engine).await;
    // wsui12 (issue 12): "Mine", "Unassigned", "My department" and the @mentions of me.
    render_workspace(&actions).await;

    let Some(tab) = target_tab().await? else {
        page.set_text_content(Some(&say(&model::page_line(&language(), PageScan::NotScanned, format_count).words)));
        return Ok(());
    };
    let Ok(escucha_core::protocol::requests::PageMentions { url, total, groups, captures }) =
        platform::send_to_tab(tab, Some(0), &GetPageMentions {}).await
    else {
        page.set_text_content(Some(&say(&model::page_line(&language(), PageScan::NotScanned, format_count).words)));
        return Ok(());
    };
    show_site_toggle(&site, &url);
    let settings = platform::send(&GetSettings {}).await.ok().map(|r| r.settings);
    let no_brands = settings.as_ref().is_some_and(|s| s.brands.groups.is_empty());
    let line = model::page_line(&language(), PageScan::Scanned { total, no_brands }, format_count);
    page.set_text_content(Some(&say(&line.words)));
    if line.offer_welcome {
        welcome.remove_attribute("hidden").ok();
    }
    if line.rescan_hint {
        let hint = dom::el("p", &[("class", "muted small")], &t(Key::PopupRescanHint, &[]));
        page.after_with_node_1(&hint).ok();
    }
    page.set_attribute("data-total", &total.to_string()).ok();
    render_groups(&mentions, tab, &groups);
    let member = settings.map(|s| s.sync.member).unwrap_or_default();
    render_captures(&mentions, &captures, &member);
    Ok(())
}

/// The tab this popup is about: the active tab, or the one named by
/// `?tab=ID` when the popup is opened as a page (keyboard users, tests).
async fn target_tab() -> Result<Option<i32>, PlatformError> {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    if let Some(id) = search.strip_prefix("?tab=").and_then(|v| v.parse::<i32>().ok()) {
        return Ok(Some(id));
    }
    Ok(platform::active_tab().await?.map(|(id, _url)| id))
}

/// A number in the user's locale ("1,234" / "1.234").
fn format_count(n: u32) -> String {
    let f = js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    f.format().call1(&f, &n.into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| n.to_string())
}

fn on_click(el: &HtmlElement, f: impl Fn() + 'static) {
    let cb = Closure::<dyn Fn()>::new(f);
    el.set_onclick(Some(cb.as_ref().unchecked_ref()));
    cb.forget(); // lives as long as the popup
}

/// The site switch: the active tab's site can be turned off (or back on).
/// Only the active tab's URL is known to us here (activeTab), never others'.
fn show_site_toggle(button: &HtmlElement, url: &str) {
    let Some(site) = site_key(url) else { return };
    button.set_text_content(Some(&say(&model::site_line(true, &site))));
    button.remove_attribute("hidden").ok();
    let url = url.to_string();
    let me = button.clone();
    on_click(button, move || {
        let (url, me, site) = (url.clone(), me.clone(), site.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let text = match platform::send(&ToggleSite { url }).await {
                Ok(r) => say(&model::site_line(r.enabled, &site)),
                Err(e) => platform::error_text(&e),
            };
            me.set_text_content(Some(&text));
        });
    });
}

fn render_groups(container: &HtmlElement, tab: i32, groups: &[GroupMentions]) {
    for g in groups {
        let section = dom::el("section", &[("class", "group"), ("data-group", &g.group.to_string())], "");
        let swatch = dom::el("span", &[("class", "swatch")], "");
        swatch.style().set_property("background-color", &g.color).ok();
        let title = dom::append(
            dom::el("h2", &[], ""),
            &[&swatch, &dom::el("span", &[], &g.name), &dom::el("span", &[("class", "count")], &g.mentions.len().to_string())],
        );
        let list = dom::el("ol", &[], "");
        for m in &g.mentions {
            let item = dom::el("li", &[], "");
            let button = dom::el("button", &[("type", "button"), ("class", "mention"), ("data-index", &m.index.to_string())], "");
            dom::append(&button, &[&dom::el("strong", &[], &m.text), &dom::el("span", &[("class", "context")], &m.context)]);
            let index = m.index;
            on_click(&button, move || {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = platform::send_to_tab(tab, Some(0), &RevealMention { index }).await;
                });
            });
            item.append_child(&button).ok();
            list.append_child(&item).ok();
        }
        dom::append(&section, &[&title, &list]);
        container.append_child(&section).ok();
    }
}

/// What is already logged on this page, with who logged it and its status.
fn render_captures(container: &HtmlElement, captures: &[escucha_core::log::Capture], member: &str) {
    if captures.is_empty() {
        return;
    }
    let section = dom::el("section", &[("id", "page-captures")], "");
    section.append_child(&dom::el("h2", &[], &say(&model::captures_heading(captures.len(), format_count)))).ok();
    let list = dom::el("ul", &[], "");
    for line in model::capture_lines(captures, member) {
        // Author and excerpt on their own line, apart from who logged it.
        let context: HtmlElement = dom::append(
            dom::el("span", &[("class", "context")], ""),
            &[&dom::el("span", &[("class", "author")], &line.author), &dom::el("span", &[], &line.excerpt)],
        );
        let item = dom::el("li", &[("data-id", &line.id), ("data-status", line.status)], "");
        let logged = format!(" · {}", say(&line.logged));
        dom::append(&item, &[&dom::el("strong", &[], &line.quote), &dom::el("span", &[("class", "status")], &logged), &context]);
        list.append_child(&item).ok();
    }
    crate::pages::due_lines::add(list.clone(), captures.to_vec()); // sla13
    section.append_child(&list).ok();
    // First, above the fold: what was already logged here matters most.
    container.prepend_with_node_1(&section).ok();
}

/// The log and its sync: total, pending, last sync (in the user's locale) and
/// the standing problem in words, placed before the engine line.
async fn render_sync_status(before: &HtmlElement) {
    let Ok(s) = platform::send(&GetLogStatus {}).await else { return };
    let box_ = dom::el("div", &[("id", "sync-status"), ("data-pending", &s.pending.to_string())], "");
    let when =
        s.last_sync_ms.map(|ms| String::from(js_sys::Date::new(&(ms as f64).into()).to_locale_string("default", &js_sys::Object::new())));
    let lines = model::log_lines(&language(), &s, when, format_count);
    dom::append(
        &box_,
        &[
            &dom::el("p", &[("class", "small")], &say(&lines.counts)),
            &dom::el("p", &[("id", "last-sync"), ("class", "muted small")], &say(&lines.last_sync)),
        ],
    );
    if let Some(refused) = &lines.not_synced {
        box_.append_child(&dom::el("p", &[("class", "small problem")], &say(refused))).ok();
    }
    if let Some(p) = &s.problem {
        box_.append_child(&dom::el("p", &[("id", "sync-problem"), ("class", "small problem"), ("role", "alert")], &say(&p.words()))).ok();
    }
    before.before_with_node_1(&box_).ok();
}

/// The log page at `query` ("?view=mine", "?capture=ID").
async fn open_log(query: String) {
    if let Ok(url) = platform::call_sync("runtime.getURL", &[format!("log/log.html{query}").into()]) {
        let _ = platform::open_tab(&url.as_string().unwrap_or_default()).await;
    }
}

/// The quick views with their counts (each opens the log filtered), and the
/// @mentions of this member not opened yet (opening one marks it seen and
/// shows its thread in the log page). Placed before `before`.
async fn render_workspace(before: &HtmlElement) {
    let Ok(w) = platform::send(&GetWorkspace {}).await else { return };
    let views = dom::el("nav", &[("id", "views"), ("aria-label", &t(Key::WsViews, &[]))], "");
    for q in &w.views {
        let chip = dom::el(
            "button",
            &[("type", "button"), ("class", "chip"), ("data-view", q.view.name()), ("data-count", &q.count.to_string())],
            &say(&team::chip_words(q, format_count)),
        );
        if q.available {
            let query = format!("?view={}", q.view.name());
            on_click(&chip, move || wasm_bindgen_futures::spawn_local(open_log(query.clone())));
        } else {
            chip.set_attribute("disabled", "").ok();
        }
        views.append_child(&chip).ok();
    }
    before.before_with_node_1(&views).ok();
    if w.mentions.is_empty() {
        return;
    }
    let section = dom::el("section", &[("id", "mentions-of-me"), ("data-unseen", &w.unseen.to_string())], "");
    section.append_child(&dom::el("h2", &[], &say(&model::mentions_heading(w.unseen as usize, format_count)))).ok();
    let list = dom::el("ul", &[], "");
    for m in &w.mentions {
        let when = String::from(js_sys::Date::new(&(m.created_ms as f64).into()).to_locale_string("default", &js_sys::Object::new()));
        let button = dom::el("button", &[("type", "button"), ("class", "mention-of-me"), ("data-comment", &m.comment_id)], "");
        let about = if m.quote.is_empty() { m.brand.clone() } else { format!("{} · {}", m.brand, m.quote) };
        dom::append(
            &button,
            &[
                &dom::el("strong", &[], &say(&model::mention_line(m))),
                &dom::el("span", &[("class", "when")], &format!(" · {when}")),
                &dom::el("span", &[("class", "context")], &m.text),
                &dom::el("span", &[("class", "context about")], &about),
            ],
        );
        let (comment_id, capture_id) = (m.comment_id.clone(), m.capture_id.clone());
        on_click(&button, move || {
            let (comment_id, capture_id) = (comment_id.clone(), capture_id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let _ = platform::send(&MentionOpened { comment_id }).await;
                open_log(format!("?capture={capture_id}")).await;
            });
        });
        let item = dom::el("li", &[], "");
        item.append_child(&button).ok();
        list.append_child(&item).ok();
    }
    section.append_child(&list).ok();
    before.before_with_node_1(&section).ok();
}
