// Shows whether the team-log server and its storage answer.
fetch('/healthz').then((r) => r.json()).then((h) => {
  document.getElementById('health').textContent = h.status === 'ok'
    ? `Server ${h.version} is up; storage: ${h.storage.engine} (${h.storage.journalMode}, synchronous=${h.storage.synchronous}).`
    : `Server problem: ${h.message}`;
}, (e) => { document.getElementById('health').textContent = `Server unreachable: ${e}`; });
