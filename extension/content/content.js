// Thin loader for the content script: loads the Rust engine (the small
// `escucha_content` module, not the extension's full one) and forwards
// messages to it. Where the page's CSP forbids WebAssembly here (e.g.
// `script-src 'self'`), the engine cannot load and the matcher client takes
// over: the same Rust matcher then runs in a hidden extension frame
// (content/matcher_client.js, src/web/src/matcher_frame).
(() => {
  const api = self.escuchaExtensionApi;
  const P = self.escuchaProtocol; // generated from the Rust types
  const ready = wasm_bindgen({ module_or_path: api.runtime.getURL('wasm/escucha_content_bg.wasm') }).then(
    () => wasm_bindgen.content_start().then(() => wasm_bindgen.content_handle_message),
    (err) => {
      console.debug('Escucha: WebAssembly unavailable on this page, using the matcher frame:', String(err));
      const client = self.escuchaMatcherClient(api);
      return client.start().then(() => client.handle);
    },
  );
  ready.catch((err) => console.debug('Escucha: engine unavailable on this page:', String(err)));
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    ready
      .then((handle) => handle(message, sender))
      .then(sendResponse, (err) => sendResponse({ type: P.Answer.error, code: P.ErrorCode.internal, detail: String(err) }));
    return true;
  });
})();
