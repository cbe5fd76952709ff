// Thin loader for extension pages (popup, options): loads the Rust engine and
// hands it the page named in this script tag's data-page attribute.
(() => {
  const page = document.currentScript.dataset.page;
  self.escuchaReady = wasm_bindgen({ module_or_path: '/wasm/escucha_web_bg.wasm' })
    .then(() => wasm_bindgen.page_start(page));
  self.escuchaReady.catch((err) => {
    document.body.dataset.escuchaError = String(err);
    // Worded from the locale tables (the engine that words everything else did not start).
    const i18n = (self.browser ?? self.chrome).i18n;
    document.body.textContent = i18n.getMessage("pageStartFailed", [String(err)]) || String(err);
  });
})();
