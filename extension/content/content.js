// Thin loader for the content script: loads the Rust engine and forwards
// messages to it. If the page's CSP forbids WebAssembly here, the engine
// reports that and Rust-side fallbacks take over (see src/web/src/content).
(() => {
  const api = self.escuchaExtensionApi;
  const ready = wasm_bindgen({ module_or_path: api.runtime.getURL('wasm/escucha_web_bg.wasm') })
    .then(() => wasm_bindgen.content_start());
  ready.catch((err) => {
    api.runtime.sendMessage({ type: 'contentHello', url: location.href }).catch(() => {});
    console.debug('Escucha: engine unavailable on this page:', String(err));
  });
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    ready
      .then(() => wasm_bindgen.content_handle_message(message, sender))
      .then(sendResponse, (err) => sendResponse({ type: 'error', code: 'internal', message: String(err) }));
    return true;
  });
})();
