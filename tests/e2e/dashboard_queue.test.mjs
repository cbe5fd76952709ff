// The dashboard as a place to work (issue 12, queue12): the real
// escucha-server with a temporary database, members made with its admin CLI
// (a member and a viewer), captures pushed through /api/v1/push, and the
// built dashboard driven in Debian's Chromium. Sorting is the server's,
// bulk changes go through /api/v1/captures/bulk-edit, saved views live on
// the server, and a viewer gets no edit controls and a refusal anyway.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, startTeamLog } from './harness.mjs';

const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
const HOUR = 3_600_000;
const AXE = readFileSync(join(ROOT, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** axe's critical and serious violations on the page as it is now. */
async function axeBad(page) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
  return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
}
const NOW = Date.now();

let teamLog, browser;
const tokens = {};
const ids = {};

function admin(...args) {
  return execFileSync(BIN, ['--db', join(teamLog.dir, 'team.sqlite3'), ...args], { encoding: 'utf8' });
}

function capture(key, { ms, priority, status = 'new', text }) {
  const id = crypto.randomUUID();
  ids[key] = id;
  const stamp = { ms, counter: 0, actor: 'dev-ana' };
  const reg = (value) => ({ value, stamp });
  return {
    id, createdMs: ms, createdBy: 'ana',
    context: reg({
      pageUrl: `https://foro.example/t/${key}`, pageTitle: 'Hilo', site: 'foro.example', commentText: text, authorName: 'Pedro',
      permalink: `https://foro.example/p/${key}`, brand: 'Movistar', term: 'Movistar', quote: { exact: 'Movistar', prefix: '', suffix: '' },
    }),
    sentiment: reg('negative'), department: reg(null), status: reg(status), priority: reg(priority),
    tags: reg([]), note: reg(''), deleted: reg(false),
  };
}

async function api(path, { token = tokens.ana, method = 'GET', body } = {}) {
  const res = await fetch(`${teamLog.url}${path}`, {
    method, body: body && JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: await res.json() };
}

const byId = async () => new Map((await api('/api/v1/captures?limit=100')).body.items.map((c) => [c.id, c]));

before(async () => {
  teamLog = await startTeamLog();
  admin('team', 'create', 'soporte');
  for (const [name, role] of [['ana', 'member'], ['luis', 'member'], ['vera', 'viewer']]) {
    admin('member', 'add', '--team', 'soporte', '--role', role, name);
    tokens[name] = admin('token', 'issue', '--member', name).trim().split('\n').pop().trim();
  }
  // Four captures: ages 4 h, 3 h, 2 h, 1 h; priorities chosen so that
  // "newest first", "oldest first" and "urgent first" are three different orders.
  const items = [
    capture('old', { ms: NOW - 4 * HOUR, priority: 'high', text: 'Movistar me cobró dos veces' }),
    capture('mid', { ms: NOW - 3 * HOUR, priority: 'urgent', text: 'Movistar no funciona en Cádiz' }),
    capture('young', { ms: NOW - 2 * HOUR, priority: 'low', text: 'Movistar cambió la tarifa' }),
    capture('newest', { ms: NOW - HOUR, priority: 'normal', text: 'Movistar tarda en responder' }),
  ];
  const pushed = await api('/api/v1/push', { method: 'POST', body: { items } });
  assert.deepEqual(pushed.body.results.map((r) => r.status), ['stored', 'stored', 'stored', 'stored'], JSON.stringify(pushed.body));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await teamLog?.stop();
});

async function openAs(name, locale = 'en-US') {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${teamLog.url}/`);
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', tokens[name]);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length > 0);
  return { context, page, errors };
}

const rowIds = (page) => page.$$eval('#rows tr', (trs) => trs.map((t) => t.dataset.id));
const waitOrder = (page, want) => page.waitForFunction((w) => [...document.querySelectorAll('#rows tr')].map((t) => t.dataset.id).join() === w.join(), want);
const header = (page, label) => page.locator('#head th', { has: page.locator(`button.sort:text-is("${label}")`) });

test('queue: sort by age and priority on the server, bulk status and assignee on a selection, Mine with its count, comment and history', async () => {
  const { context, page, errors } = await openAs('ana');
  await waitOrder(page, [ids.newest, ids.young, ids.mid, ids.old]);
  assert.equal(await page.textContent('#sort-summary'), 'Newest first');
  assert.equal(await header(page, 'Captured').getAttribute('aria-sort'), 'descending');

  // Age: the date header again gives oldest first.
  await header(page, 'Captured').locator('button').click();
  await waitOrder(page, [ids.old, ids.mid, ids.young, ids.newest]);
  assert.equal(await page.textContent('#sort-summary'), 'Oldest first');
  // Priority: urgent first, then the other way.
  await header(page, 'Priority').locator('button').click();
  await waitOrder(page, [ids.mid, ids.old, ids.newest, ids.young]);
  assert.equal(await header(page, 'Priority').getAttribute('aria-sort'), 'descending');
  assert.equal(await header(page, 'Captured').getAttribute('aria-sort'), 'none');
  await header(page, 'Priority').locator('button').click();
  await waitOrder(page, [ids.young, ids.newest, ids.old, ids.mid]);

  // Bulk: tick two, set their status; only those two change on the server.
  assert.equal(await page.isHidden('#bulk'), true, 'no bulk bar without a selection');
  await page.check(`#rows tr[data-id="${ids.old}"] input[data-field=pick]`);
  await page.check(`#rows tr[data-id="${ids.mid}"] input[data-field=pick]`);
  await page.waitForSelector('#bulk:not([hidden])');
  assert.equal(await page.textContent('#selected-count'), '2 selected');
  assert.deepEqual(await axeBad(page), [], 'the queue with its bulk bar is axe clean');
  await page.selectOption('#bulk-field', 'status');
  await page.selectOption('#bulk-value', 'escalated');
  await page.click('#bulk-apply');
  await page.waitForFunction(() => document.querySelector('#status').textContent === '2 captures changed.');
  let stored = await byId();
  assert.deepEqual([ids.old, ids.mid, ids.young, ids.newest].map((id) => stored.get(id).status.value), ['escalated', 'escalated', 'new', 'new']);
  await page.waitForFunction((id) => document.querySelector(`#rows tr[data-id="${id}"] select.status`).value === 'escalated', ids.old);
  assert.equal(await page.isHidden('#bulk'), true, 'the selection is cleared after a change');

  // Bulk assign three to ana: "Mine" counts them, one click shows them.
  for (const k of ['old', 'mid', 'newest']) await page.check(`#rows tr[data-id="${ids[k]}"] input[data-field=pick]`);
  await page.selectOption('#bulk-field', 'assignee');
  await page.waitForFunction(() => [...document.querySelectorAll('#bulk-value option')].some((o) => o.value === 'luis'), null, { timeout: 5000 });
  await page.selectOption('#bulk-value', 'ana');
  await page.click('#bulk-apply');
  await page.waitForFunction(() => document.querySelector('#status').textContent === '3 captures changed.');
  stored = await byId();
  assert.deepEqual([ids.old, ids.mid, ids.young, ids.newest].map((id) => stored.get(id).assignee?.value ?? null), ['ana', 'ana', null, 'ana']);
  await page.waitForFunction(() => document.querySelector('#quick-mine').textContent === 'Mine (3)');
  assert.equal(await page.textContent('#quick-unassigned'), 'Unassigned (1)');
  await page.click('#quick-mine');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 3);
  assert.equal(await page.getAttribute('#quick-mine', 'aria-pressed'), 'true');
  assert.equal(await page.inputValue('#f-assignee'), 'v:ana');
  await page.click('#quick-mine'); // off again
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4);

  // One row: assign to luis from its own select.
  await page.selectOption(`#rows tr[data-id="${ids.young}"] select.assignee`, 'luis');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'Saved.');
  assert.equal((await byId()).get(ids.young).assignee.value, 'luis');

  // Detail: the timeline of changes and the comment thread; a comment posts.
  await page.click(`#rows tr[data-id="${ids.old}"] td.comment`);
  await page.waitForSelector('#detail:not([hidden]) ol.history');
  const history = await page.$$eval('#detail ol.history li', (lis) => lis.map((l) => l.textContent));
  assert.ok(history.some((h) => h.includes('ana changed status from “New” to “Escalated”')), history.join(' | '));
  assert.ok(history.some((h) => h.includes('ana changed assignee from “(none)” to “ana”')), history.join(' | '));
  assert.equal(await page.textContent('#detail p.hint:text("No comments yet.")'), 'No comments yet.');
  await page.fill('#comment-text', '<b>Llamo yo</b> mañana');
  await page.click('#comment-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#detail ol.comments .comment-text')?.textContent === '<b>Llamo yo</b> mañana');
  assert.equal(await page.locator('#detail b').count(), 0, 'the comment is text, not HTML');
  assert.deepEqual(await axeBad(page), [], 'the detail with its timeline and thread is axe clean');
  const comments = (await byId()).get(ids.old).comments;
  assert.equal(JSON.stringify(comments).includes('<b>Llamo yo</b> mañana'), true, JSON.stringify(comments));

  assert.deepEqual(errors, []);
  await context.close();
});

test('queue: a saved view keeps filters and sort on the server and reopens in one click on another machine', async () => {
  const first = await openAs('ana');
  let page = first.page;
  await page.click('#head button.sort:text-is("Priority")');
  await page.waitForFunction(() => document.querySelector('#sort-summary').textContent === 'Priority: highest first');
  await page.waitForSelector('#f-status option[value="v:escalated"]', { state: 'attached' });
  await page.selectOption('#f-status', 'v:escalated');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 2);
  await page.fill('#view-name', 'Escaladas urgentes');
  await page.click('#view-form button[type=submit]');
  await page.waitForSelector('#view-list button[data-act=open][data-name="Escaladas urgentes"]');
  assert.equal(await page.textContent('#status'), 'View “Escaladas urgentes” saved.');
  assert.deepEqual(await axeBad(page), [], 'saved views are axe clean');
  const saved = await api('/api/v1/views');
  assert.deepEqual(saved.body.views.map((v) => [v.name, v.sort, v.descending, v.filters.status]), [['Escaladas urgentes', 'priority', true, 'v:escalated']]);
  await first.context.close();

  // Another browser (another machine): the view is there; one click restores it.
  const second = await openAs('ana');
  page = second.page;
  await page.waitForSelector('#view-list button[data-act=open][data-name="Escaladas urgentes"]');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4);
  await page.click('#view-list button[data-act=open][data-name="Escaladas urgentes"]');
  await waitOrder(page, [ids.mid, ids.old]);
  assert.equal(await page.inputValue('#f-status'), 'v:escalated');
  assert.equal(await page.locator('#head th[aria-sort=descending] button.sort').textContent(), 'Priority');
  // Delete it.
  await page.click('#view-list button[data-act=delete][data-name="Escaladas urgentes"]');
  await page.waitForSelector('#no-views:not([hidden])');
  assert.deepEqual((await api('/api/v1/views')).body.views, []);
  assert.deepEqual(second.errors, []);
  await second.context.close();
});

test('queue: a viewer sees the queue without edit controls, in Spanish, and the server refuses their edit anyway', async () => {
  const { context, page, errors } = await openAs('vera', 'es-ES');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4);
  await page.waitForSelector('#read-only:not([hidden])');
  assert.equal(await page.textContent('#read-only'), 'Tu rol puede leer este registro, pero no cambiarlo.');
  for (const control of ['input[data-field=pick]', 'select.status', 'select.assignee', 'select.priority', 'input.dept', '#select-page']) {
    assert.equal(await page.locator(`#captures ${control}`).count(), 0, `no ${control} for a viewer`);
  }
  assert.equal(await page.textContent(`#rows tr[data-id="${ids.old}"] td.status`), 'Escalado');
  assert.equal(await page.isHidden('#bulk'), true);
  assert.deepEqual(await axeBad(page), [], "the viewer's queue is axe clean");
  await page.click(`#rows tr[data-id="${ids.old}"] td.comment`);
  await page.waitForSelector('#detail:not([hidden]) ol.comments');
  assert.equal(await page.textContent('#detail ol.comments .comment-text'), '<b>Llamo yo</b> mañana', 'a viewer reads the thread');
  assert.equal(await page.locator('#comment-form').count(), 0, 'no comment form for a viewer');
  // Sorting and saved views are reading aids: a viewer has them.
  await page.click('#head button.sort:text-is("Prioridad")');
  await waitOrder(page, [ids.mid, ids.old, ids.newest, ids.young]);

  // The server is the rule: the same edits from the viewer's token are refused.
  const bulk = await api('/api/v1/captures/bulk-edit', { token: tokens.vera, method: 'POST', body: { ids: [ids.young], edit: { status: 'closed' } } });
  assert.equal(bulk.status, 403);
  assert.equal(bulk.body.error.code, 'role_forbidden');
  const one = await api(`/api/v1/captures/${ids.young}/edit`, { token: tokens.vera, method: 'POST', body: { status: 'closed' } });
  assert.equal(one.status, 403);
  assert.equal((await byId()).get(ids.young).status.value, 'new');
  assert.deepEqual(errors, []);
  await context.close();
});
