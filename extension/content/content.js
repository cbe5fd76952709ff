// Thin loader for the content script: loads the Rust engine (the small
// `escucha_content` module, not the extension's full one) and forwards
// messages to it. Where the page's CSP forbids WebAssembly here (e.g.
// `script-src 'self'`), the engine cannot load and the matcher client takes
// over: the same Rust matcher then runs in a hidden extension frame
// (content/matcher_client.js, src/web/src/matcher_frame).
//
// A frame with no text at all (tracking pixels, empty ad slots) gets no
// engine until text appears in it or a message asks for it: instantiating
// the module costs about 470 KB of memory per frame
// (tests/bench/frames_memory.mjs). The top frame always starts.
(() => {
  const api = self.escuchaExtensionApi;
  const P = self.escuchaProtocol; // generated from the Rust types
  let ready = null;
  const start = () => {
    if (ready !== null) return ready;
    ready = wasm_bindgen({ module_or_path: api.runtime.getURL('wasm/escucha_content_bg.wasm') }).then(
      () => wasm_bindgen.content_start().then(() => wasm_bindgen.content_handle_message),
      (err) => {
        console.debug('Escucha: WebAssembly unavailable on this page, using the matcher frame:', String(err));
        const client = self.escuchaMatcherClient(api);
        return client.start().then(() => client.handle);
      },
    );
    ready.catch((err) => console.debug('Escucha: engine unavailable on this page:', String(err)));
    return ready;
  };
  // The first text node with anything but white space ends the search.
  const hasText = () => {
    const root = document.body ?? document.documentElement;
    if (!root) return false;
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n !== null; n = w.nextNode()) if (/\S/.test(n.data)) return true;
    return false;
  };
  if (window === window.top || hasText()) {
    start();
  } else {
    const watch = new MutationObserver(() => {
      if (hasText()) { watch.disconnect(); start(); }
    });
    watch.observe(document, { childList: true, subtree: true, characterData: true });
  }
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    // A frame still without text has nothing to answer for (no mentions,
    // no selection); other frames of the tab answer.
    if (ready === null && !hasText()) return false;
    start()
      .then((handle) => handle(message, sender))
      .then(sendResponse, (err) => sendResponse({ type: P.Answer.error, code: P.ErrorCode.internal, detail: String(err) }));
    return true;
  });
})();
