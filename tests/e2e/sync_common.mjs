// Shared steps of the sync tests: configure a browser as a team member, log
// captures, read its state. Only drives the extension through its messages.
import { until } from './teamlog.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

export async function configure(b, { endpoint, member, token, mode = 'teamLog' }) {
  const got = await b.send({ type: P.getSettings });
  const settings = { ...got.settings, sync: { mode, endpoint, member } };
  const saved = await b.send({ type: P.saveSettings, settings });
  if (saved.type !== A.ok) throw new Error(JSON.stringify(saved));
  if (token !== undefined) {
    const t = await b.send({ type: P.saveSyncToken, token });
    if (t.type !== A.ok) throw new Error(JSON.stringify(t));
  }
}

export async function logCapture(b, context) {
  const r = await b.send({ type: P.logCapture, context, tags: null });
  if (r.type !== A.ok) throw new Error(JSON.stringify(r));
  return r.capture;
}

export async function status(b) {
  const r = await b.send({ type: P.getLogStatus });
  if (r.type !== A.ok) throw new Error(JSON.stringify(r));
  return r;
}

export async function pageCaptures(b, url) {
  const r = await b.send({ type: P.getPageCaptures, url });
  if (r.type !== A.ok) throw new Error(JSON.stringify(r));
  return r.captures.sort((x, y) => x.id.localeCompare(y.id));
}

/** Wait until nothing waits to be sent; returns milliseconds waited. */
export async function drained(b, what, timeout = 90000) {
  const t0 = Date.now();
  await until(async () => { const s = await status(b); return s.pending === 0 && s.lastSyncMs ? s : null; }, { timeout, what });
  return Date.now() - t0;
}
