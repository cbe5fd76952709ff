// Tier 3, the extension's window on the team log (issue 16), with the REAL
// escucha-server on each engine: a pull stores the member's own captures,
// what was changed here and the team's recent ones, not a teammate's
// capture from months ago; and the page look-up (GET /api/v1/page-captures) still shows a
// teammate's old capture on its page ("Logged by bo"), lets the manager edit
// it, and, when the server fails, answers from the local window without
// asking again for every page.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtures, askContentScript, removeDir, useDemoBrands } from './harness.mjs';
import { createTeam, serveTeamLog, launchBrowser, extensionWithLoopbackGranted, startFaultProxy, pullAll, until, teamLogEngines } from './teamlog.mjs';
import { configure, status, pageCaptures, drained } from './sync_common.mjs';
import { PageRequest as P, TabRequest as T, Answer as A } from './protocol.mjs';

const DAY = 86_400_000;
const NOW = Date.now();

/** A UUIDv7 for time `ms` (the team log checks ids). */
function uuid7(ms, n) {
  const h = ms.toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8)}-7000-8000-${String(n).padStart(12, '0')}`;
}

/** A capture made by `by` `ageDays` ago on `page`, as a client pushes it. */
function capture(n, by, ageDays, page) {
  const ms = NOW - ageDays * DAY;
  const lww = (value) => ({ value, stamp: { ms, counter: 0, actor: `dev-${by}` } });
  return {
    id: uuid7(ms, n), createdMs: ms, createdBy: by,
    context: lww({
      pageUrl: page, pageTitle: 'Foro', site: new URL(page).host,
      commentText: `Comentario ${n}: Movistar me cobró dos veces`, authorName: `usuario${n}`,
      brand: 'Telefónica', term: 'Movistar', quote: { exact: 'Movistar', prefix: `Comentario ${n}: `, suffix: ' me cobró' },
    }),
    sentiment: lww('negative'), department: lww(null), status: lww('new'), priority: lww('normal'),
    tags: lww([]), note: lww(''), deleted: lww(false),
  };
}

async function push(base, token, items) {
  const r = await fetch(`${base}/api/v1/push`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ items }),
  });
  assert.equal(r.status, 200, await r.text());
}

/** Ids of the records this browser holds (read from its IndexedDB in the worker). */
async function heldIds(b) {
  const w = await b.worker();
  return (await w.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('escucha');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('captures').objectStore('captures').getAllKeys();
      req.onsuccess = () => { open.result.close(); resolve(req.result); };
      req.onerror = () => reject(req.error);
    };
  }))).sort();
}

for (const engine of teamLogEngines()) describe(`the window on the team log, on ${engine}`, () => {
  let team, server, proxy, ext, fixtures, a, profile;
  let page, oldPage, mine, bo, imported;

  before(async () => {
    team = createTeam(['ana', 'bo'], undefined, engine);
    server = await serveTeamLog(team.db);
    proxy = await startFaultProxy(server.url);
    fixtures = await startFixtures();
    ext = extensionWithLoopbackGranted();
    profile = mkdtempSync(join(tmpdir(), 'escucha-window-profile-'));
    page = `${fixtures.url}/forum.html`;
    oldPage = 'https://foro.example/hilo-de-hace-meses';
    // The team log before ana's browser first syncs: bo's captures (one on
    // the fixture page 60 days ago, one yesterday) and one of ana's own from
    // another browser 90 days ago.
    bo = { old: capture(1, 'bo', 60, page), recent: capture(2, 'bo', 1, 'https://foro.example/ayer') };
    mine = capture(3, 'ana', 90, 'https://foro.example/mio');
    await push(server.url, team.tokens.bo, [bo.old, bo.recent]);
    await push(server.url, team.tokens.ana, [mine]);
    a = await launchBrowser(profile, ext);
    await useDemoBrands(a);
  });

  after(async () => {
    await a?.close();
    await proxy?.stop(); await server?.kill(); await fixtures?.stop();
    if (profile) removeDir(profile);
    if (ext) removeDir(ext);
    team?.cleanup();
  });

  test('a pull holds own and recent records and an unsynced import; an old teammate\'s capture stays on the server', async () => {
    // A file with two of bo's captures (one 45 days old): imported here, so
    // queued for the team log, and held while unsynced whatever their age.
    imported = { old: capture(4, 'bo', 45, oldPage), recent: capture(5, 'bo', 2, 'https://foro.example/reciente') };
    const json = JSON.stringify({ format: 'escucha-log', version: 1, captures: [imported.old, imported.recent] });
    const r = await a.send({ type: P.importCaptures, json });
    assert.equal(r.type, A.ok, JSON.stringify(r));
    assert.equal(r.added, 2);
    assert.deepEqual(await heldIds(a), [imported.old.id, imported.recent.id].sort(), 'an unsynced import is held whatever its age');

    await configure(a, { endpoint: proxy.url, member: 'ana', token: team.tokens.ana });
    await drained(a, 'the import to reach the team log');
    const run = await a.send({ type: P.syncNow });
    assert.equal(run.type, A.ok, JSON.stringify(run));
    assert.equal(run.problem ?? null, null, JSON.stringify(run.problem));

    const all = await pullAll(server.url, team.tokens.ana);
    assert.deepEqual(all.map((c) => c.id).sort(), [bo.old.id, bo.recent.id, mine.id, imported.old.id, imported.recent.id].sort());
    // The team log names a pushed capture after the member who pushed it, so
    // the imported ones come back as ana's: her own, held whatever their age.
    assert.equal(all.find((c) => c.id === imported.old.id).createdBy, 'ana');
    // Held: ana's own (90 days old, and the imports), bo's recent one. Not:
    // bo's capture of 60 days ago, on the team log but never stored here.
    assert.deepEqual(await heldIds(a), [mine.id, bo.recent.id, imported.old.id, imported.recent.id].sort());
    const s = await status(a);
    assert.equal(s.total, 4, JSON.stringify(s));
    assert.equal(s.pending, 0);
  });

  test('the page look-up shows a teammate\'s capture this browser does not hold, as logged by them', async () => {
    const shown = await pageCaptures(a, page);
    assert.deepEqual(shown.map((c) => c.id), [bo.old.id]);
    assert.equal(shown[0].createdBy, 'bo');
    const other = await pageCaptures(a, oldPage);
    assert.deepEqual(other.map((c) => c.id), [imported.old.id]);
    assert.ok(!(await heldIds(a)).includes(bo.old.id), 'looking up a page does not store what it found');

    // The content script of the page gets it too (it feeds the card and the popup).
    const tab = await a.context.newPage();
    const w = await a.worker();
    await w.evaluate(() => { self.__escuchaTestTabs = {}; chrome.runtime.onMessage.addListener((_m, s) => { if (s.tab && s.frameId === 0) self.__escuchaTestTabs[s.url] = s.tab.id; }); });
    await tab.goto(page);
    const mentions = await until(async () => {
      const m = await askContentScript(w, page, { type: T.getPageMentions });
      return m?.captures?.some((c) => c.id === bo.old.id) ? m : null;
    }, { timeout: 20000, what: 'the content script to know bo\'s capture' });
    assert.equal(mentions.captures.find((c) => c.id === bo.old.id).createdBy, 'bo');
    await tab.close();
  });

  test('editing a looked-up capture stores it here, sends the edit, and keeps it after the next sweep', async () => {
    await pageCaptures(a, page); // a fresh look-up, as the card does before an edit
    const r = await a.send({ type: P.editCapture, id: bo.old.id, edit: { status: 'responded' } });
    assert.equal(r.type, A.ok, JSON.stringify(r));
    assert.equal(r.capture.createdBy, 'bo');
    assert.ok((await heldIds(a)).includes(bo.old.id));
    await drained(a, 'the edit to reach the team log');
    await a.send({ type: P.syncNow }); // pulls its own change back, then sweeps
    const held = (await pullAll(server.url, team.tokens.bo)).find((c) => c.id === bo.old.id);
    assert.equal(held.status.value, 'responded');
    assert.ok((await heldIds(a)).includes(bo.old.id), 'a record edited here stays in the window');
  });

  test('when the look-up fails, the local window answers and the server is not asked again for every page', async () => {
    const asked = () => proxy.state.log.filter((l) => l.path === '/api/v1/page-captures').length;
    const before = asked();
    proxy.state.faults.push({ path: '/api/v1/page-captures', kind: 'status', status: 503 });
    const first = await a.send({ type: P.getPageCaptures, url: 'https://foro.example/mio' });
    assert.equal(first.type, A.ok, JSON.stringify(first));
    assert.deepEqual(first.captures.map((c) => c.id), [mine.id], 'the local window answers');
    assert.equal(first.problem ?? null, null);
    const second = await a.send({ type: P.getPageCaptures, url: 'https://foro.example/otra' });
    assert.equal(second.type, A.ok, JSON.stringify(second));
    assert.deepEqual(second.captures, []);
    assert.equal(asked() - before, 1, 'one failed look-up, then quiet');
  });
});
