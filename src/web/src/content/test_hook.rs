//! An end-to-end test's way to log a capture without drawing the card
//! (`tests/e2e/capture_sync_all.test.mjs`): the mention under the page's
//! selection is captured and logged exactly as the card's "Log" does it
//! (the same extraction, the same `logCapture` message to the service
//! worker, the same bookkeeping after), just without the card's UI.
//!
//! It is exported as `content_test_log_selection` and lives in the content
//! script's isolated world, which page scripts cannot reach; only the
//! extension itself and the DevTools protocol (what the tests drive) can
//! call it. It gives nothing a page could use: it logs what the manager's
//! selection covers, as the context menu's "Log selection" already can.

use escucha_core::card::{fill_in, ManualFields};
use escucha_core::protocol::{ErrorCode, Message, ProtocolError, Reply};
use serde::Serialize;

use super::{capture, hit, ENGINE};
use crate::platform;

/// What the hook did: the service worker's reply, and whether the selection
/// was on a painted mention (brand and term kept) or plain text.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookResult {
    pub on_mention: bool,
    pub reply: Reply,
}

pub async fn log_selection() -> HookResult {
    let Some(selection) = capture::selection_range() else {
        let e = ProtocolError::new(ErrorCode::Invalid, "no selection in page text");
        return HookResult { on_mention: false, reply: Reply::Error(e) };
    };
    // A selection inside a painted mention logs that mention, as a click on it would.
    let mention = ENGINE.with(|e| {
        let guard = e.borrow();
        let engine = guard.as_ref()?;
        let i = hit::containing(engine.painter.found.iter().map(|f| &f.range), &selection.start_container(), selection.start_offset())?;
        let f = engine.painter.found.get(i)?;
        let group = engine.brands.groups.get(f.group as usize)?;
        let term = group.terms.get(f.term as usize).map(|t| t.text.clone()).unwrap_or_default();
        Some((f.range.clone(), group.name.clone(), term))
    });
    let on_mention = mention.is_some();
    let (range, brand, term) = mention.unwrap_or((selection, String::new(), String::new()));
    let context = capture::context_for(&range, &brand, &term);
    // The card folds in what the manager typed; nothing here.
    let context = match fill_in(context, &ManualFields::default()) {
        Ok(c) => c,
        Err(e) => return HookResult { on_mention, reply: Reply::Error(ProtocolError::new(ErrorCode::Invalid, e.to_string())) },
    };
    let reply = match platform::send_message(&Message::LogCapture { context, tags: None }).await {
        Ok(reply) => reply,
        Err(e) => Reply::Error(ProtocolError::new(ErrorCode::Internal, e.0)),
    };
    if let Reply::Logged { capture } = &reply {
        super::on_logged(capture.clone());
    }
    HookResult { on_mention, reply }
}
