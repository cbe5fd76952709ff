// Shared end-to-end harness: starts the real team-log server and a fixture
// web server on 127.0.0.1, and launches Debian's Chromium with the built
// extension loaded. Nothing here decides product behaviour; it only drives it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, extname, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PageRequest as P, TabRequest as T, Answer as A } from './protocol.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// resolve(): an absolute ESCUCHA_BUILD (as scripts/build.sh accepts) is used as is.
export const EXTENSION_DIR = process.env.ESCUCHA_EXTENSION_DIR || resolve(ROOT, process.env.ESCUCHA_BUILD || 'build', 'chrome');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The built dashboard (scripts/build.sh): www/ sources plus its wasm and Chart.js. */
export const WWW_DIR = resolve(ROOT, process.env.ESCUCHA_BUILD || 'build', 'www');

/** Start target/release/escucha-server on a free loopback port, serving the built dashboard. */
export async function startTeamLog() {
  const dir = mkdtempSync(join(tmpdir(), 'escucha-teamlog-'));
  const bin = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/build.sh first`);
  const { url, child } = await spawnTeamLog(bin, ['serve', '--addr', '127.0.0.1:0', '--db', join(dir, 'team.sqlite3'),
    '--www', WWW_DIR, '--demo', FIXTURES]);
  return {
    url, dir, child,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      removeDir(dir);
    },
  };
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/**
 * Serve tests/fixtures on a free loopback port. A `csp` query parameter sets
 * the Content-Security-Policy response header, so one fixture can be served
 * both with and without a strict policy. `generated` maps paths to HTML made
 * by the test itself (e.g. a 10,000-post thread).
 */
export async function startFixtures(generated = {}) {
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (generated[u.pathname] !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(generated[u.pathname]);
      return;
    }
    if (u.pathname.startsWith('/hilo/')) u.pathname = '/live.html'; // SPA deep links
    const path = normalize(decodeURIComponent(u.pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(FIXTURES, path === '/' ? 'forum.html' : path);
    if (!file.startsWith(FIXTURES) || !existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
    const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (u.searchParams.has('csp')) headers['content-security-policy'] = u.searchParams.get('csp');
    res.writeHead(200, headers);
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(r)) };
}

/**
 * Remove a temporary directory (a browser profile, a database folder). Chromium
 * helpers can still be writing for a moment after the browser exits; a clean-up
 * that keeps failing is reported, not turned into a test failure.
 */
export function removeDir(dir) {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
  } catch (e) {
    console.warn(`# could not remove ${dir}: ${e.code ?? e.message}`);
  }
}

/** Start `escucha-server` with `args`; resolves with its URL once it says it listens. */
export async function spawnTeamLog(bin, args) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`team-log server did not start: ${stderr}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[\d.:]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`team-log server exited ${code}: ${stderr}`)); });
  });
  return { url, child };
}

/**
 * Chromium with the built extension (or the unpacked one in `dir`, with extra
 * command-line `args`, and a `locale` for navigator.language); returns the context, its service worker and the extension id.
 */
export async function launchWithExtension(dir = EXTENSION_DIR, { args = [], locale } = {}) {
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir} is missing: run scripts/build.sh first`);
  const profile = mkdtempSync(join(tmpdir(), 'escucha-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    ...(locale ? { locale } : {}), // navigator.language and Intl; `--lang` picks chrome.i18n's tables
    args: [...CHROMIUM_ARGS, ...args, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
  });
  // A fresh install opens the welcome page (escucha_core::first_run); note
  // its URL for the first-run test and close it, so tests start with the
  // tabs they open themselves.
  let [worker] = context.serviceWorkers();
  if (!worker) worker = await context.waitForEvent('serviceworker', { timeout: 15000 });
  const extensionId = new URL(worker.url()).host;
  await worker.evaluate(() => self.escuchaReady);
  let welcomePage;
  for (const deadline = Date.now() + 10000; !welcomePage && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    welcomePage = context.pages().find((p) => p.url().includes('/welcome/welcome.html'));
  }
  const welcomeUrl = welcomePage?.url() ?? null;
  await welcomePage?.close();
  // Test-side bookkeeping (not product code): remember which tab each content
  // script lives in, since tab URLs are hidden without the "tabs" permission.
  await worker.evaluate(() => {
    self.__escuchaTestTabs = {};
    self.__escuchaTestFrames = {}; // any frame's address → [tab, frame] (the latest content script there)
    chrome.runtime.onMessage.addListener((_m, s) => {
      if (s.tab && s.frameId === 0) self.__escuchaTestTabs[s.url] = s.tab.id;
      if (s.tab && s.frameId !== undefined) self.__escuchaTestFrames[s.url] = [s.tab.id, s.frameId];
    });
  });
  return {
    context, worker, extensionId, welcomeUrl,
    async close() { await context.close(); removeDir(profile); },
  };
}

/**
 * One attempt at messaging the content script of the tab showing `url` (top
 * frame), via the service worker. When nobody answered, an error answer
 * without a `code` (the product's errors always carry one).
 */
function sendToContentScript(worker, url, message) {
  return worker.evaluate(async ({ url, message, error }) => {
    const tabId = self.__escuchaTestTabs[url];
    if (tabId === undefined) return { type: error, detail: 'no content script has said hello from ' + url };
    try { return await chrome.tabs.sendMessage(tabId, message, { frameId: 0 }); }
    catch (e) { return { type: error, detail: String(e) }; }
  }, { url, message, error: A.error });
}

/** Retry until `done(reply)` or `timeout`; returns the last reply. */
async function retryContentScript(worker, url, message, timeout, done) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await sendToContentScript(worker, url, message);
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

/** Ask the content script of the tab showing `url` (top frame); throws unless it answers without error. */
export async function askContentScript(worker, url, message, { timeout = 10000 } = {}) {
  const last = await retryContentScript(worker, url, message, timeout, (r) => r.type !== A.error);
  if (!last || last.type === A.error) throw new Error(`content script did not answer: ${JSON.stringify(last)}`);
  return last;
}

/**
 * What Escucha painted in `frame` (a Page or a Frame), layer by layer:
 * { 'escucha-g0': [texts, sorted], 'escucha-logged-new': [...], 'escucha-flash': [...] },
 * non-empty layers only. Asked of that frame's content script through the
 * service worker (TabRequest getPainted, answered from the painter's state,
 * never by rescanning): the painter is invisible to page scripts, so tests
 * cannot read it from the page. {} while no content script answers there.
 */
export async function paintedLayers(frame) {
  const page = typeof frame.page === 'function' ? frame.page() : frame;
  const worker = page.context().serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
  const top = typeof frame.page !== 'function' || frame === page.mainFrame();
  const reply = await worker.evaluate(async ({ url, top, message }) => {
    let where = top ? [self.__escuchaTestTabs?.[url], 0] : self.__escuchaTestFrames?.[url];
    if (top && where[0] === undefined) {
      // A browser launched without launchWithExtension's bookkeeping: tab
      // addresses are visible where the host permission is granted.
      const tab = (await chrome.tabs.query({})).find((t) => t.url === url);
      where = [tab?.id, 0];
    }
    const ask = async (tab, frameId) => { try { return await chrome.tabs.sendMessage(tab, message, { frameId }); } catch { return null; } };
    if (top && where[0] === undefined) {
      // The tab's address changed since its content script last wrote (an
      // SPA route): ask every known tab, keep the one that says it is there.
      for (const tab of new Set(Object.values(self.__escuchaTestTabs ?? {}))) {
        const r = await ask(tab, 0);
        if (r?.url === url) return r;
      }
    }
    if (!where || where[0] === undefined) return null;
    return ask(where[0], where[1]);
  }, { url: frame.url(), top, message: { type: T.getPainted } });
  if (!reply || reply.type !== A.ok) return {};
  return Object.fromEntries(reply.layers.map((l) => [l.name, l.texts]));
}

/** Texts of every range in each of Escucha's brand-group layers (see paintedLayers). */
export async function highlightTexts(frame) {
  const layers = await paintedLayers(frame);
  return Object.fromEntries(Object.entries(layers).filter(([name]) => name.startsWith('escucha-g')));
}

/** Wait until `predicate(highlightTexts)` holds; returns the last texts. */
export async function waitForHighlights(frame, predicate, { timeout = 10000 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await highlightTexts(frame);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`highlights never matched: ${JSON.stringify(last).slice(0, 2000)}`);
}

/**
 * Ask the service worker as the extension page `page` would (its sender is
 * that page); `message` is built with the generated names of ./protocol.mjs.
 */
export function askWorker(worker, message, page = 'options/options.html') {
  return worker.evaluate(({ message, page }) => wasm_bindgen.sw_handle_message(message,
    { id: chrome.runtime.id, url: chrome.runtime.getURL(page) }), { message, page });
}

/** Save settings through the service worker, as the options page does. */
export async function saveSettings(worker, settings) {
  const reply = await askWorker(worker, { type: P.saveSettings, settings });
  if (reply.type !== A.ok) throw new Error(`saveSettings failed: ${JSON.stringify(reply)}`);
}

/**
 * Like askContentScript, but returns instead of throwing: an error reply the
 * content script itself sends (it carries a `code`) comes back at once, and
 * only "no content script there yet" is retried until `timeout`.
 */
export async function askContentScriptReply(worker, url, message, { timeout = 10000 } = {}) {
  return retryContentScript(worker, url, message, timeout, (r) => r.type !== A.error || r.code);
}

/**
 * The popup for `tabId` on forum.html (either highlighting path) lists its 7
 * mentions in 3 groups, and clicking "ACME Corp" flashes it on `page`.
 */
export async function popupListsAndRevealsAcme(browser, page, tabId) {
  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup/popup.html?tab=${tabId}`);
  await popup.locator('#page-status[data-total="7"]').waitFor({ timeout: 10000 });
  const groups = await popup.locator('section.group h2').allTextContents();
  assert.equal(groups.length, 3);
  assert.match(groups[0], /Telefónica.*4/);
  const acme = popup.locator('section.group[data-group="2"] button.mention');
  assert.match(await acme.textContent(), /ACME Corp.*router/);
  await acme.click();
  let flashed;
  for (const deadline = Date.now() + 5000; !flashed && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    flashed = (await paintedLayers(page))['escucha-flash'];
  }
  assert.deepEqual(flashed, ['ACME Corp']);
  await popup.close();
}

/** The card's frame (an extension page inside the page's closed shadow root), if open. */
export function cardFrame(page) {
  return page.frames().find((f) => f.url().includes('/card/card.html#'));
}

/** Run `fn(element, ...args)` on the element matching `selector` inside the card frame (the test drives it; page scripts cannot). */
export async function inCard(page, selector, fn, ...args) {
  const frame = cardFrame(page);
  if (!frame) return undefined;
  const handle = await frame.$(selector).catch(() => null);
  if (!handle) return frame.isDetached() ? undefined : null;
  return handle.evaluate(fn, args.length ? args[0] : undefined);
}

/** Wait until the text of the card's `selector` satisfies `predicate`; returns it. */
export async function waitForCard(page, selector, predicate = (v) => v !== undefined && v !== null, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await inCard(page, selector, (el) => el.textContent);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`card ${selector} never matched; last: ${JSON.stringify(last)}`);
}

/** Click the open card's Log with the real mouse and wait until it says the capture is saved; returns that line. */
export async function logInCard(page, { timeout = 10000 } = {}) {
  await cardFrame(page).locator('#log').click({ timeout });
  return waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''), timeout);
}

/**
 * Press a key in the page. When the key removes the focused card frame (an
 * out-of-process extension frame), Chromium's acknowledgement of the key
 * event was seen never to arrive and `keyboard.press` never to return, so
 * waiting stops after 3 s; the caller then checks what the key did.
 */
export async function pressKey(page, key) {
  await Promise.race([page.keyboard.press(key), new Promise((r) => setTimeout(r, 3000))]);
}

/**
 * Switch on the demo brands (Telefónica, Orange, ACME) the way a manager does:
 * the welcome page's one-click button. A fresh install has no brands
 * (issue 14), so every test that looks for these mentions calls this in its
 * set-up. `b` is a launchWithExtension result or a teamlog.mjs browser.
 */
export async function useDemoBrands(b) {
  // launchWithExtension gives the id; teamlog.mjs's browsers a method for it.
  const id = typeof b.extensionId === 'function' ? await b.extensionId() : b.extensionId;
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${id}/welcome/welcome.html`);
  await page.locator('#app[data-ready="true"]').waitFor({ timeout: 15000 });
  await page.click('#use-demo');
  await page.waitForFunction(() => /Telefónica, Movistar/.test(document.querySelector('#state')?.textContent ?? ''), null, { timeout: 10000 })
    .catch(async () => { throw new Error(`demo brands not saved: ${await page.textContent('#state')}`); });
  await page.close();
}

// --- Strict-CSP pages (seam14) ----------------------------------------------

/** The policy that forbids WebAssembly in content scripts: the matcher frame's path. */
export const STRICT_CSP = "script-src 'self'";

/** `url` served with `csp` (the fixtures server sets the header from `?csp=`). */
export function withCsp(url, csp = STRICT_CSP) {
  return `${url}${url.includes('?') ? '&' : '?'}csp=${encodeURIComponent(csp)}`;
}

/**
 * Which highlighting path runs in `page`: 'matcher-frame' when the matcher
 * frame's hidden host is there (strict-CSP pages), else 'wasm'. The shipped
 * build has no benchmark requests to ask, so the host tells.
 */
export async function highlightingPath(page) {
  const hosts = await page.evaluate(() => document.querySelectorAll('[data-escucha-ui="matcher"]').length);
  return hosts > 0 ? 'matcher-frame' : 'wasm';
}
