// The one place where the browser's extension namespace is chosen: Firefox
// exposes `browser`, Chromium `chrome`; both return promises in MV3.
// Loaded first in every context (service worker, content script, pages).
self.escuchaExtensionApi = globalThis.browser ?? globalThis.chrome;
