// Destinations and the delivery log in the dashboard (issue 13, outbox13):
// the real release server (private destinations allowed, first retry a
// minute away), a real HTTP receiver on 127.0.0.1 answering 500, and the
// built dashboard in Debian's Chromium. An admin adds a Slack destination for
// Logistics in the dashboard (a bad URL first: refused with the dashboard's
// own words); a capture pushed with that department shows a failing delivery
// in the log and in the capture's detail pane; after the receiver is switched
// to 200, "Retry now" delivers it. Spanish wording, a viewer's read-only
// view and axe are checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, WWW_DIR, CHROMIUM_ARGS, spawnTeamLog } from './harness.mjs';
import { SERVER_BIN, createTeam, until } from './teamlog.mjs';
import { startHttpReceiver } from './receivers.mjs';

const AXE = readFileSync(join(ROOT, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const SECRET_PATH = '/services/T0/B0/s3cr3t';

async function axeBad(page) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
  return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
}

let team, server, receiver, browser, bossToken, viewerToken;

async function api(method, path, body, { token = bossToken, headers = {} } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method, body: body && JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

function capture(text) {
  const ms = Date.now();
  const stamp = { ms, counter: 0, actor: 'dev-ana' };
  const reg = (value) => ({ value, stamp });
  return {
    id: crypto.randomUUID(), createdMs: ms, createdBy: 'ana',
    context: reg({
      pageUrl: 'https://foro.example/t/1', pageTitle: 'Hilo', site: 'foro.example', commentText: text, authorName: 'Pedro',
      permalink: 'https://foro.example/p/1', brand: 'Acme', term: 'Acme', quote: { exact: 'Acme', prefix: '', suffix: '' },
    }),
    sentiment: reg('negative'), department: reg('Logistics'), status: reg('new'), priority: reg('high'),
    tags: reg([]), note: reg(''), deleted: reg(false),
  };
}

before(async () => {
  team = createTeam(['ana']);
  team.admin('member', 'add', '--team', 'Atención', '--role', 'admin', 'boss');
  team.admin('member', 'add', '--team', 'Atención', '--role', 'viewer', 'vera');
  const issue = (m) => team.admin('token', 'issue', '--member', m, '--team', 'Atención').trim().split('\n').pop().trim();
  bossToken = issue('boss');
  viewerToken = issue('vera');
  receiver = await startHttpReceiver(Array(100).fill(500));
  server = await spawnTeamLog(SERVER_BIN, [
    '--db', team.db, 'serve', '--addr', '127.0.0.1:0', '--www', WWW_DIR,
    '--allow-private-destinations', '--delivery-base-ms', '60000', '--delivery-poll-ms', '100',
  ]);
  const config = { brands: { version: 1, groups: [] }, departments: ['Product', 'Logistics'], deny: [] };
  const put = await api('PUT', '/api/v1/config', { config }, { headers: { 'if-match': '"0"' } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (server?.child && server.child.exitCode === null) { server.child.kill('SIGTERM'); await new Promise((r) => server.child.on('exit', r)); }
  await receiver?.close();
  team?.cleanup();
});

async function openAs(token, locale) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#log:not([hidden])');
  await page.waitForSelector('#destinations:not([hidden])');
  return { context, page, errors };
}

/** Click the log's refresh until a row matches `selector`. */
async function refreshUntil(page, selector, what) {
  await until(async () => {
    await page.click('#deliveries-refresh');
    await page.waitForTimeout(300);
    return (await page.$(selector)) !== null;
  }, { what, timeout: 20000 });
}

test('an admin adds a Slack destination, sees its failing delivery and retries it once the receiver answers', async () => {
  const { context, page, errors } = await openAs(bossToken, 'en-US');
  await page.waitForSelector('#dest-admin:not([hidden])');
  assert.equal(await page.textContent('#dest-heading'), 'Destinations');

  // A bad URL: the server's problem, worded by the dashboard, as text.
  await page.fill('#dest-name', 'logistics-slack');
  await page.selectOption('#dest-kind', 'slack');
  await page.fill('#dest-department', 'Logistics');
  await page.fill('#dest-f-webhookUrl', 'ftp://hooks.example/x');
  await page.click('#dest-form button[type=submit]');
  await page.waitForSelector('#dest-problems li');
  assert.equal(await page.textContent('#dest-problems li'), 'Webhook URL: it must start with https:// or http://.');

  await page.fill('#dest-f-webhookUrl', `${receiver.url}${SECRET_PATH}`);
  await page.click('#dest-form button[type=submit]');
  const row = page.locator('#dest-rows tr[data-destination="logistics-slack"]');
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.deepEqual(cells.slice(0, 7), ['logistics-slack', 'Slack', 'Logistics', 'en', 'yes', '127.0.0.1', 'set']);
  assert.equal(await page.textContent('#dest-status'), 'Destination logistics-slack saved.');
  assert.ok(!(await page.content()).includes(SECRET_PATH), 'the webhook URL never comes back to the page');

  // Editing keeps the secret when its field is left blank.
  await row.locator('button[data-action="edit"]').click();
  assert.equal(await page.getAttribute('#dest-f-webhookUrl', 'placeholder'), 'Set: leave blank to keep it');
  assert.equal(await page.inputValue('#dest-f-webhookUrl'), '');
  await page.click('#dest-form button[type=submit]');
  await page.waitForSelector('#dest-form-title:text("Add a destination")');
  const listed = await api('GET', '/api/v1/destinations');
  assert.deepEqual(listed.body.destinations.map((d) => [d.name, d.secretSet, d.department]), [['logistics-slack', true, 'Logistics']]);

  // A capture routed to Logistics: the receiver answers 500, the log says so.
  const item = capture('My Acme parcel arrived <b>crushed</b>');
  const pushed = await api('POST', '/api/v1/push', { items: [item] }, { token: team.tokens.ana });
  assert.equal(pushed.body.results[0].status, 'stored', JSON.stringify(pushed.body));
  await until(async () => receiver.requests.length >= 1, { what: 'the first attempt', timeout: 20000 });
  await refreshUntil(page, '#delivery-rows tr[data-state="failing"]', 'a failing row');
  const failing = page.locator('#delivery-rows tr[data-state="failing"]');
  assert.equal(await failing.locator('td[data-field="state"]').textContent(), 'Failed, will retry');
  assert.equal(await failing.locator('td[data-field="attempts"]').textContent(), '1');
  assert.match(await failing.locator('td[data-field="answer"]').textContent(), /^HTTP 500/);
  assert.equal(await failing.locator('button[data-action="retry-delivery"]').textContent(), 'Retry now');

  // The capture's detail pane has its own small list.
  await page.click('#refresh');
  await page.waitForSelector(`#rows tr[data-id="${item.id}"] td.comment`);
  await page.click(`#rows tr[data-id="${item.id}"] td.comment`);
  await page.waitForSelector('#detail-deliveries li[data-state="failing"]');
  assert.match(await page.textContent('#detail-deliveries li'), /logistics-slack · Failed, will retry · Attempts 1 · HTTP 500/);
  assert.deepEqual(await axeBad(page), [], 'destinations, the log and the detail are axe clean');

  // The receiver now answers 200; "Retry now" delivers without waiting a minute.
  receiver.answerWith([]);
  await failing.locator('button[data-action="retry-delivery"]').click();
  await until(async () => receiver.delivered().length === 1, { what: 'the retried delivery', timeout: 20000 });
  await refreshUntil(page, '#delivery-rows tr[data-state="delivered"]', 'a delivered row');
  const done = page.locator('#delivery-rows tr[data-state="delivered"]');
  assert.equal(await done.locator('td[data-field="state"]').textContent(), 'Delivered');
  assert.equal(await done.locator('td[data-field="attempts"]').textContent(), '2');
  assert.equal(await done.locator('button').count(), 0, 'nothing to retry once delivered');
  assert.equal(receiver.requests.length, 2, 'one failed attempt, one retried');
  assert.equal(receiver.requests[1].path, SECRET_PATH);
  assert.ok(receiver.requests[1].body.includes('crushed'));
  assert.equal(await page.evaluate(() => document.querySelectorAll('#destinations b, #detail b').length), 0, 'text is never markup');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the same view in Spanish, and a viewer sees the log without controls', async () => {
  const { context, page, errors } = await openAs(bossToken, 'es-ES');
  await page.waitForSelector('#dest-rows tr[data-destination="logistics-slack"]');
  assert.equal(await page.textContent('#dest-heading'), 'Destinos');
  assert.equal(await page.textContent('#dest-rows tr td[data-field="secret"]'), 'guardado');
  assert.deepEqual(await page.locator('#dest-rows button').allTextContents(), ['Editar', 'Enviar una prueba', 'Entregas', 'Eliminar']);
  await page.waitForSelector('#delivery-rows tr[data-state="delivered"]');
  assert.equal(await page.textContent('#delivery-rows tr[data-state="delivered"] td[data-field="state"]'), 'Entregada');
  assert.deepEqual(await page.locator('#delivery-table th').allTextContents(),
    ['Destino', 'Estado', 'Intentos', 'Última respuesta', 'Próximo intento', 'En cola', 'Acciones']);
  // "Send a test" reaches the receiver as one more delivery.
  await page.click('#dest-rows button[data-action="test"]');
  await page.waitForSelector('#dest-status:text("Un mensaje de prueba para logistics-slack está en camino.")');
  await until(async () => receiver.delivered().length === 2, { what: 'the test message', timeout: 20000 });
  assert.ok(receiver.requests[2].body.includes('Mensaje de prueba') || receiver.requests[2].body.includes('test message'));
  assert.deepEqual(await axeBad(page), [], 'the Spanish view is axe clean');
  assert.deepEqual(errors, []);
  await context.close();

  const viewer = await openAs(viewerToken, 'en-US');
  await viewer.page.waitForSelector('#delivery-rows tr[data-state="delivered"]');
  assert.equal(await viewer.page.isHidden('#dest-admin'), true, 'no destination controls for a viewer');
  assert.equal(await viewer.page.locator('#destinations button[data-action="retry-delivery"]').count(), 0);
  const refused = await api('POST', '/api/v1/destinations/logistics-slack/test', undefined, { token: viewerToken });
  assert.equal(refused.status, 403);
  assert.deepEqual(viewer.errors, []);
  await viewer.context.close();
});
