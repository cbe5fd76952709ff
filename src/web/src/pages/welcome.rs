//! The welcome page, opened once on install (`escucha_core::first_run`):
//! choose what to listen for — import a brand list, create the first group
//! (in the options page), or switch on the demo brands with one click — and
//! how capture works, in four steps.

use escucha_core::brands::BrandList;
use escucha_core::i18n::Key;
use escucha_core::protocol::requests::{GetSettings, SaveSettings};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};

use crate::dom::{append, el};
use crate::pages::{app_root, heading, set_document_lang};
use crate::platform::{self, t, PlatformError};

pub async fn start() -> Result<(), PlatformError> {
    set_document_lang();
    if let Some(title) = web_sys::window().and_then(|w| w.document()) {
        title.set_title(&t(Key::WelcomeTitle, &[]));
    }
    let root = app_root();
    let intro = el("p", &[("class", "intro")], &t(Key::WelcomeIntro, &[]));

    let brands_title = el("h2", &[("id", "brands-title")], &t(Key::WelcomeBrandsTitle, &[]));
    let hint = el("p", &[], &t(Key::WelcomeBrandsHint, &[]));
    let import_input: HtmlInputElement =
        el("input", &[("type", "file"), ("id", "import-file"), ("accept", ".json,application/json"), ("hidden", "")], "").unchecked_into();
    let import = el("button", &[("type", "button"), ("id", "import"), ("class", "primary")], &t(Key::WelcomeImport, &[]));
    let create = el("button", &[("type", "button"), ("id", "create")], &t(Key::WelcomeCreate, &[]));
    let demo = el("button", &[("type", "button"), ("id", "use-demo")], &t(Key::WelcomeDemo, &[]));
    let state = el("p", &[("id", "state"), ("role", "status")], "");
    let choices = append(el("div", &[("class", "actions")], ""), &[&import, &create, &demo, &import_input]);
    let brands = append(el("section", &[("aria-labelledby", "brands-title")], ""), &[&brands_title, &hint, &choices, &state]);

    let capture_title = el("h2", &[("id", "capture-title")], &t(Key::WelcomeCaptureTitle, &[]));
    let steps = el("ol", &[("class", "steps")], "");
    for key in [Key::WelcomeStepHighlight, Key::WelcomeStepCard, Key::WelcomeStepLog, Key::WelcomeStepReview] {
        steps.append_child(&el("li", &[], &t(key, &[]))).ok();
    }
    let capture = append(el("section", &[("aria-labelledby", "capture-title")], ""), &[&capture_title, &steps]);
    append(&root, &[&heading(&t(Key::WelcomeTitle, &[])), &intro, &brands, &capture]);

    {
        let input = import_input.clone();
        on_click(&import, move || input.click());
    }
    on_click(&create, || {
        let _ = platform::call_sync("runtime.openOptionsPage", &[]);
    });
    {
        let state = state.clone();
        on_click(&demo, move || {
            let state = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let text = match save_brands(BrandList::demo()).await {
                    Ok(()) => t(Key::WelcomeDemoDone, &[]),
                    Err(e) => t(Key::ErrorGeneric, &[&e.0]),
                };
                show(&state, &text);
            });
        });
    }
    {
        let (input, state) = (import_input.clone(), state.clone());
        let cb = Closure::<dyn Fn()>::new(move || {
            let (input, state) = (input.clone(), state.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
                let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
                input.set_value("");
                let shown = match BrandList::from_json(&text) {
                    Ok(list) => match save_brands(list).await {
                        Ok(()) => t(Key::WelcomeImported, &[]),
                        Err(e) => t(Key::ErrorGeneric, &[&e.0]),
                    },
                    // The options page lists each problem with where it is.
                    Err(_) => t(Key::WelcomeImportFailed, &[]),
                };
                show(&state, &shown);
            });
        });
        import_input.set_onchange(Some(cb.as_ref().unchecked_ref()));
        cb.forget();
    }
    root.set_attribute("data-ready", "true").ok();
    Ok(())
}

/// Replace the brand list in the stored settings, keeping everything else.
async fn save_brands(brands: BrandList) -> Result<(), PlatformError> {
    let err = |e| PlatformError(platform::error_text(&e));
    let mut settings = platform::send(&GetSettings {}).await.map_err(err)?.settings;
    settings.brands = brands;
    platform::send(&SaveSettings { settings }).await.map_err(err)?;
    Ok(())
}

fn show(state: &HtmlElement, text: &str) {
    state.set_text_content(Some(text));
}

fn on_click(el: &HtmlElement, f: impl Fn() + 'static) {
    let cb = Closure::<dyn Fn()>::new(f);
    el.set_onclick(Some(cb.as_ref().unchecked_ref()));
    cb.forget(); // lives as long as the page
}
