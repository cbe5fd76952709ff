// Runs in the page's own world (manifest "world": "MAIN"), before the
// page's scripts. Attaching a shadow root makes no mutation record, and a
// custom element defined after load upgrades (and attaches one) without any
// DOM change, so Escucha's content script would never see that text. This
// wrapper announces each open shadow root on its host with the event named
// by escucha_core::page_watch::SHADOW_ATTACHED_EVENT; the content script
// then rescans the host and observes the new root. It reads nothing, sends
// nothing else, and returns exactly what the original returns; closed roots
// stay closed.
(() => {
  const original = Element.prototype.attachShadow;
  if (typeof original !== 'function') return;
  const attachShadow = {
    attachShadow(init) {
      const root = original.call(this, init);
      if (root.mode === 'open') this.dispatchEvent(new Event('escucha-shadow-attached', { bubbles: true, composed: true }));
      return root;
    },
  }.attachShadow;
  Object.defineProperty(Element.prototype, 'attachShadow', { value: attachShadow, writable: true, configurable: true, enumerable: false });
})();
