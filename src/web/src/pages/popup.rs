//! The toolbar popup: engine status and what Escucha found on this page.

use escucha_core::i18n::Key;
use escucha_core::protocol::{Message, Reply};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::dom;
use crate::pages::{app_root, heading};
use crate::platform::{self, t, PlatformError};

pub async fn start() -> Result<(), PlatformError> {
    let root = app_root();
    let engine = dom::el("p", &[("id", "engine"), ("class", "muted")], "");
    let page = dom::el("p", &[("id", "page-status")], "");
    let options = dom::el("button", &[("id", "open-options"), ("type", "button")], &t(Key::PopupOpenOptions, &[]));
    let on_click = Closure::<dyn Fn()>::new(|| {
        let _ = platform::call_sync("runtime.openOptionsPage", &[]);
    });
    options.set_onclick(Some(on_click.as_ref().unchecked_ref()));
    on_click.forget(); // lives as long as the popup
    dom::append(&root, &[&heading(&t(Key::PopupTitle, &[])), &engine, &page, &options]);

    // The service worker answers from Rust: proof the engine runs there too.
    match platform::send_message(&Message::Ping).await? {
        Reply::Pong { version, .. } => {
            engine.set_text_content(Some(&t(Key::PopupEngineReady, &[&version])));
            engine.set_attribute("data-ready", "true").ok();
        }
        other => engine.set_text_content(Some(&format!("{other:?}"))),
    }

    let status = match platform::active_tab().await? {
        Some((tab, _url)) => match platform::send_to_tab(tab, Some(0), &Message::Ping).await {
            Ok(Reply::Pong { .. }) => t(Key::PopupNoMentions, &[]),
            _ => t(Key::PopupPageNotScanned, &[]),
        },
        None => t(Key::PopupPageNotScanned, &[]),
    };
    page.set_text_content(Some(&status));
    Ok(())
}
