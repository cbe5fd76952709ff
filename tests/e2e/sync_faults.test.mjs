// Fault injection end to end: the real extension in Chromium, the real
// escucha-server on 127.0.0.1 behind a fault-injecting proxy. After every
// fault stops, the server must hold every capture exactly once and both
// clients must converge on the same state. Timings are printed, not asserted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTeam, serveTeamLog, startFaultProxy, launchBrowser, extensionWithLoopbackGranted, captureContext, pullAll, until, sleep, teamLogEngines } from './teamlog.mjs';
import { configure, logCapture, status, pageCaptures, drained } from './sync_common.mjs';
import { removeDir, useDemoBrands } from './harness.mjs';
import { PageRequest as P } from './protocol.mjs';

// Every test runs on each team-log engine: SQLite, and PostgreSQL when
// ESCUCHA_TEST_POSTGRES names a cluster (scripts/test.sh starts one).
for (const engine of teamLogEngines()) describe(`team log on ${engine}`, () => {
  const PAGE = 'https://foro.example/faults';
  let team, server, proxy, ext, a, b, profiles = [];
  const seeded = [];
  let n = 0;

  before(async () => {
    team = createTeam(['ana', 'bo'], undefined, engine);
    server = await serveTeamLog(team.db);
    proxy = await startFaultProxy(server.url);
    ext = extensionWithLoopbackGranted();
    for (let i = 0; i < 2; i++) profiles.push(mkdtempSync(join(tmpdir(), 'escucha-fault-profile-')));
    a = await launchBrowser(profiles[0], ext);
    b = await launchBrowser(profiles[1], ext);
    await useDemoBrands(a);
    await useDemoBrands(b);
    await configure(a, { endpoint: proxy.url, member: 'ana', token: team.tokens.ana });
    await configure(b, { endpoint: server.url, member: 'bo', token: team.tokens.bo });
  });

  after(async () => {
    await a?.close(); await b?.close();
    await proxy?.stop(); await server?.kill();
    for (const p of profiles) removeDir(p);
    if (ext) removeDir(ext);
    team?.cleanup();
  });

  async function seed(client, count) {
    const out = [];
    for (let i = 0; i < count; i++) {
      const c = await logCapture(client, captureContext(n++, PAGE));
      seeded.push(c.id);
      out.push(c);
    }
    return out;
  }

  /** The server holds each seeded capture exactly once; both clients converge with it. */
  async function assertConverged(label) {
    const held = await pullAll(server.url, team.tokens.bo);
    const ids = held.map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length, `${label}: an id pulled twice`);
    assert.deepEqual([...ids].sort(), [...seeded].sort(), `${label}: the server holds every capture exactly once`);
    await a.send({ type: P.syncNow });
    await b.send({ type: P.syncNow });
    const [ca, cb] = [await pageCaptures(a, PAGE), await pageCaptures(b, PAGE)];
    assert.deepEqual(ca.map((c) => c.id), [...seeded].sort(), `${label}: ana has everything`);
    assert.deepEqual(ca, cb, `${label}: ana and bo hold the same merged state`);
    // Each capture as the server merged it equals the clients' copy (field registers).
    for (const c of ca) {
      const s = held.find((x) => x.id === c.id);
      for (const f of ['context', 'sentiment', 'department', 'status', 'priority', 'tags', 'assignee', 'claim', 'comments', 'history', 'deleted']) {
        assert.deepEqual(s[f], c[f], `${label}: ${c.id}.${f}`);
      }
    }
  }

  const timings = {};
  after(() => { for (const [k, v] of Object.entries(timings)) console.log(`# ${k}: ${v} ms`); });

  test('server down, then back', async () => {
    proxy.state.down = true;
    await seed(a, 3);
    await until(async () => (await status(a)).problem, { what: 'a problem to be reported', timeout: 20000 });
    const s = await status(a);
    assert.equal(s.pending, 3);
    assert.equal(s.problem.code, 'unreachable', JSON.stringify(s.problem)); // data, worded where shown
    const t0 = Date.now();
    proxy.state.down = false;
    await drained(a, 'retry after the server is back');
    timings['down-then-back: back → drained (automatic backoff retry)'] = Date.now() - t0;
    await assertConverged('down-then-back');
  });

  test('500s three times', async () => {
    proxy.state.faults.push(...[1, 2, 3].map(() => ({ kind: 'status', status: 500, path: '/api/v1/push' })));
    const t0 = Date.now();
    await seed(a, 2);
    await drained(a, 'push after three 500s');
    timings['3×500: logged → drained'] = Date.now() - t0;
    assert.equal(proxy.state.faults.length, 0, 'every injected 500 was hit');
    await assertConverged('3×500');
  });

  test('429 with Retry-After is honoured', async () => {
    proxy.state.faults.push({ kind: 'status', status: 429, path: '/api/v1/push', headers: { 'retry-after': '3' } });
    const t0 = Date.now();
    await seed(a, 1);
    await drained(a, 'push after a 429');
    const pushes = proxy.state.log.filter((r) => r.path === '/api/v1/push' && r.at >= t0);
    const gap = pushes[1].at - pushes[0].at;
    assert.ok(gap >= 3000, `retried after ${gap} ms, before Retry-After`);
    timings['429 Retry-After 3 s: gap before retry'] = gap;
    await assertConverged('429');
  });

  test('responses slower than the timeout', async () => {
    proxy.state.faults.push({ kind: 'slow', ms: 25000, path: '/api/v1/push' });
    const t0 = Date.now();
    await seed(a, 2);
    await until(async () => { const p = (await status(a)).problem; return p?.code === 'timeout' && p.seconds === 20; }, { what: 'the timeout to be reported', timeout: 40000 });
    timings['slow: logged → timeout reported'] = Date.now() - t0;
    await drained(a, 'push after the timeout');
    timings['slow: logged → drained'] = Date.now() - t0;
    await assertConverged('slow');
  });

  test('the server commits, then the connection drops before the reply', async () => {
    proxy.state.faults.push({ kind: 'drop', path: '/api/v1/push' });
    const t0 = Date.now();
    await seed(a, 2);
    await drained(a, 'push after a dropped reply');
    timings['commit-then-drop: logged → drained'] = Date.now() - t0;
    assert.ok(proxy.state.log.some((r) => r.fault === 'drop' && r.at >= t0));
    await assertConverged('commit-then-drop');
  });

  test('the service worker is killed mid-sync', async () => {
    proxy.state.faults.push({ kind: 'slow', ms: 4000, path: '/api/v1/push' });
    const t0 = Date.now();
    await seed(a, 2);
    await until(() => proxy.state.log.some((r) => r.fault === 'slow' && r.at >= t0), { what: 'the push to start' });
    const killed = await a.killWorker();
    assert.ok(killed >= 1, 'a service worker target was closed');
    await sleep(500);
    await drained(a, 'resume after the worker restarts');
    timings['SW killed mid-push: logged → drained'] = Date.now() - t0;
    await assertConverged('sw-killed');
  });

  test('kill -9 of the server after a 2xx, restarted on the same database', async () => {
    let killedAt = 0;
    proxy.state.onResponse = (path, code) => {
      if (path === '/api/v1/push' && code === 200 && !killedAt) { killedAt = Date.now(); server.child.kill('SIGKILL'); }
    };
    const t0 = Date.now();
    await seed(a, 2);
    await until(() => killedAt, { what: 'the kill', timeout: 20000 });
    proxy.state.onResponse = null;
    await server.kill('SIGKILL');
    server = await serveTeamLog(team.db, server.port);
    proxy.state.target = server.url;
    await seed(a, 1);
    await drained(a, 'push after the server restarted');
    timings['kill -9 after 2xx: logged → drained'] = Date.now() - t0;
    await assertConverged('kill-9');
  });

  test('the browser is killed and restarted on the same profile', async () => {
    proxy.state.down = true;
    await seed(a, 2);
    await until(async () => (await status(a)).problem, { what: 'a failed attempt', timeout: 20000 });
    await a.sigkill();
    proxy.state.down = false;
    const t0 = Date.now();
    a = await launchBrowser(profiles[0], ext);
    await drained(a, 'resume after the browser restarted');
    timings['browser SIGKILL: relaunch → drained'] = Date.now() - t0;
    await assertConverged('browser-kill');
  });
});
