// Thin loader for the card frame: keeps the window messages that arrive
// while the engine loads (the content script posts its port as soon as the
// frame has loaded), then hands them and all later ones to Rust.
(() => {
  const early = [];
  const keep = (e) => early.push(e);
  addEventListener('message', keep);
  self.escuchaReady = wasm_bindgen({ module_or_path: '/wasm/escucha_web_bg.wasm' }).then(() => {
    removeEventListener('message', keep);
    return wasm_bindgen.card_frame_start(early);
  });
  self.escuchaReady.catch((err) => console.warn('Escucha card:', String(err)));
})();
