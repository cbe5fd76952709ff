//! The content script: runs inside web pages, finds and paints mentions.
//!
//! It is untrusted by design: it only receives the brand list for its page and
//! can only send the messages `protocol::authorize` allows it.

use std::cell::RefCell;

use escucha_core::brands::BrandList;
use escucha_core::protocol::{ErrorCode, Message, ProtocolError, Reply};
use wasm_bindgen::JsValue;

use crate::platform::{self, PlatformError};

#[derive(Default)]
struct State {
    enabled: bool,
    brands: Option<BrandList>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn page_url() -> String {
    web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

pub async fn start() -> Result<(), PlatformError> {
    let reply = platform::send_message(&Message::ContentHello { url: page_url() }).await?;
    match reply {
        Reply::ContentConfig { enabled, brands, .. } => {
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.enabled = enabled;
                s.brands = Some(brands);
            });
            Ok(())
        }
        Reply::Error(e) => Err(PlatformError(e.message)),
        other => Err(PlatformError(format!("Unexpected reply to contentHello: {other:?}"))),
    }
}

/// Messages from our service worker or popup (never from the page: pages
/// cannot reach `runtime.onMessage`, and we still check the sender).
pub async fn handle(message: JsValue, sender: JsValue) -> Reply {
    let sender = platform::sender_info(&sender);
    let own = platform::runtime_id().ok();
    if sender.extension_id.is_none() || sender.extension_id != own || sender.tab_id.is_some() {
        return Reply::Error(ProtocolError::new(ErrorCode::UnknownSender, "Only Escucha itself may talk to this page's script."));
    }
    match platform::message_from_js(message) {
        Ok(Message::Ping) => Reply::Pong { version: escucha_core::VERSION.into(), context: "content_script".into() },
        Ok(Message::SettingsChanged) => match start().await {
            Ok(()) => Reply::Ok,
            Err(e) => Reply::Error(ProtocolError::new(ErrorCode::Internal, e.0)),
        },
        Ok(other) => Reply::Error(ProtocolError::new(
            ErrorCode::Forbidden,
            format!("The content script does not handle '{}'.", other.kind()),
        )),
        Err(e) => Reply::Error(e),
    }
}

pub fn is_enabled() -> bool {
    STATE.with(|s| s.borrow().enabled)
}
