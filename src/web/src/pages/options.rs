//! The options page: settings as stored, validated by the core before saving.

use escucha_core::i18n::Key;
use escucha_core::protocol::{Message, Reply};
use escucha_core::settings::Settings;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;

use crate::dom;
use crate::pages::{app_root, heading};
use crate::platform::{self, t, PlatformError};

pub async fn start() -> Result<(), PlatformError> {
    let root = app_root();
    let problem = dom::el("p", &[("id", "settings-problem"), ("class", "problem"), ("hidden", "")], "");
    let editor: HtmlTextAreaElement =
        dom::el("textarea", &[("id", "brands-json"), ("rows", "20"), ("cols", "80"), ("spellcheck", "false")], "")
            .unchecked_into();
    let save = dom::el("button", &[("id", "save"), ("type", "button"), ("class", "primary")], "Save");
    let status = dom::el("p", &[("id", "save-status"), ("role", "status")], "");
    dom::append(
        &root,
        &[
            &heading(&t(Key::OptionsTitle, &[])),
            &problem,
            &dom::el("h2", &[], &t(Key::OptionsBrands, &[])),
            &editor,
            &save,
            &status,
        ],
    );

    let (settings, stored_problem) = match platform::send_message(&Message::GetSettings).await? {
        Reply::Settings { settings, problem } => (settings, problem),
        Reply::Error(e) => return Err(PlatformError(e.message)),
        other => return Err(PlatformError(format!("Unexpected reply: {other:?}"))),
    };
    if let Some(p) = stored_problem {
        problem.set_text_content(Some(&t(Key::OptionsSettingsProblem, &[&p])));
        problem.remove_attribute("hidden").ok();
    }
    editor.set_value(&settings.brands.to_json_pretty());
    root.set_attribute("data-ready", "true").ok();

    let on_save = {
        let editor = editor.clone();
        let status = status.clone();
        Closure::<dyn Fn()>::new(move || {
            let editor = editor.clone();
            let status = status.clone();
            let base = settings.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let text = save_brands(base, &editor.value()).await;
                status.set_text_content(Some(&text));
            });
        })
    };
    save.set_onclick(Some(on_save.as_ref().unchecked_ref()));
    on_save.forget();
    Ok(())
}

/// Validate and save; returns the sentence to show. A rejected edit leaves
/// the stored settings exactly as they were.
async fn save_brands(mut settings: Settings, json: &str) -> String {
    match escucha_core::brands::BrandList::from_json(json) {
        Err(errors) => errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("\n"),
        Ok(brands) => {
            settings.brands = brands;
            match platform::send_message(&Message::SaveSettings { settings }).await {
                Ok(Reply::Ok) => t(Key::OptionsSaved, &[]),
                Ok(Reply::Error(e)) => e.message,
                Ok(other) => format!("{other:?}"),
                Err(e) => t(Key::ErrorGeneric, &[&e.0]),
            }
        }
    }
}
