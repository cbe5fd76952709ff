// Test probe (tier 4 only, never in a package): one more content script of
// the Escucha add-on under test (tests/e2e-firefox/firefox.mjs adds it to a
// copy of the package), so a test can see what any of Escucha's content
// scripts can read. On pages whose URL has `?probe`, it tries every store the
// sync token could be in and writes what it got on <html data-escucha-probe>.
(async () => {
  if (!location.search.includes('probe')) return;
  const api = self.escuchaExtensionApi;
  const attempt = async (f) => { try { return { value: await f() }; } catch (e) { return { refused: String(e) }; } };
  const local = await attempt(async () => JSON.stringify(await api.storage.local.get(null)));
  const session = await attempt(async () => JSON.stringify(await api.storage.session.get(null)));
  // A content script's indexedDB is the page's origin, not the add-on's.
  const idb = await attempt(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('escucha');
    req.onsuccess = () => {
      const db = req.result;
      const stores = [...db.objectStoreNames];
      if (!stores.includes('meta')) { db.close(); resolve(JSON.stringify({ stores })); return; }
      const get = db.transaction('meta').objectStore('meta').get('syncToken');
      get.onsuccess = () => { db.close(); resolve(JSON.stringify({ stores, token: get.result ?? null })); };
      get.onerror = () => reject(get.error);
    };
    req.onerror = () => reject(req.error);
  }));
  document.documentElement.dataset.escuchaProbe = JSON.stringify({ local, session, idb, origin: location.origin });
})();
