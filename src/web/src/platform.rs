//! The one place that touches the browser's extension APIs.
//!
//! Browser differences live here (and in `extension/platform/`): which
//! namespace exists, how promises come back, how `sender` looks. Everything
//! else in the glue calls these typed helpers.

use js_sys::{Array, Function, Promise, Reflect};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use escucha_core::i18n::Key;
use escucha_core::protocol::{Answer, Channel, PageEvent, ProtocolError, Request, SenderInfo};

/// A failed browser call, in words a person can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformError(pub String);

impl std::fmt::Display for PlatformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<JsValue> for PlatformError {
    fn from(v: JsValue) -> Self {
        PlatformError(describe_js_error(&v))
    }
}

impl From<PlatformError> for JsValue {
    fn from(e: PlatformError) -> Self {
        js_sys::Error::new(&e.0).into()
    }
}

/// `err.message` when there is one, otherwise `String(err)`.
pub use escucha_ui::describe_js_error;

/// The extension namespace chosen by `extension/platform/extension_api.js`.
pub fn api() -> Result<JsValue, PlatformError> {
    let v = Reflect::get(&js_sys::global(), &"escuchaExtensionApi".into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_object() {
        Ok(v)
    } else {
        Err(PlatformError("Escucha is not running inside a browser extension.".into()))
    }
}

fn get_path(root: &JsValue, path: &[&str]) -> Result<JsValue, PlatformError> {
    let mut cur = root.clone();
    for part in path {
        cur = Reflect::get(&cur, &(*part).into())?;
        if cur.is_undefined() || cur.is_null() {
            return Err(PlatformError(format!("This browser has no extension API '{}'.", path.join("."))));
        }
    }
    Ok(cur)
}

/// Call `api.<path>(args…)` and return its result, unwrapping a promise.
pub async fn call(path: &str, args: &[JsValue]) -> Result<JsValue, PlatformError> {
    let result = call_sync(path, args)?;
    match result.dyn_into::<Promise>() {
        Ok(p) => Ok(JsFuture::from(p).await?),
        Err(v) => Ok(v),
    }
}

/// Call `api.<path>(args…)` synchronously.
pub fn call_sync(path: &str, args: &[JsValue]) -> Result<JsValue, PlatformError> {
    let parts: Vec<&str> = path.split('.').collect();
    let (method, owner) = parts.split_last().expect("non-empty API path");
    let this = get_path(&api()?, owner)?;
    let f: Function = Reflect::get(&this, &(*method).into())?
        .dyn_into()
        .map_err(|_| PlatformError(format!("This browser has no extension API '{path}'.")))?;
    Ok(f.apply(&this, &args.iter().collect::<Array>())?)
}

pub fn runtime_id() -> Result<String, PlatformError> {
    get_path(&api()?, &["runtime", "id"])?.as_string().ok_or_else(|| PlatformError("runtime.id is missing.".into()))
}

/// Our extension as its senders are checked against: `runtime.id` plus the
/// origin of `runtime.getURL("")`. They differ per browser (Firefox serves
/// pages from a per-install UUID while `runtime.id` is the add-on id), so the
/// core compares origins, and both facts come from here.
pub fn own_extension() -> Result<escucha_core::sender::OwnExtension, ProtocolError> {
    let internal = |e: PlatformError| ProtocolError::Internal { detail: e.0 };
    let id = runtime_id().map_err(internal)?;
    let base = call_sync("runtime.getURL", &["".into()]).map_err(internal)?.as_string().unwrap_or_default();
    escucha_core::sender::OwnExtension::new(&id, &base)
}

/// A localized UI string, falling back to the key if the browser has none.
pub fn t(key: Key, substitutions: &[&str]) -> String {
    let subs: Array = substitutions.iter().map(|s| JsValue::from_str(s)).collect();
    call_sync("i18n.getMessage", &[key.name().into(), subs.into()])
        .ok()
        .and_then(|v| v.as_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| key.name().to_string())
}

/// Serialize to a plain JS object (maps as objects, as JSON would).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// Parse an incoming message as channel `C`'s requests (see
/// [`escucha_core::protocol::Incoming`] for the service worker's own choice).
pub fn incoming<C: Channel>(value: JsValue) -> Result<C, ProtocolError> {
    C::from_wire(wire_value(value)?)
}

/// An incoming message as JSON, for [`Channel::from_wire`].
pub fn wire_value(value: JsValue) -> Result<serde_json::Value, ProtocolError> {
    from_js(value).map_err(|detail| ProtocolError::BadMessage { detail })
}

/// A request as it travels: its fields plus `type`.
pub fn wire<R: Request>(request: &R) -> JsValue {
    let value = to_js(request);
    let _ = Reflect::set(&value, &"type".into(), &R::NAME.into());
    value
}

/// The answer to request `_request`: the compiler checks `result` is its reply type.
pub fn answer<R: Request>(_request: &R, result: Result<R::Reply, ProtocolError>) -> JsValue {
    to_js(&Answer::from(result))
}

/// A message refused before it was read as a request.
pub fn refusal(error: ProtocolError) -> JsValue {
    to_js(&Answer::<()>::Error(error))
}

/// Decode the answer to `R`.
fn answer_of<R: Request>(reply: JsValue) -> Result<R::Reply, ProtocolError> {
    let answer: Answer<R::Reply> = from_js(reply).map_err(|detail| ProtocolError::BadReply { request: R::NAME.into(), detail })?;
    answer.into()
}

/// The words for an error, in the manager's language.
pub fn error_text(error: &ProtocolError) -> String {
    crate::words::say(&error.words())
}

/// Reduce `runtime.MessageSender` to what authorization needs.
pub fn sender_info(sender: &JsValue) -> SenderInfo {
    let str_field = |obj: &JsValue, k: &str| Reflect::get(obj, &k.into()).ok().and_then(|v| v.as_string());
    let int_field = |obj: &JsValue, k: &str| Reflect::get(obj, &k.into()).ok().and_then(|v| v.as_f64()).map(|f| f as i32);
    let tab = Reflect::get(sender, &"tab".into()).unwrap_or(JsValue::UNDEFINED);
    SenderInfo {
        extension_id: str_field(sender, "id"),
        url: str_field(sender, "url"),
        tab_id: if tab.is_object() { int_field(&tab, "id") } else { None },
        frame_id: int_field(sender, "frameId"),
    }
}

/// Send a request to the service worker; the answer is its reply type.
pub async fn send<R: Request>(request: &R) -> Result<R::Reply, ProtocolError> {
    let reply = send_message(wire(request)).await.map_err(|e| ProtocolError::NoAnswer { detail: e.0 })?;
    answer_of::<R>(reply)
}

/// `runtime.sendMessage(message)` in its callback form, on the `chrome`
/// namespace both browsers have. Firefox hands the promise form's answer to
/// an extension page framed in a web page (the card) as an opaque object
/// (`{}`, no keys); the callback receives a readable copy.
async fn send_message(message: JsValue) -> Result<JsValue, PlatformError> {
    let chrome = Reflect::get(&js_sys::global(), &"chrome".into()).unwrap_or(JsValue::UNDEFINED);
    if !chrome.is_object() {
        return call("runtime.sendMessage", &[message]).await;
    }
    let runtime = get_path(&chrome, &["runtime"])?;
    let f: Function = Reflect::get(&runtime, &"sendMessage".into())?
        .dyn_into()
        .map_err(|_| PlatformError("This browser has no extension API 'runtime.sendMessage'.".into()))?;
    let mut failed: Option<PlatformError> = None;
    let answered = Promise::new(&mut |resolve, reject| {
        let runtime_for_cb = runtime.clone();
        let cb = wasm_bindgen::closure::Closure::once_into_js(move |reply: JsValue| {
            // `lastError` must be read inside the callback, or the browser logs it as unchecked.
            let error = Reflect::get(&runtime_for_cb, &"lastError".into()).unwrap_or(JsValue::UNDEFINED);
            if error.is_object() {
                let _ = reject.call1(&JsValue::NULL, &error);
            } else {
                let _ = resolve.call1(&JsValue::NULL, &reply);
            }
        });
        if let Err(e) = f.call2(&runtime, &message, &cb) {
            failed = Some(e.into());
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(JsFuture::from(answered).await?)
}

/// Send a request to one frame of a tab (frame 0 is the top page).
pub async fn send_to_tab<R: Request>(tab_id: i32, frame_id: Option<i32>, request: &R) -> Result<R::Reply, ProtocolError> {
    let options = js_sys::Object::new();
    if let Some(f) = frame_id {
        Reflect::set(&options, &"frameId".into(), &f.into()).map_err(|e| ProtocolError::Internal { detail: describe_js_error(&e) })?;
    }
    let reply = call("tabs.sendMessage", &[tab_id.into(), wire(request), options.into()])
        .await
        .map_err(|e| ProtocolError::NoAnswer { detail: e.0 })?;
    answer_of::<R>(reply)
}

/// Read one string value from `storage.local`.
pub async fn storage_get(key: &str) -> Result<Option<String>, PlatformError> {
    let items = call("storage.local.get", &[key.into()]).await?;
    Ok(Reflect::get(&items, &key.into())?.as_string())
}

/// config12: what the organization's policy presets (`storage.managed`).
/// Chrome answers `{}` when no policy is set; Firefox reads policies.json's
/// `3rdparty.Extensions` and throws when there is none: both are "no policy".
pub async fn managed_policy() -> escucha_core::team_config::ManagedPolicy {
    let value = match call("storage.managed.get", &[JsValue::NULL]).await {
        Ok(v) => serde_wasm_bindgen::from_value::<serde_json::Value>(v).unwrap_or_default(),
        Err(_) => serde_json::Value::Null,
    };
    escucha_core::team_config::ManagedPolicy::from_json(&value)
}

/// Write string values to `storage.local` in one atomic call.
pub async fn storage_set(items: &[(&str, &str)]) -> Result<(), PlatformError> {
    let obj = js_sys::Object::new();
    for (k, v) in items {
        Reflect::set(&obj, &(*k).into(), &(*v).into())?;
    }
    call("storage.local.set", &[obj.into()]).await?;
    Ok(())
}

/// The active tab of the current window, if any.
pub async fn active_tab() -> Result<Option<(i32, String)>, PlatformError> {
    let query = js_sys::Object::new();
    Reflect::set(&query, &"active".into(), &true.into())?;
    Reflect::set(&query, &"currentWindow".into(), &true.into())?;
    let tabs: Array = call("tabs.query", &[query.into()]).await?.unchecked_into();
    let tab = tabs.get(0);
    if !tab.is_object() {
        return Ok(None);
    }
    let id = Reflect::get(&tab, &"id".into())?.as_f64().map(|f| f as i32);
    let url = Reflect::get(&tab, &"url".into())?.as_string().unwrap_or_default();
    Ok(id.map(|id| (id, url)))
}

/// Ids of every open tab, for broadcasting changes.
pub async fn all_tab_ids() -> Result<Vec<i32>, PlatformError> {
    let tabs: Array = call("tabs.query", &[js_sys::Object::new().into()]).await?.unchecked_into();
    Ok(tabs.iter().filter_map(|t| Reflect::get(&t, &"id".into()).ok()?.as_f64().map(|f| f as i32)).collect())
}

pub async fn set_badge(tab_id: i32, text: &str) -> Result<(), PlatformError> {
    let details = js_sys::Object::new();
    Reflect::set(&details, &"tabId".into(), &tab_id.into())?;
    Reflect::set(&details, &"text".into(), &text.into())?;
    call("action.setBadgeText", &[details.into()]).await?;
    Ok(())
}

/// 16 bytes from the platform's CSPRNG (`crypto.getRandomValues`).
pub fn random_bytes() -> Result<[u8; 16], PlatformError> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into())?;
    let buf = js_sys::Uint8Array::new_with_length(16);
    let f: js_sys::Function = Reflect::get(&crypto, &"getRandomValues".into())?.dyn_into()?;
    f.call1(&crypto, &buf)?;
    let mut out = [0u8; 16];
    buf.copy_to(&mut out);
    Ok(out)
}

/// Listen for the service worker's news to extension pages ([`PageEvent`]).
/// Pages never answer them; other messages (requests between other
/// contexts, which pages also hear) are ignored.
pub fn on_event(f: impl Fn(PageEvent) + 'static) -> Result<(), PlatformError> {
    let cb = wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
        if let Ok(e) = incoming::<PageEvent>(message) {
            f(e);
        }
    });
    call_sync("runtime.onMessage.addListener", &[cb.as_ref().clone()])?;
    cb.forget(); // lives as long as the page
    Ok(())
}

/// Open `url` in a new, focused tab; its id.
pub async fn open_tab(url: &str) -> Result<i32, PlatformError> {
    let props = js_sys::Object::new();
    Reflect::set(&props, &"url".into(), &url.into())?;
    let tab = call("tabs.create", &[props.into()]).await?;
    Reflect::get(&tab, &"id".into())?.as_f64().map(|f| f as i32).ok_or_else(|| PlatformError("The new tab has no id.".into()))
}

/// Read and remove one string from `storage.session` (a one-shot hand-over).
pub async fn session_take(key: &str) -> Result<Option<String>, PlatformError> {
    let got = call("storage.session.get", &[key.into()]).await?;
    let value = Reflect::get(&got, &key.into())?.as_string();
    if value.is_some() {
        call("storage.session.remove", &[key.into()]).await?;
    }
    Ok(value)
}

/// Read one string from `storage.session`.
pub async fn session_get(key: &str) -> Result<Option<String>, PlatformError> {
    let got = call("storage.session.get", &[key.into()]).await?;
    Ok(Reflect::get(&got, &key.into())?.as_string())
}

/// Write one string to `storage.session` (cleared when the browser closes,
/// readable only by trusted contexts unless the access level is widened).
pub async fn session_set(key: &str, value: &str) -> Result<(), PlatformError> {
    let obj = js_sys::Object::new();
    Reflect::set(&obj, &key.into(), &value.into())?;
    call("storage.session.set", &[obj.into()]).await?;
    Ok(())
}

/// Keep content scripts out of `storage.local` where the browser can
/// (`setAccessLevel`, Chromium). Firefox has no access levels there: its
/// content scripts can read `storage.local`, which is why secrets (the sync
/// token) live in the extension origin's IndexedDB instead, on every browser.
pub async fn close_local_storage_to_content_scripts() {
    let level = js_sys::Object::new();
    let _ = Reflect::set(&level, &"accessLevel".into(), &"TRUSTED_CONTEXTS".into());
    if let Err(e) = call("storage.local.setAccessLevel", &[level.into()]).await {
        web_sys::console::debug_1(&format!("Escucha: storage.local.setAccessLevel unavailable: {e}").into());
    }
}

/// Remove keys from `storage.local`.
pub async fn storage_remove(key: &str) -> Result<(), PlatformError> {
    call("storage.local.remove", &[key.into()]).await?;
    Ok(())
}

// The one fetch with a timeout lives in the UI kit, shared with the dashboard.
pub use escucha_ui::http::{fetch, FetchFailure, HttpResponse};

/// `permissions.contains({origins: [pattern]})`.
pub async fn has_origin_permission(pattern: &str) -> Result<bool, PlatformError> {
    let q = js_sys::Object::new();
    Reflect::set(&q, &"origins".into(), &Array::of1(&pattern.into()))?;
    Ok(call("permissions.contains", &[q.into()]).await?.as_bool().unwrap_or(false))
}

/// `permissions.request({origins: [pattern]})`: must be called from a click
/// handler (a user gesture), before any `await`.
pub fn request_origin_permission(pattern: &str) -> Result<Promise, PlatformError> {
    let q = js_sys::Object::new();
    Reflect::set(&q, &"origins".into(), &Array::of1(&pattern.into()))?;
    call_sync("permissions.request", &[q.into()])?
        .dyn_into::<Promise>()
        .map_err(|_| PlatformError("permissions.request did not return a promise.".into()))
}

/// Create the periodic alarm `name` unless it already exists (alarms
/// survive worker restarts; creating again would push its next firing back).
pub async fn ensure_alarm(name: &str, period_minutes: f64) -> Result<(), PlatformError> {
    let existing = call("alarms.get", &[name.into()]).await?;
    if existing.is_object() {
        return Ok(());
    }
    let info = js_sys::Object::new();
    Reflect::set(&info, &"periodInMinutes".into(), &period_minutes.into())?;
    Reflect::set(&info, &"delayInMinutes".into(), &period_minutes.into())?;
    call("alarms.create", &[name.into(), info.into()]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use escucha_core::protocol::requests::{OpenMatcher, SiteToggled, ToggleSite};
    use escucha_core::protocol::ContentRequest;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn requests_and_answers_cross_js_typed() {
        let request = OpenMatcher { url: "https://a.example/".into(), ancestors: vec![] };
        let js = wire(&request);
        assert_eq!(Reflect::get(&js, &"type".into()).unwrap(), "openMatcher");
        assert_eq!(incoming::<ContentRequest>(js).unwrap(), ContentRequest::OpenMatcher(request));

        let ok = answer(&ToggleSite { url: "u".into() }, Ok(SiteToggled { enabled: true }));
        assert!(answer_of::<ToggleSite>(ok.clone()).unwrap().enabled);
        // An answer of another request's shape is a typed error naming the
        // request, never a Debug dump of whatever came back.
        let wrong = answer_of::<OpenMatcher>(ok).unwrap_err();
        assert!(matches!(&wrong, ProtocolError::BadReply { request, .. } if request == "openMatcher"), "{wrong:?}");
        assert_eq!(answer_of::<ToggleSite>(refusal(ProtocolError::NoSite)).unwrap_err(), ProtocolError::NoSite);
    }
}
