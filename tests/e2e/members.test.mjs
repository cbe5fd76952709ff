// Issue 12's roles in the dashboard, end to end: the real escucha-server
// binary, members made with its admin CLI, and the built dashboard
// (build/www) in Debian's Chromium. An admin lists members, changes a role,
// adds a member and issues a token shown once; the team keeps its admin; a
// viewer sees no member controls and a viewer's edit is refused by the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, startTeamLog } from './harness.mjs';

const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
const NAME_PAYLOAD = 'Nora <img src=x onerror="window.__pwned=1">';

let teamLog, browser, adaToken, vicToken, captureId;

function admin(...args) {
  return execFileSync(BIN, ['--db', join(teamLog.dir, 'team.sqlite3'), ...args], { encoding: 'utf8' });
}
const tokenOf = (name) => admin('token', 'issue', '--member', name, '--team', 'prensa').trim().split('\n').pop().trim();

async function api(token, method, path, body) {
  const res = await fetch(`${teamLog.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

before(async () => {
  teamLog = await startTeamLog();
  admin('team', 'create', 'prensa');
  admin('member', 'add', '--team', 'prensa', '--role', 'admin', 'ada');
  admin('member', 'add', '--team', 'prensa', '--role', 'viewer', 'vic');
  adaToken = tokenOf('ada');
  vicToken = tokenOf('vic');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  // One capture, for the viewer to try to edit.
  const ms = Date.now() - 60_000;
  const reg = (value) => ({ value, stamp: { ms, counter: 0, actor: 'dev-ada' } });
  captureId = crypto.randomUUID();
  const pushed = await api(adaToken, 'POST', '/api/v1/push', { items: [{
    id: captureId, createdMs: ms, createdBy: 'ada',
    context: reg({ pageUrl: 'https://foro.example/t/1', pageTitle: 'Hilo', site: 'foro.example', commentText: 'Movistar me cobró dos veces',
      authorName: 'Pedro', permalink: 'https://foro.example/p/1', brand: 'Movistar', term: 'Movistar', quote: { exact: 'Movistar', prefix: '', suffix: '' } }),
    sentiment: reg('negative'), department: reg(null), status: reg('new'), priority: reg('normal'), tags: reg([]), note: reg(''), deleted: reg(false),
  }] });
  assert.equal(pushed.body.results[0].status, 'stored', JSON.stringify(pushed.body));
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

const memberRows = (page) => page.$$eval('#member-rows tr', (trs) => trs.map((t) => [t.cells[0].textContent, t.querySelector('select').value]));
const statusIs = (page, re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#member-status').textContent), re.source);

test('members: an admin changes roles, adds a member, issues a token once; the last admin stays; a viewer sees no controls', async () => {
  const { context, page, errors } = await openSignedIn(adaToken);
  await page.waitForSelector('#members:not([hidden])');
  await page.waitForFunction(() => document.querySelectorAll('#member-rows tr').length === 2);
  assert.deepEqual(await memberRows(page), [['ada', 'admin'], ['vic', 'viewer']]);

  // Change vic's role; the server holds it.
  await page.selectOption('#member-rows tr[data-member="vic"] select', 'member');
  await statusIs(page, /^vic is now Member\.$/);
  assert.deepEqual((await api(adaToken, 'GET', '/api/v1/members')).body.members.find((m) => m.name === 'vic'), { name: 'vic', role: 'member' });

  // The only admin cannot step down: refused in words, and the list snaps back.
  await page.selectOption('#member-rows tr[data-member="ada"] select', 'viewer');
  await statusIs(page, /at least one admin/);
  await page.waitForFunction(() => document.querySelector('#member-rows tr[data-member="ada"] select').value === 'admin');

  // Add a member whose name is markup: it stays text.
  await page.fill('#member-new-name', NAME_PAYLOAD);
  await page.selectOption('#member-new-role', 'viewer');
  await page.click('#member-add button[type=submit]');
  await statusIs(page, /was added as Viewer/);
  await page.waitForFunction(() => document.querySelectorAll('#member-rows tr').length === 3);
  assert.deepEqual(await memberRows(page), [['Nora <img src=x onerror="window.__pwned=1">', 'viewer'], ['ada', 'admin'], ['vic', 'member']]);
  assert.equal(await page.locator('#members img').count(), 0);

  // Issue Nora a token: shown once, as text, and it is hers (a viewer's).
  await page.click(`#member-rows tr[data-member="${NAME_PAYLOAD.replace(/"/g, '\\"')}"] button[data-action=token]`);
  await page.waitForFunction(() => document.querySelector('#member-token').textContent.startsWith('esc_'));
  const noraToken = await page.textContent('#member-token');
  const me = await api(noraToken, 'GET', '/api/v1/me');
  assert.deepEqual([me.body.member, me.body.role], [NAME_PAYLOAD, 'viewer']);

  // Spanish, from the same table.
  await page.selectOption('#lang', 'es');
  await page.waitForFunction(() => document.querySelector('#members h2').textContent === 'Miembros');
  assert.equal(await page.textContent('#member-rows tr[data-member="vic"] option[value=member]'), 'Miembro');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(errors, []);
  await context.close();

  // A viewer: no member controls, and an edit is refused by role while
  // the viewer stays signed in.
  const viewer = await openSignedIn(noraToken);
  await viewer.page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 1);
  assert.equal(await viewer.page.locator('#members').isHidden(), true);
  assert.equal(await viewer.page.locator('#member-rows select, #member-rows button').count(), 0);
  // The viewer's edit, as the dashboard sends it, is refused by role.
  const edit = await viewer.page.evaluate(async ([id, t]) => {
    const res = await fetch(`/api/v1/captures/${id}/edit`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: '{"status":"responded"}' });
    return [res.status, (await res.json()).error.code];
  }, [captureId, noraToken]);
  assert.deepEqual(edit, [403, 'role_forbidden']);
  assert.equal((await api(adaToken, 'GET', '/api/v1/pull')).body.items[0].status.value, 'new', 'nothing changed');
  const refused = await api(noraToken, 'POST', '/api/v1/members', { name: 'x' });
  assert.deepEqual([refused.status, refused.body.error.code, refused.body.error.roleRefusal], [403, 'role_forbidden', { role: 'viewer', action: 'manageMembers' }]);
  assert.deepEqual(viewer.errors, []);
  await viewer.context.close();

  // The member vic (promoted above) has no member controls either.
  const member = await openSignedIn(vicToken);
  await member.page.waitForFunction(() => document.querySelector('#summary').textContent !== '');
  assert.equal(await member.page.locator('#members').isHidden(), true);
  await member.context.close();
});
