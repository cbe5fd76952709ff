// Sync between two members through the REAL escucha-server on 127.0.0.1:
// captures converge, teammates' captures show on the page as logged by them,
// "Test connection" explains failures in plain words, the token stays in the
// service worker.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { startFixtures, askContentScript, removeDir, useDemoBrands } from './harness.mjs';
import { createTeam, serveTeamLog, launchBrowser, extensionWithLoopbackGranted, captureContext, pullAll, until, teamLogEngines } from './teamlog.mjs';
import { configure, logCapture, status, pageCaptures, drained } from './sync_common.mjs';
import { PageRequest as P, TabRequest as T, Answer as A, ErrorCode as E } from './protocol.mjs';

// Every test runs on each team-log engine: SQLite, and PostgreSQL when
// ESCUCHA_TEST_POSTGRES names a cluster (scripts/test.sh starts one).
for (const engine of teamLogEngines()) describe(`team log on ${engine}`, () => {
  let team, server, ext, fixtures, a, b, profiles = [];

  before(async () => {
    team = createTeam(['ana', 'bo'], undefined, engine);
    server = await serveTeamLog(team.db);
    ext = extensionWithLoopbackGranted();
    fixtures = await startFixtures();
    for (let i = 0; i < 2; i++) profiles.push(mkdtempSync(join(tmpdir(), 'escucha-sync-profile-')));
    a = await launchBrowser(profiles[0], ext);
    b = await launchBrowser(profiles[1], ext);
    await useDemoBrands(a);
    await useDemoBrands(b);
  });

  after(async () => {
    await a?.close(); await b?.close();
    await server?.kill(); await fixtures?.stop();
    for (const p of profiles) removeDir(p);
    if (ext) removeDir(ext);
    team?.cleanup();
  });

  test('test connection reports success, 401, 404, unreachable and timeout in plain words', async () => {
    const tc = (endpoint, token) => a.send({ type: P.testConnection, mode: 'teamLog', endpoint, token });
    // The report is data (escucha_core::sync::client::ConnectionReport); the
    // options page words it in the manager's language (the core's
    // protocol tests check the words chosen for each report).
    const ok = await tc(server.url, team.tokens.ana);
    assert.equal(ok.result, 'teamLog', JSON.stringify(ok));
    assert.match(ok.team, /Atención/); assert.equal(ok.member, 'ana');
    const bad = await tc(server.url, 'tok_wrong');
    assert.equal(bad.result, 'failed'); assert.equal(bad.code, 'unauthorized');
    const missing = await tc(`${server.url}/not-here`, team.tokens.ana);
    assert.equal(missing.code, 'notFound'); assert.match(missing.url, /not-here/);
    const closed = createServer(); await new Promise((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = closed.address().port; await new Promise((r) => closed.close(r));
    const down = await tc(`http://127.0.0.1:${deadPort}`, team.tokens.ana);
    assert.equal(down.code, 'unreachable'); assert.equal(down.origin, `http://127.0.0.1:${deadPort}`);
    const insecure = await tc('http://192.0.2.1:8787', team.tokens.ana);
    assert.equal(insecure.code, 'endpoint'); assert.match(insecure.key, /^syncErrEndpoint/);
    // A server that never answers: the 20 s timeout, in words.
    const hang = createServer(() => {}); await new Promise((r) => hang.listen(0, '127.0.0.1', r));
    const t0 = Date.now();
    const slow = await tc(`http://127.0.0.1:${hang.address().port}`, team.tokens.ana);
    const took = Date.now() - t0;
    hang.closeAllConnections(); hang.close();
    assert.equal(slow.code, 'timeout', JSON.stringify(slow)); assert.equal(slow.seconds, 20);
    assert.ok(took >= 19000 && took < 30000, `timeout after ${took} ms`);
    console.log(`# test connection timeout after ${took} ms`);
  });

  test('without the host permission nothing is sent and the status says why', async () => {
    // The as-built extension (no pre-granted origin).
    const { EXTENSION_DIR } = await import('./harness.mjs');
    const profile = mkdtempSync(join(tmpdir(), 'escucha-sync-noperm-'));
    const c = await launchBrowser(profile, EXTENSION_DIR);
    await useDemoBrands(c);
    try {
      await configure(c, { endpoint: server.url, member: 'ana', token: team.tokens.ana });
      await logCapture(c, captureContext(900, 'https://foro.example/noperm'));
      const r = await c.send({ type: P.syncNow });
      assert.equal(r.type, A.ok);
      // Problems are data (sync::client::Problem); pages word them (tested natively).
      assert.equal(r.problem?.code, 'permission', JSON.stringify(r.problem));
      const s = await status(c);
      assert.equal(s.pending, 1);
      assert.equal(s.problem?.code, 'permission', JSON.stringify(s.problem));
      const held = await pullAll(server.url, team.tokens.ana);
      assert.ok(!held.some((x) => x.context.value.pageUrl === 'https://foro.example/noperm'));
    } finally { await c.close(); removeDir(profile); }
  });

  test('two members converge and teammates\' captures show on the page as logged by them', async () => {
    const page = `${fixtures.url}/forum.html`;
    await configure(a, { endpoint: server.url, member: 'ana', token: team.tokens.ana });
    await configure(b, { endpoint: server.url, member: 'bo', token: team.tokens.bo });
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await logCapture(a, captureContext(i, page)));
    const theirs = await logCapture(b, captureContext(10, page));
    // Debounced automatic sync after the changes.
    const ta = await drained(a, 'ana to push');
    await drained(b, 'bo to push');
    // Both pull everything (Sync now: the periodic alarm is a minute away).
    await a.send({ type: P.syncNow }); await b.send({ type: P.syncNow });
    const [ca, cb] = [await pageCaptures(a, page), await pageCaptures(b, page)];
    assert.equal(ca.length, 4);
    assert.deepEqual(ca, cb);
    const held = await pullAll(server.url, team.tokens.ana);
    assert.deepEqual(held.map((x) => x.id).sort(), [...mine.map((c) => c.id), theirs.id].sort());
    assert.equal(ca.find((c) => c.id === theirs.id).createdBy, 'bo');
    console.log(`# first automatic push drained in ${ta} ms`);

    // An edit by bo reaches ana; on ana's page bo's capture reads "Logged by bo".
    const edit = await b.send({ type: P.editCapture, id: mine[0].id, edit: { status: 'responded' } });
    assert.equal(edit.type, A.ok);
    await drained(b, 'bo to push the edit');
    await a.send({ type: P.syncNow });
    const after = await pageCaptures(a, page);
    assert.equal(after.find((c) => c.id === mine[0].id).status.value, 'responded');
    const tab = await a.context.newPage();
    await tab.goto(page);
    const w = await a.worker();
    await w.evaluate(() => { self.__escuchaTestTabs = {}; chrome.runtime.onMessage.addListener((_m, s) => { if (s.tab && s.frameId === 0) self.__escuchaTestTabs[s.url] = s.tab.id; }); });
    await tab.reload();
    const mentions = await askContentScript(w, page, { type: T.getPageMentions });
    const shown = mentions.captures.find((c) => c.id === theirs.id);
    assert.ok(shown, 'the content script knows bo\'s capture');
    assert.equal(shown.createdBy, 'bo');
    await tab.close();
  });

  test('the token never reaches a content script or the settings document', async () => {
    const settings = await a.send({ type: P.getSettings });
    assert.ok(!JSON.stringify(settings).includes(team.tokens.ana));
    const state = await a.send({ type: P.getSyncState });
    assert.equal(state.tokenSaved, true);
    assert.ok(!JSON.stringify(state).includes(team.tokens.ana));
    // A content script's sender is refused every sync message, and its storage reads fail.
    const w = await a.worker();
    const fromPage = (m) => w.evaluate((m) => wasm_bindgen.sw_handle_message(m,
      { id: chrome.runtime.id, url: 'https://foro.example/t/1', tab: { id: 1 }, frameId: 0 }), m);
    for (const m of [{ type: P.getSyncState }, { type: P.saveSyncToken, token: 'x' }, { type: P.syncNow },
      { type: P.testConnection, mode: 'teamLog', endpoint: 'http://127.0.0.1:1', token: null }]) {
      const r = await fromPage(m);
      assert.equal(r.type, A.error); assert.equal(r.code, E.forbidden, JSON.stringify(r));
    }
    const page = await a.context.newPage();
    await page.goto(`${fixtures.url}/forum.html`);
    const cdp = await page.context().newCDPSession(page);
    // Evaluate inside the content script's isolated world.
    const worlds = [];
    cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
    await cdp.send('Runtime.enable');
    const world = await until(() => worlds.find((c) => c.origin.startsWith('chrome-extension://') || c.name === 'Escucha' || (c.auxData && c.auxData.type === 'isolated')), { timeout: 10000, what: 'content-script world' });
    const { result } = await cdp.send('Runtime.evaluate', { contextId: world.id, awaitPromise: true,
      expression: 'chrome.storage.local.get(null).then((v) => JSON.stringify(v), (e) => "refused: " + e.message)' });
    // Either refused outright (setAccessLevel) or, where allowed, without the token.
    assert.match(String(result.value), /^refused|^\{/, JSON.stringify(result));
    assert.ok(!String(result.value).includes(team.tokens.ana), result.value);
    await page.close();
  });
});
