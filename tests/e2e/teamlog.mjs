// Team-log sync harness: the real escucha-server with its admin CLI on a temp
// DB, a fault-injecting HTTP proxy in front of it, and Chromium launched by
// us (so a test can SIGKILL it and relaunch on the same profile) with the
// built extension. Nothing here decides product behaviour; it only drives it.
import { spawn, execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, cpSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, EXTENSION_DIR, CHROMIUM_ARGS, spawnTeamLog, removeDir } from './harness.mjs';

export const SERVER_BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The engines the team-log suites run on: SQLite always, PostgreSQL when
 * ESCUCHA_TEST_POSTGRES names a cluster (scripts/pg.sh; scripts/test.sh
 * sets it). Without it the PostgreSQL half is skipped with one line, except
 * under CI, where that is a failure.
 */
export function teamLogEngines() {
  if (process.env.ESCUCHA_TEST_POSTGRES) return ['sqlite', 'postgres'];
  if (process.env.CI) throw new Error('ESCUCHA_TEST_POSTGRES is not set and CI is: the PostgreSQL half must run');
  console.log('# skipped on PostgreSQL: ESCUCHA_TEST_POSTGRES is not set (scripts/test.sh starts a cluster with scripts/pg.sh)');
  return ['sqlite'];
}

/** A fresh database on the test PostgreSQL cluster; its URL. */
function scratchPostgres() {
  const admin = process.env.ESCUCHA_TEST_POSTGRES;
  const name = `escucha_e2e_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  execFileSync('psql', [admin, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  return admin.replace(/\/[^/?]*(\?.*)?$/, `/${name}`);
}

/**
 * A team-log database (a SQLite file, or a scratch PostgreSQL database when
 * `engine` is 'postgres') with one team and the named members; returns their tokens.
 */
export function createTeam(members, team = 'Atención', engine = 'sqlite') {
  if (!existsSync(SERVER_BIN)) throw new Error(`${SERVER_BIN} is missing: run scripts/build.sh first`);
  const dir = mkdtempSync(join(tmpdir(), 'escucha-teamdb-'));
  const db = engine === 'postgres' ? scratchPostgres() : join(dir, 'team.sqlite3');
  const admin = (...args) => execFileSync(SERVER_BIN, ['--db', db, ...args], { encoding: 'utf8' });
  admin('team', 'create', team);
  const tokens = {};
  for (const m of members) {
    admin('member', 'add', '--team', team, m);
    tokens[m] = admin('token', 'issue', '--member', m, '--team', team).trim().split('\n').pop().trim();
  }
  return { dir, db, tokens, admin, cleanup: () => removeDir(dir) };
}

/** Run `escucha-server serve` on `db`, a file or a URL (a fixed `port` lets a restart keep the address). */
export async function serveTeamLog(db, port = 0) {
  const { url, child } = await spawnTeamLog(SERVER_BIN, ['--db', db, 'serve', '--addr', `127.0.0.1:${port}`, '--www', join(ROOT, 'www')]);
  const exited = new Promise((r) => child.on('exit', r));
  return {
    url, child, port: Number(new URL(url).port),
    async kill(signal = 'SIGTERM') { if (child.exitCode === null && child.signalCode === null) child.kill(signal); await exited; },
  };
}

/** Every record the team log holds, pulled page by page with `token`. */
export async function pullAll(base, token) {
  const items = [];
  let since = null;
  for (;;) {
    const q = since === null ? 'limit=1000' : `since=${encodeURIComponent(since)}&limit=1000`;
    const r = await fetch(`${base}/api/v1/pull?${q}`, { headers: { authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(`pull: ${r.status} ${await r.text()}`);
    const page = await r.json();
    items.push(...page.items);
    if (!page.more || page.cursor === since) return items;
    since = page.cursor;
  }
}

/**
 * A fault-injecting proxy in front of the team log. `faults` is a queue of
 * one-shot faults applied to the next requests (matched by `path` prefix if
 * given); `down` makes it refuse every connection. `log` records each request.
 */
export async function startFaultProxy(target) {
  const state = { target, down: false, faults: [], log: [], onResponse: null };
  const server = createServer((req, res) => {
    if (state.down) { req.socket.destroy(); return; }
    const u = new URL(req.url, 'http://x');
    const i = state.faults.findIndex((f) => !f.path || u.pathname.startsWith(f.path));
    const fault = i >= 0 ? state.faults.splice(i, 1)[0] : null;
    state.log.push({ at: Date.now(), method: req.method, path: u.pathname, fault: fault?.kind ?? null });
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.headers || {}) });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'injected' } }));
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const t = new URL(state.target);
      const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: t.host } }, (upRes) => {
        const body = [];
        upRes.on('data', (c) => body.push(c));
        upRes.on('end', async () => {
          state.onResponse?.(u.pathname, upRes.statusCode);
          if (fault?.kind === 'drop') { req.socket.destroy(); return; } // committed, never answered
          if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
          if (res.destroyed || req.socket.destroyed) return;
          res.writeHead(upRes.statusCode, upRes.headers);
          res.end(Buffer.concat(body));
        });
      });
      up.on('error', () => req.socket.destroy()); // the server is gone: so is the answer
      up.end(Buffer.concat(chunks));
    });
  });
  server.on('connection', (s) => s.setNoDelay(true));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { state, url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/**
 * A copy of the built extension whose manifest already grants loopback:
 * `permissions.request` needs a user's click on a browser prompt, which
 * headless tests cannot give. Everything else is the product as built.
 */
export function extensionWithLoopbackGranted() {
  const dir = mkdtempSync(join(tmpdir(), 'escucha-ext-granted-'));
  cpSync(EXTENSION_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.host_permissions = ['http://127.0.0.1/*'];
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Chromium started by us on `profile` (reusable after a SIGKILL), connected over CDP. */
export async function launchBrowser(profile, extensionDir) {
  const child = spawn(process.env.CHROMIUM || '/usr/bin/chromium', [
    ...CHROMIUM_ARGS, '--headless=new', `--user-data-dir=${profile}`, '--remote-debugging-port=0',
    `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ws = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err.slice(-2000)}`)), 20000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (c) => { clearTimeout(timer); reject(new Error(`chromium exited ${c}: ${err.slice(-2000)}`)); });
  });
  const exited = new Promise((r) => child.on('exit', r));
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0];
  const b = {
    child, browser, context,
    async worker() {
      const deadline = Date.now() + 20000;
      while (Date.now() < deadline) {
        const w = context.serviceWorkers().find((s) => s.url().startsWith('chrome-extension://'));
        if (w) {
          try { await w.evaluate(() => self.escuchaReady); return w; } catch { /* closing */ }
        }
        await sleep(100);
      }
      throw new Error('no extension service worker');
    },
    async extensionId() { return new URL((await b.worker()).url()).host; },
    /** Send a message as the options page would; wakes the worker if it sleeps. */
    async send(message) {
      for (let i = 0; ; i++) {
        try {
          const w = await b.worker();
          return await w.evaluate((m) => wasm_bindgen.sw_handle_message(m,
            { id: chrome.runtime.id, url: chrome.runtime.getURL('options/options.html') }), message);
        } catch (e) {
          if (i >= 5) throw e;
          await b.wake();
        }
      }
    },
    /** Start a stopped worker the ordinary way: an extension page messages it. */
    async wake() {
      const id = b.lastId;
      if (!id) return;
      const page = await context.newPage();
      await page.goto(`chrome-extension://${id}/popup/popup.html`).catch(() => {});
      await sleep(300);
      await page.close().catch(() => {});
    },
    /** Stop the extension's service worker the way the browser does (CDP Target.closeTarget). */
    async killWorker() {
      const cdp = await browser.newBrowserCDPSession();
      const { targetInfos } = await cdp.send('Target.getTargets');
      const sw = targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
      for (const t of sw) await cdp.send('Target.closeTarget', { targetId: t.targetId });
      await cdp.detach();
      return sw.length;
    },
    async sigkill() { child.kill('SIGKILL'); await exited; },
    async close() { await browser.close().catch(() => {}); if (child.exitCode === null) child.kill('SIGTERM'); await exited; },
  };
  b.lastId = await b.extensionId();
  return b;
}

/** A capture's context as a content script sends it. */
export function captureContext(n, page = 'https://foro.example/t/1') {
  return {
    pageUrl: page, pageTitle: 'Foro', site: 'foro.example', commentText: `Comentario ${n}: Movistar me cobró dos veces`,
    brand: 'Telefónica', term: 'Movistar', quote: { exact: 'Movistar', prefix: `Comentario ${n}: `, suffix: ' me cobró' },
    permalink: `${page}#c${n}`,
  };
}

/** Wait until `f()` returns a truthy value; returns it. */
export async function until(f, { timeout = 60000, every = 250, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try { last = await f(); } catch (e) { last = e; }
    if (last && !(last instanceof Error)) return last;
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.stack : JSON.stringify(last)?.slice(0, 1000)}`);
}
