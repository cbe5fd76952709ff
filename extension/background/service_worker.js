// Thin loader for the service worker. Rust (wasm) decides everything; this
// file only loads it and wires browser events to it.
//
// Classic (non-module) worker on purpose: a module worker with top-level
// await fails to start, and listeners must be registered synchronously on the
// first turn so the browser can wake the worker for them.
if (typeof importScripts === 'function') {
  importScripts('/platform/extension_api.js', '/platform/protocol.js', '/wasm/escucha_web.js'); // Firefox loads these via manifest "scripts"
}
(() => {
  const api = self.escuchaExtensionApi;
  const P = self.escuchaProtocol; // generated from the Rust types
  const ready = wasm_bindgen({ module_or_path: api.runtime.getURL('wasm/escucha_web_bg.wasm') })
    .then(() => wasm_bindgen.sw_start());

  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    ready
      .then(() => wasm_bindgen.sw_handle_message(message, sender))
      .then(sendResponse, (err) => sendResponse({ type: P.Answer.error, code: P.ErrorCode.internal, detail: String(err) }));
    return true; // the reply is asynchronous
  });
  api.contextMenus?.onClicked.addListener((info, tab) => {
    ready.then(() => wasm_bindgen.sw_menu_clicked(String(info.menuItemId), tab?.id ?? -1, info.frameId ?? 0));
  });
  api.commands?.onCommand.addListener((command, tab) => {
    ready.then(() => wasm_bindgen.sw_command(command, tab?.id ?? -1));
  });
  api.alarms?.onAlarm.addListener((alarm) => { ready.then(() => wasm_bindgen.sw_alarm(alarm.name)); });
  api.runtime.onInstalled?.addListener((details) => { ready.then(() => wasm_bindgen.sw_installed(details.reason)); });
  api.tabs.onRemoved.addListener((tabId) => { ready.then(() => wasm_bindgen.sw_tab_closed(tabId)); });
  self.escuchaReady = ready; // lets end-to-end tests await start-up
})();
