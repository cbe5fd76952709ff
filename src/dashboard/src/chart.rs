//! The one binding to Chart.js (loaded as `chart.umd.js`, a classic script
//! that defines the global `Chart`). Configs are built in escucha-core.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

#[wasm_bindgen]
extern "C" {
    pub type Chart;

    #[wasm_bindgen(constructor, catch)]
    fn new(canvas: &HtmlCanvasElement, config: &JsValue) -> Result<Chart, JsValue>;

    #[wasm_bindgen(method)]
    pub fn destroy(this: &Chart);
}

/// `new Chart(canvas, config)`, the config given as JSON.
pub fn create(canvas: &HtmlCanvasElement, config: &serde_json::Value) -> Result<Chart, String> {
    let config = js_sys::JSON::parse(&config.to_string()).map_err(|e| format!("{e:?}"))?;
    Chart::new(canvas, &config)
        .map_err(|e| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}")))
}
