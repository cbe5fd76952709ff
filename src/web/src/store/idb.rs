//! IndexedDB requests and transactions as futures, and the browser's error
//! names mapped onto [`StoreFailure`].
//!
//! Futures here resolve from IDB event handlers through promise microtasks,
//! which run before the transaction goes inactive; so a transaction stays
//! usable across `.await`s on its own requests (never await anything else
//! while one is open).

use escucha_core::log::store_error::{self, StoreFailure};
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbRequest, IdbTransaction, IdbTransactionMode};

/// `indexedDB` of whatever global we run in (window or service worker).
pub fn factory() -> Result<IdbFactory, JsValue> {
    let f = Reflect::get(&js_sys::global(), &"indexedDB".into())?;
    if f.is_undefined() || f.is_null() {
        return Err(js_sys::Error::new("IndexedDB is not available here").into());
    }
    Ok(f.unchecked_into())
}

/// The result of one request, or its error. Call it as soon as the request
/// is made: the handlers are attached now, and a request whose `success`
/// already fired would never resolve.
pub fn request(req: &IdbRequest) -> JsFuture {
    let promise = Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        // One handler for both events: a request fires exactly one, so the
        // closure always runs and is freed. (Two `once_into_js` closures
        // leaked the one never called, and with it the request and its
        // result: every read's rows stayed in memory, gigabytes in an import.)
        let settle = Closure::once_into_js(move |e: web_sys::Event| {
            if e.type_() == "success" {
                let _ = resolve.call1(&JsValue::UNDEFINED, &r.result().unwrap_or(JsValue::UNDEFINED));
            } else {
                let err = r.error().ok().flatten().map(JsValue::from).unwrap_or_else(|| "request failed".into());
                let _ = reject.call1(&JsValue::UNDEFINED, &err);
            }
        });
        req.set_onsuccess(Some(settle.unchecked_ref()));
        req.set_onerror(Some(settle.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// The values under a cursor request, in cursor order, stopping after
/// `limit`. Await it at once, like [`request`]: its handlers are attached
/// on the first poll, and they must be before the first `success` fires.
pub async fn cursor_values(req: &IdbRequest, limit: u32) -> Result<js_sys::Array, JsValue> {
    let values = js_sys::Array::new();
    let mut handlers = None;
    let promise = Promise::new(&mut |resolve, reject| {
        let (r, v, fail) = (req.clone(), values.clone(), reject.clone());
        let step = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e| {
            let cursor = r.result().ok().filter(|c| !c.is_null() && !c.is_undefined());
            if let Some(cursor) = cursor {
                let cursor: web_sys::IdbCursorWithValue = cursor.unchecked_into();
                v.push(&cursor.value().unwrap_or(JsValue::UNDEFINED));
                if v.length() < limit {
                    if let Err(e) = cursor.continue_() {
                        let _ = fail.call1(&JsValue::UNDEFINED, &e);
                    }
                    return;
                }
            }
            let _ = resolve.call1(&JsValue::UNDEFINED, &v);
        });
        let r = req.clone();
        let error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e| {
            let err = r.error().ok().flatten().map(JsValue::from).unwrap_or_else(|| "request failed".into());
            let _ = reject.call1(&JsValue::UNDEFINED, &err);
        });
        req.set_onsuccess(Some(step.as_ref().unchecked_ref()));
        req.set_onerror(Some(error.as_ref().unchecked_ref()));
        handlers = Some((step, error));
    });
    if limit == 0 {
        return Ok(values);
    }
    let done = JsFuture::from(promise).await;
    // The handlers live until here; detach them before they are dropped.
    req.set_onsuccess(None);
    req.set_onerror(None);
    drop(handlers);
    done.map(|_| values)
}

/// A transaction and the promise of its end. Writes are `strict`: `complete`
/// fires only after the data is flushed to disk, which is what makes our
/// acknowledgement mean "durable" (Chromium's default is `relaxed`).
pub struct Tx {
    pub tx: IdbTransaction,
    done: JsFuture,
}

impl Tx {
    pub fn begin(db: &IdbDatabase, stores: &[&str], write: bool) -> Result<Tx, JsValue> {
        let names: js_sys::Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let tx = if write {
            let options = js_sys::Object::new();
            Reflect::set(&options, &"durability".into(), &"strict".into())?;
            // web-sys gates the options dictionary behind `web_sys_unstable_apis`;
            // one dynamic call does not justify that flag for the whole crate.
            let open: js_sys::Function = Reflect::get(db, &"transaction".into())?.unchecked_into();
            open.call3(db, &names, &"readwrite".into(), &options)?.unchecked_into()
        } else {
            db.transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readonly)?
        };
        let done = Promise::new(&mut |resolve, reject| {
            let t = tx.clone();
            // One handler for `complete` and `abort` (exactly one fires), so
            // it is always called and freed; see `request`.
            let settle = Closure::once_into_js(move |e: web_sys::Event| {
                if e.type_() == "complete" {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                } else {
                    let err = t.error().map(JsValue::from).unwrap_or_else(|| aborted().into());
                    let _ = reject.call1(&JsValue::UNDEFINED, &err);
                }
            });
            tx.set_oncomplete(Some(settle.unchecked_ref()));
            tx.set_onabort(Some(settle.unchecked_ref()));
        });
        // Wrapping at once attaches the handlers, so an early return that
        // never awaits it does not log an "unhandled rejection".
        Ok(Tx { tx, done: JsFuture::from(done) })
    }

    pub fn store(&self, name: &str) -> Result<web_sys::IdbObjectStore, JsValue> {
        self.tx.object_store(name)
    }

    /// Resolves on `complete` (committed), fails with why it aborted.
    pub async fn commit(self) -> Result<(), JsValue> {
        // Ask for the commit now rather than after the next task.
        // `commit()` is standard (Chromium 76+, Firefox 74+); web-sys marks it deprecated.
        if let Ok(commit) = Reflect::get(&self.tx, &"commit".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = commit.call0(&self.tx);
        }
        self.done.await.map(|_| ())
    }

    /// Undo everything this transaction did (used when our own check fails midway).
    pub fn abort(self) {
        let _ = self.tx.abort();
    }
}

fn aborted() -> js_sys::Error {
    let e = js_sys::Error::new("The transaction was aborted.");
    e.set_name("AbortError");
    e
}

/// The browser's error (a `DOMException` or `Error`) as a failure kind.
pub fn failure(err: &JsValue) -> StoreFailure {
    let get = |k: &str| Reflect::get(err, &k.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let message = match get("message") {
        m if m.is_empty() => err.as_string().unwrap_or_default(),
        m => m,
    };
    store_error::classify(&get("name"), &message)
}
