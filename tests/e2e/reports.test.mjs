// Response times and reports (issue 13, sla13): the real escucha-server with
// a temporary database, an admin made with its admin CLI, service targets
// saved through PUT /api/v1/config (Monday–Friday 09:00–18:00 UTC; normal
// priority answered within 60 working minutes, closed within 480), captures
// with their history pushed through /api/v1/push, and the built dashboard in
// Debian's Chromium. A capture answered 42 working minutes after it was
// captured (Friday 17:30 → Monday 09:12) shows 42 min as its first response
// in the report the server computed; an unanswered one is overdue in the
// queue and listed as breaching; the department report prints without the
// navigation and downloads as CSV with the same figures; axe is clean. A
// member's extension, synced with the same team log, shows the overdue line
// of a recent unanswered capture in its log page from the team
// configuration it applies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, startTeamLog, removeDir } from './harness.mjs';
import { launchBrowser, extensionWithLoopbackGranted } from './teamlog.mjs';
import { configure } from './sync_common.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
const AXE = readFileSync(join(ROOT, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const DAY = 86_400_000;
const NOW = Date.now();

async function axeBad(page) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
  return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
}

let teamLog, browser;
const tokens = {};
const ids = {};

function admin(...args) {
  return execFileSync(BIN, ['--db', join(teamLog.dir, 'team.sqlite3'), ...args], { encoding: 'utf8' });
}

/** A capture record created at `ms` in `department`, with status events `[ms, from, to]` as its history. */
function capture(key, { ms, department, status, events = [] }) {
  const id = crypto.randomUUID();
  ids[key] = id;
  const stamp = { ms, counter: 0, actor: 'dev-ana' };
  const reg = (value) => ({ value, stamp });
  const last = events.length ? { ms: events[events.length - 1][0], counter: 1, actor: 'dev-ana' } : stamp;
  return {
    id, createdMs: ms, createdBy: 'ana',
    context: reg({
      pageUrl: `https://foro.example/t/${key}`, pageTitle: `Hilo ${key}`, site: 'foro.example', commentText: 'El pedido de Acme no llegó',
      authorName: 'Pedro', permalink: `https://foro.example/p/${key}`, brand: 'Acme', term: 'Acme', quote: { exact: 'Acme', prefix: '', suffix: '' },
    }),
    sentiment: reg('negative'), department: reg(department), status: { value: status, stamp: last }, priority: reg('normal'),
    tags: reg([]), note: reg(''), deleted: reg(false),
    history: events.map(([at, from, to]) => ({ id: crypto.randomUUID(), member: 'ana', ms: at, field: 'status', from, to })),
  };
}

async function api(path, { token = tokens.ada, method = 'GET', body, headers = {} } = {}) {
  const res = await fetch(`${teamLog.url}${path}`, {
    method, body: body && JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

before(async () => {
  teamLog = await startTeamLog();
  admin('team', 'create', 'soporte');
  admin('member', 'add', '--team', 'soporte', '--role', 'admin', 'ada');
  tokens.ada = admin('token', 'issue', '--member', 'ada').trim().split('\n').pop().trim();
  const hours = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '18:00' }));
  const config = { departments: ['Logistics', 'PR'], service: { timeZone: 'UTC', hours, targets: [{ priority: 'normal', firstResponseMinutes: 60, closeMinutes: 480 }] } };
  const saved = await api('/api/v1/config', { method: 'PUT', body: { config }, headers: { 'if-match': '"0"' } });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));

  const friday = Date.parse('2026-01-16T17:30:00Z');
  assert.equal(new Date(friday).getUTCDay(), 5, 'a Friday');
  const items = [
    // 30 working minutes on Friday + 12 on Monday morning = 42.
    capture('answered', { ms: friday, department: 'Logistics', status: 'responded', events: [[Date.parse('2026-01-19T09:12:00Z'), 'new', 'responded']] }),
    // Thirty days old and never answered: overdue, breaching.
    capture('waiting', { ms: NOW - 30 * DAY, department: 'Logistics', status: 'needsResponse' }),
  ];
  const pushed = await api('/api/v1/push', { method: 'POST', body: { items } });
  assert.deepEqual(pushed.body.results.map((r) => r.status), ['stored', 'stored'], JSON.stringify(pushed.body));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await teamLog?.stop();
});

async function openAs(token, locale = 'en-US') {
  const context = await browser.newContext({ locale, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${teamLog.url}/`);
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length > 0);
  return { context, page, errors };
}

const cell = (page, table, cls) => page.textContent(`${table} tbody tr:first-child td.${cls}`);

test('reports: the first-response time in working minutes, breaches, overdue in the queue, department report, print and CSV', async () => {
  // The server computes the figures (the browser never downloads the log for them).
  const r = (await api('/api/v1/reports')).body;
  assert.equal(r.total.captures, 2);
  assert.equal(r.total.firstResponseMedian, 42 * 60_000, JSON.stringify(r.total));
  assert.equal(r.breachCount, 2, 'the waiting one (first response) and the answered one (never closed)');

  const { context, page, errors } = await openAs(tokens.ada);
  await page.waitForSelector('#reports:not([hidden]) #report-total table');
  assert.equal((await cell(page, '#report-total', 'first-median')).trim(), '42 min');
  assert.equal((await cell(page, '#report-total', 'first-p90')).trim(), '42 min');

  // Overdue in the queue, under the capture's date.
  const due = page.locator(`#rows tr[data-id="${ids.waiting}"] td.date .due`);
  await due.waitFor();
  assert.match(await due.textContent(), /^First response: Overdue since .+ \(\d+ d \d+ h\)$/);
  assert.equal(await due.getAttribute('class'), 'due overdue');
  assert.match(await page.locator(`#rows tr[data-id="${ids.answered}"] td.date .due`).textContent(), /^Close: Overdue since /);

  // The Logistics report page.
  await page.selectOption('#report-department', 'Logistics');
  await page.click('#report-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#report-heading').textContent === 'Department report: Logistics');
  await page.waitForSelector('#report-total table');
  assert.equal((await cell(page, '#report-total', 'first-median')).trim(), '42 min');
  const breachIds = await page.$$eval('#breach-table tbody tr', (trs) => trs.map((t) => t.dataset.id));
  assert.deepEqual(breachIds.sort(), [ids.answered, ids.waiting].sort());
  assert.deepEqual(await axeBad(page), [], 'the reports section is axe clean');

  // CSV: the same figures.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report-csv')]);
  assert.equal(download.suggestedFilename(), 'escucha-report-logistics.csv');
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').split('\r\n');
  assert.ok(csv[0].startsWith('Group,,Captures,Responded,Closed,'), csv[0]);
  assert.ok(csv.includes('All captures,,2,1,0,42,42,,,2'), csv.join('\n'));

  // Print: only the report; no header, navigation, filters or queue.
  await page.emulateMedia({ media: 'print' });
  for (const hidden of ['header', '#quick', '#filters', '#rows', '#report-form', '#config']) {
    assert.equal(await page.isVisible(hidden), false, `${hidden} is not printed`);
  }
  assert.equal(await page.isVisible('#report-total table'), true);
  assert.equal(await page.isVisible('#breach-table'), true);
  const breakInside = await page.$eval('#breach-table tbody tr', (tr) => getComputedStyle(tr).breakInside);
  assert.equal(breakInside, 'avoid', 'table rows are not split across pages');
  await page.emulateMedia({ media: 'screen' });
  assert.equal(await page.isVisible('#quick'), true);

  // Spanish: the same report, its words switched.
  await page.selectOption('#lang', 'es');
  await page.waitForFunction(() => document.querySelector('#report-heading').textContent === 'Informe del departamento: Logística');
  assert.match(await due.textContent(), /^Primera respuesta: Vencida desde .+/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('reports: the extension\'s log page shows the overdue line from the team\'s targets', async () => {
  admin('member', 'add', '--team', 'soporte', '--role', 'member', 'ana');
  const ana = admin('token', 'issue', '--member', 'ana').trim().split('\n').pop().trim();
  const ext = extensionWithLoopbackGranted();
  const profile = mkdtempSync(join(tmpdir(), 'escucha-reports-profile-'));
  const b = await launchBrowser(profile, ext);
  try {
    // Ten days old (inside the window a browser holds), never answered: overdue.
    const pushed = await api('/api/v1/push', { token: ana, method: 'POST', body: { items: [capture('recent', { ms: NOW - 10 * DAY, department: 'PR', status: 'new' })] } });
    assert.deepEqual(pushed.body.results.map((r) => r.status), ['stored'], JSON.stringify(pushed.body));
    await configure(b, { endpoint: teamLog.url, member: 'ana', token: ana });
    const s = await b.send({ type: P.syncNow });
    assert.equal(s.type, A.ok, JSON.stringify(s));
    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${await b.extensionId()}/log/log.html`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 20000 });
    const due = page.locator(`#rows .row[data-id="${ids.recent}"] .meta .due`);
    await due.waitFor({ timeout: 20000 });
    assert.match(await due.textContent(), /^First response overdue since .+ \(\d+ d \d+ h ago\)$/);
    assert.equal(await due.getAttribute('class'), 'due overdue');
  } finally {
    await b.close();
    removeDir(profile);
    removeDir(ext);
  }
});
