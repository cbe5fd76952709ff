// Tier 3, languages: every extension page and the dashboard rendered with a
// Spanish UI must show no string from the English tables. The extension runs
// with --lang=es (what switches chrome.i18n in Debian's Chromium); the pages
// are driven into their error states (a bad brand list, a broken import, a
// refused record) because that is where English used to leak. The dashboard
// is the real escucha-server with a Spanish browser locale.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, EXTENSION_DIR, removeDir, startTeamLog } from './harness.mjs';

const load = (lang) => JSON.parse(readFileSync(join(ROOT, 'extension', '_locales', lang, 'messages.json'), 'utf8'));
const EN = load('en');
const ES = load('es');

/** The dashboard's table: `Variant => "en", "es";` lines of src/core/src/dashboard/i18n.rs. */
function dashboardTable() {
  const src = readFileSync(join(ROOT, 'src', 'core', 'src', 'dashboard', 'i18n.rs'), 'utf8');
  const out = [];
  for (const m of src.matchAll(/^\s*[A-Z]\w* => "((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)";/gm)) out.push([m[1], m[2]]);
  assert.ok(out.length > 50, `read the dashboard table (${out.length} entries)`);
  return out;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Matchers for English strings that differ from their Spanish ones: the whole
 * string (placeholders as wildcards) and, for long ones, their longest fixed
 * part (which catches English inside a Spanish sentence).
 */
function englishMatchers(pairs, placeholder) {
  const out = [];
  for (const [en, es] of pairs) {
    if (en === es) continue;
    const parts = en.split(placeholder);
    const whole = new RegExp(`^${parts.map(escape).join('.+')}$`, 's');
    const longest = parts.map((p) => p.trim()).sort((a, b) => b.length - a.length)[0];
    out.push({ en, whole, part: longest.length >= 24 && !es.includes(longest) ? longest : null });
  }
  return out;
}

const EXT_MATCHERS = englishMatchers(Object.keys(EN).map((k) => [EN[k].message, ES[k].message]), /\$[A-Z_0-9]+\$/);
const DASH_MATCHERS = englishMatchers(dashboardTable(), /\{\d\}/);

/** Every visible text node and every user-facing attribute of the page. */
async function shownTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.textContent.trim();
      if (t && visible(n.parentElement) && !n.parentElement.closest('script,style,textarea')) out.push(t);
    }
    for (const el of document.querySelectorAll('[placeholder],[aria-label],[title],[alt]')) {
      for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
        const v = el.getAttribute(a);
        if (v && v.trim()) out.push(v.trim());
      }
    }
    if (document.title) out.push(document.title.trim());
    return out;
  });
}

async function assertNoEnglish(page, matchers, where) {
  const texts = await shownTexts(page);
  assert.ok(texts.length > 3, `${where}: read the page (${texts.length} texts)`);
  const leaks = [];
  for (const t of texts) {
    for (const m of matchers) {
      if (m.whole.test(t) || (m.part && t.includes(m.part))) leaks.push(`${JSON.stringify(t)} ← English ${JSON.stringify(m.en)}`);
    }
  }
  assert.deepEqual(leaks, [], `${where} shows English`);
}

let context, profile, extensionId, worker;

before(async () => {
  profile = mkdtempSync(join(tmpdir(), 'escucha-profile-i18n-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, '--lang=es', `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`],
  });
  [worker] = context.serviceWorkers();
  if (!worker) worker = await context.waitForEvent('serviceworker', { timeout: 15000 });
  extensionId = new URL(worker.url()).host;
  await worker.evaluate(() => self.escuchaReady);
});

after(async () => {
  await context?.close();
  if (profile) removeDir(profile);
});

test('the matchers catch English (so the checks below can fail)', () => {
  const hits = (t) => EXT_MATCHERS.some((m) => m.whole.test(t) || (m.part && t.includes(m.part)));
  assert.ok(hits('No se importó nada: The file is not valid JSON (line 1, column 2).'));
  assert.ok(hits('Nothing was imported: x'));
  assert.ok(!hits('No se importó nada: El archivo no es JSON válido (línea 1, columna 2).'));
  assert.ok(DASH_MATCHERS.some((m) => m.whole.test('Sign out')));
});

test('every key has a Spanish string, and Spanish differs where words do', () => {
  assert.deepEqual(Object.keys(ES).sort(), Object.keys(EN).sort());
  for (const k of Object.keys(EN)) assert.ok(ES[k].message.trim(), k);
});

test('options page in Spanish, with brand-list problems shown, has no English', async () => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options/options.html`);
  await page.locator('#app[data-ready="true"]').waitFor({ timeout: 15000 });
  assert.equal(await page.evaluate(() => document.documentElement.lang.slice(0, 2)), 'es');
  await assertNoEnglish(page, EXT_MATCHERS, 'options');

  // A list with a broken regex and a duplicate term, loaded from the JSON box.
  await page.locator('#json-view summary').click();
  const list = { version: 1, groups: [
    { name: 'Uno', terms: [{ text: 'Acme' }, { text: '(ga', options: { regex: true } }] },
    { name: 'Dos', terms: [{ text: 'ACME' }] },
  ] };
  await page.locator('#brands-json').fill(JSON.stringify(list));
  await page.locator('#brands-json-apply').click();
  await page.waitForFunction(() => document.querySelector('#error-summary-list li'));
  const summary = await page.locator('#error-summary-list').textContent();
  assert.match(summary, /no es una expresión regular válida: un «\(» no se cierra \(detalle técnico: «.+»\)/);
  assert.match(summary, /«ACME» repite/);
  await assertNoEnglish(page, EXT_MATCHERS, 'options with brand errors');

  // A cut-off file.
  await page.locator('#brands-json').fill('{"version":1,"groups":[');
  await page.locator('#brands-json-apply').click();
  await page.waitForFunction(() => /JSON/.test(document.querySelector('#error-summary-list').textContent));
  await assertNoEnglish(page, EXT_MATCHERS, 'options with a cut-off file');
  await page.close();
});

test('log page in Spanish: a refused record and a broken file are worded in Spanish', async () => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/log/log.html`);
  await page.waitForSelector('#app[data-ready="true"], body[data-ready="true"], #status', { timeout: 15000 });
  const bad = [{ id: 'not-a-uuid' }, 'hola'];
  await page.setInputFiles('#import-file', { name: 'x.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Importado'));
  assert.equal(await page.locator('#status').textContent(), 'Importado: 0 nuevas, 0 combinadas, 2 rechazadas.');
  const problems = await page.locator('#problems li').allTextContents();
  assert.match(problems[0], /^Registro 1 \(not-a-uuid\): sus campos no son los de una captura \(detalle técnico: «.+»\)\.$/);
  assert.equal(problems[1], 'Registro 2: no es un registro de captura (se esperaba un objeto).');
  await assertNoEnglish(page, EXT_MATCHERS, 'log page after a partial import');

  await page.setInputFiles('#import-file', { name: 'y.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"escucha-log", oops') });
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('No se importó nada'));
  assert.match(await page.locator('#status').textContent(), /^No se importó nada: El archivo no es JSON válido \(línea 1, columna \d+\)\.$/);
  await assertNoEnglish(page, EXT_MATCHERS, 'log page after a broken file');
  await page.close();
});

test('popup in Spanish has no English', async () => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/popup/popup.html`);
  await page.waitForFunction(() => document.body && document.body.innerText.trim().length > 0);
  await page.waitForTimeout(500);
  await assertNoEnglish(page, EXT_MATCHERS, 'popup');
  await page.close();
});

test('dashboard with a Spanish browser has no English (sign-in and the log)', async () => {
  const teamLog = await startTeamLog();
  const bin = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
  const admin = (...a) => execFileSync(bin, ['--db', join(teamLog.dir, 'team.sqlite3'), ...a], { encoding: 'utf8' });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    admin('team', 'create', 'prensa');
    admin('member', 'add', '--team', 'prensa', 'ana');
    const token = admin('token', 'issue', '--member', 'ana').trim().split('\n').pop().trim();
    const ctx = await browser.newContext({ locale: 'es-ES' });
    const page = await ctx.newPage();
    await page.goto(`${teamLog.url}/`);
    await page.waitForSelector('#login:not([hidden])');
    await assertNoEnglish(page, DASH_MATCHERS, 'dashboard sign-in');
    await page.fill('#token', token);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => /capturas?$/.test(document.querySelector('#summary').textContent));
    await page.waitForTimeout(500);
    await assertNoEnglish(page, DASH_MATCHERS, 'dashboard');
    await ctx.close();
  } finally {
    await browser.close();
    await teamLog.stop();
  }
});

// seam14c: "Test connection" in the options page, in Spanish, against the
// real server: a good token, a bad token, a dead endpoint, and a refusal the
// server words in English (414 uri_too_long, "The request target is …
// bytes"): the manager reads words chosen from the error's code, never the
// server's English detail.
test('options page in Spanish: "Probar conexión" against the real team log, and a refusal worded from its code', async () => {
  const { createTeam, serveTeamLog, extensionWithLoopbackGranted } = await import('./teamlog.mjs');
  const { launchWithExtension } = await import('./harness.mjs');
  const { createServer } = await import('node:http');
  const team = createTeam(['ana'], 'Prensa');
  const server = await serveTeamLog(team.db);
  const ext = extensionWithLoopbackGranted(); // permissions.request needs a click on a browser prompt
  const b = await launchWithExtension(ext, { args: ['--lang=es'] });
  try {
    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${b.extensionId}/options/options.html`);
    await page.locator('#app[data-ready="true"]').waitFor({ timeout: 15000 });
    await page.selectOption('#sync-mode', 'teamLog');
    const probe = async (endpoint, token) => {
      await page.fill('#sync-endpoint', endpoint);
      await page.fill('#sync-token', token);
      await page.evaluate(() => document.querySelector('#sync-status').removeAttribute('data-code'));
      await page.click('#sync-test');
      await page.waitForFunction(() => document.querySelector('#sync-status').hasAttribute('data-code'), null, { timeout: 30000 });
      return { code: await page.getAttribute('#sync-status', 'data-code'), text: (await page.textContent('#sync-status')).trim() };
    };
    const ok = await probe(server.url, team.tokens.ana);
    assert.equal(ok.text, 'Conectado al equipo Prensa como ana.', JSON.stringify(ok));
    await assertNoEnglish(page, EXT_MATCHERS, 'options after a good test');

    const bad = await probe(server.url, 'tok_wrong');
    assert.equal(bad.code, 'unauthorized');
    assert.equal(bad.text, ES.syncProblemUnauthorized.message);
    await assertNoEnglish(page, EXT_MATCHERS, 'options after a bad token');

    const closed = createServer(); await new Promise((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = closed.address().port; await new Promise((r) => closed.close(r));
    const dead = await probe(`http://127.0.0.1:${deadPort}`, team.tokens.ana);
    assert.equal(dead.code, 'unreachable');
    assert.equal(dead.text, ES.syncProblemUnreachable.message.replace('$ORIGIN$', `http://127.0.0.1:${deadPort}`));
    await assertNoEnglish(page, EXT_MATCHERS, 'options after a dead endpoint');

    // The server refuses a request target over 8 KiB with its own English sentence.
    const long = `${server.url}/${'a'.repeat(9000)}`;
    const raw = await fetch(`${long}/api/v1/me`, { headers: { authorization: `Bearer ${team.tokens.ana}` } });
    const refusal = await raw.json();
    assert.equal(raw.status, 414);
    assert.equal(refusal.error.code, 'uri_too_long');
    assert.match(refusal.error.message, /request target/, 'the server words it in English');
    const refused = await probe(long, team.tokens.ana);
    assert.equal(refused.code, 'refused', JSON.stringify(refused));
    assert.equal(refused.text, 'El registro del equipo rechazó la petición (HTTP 414): es demasiado grande para el registro del equipo.');
    assert.ok(!refused.text.includes(refusal.error.message), 'the server\'s English detail is not shown');
    await assertNoEnglish(page, EXT_MATCHERS, 'options after a refusal');
    await page.close();
  } finally {
    await b.close();
    await server.kill();
    removeDir(ext);
    team.cleanup();
  }
});
