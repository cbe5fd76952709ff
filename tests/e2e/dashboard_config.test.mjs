// The team configuration edited in the dashboard (issue 12, cfgedit12): the
// real escucha-server with a temporary database, an admin and a member made
// with its admin CLI, and the built dashboard in Debian's Chromium. The
// admin adds a department and a brand term and saves version 1; an invalid
// brand list is refused with the options page's own sentences (from
// extension/_locales, in English and in Spanish); a save over a version
// someone else replaced meanwhile gets the 412 sentence and keeps the text;
// a member sees no editor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, startTeamLog } from './harness.mjs';

const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
const AXE = readFileSync(join(ROOT, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const LOCALES = Object.fromEntries(['en', 'es'].map((l) => [l, JSON.parse(readFileSync(join(ROOT, 'extension', '_locales', l, 'messages.json'), 'utf8'))]));
const MARKUP = '<img src=x onerror="window.__pwned=1">';

/** A regex for the `_locales` message `key` in `lang`, any placeholder value. */
function sentence(lang, key) {
  const msg = LOCALES[lang][key].message;
  const parts = msg.split(/\$[A-Za-z0-9_]+\$/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

async function axeBad(page) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
  return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
}

let teamLog, browser;
const tokens = {};

function admin(...args) {
  return execFileSync(BIN, ['--db', join(teamLog.dir, 'team.sqlite3'), ...args], { encoding: 'utf8' });
}
const tokenOf = (name) => admin('token', 'issue', '--member', name, '--team', 'prensa').trim().split('\n').pop().trim();

async function api(token, method, path, body, headers = {}) {
  const res = await fetch(`${teamLog.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json().catch(() => null) };
}

before(async () => {
  teamLog = await startTeamLog();
  admin('team', 'create', 'prensa');
  admin('member', 'add', '--team', 'prensa', '--role', 'admin', 'ada');
  admin('member', 'add', '--team', 'prensa', '--role', 'member', 'mo');
  tokens.ada = tokenOf('ada');
  tokens.mo = tokenOf('mo');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await teamLog?.stop();
});

async function openSignedIn(token, locale = 'en-US') {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${teamLog.url}/`);
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#log:not([hidden])');
  return { context, page, errors };
}

const noteIs = (page, re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#config-note').textContent), re.source);
const problems = (page) => page.$$eval('#config-problems li', (lis) => lis.map((l) => l.textContent));

/** Add `term` to the first group of the brand list box (made if the list has none), as an admin would type it. */
async function addTerm(page, term) {
  const json = JSON.parse(await page.inputValue('#config-brands'));
  if (json.groups.length === 0) json.groups.push({ id: 'acme', name: 'Acme', color: '#ffd54f', terms: [{ text: 'Acme' }] });
  json.groups[0].terms.push({ text: term });
  await page.fill('#config-brands', JSON.stringify(json, null, 2));
}

test('config: an admin adds a department and a brand term and saves version 1', async () => {
  assert.equal((await api(tokens.ada, 'GET', '/api/v1/config')).status, 404);
  const { context, page, errors } = await openSignedIn(tokens.ada);
  await page.waitForSelector('#config:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#config-brands').value.includes('"groups"'));
  assert.equal(await page.textContent('#config-version'), 'No team configuration yet (version 0): saving creates version 1.');
  assert.equal(await page.inputValue('#config-default-department'), '');

  const departments = await page.inputValue('#config-departments');
  await page.fill('#config-departments', `${departments}\nLegal ${MARKUP}`);
  await page.dispatchEvent('#config-departments', 'change');
  await page.selectOption('#config-default-department', `Legal ${MARKUP}`);
  await page.selectOption('#config-default-priority', 'high');
  await page.fill('#config-deny', 'intranet.acme.com\n*.acme.internal');
  await addTerm(page, 'Acme Nube');
  assert.deepEqual(await axeBad(page), [], 'the editor is axe clean');
  await page.click('#config-form button[type=submit]');
  await noteIs(page, /^Saved: version 1\.$/);
  assert.match(await page.textContent('#config-version'), /^Version 1, saved by ada at .+$/);

  const saved = (await api(tokens.ada, 'GET', '/api/v1/config')).body;
  assert.equal(saved.version, 1);
  assert.equal(saved.updatedBy, 'ada');
  assert.deepEqual(saved.config.departments.slice(-1), [`Legal ${MARKUP}`]);
  assert.equal(saved.config.captureDefaults.department, `Legal ${MARKUP}`);
  assert.equal(saved.config.captureDefaults.priority, 'high');
  assert.deepEqual(saved.config.deny, ['intranet.acme.com', '*.acme.internal']);
  assert.ok(saved.config.brands.groups[0].terms.some((t) => t.text === 'Acme Nube'), JSON.stringify(saved.config.brands.groups[0]));
  assert.equal(await page.locator('#config img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(errors, []);
  await context.close();
});

test('config: an invalid brand list is refused with the options page words, in English and in Spanish', async () => {
  const { context, page, errors } = await openSignedIn(tokens.ada);
  await page.waitForFunction(() => /^Version 1,/.test(document.querySelector('#config-version').textContent));
  const good = await page.inputValue('#config-brands');
  // A term twice in one group: valid JSON, an invalid list.
  const json = JSON.parse(good);
  const first = json.groups[0].terms[0].text;
  json.groups[0].terms.push({ text: first.toUpperCase() });
  await page.fill('#config-brands', JSON.stringify(json, null, 2));
  // The server's one validation refuses it: a 400 with its problems.
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/config') && r.request().method() === 'PUT');
  await page.click('#config-form button[type=submit]');
  assert.equal((await refused).status(), 400);
  await noteIs(page, /^The configuration was not saved:$/);
  let shown = await problems(page);
  assert.equal(shown.length, 1, JSON.stringify(shown));
  assert.match(shown[0], sentence('en', 'brandErrDuplicateTerm'));
  assert.ok(shown[0].includes(json.groups[0].name), shown[0]);

  // Cut-off JSON, with the dashboard switched to Spanish: the Spanish sentence.
  await page.selectOption('#lang', 'es');
  await noteIs(page, /^La configuración no se guardó:$/);
  assert.match((await problems(page))[0], sentence('es', 'brandErrDuplicateTerm'));
  await page.fill('#config-brands', good.slice(0, 40));
  await page.click('#config-form button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#config-problems li').length === 1
    && /JSON/.test(document.querySelector('#config-problems li').textContent));
  shown = await problems(page);
  assert.match(shown[0], sentence('es', 'brandErrJsonCutOff'));
  assert.doesNotMatch(shown[0], /\$/);
  // Nothing was stored.
  assert.equal((await api(tokens.ada, 'GET', '/api/v1/config')).body.version, 1);
  assert.deepEqual(await axeBad(page), [], 'the problems are axe clean');
  assert.deepEqual(errors, []);
  await context.close();
});

test('config: a save over a version saved meanwhile gets the 412 sentence and keeps the text', async () => {
  const { context, page, errors } = await openSignedIn(tokens.ada);
  await page.waitForFunction(() => /^Version 1,/.test(document.querySelector('#config-version').textContent));
  const departments = `${await page.inputValue('#config-departments')}\nVentas`;
  await page.fill('#config-departments', departments);

  // Someone else saves version 2 in between.
  const current = (await api(tokens.ada, 'GET', '/api/v1/config')).body;
  const bumped = await api(tokens.ada, 'PUT', '/api/v1/config', { config: { ...current.config, deny: ['other.example'] } }, { 'if-match': '"1"' });
  assert.equal(bumped.status, 200, JSON.stringify(bumped.body));
  assert.equal(bumped.body.version, 2);

  await page.click('#config-form button[type=submit]');
  await noteIs(page, /^Someone else saved version 2 meanwhile\. Reload to see it; your text is kept\.$/);
  assert.equal(await page.inputValue('#config-departments'), departments);
  assert.match(await page.textContent('#config-version'), /^Version 1,/);
  const stored = (await api(tokens.ada, 'GET', '/api/v1/config')).body;
  assert.equal(stored.version, 2);
  assert.ok(!stored.config.departments.includes('Ventas'));

  // Reload brings version 2; saving over it then works.
  await page.click('#config-reload');
  await page.waitForFunction(() => /^Version 2,/.test(document.querySelector('#config-version').textContent));
  assert.equal(await page.inputValue('#config-deny'), 'other.example');
  await page.fill('#config-departments', departments);
  await page.click('#config-form button[type=submit]');
  await noteIs(page, /^Saved: version 3\.$/);
  assert.ok((await api(tokens.ada, 'GET', '/api/v1/config')).body.config.departments.includes('Ventas'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('config: a member sees no editor', async () => {
  const { context, page, errors } = await openSignedIn(tokens.mo);
  assert.equal(await page.locator('#config').isHidden(), true);
  // And the server refuses a member's save anyway.
  const current = (await api(tokens.mo, 'GET', '/api/v1/config')).body;
  const refused = await api(tokens.mo, 'PUT', '/api/v1/config', { config: current.config }, { 'if-match': `"${current.version}"` });
  assert.equal(refused.status, 403);
  assert.deepEqual(errors, []);
  await context.close();
});
