// Issue 13 end to end, every part real: the built extension in Chromium, the
// release escucha-server (SQLite), an HTTP receiver standing in for the
// Logistics Slack webhook and an SMTP server for its inbox, both on
// 127.0.0.1 (tests/e2e/receivers.mjs), and the dashboard.
//
// A member captures a negative comment about a delivery problem on a phpBB
// thread; the team's rule routes it to Logistics at ingest; the Slack
// receiver (which fails its first attempt) and the SMTP inbox get it, and the
// server is killed with SIGKILL while the Slack delivery is still pending and
// restarted: Slack is answered 2xx exactly once, and every copy of the email
// carries one idempotency key. The team's later reply on the thread is found
// when the member revisits it, confirmed in one click, and the dashboard's
// report shows the first-response time the reply's own time gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { FIXTURES, WWW_DIR, CHROMIUM_ARGS, startFixtures, removeDir, spawnTeamLog, cardFrame, waitForCard, pressKey } from './harness.mjs';
import { SERVER_BIN, createTeam, launchBrowser, extensionWithLoopbackGranted, pullAll, until, sleep } from './teamlog.mjs';
import { configure, drained } from './sync_common.mjs';
import { openThreadCard, clickAndSave } from './thread_card.mjs';
import { startHttpReceiver, startSmtpReceiver } from './receivers.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

const FULL = readFileSync(join(FIXTURES, 'threads', 'phpbb.html'), 'utf8');
// The thread before the team answered: the posts from p103 on are not there yet.
const BEFORE = FULL.replace(/<div id="p103"[\s\S]*?(?=<\/div>\s*<\/div>\s*<\/body>)/, '');
const MINUTE = 60_000;

const pages = { '/thread.html': BEFORE };
let team, server, port, ext, fixtures, b, profile, adminToken, slack, smtp, dash;

/** The release server on `port` (0: any), delivering to loopback receivers, retrying fast. */
async function serve(p = 0) {
  const s = await spawnTeamLog(SERVER_BIN, [
    '--db', team.db, 'serve', '--addr', `127.0.0.1:${p}`, '--www', WWW_DIR,
    '--allow-private-destinations', '--delivery-base-ms', '300', '--delivery-lease-ms', '1500', '--delivery-poll-ms', '100',
  ]);
  port = Number(new URL(s.url).port);
  return s;
}

async function api(method, path, body, headers = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method, body: body && JSON.stringify(body),
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

before(async () => {
  assert.ok(!BEFORE.includes('p103') && BEFORE.includes('id="p102"'), 'the thread without the reply');
  team = createTeam(['ana']);
  team.admin('member', 'add', '--team', 'Atención', '--role', 'admin', 'boss');
  adminToken = team.admin('token', 'issue', '--member', 'boss', '--team', 'Atención').trim().split('\n').pop().trim();
  // Slack fails its first attempt, so a delivery is still pending when the server is killed.
  slack = await startHttpReceiver([503]);
  smtp = await startSmtpReceiver();
  server = await serve();
  fixtures = await startFixtures(pages);

  const config = {
    brands: { version: 1, groups: [{ id: 'acme', name: 'Acme', kind: 'own', color: '#ffd54f', enabled: true, terms: [{ text: 'Acme' }], exclusions: [] }] },
    departments: ['Product', 'Logistics', 'Customer Service'],
    deny: [],
    rules: [{
      name: 'Delivery problems', enabled: true, stop: false,
      when: { kind: 'all', of: [{ kind: 'sentiment', is: 'negative' }, { kind: 'words', words: ['cracked', 'crushed', 'arrived broken'] }] },
      then: [{ kind: 'setDepartment', name: 'Logistics' }, { kind: 'setPriority', priority: 'high' }, { kind: 'addTags', tags: ['delivery'] }],
    }],
    teamAccounts: { '127.0.0.1': ['@Acme_Support'] },
    // Around the clock (no hours): a high-priority comment is answered within an hour.
    service: { timeZone: 'UTC', hours: [], targets: [{ priority: 'high', firstResponseMinutes: 60, closeMinutes: 480 }] },
  };
  const put = await api('PUT', '/api/v1/config', { config }, { 'if-match': '"0"' });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const slackDest = await api('PUT', '/api/v1/destinations/logistics-slack', { department: 'Logistics', language: 'en', kind: 'slack', webhookUrl: `${slack.url}/services/T0/B0/x` });
  assert.equal(slackDest.status, 201, JSON.stringify(slackDest.body));
  const mailDest = await api('PUT', '/api/v1/destinations/logistics-mail', {
    department: 'Logistics', language: 'es', kind: 'email', smtpHost: '127.0.0.1', smtpPort: smtp.port, security: 'none',
    username: 'escucha', password: 'secreto', from: 'escucha@acme.example', to: ['logistica@acme.example'],
  });
  assert.equal(mailDest.status, 201, JSON.stringify(mailDest.body));
  const listed = await api('GET', '/api/v1/destinations');
  assert.ok(!JSON.stringify(listed.body).includes('secreto') && !JSON.stringify(listed.body).includes('/services/T0/B0/x'), 'secrets never leave the server');

  ext = extensionWithLoopbackGranted();
  profile = mkdtempSync(join(tmpdir(), 'escucha-flow-profile-'));
  b = await launchBrowser(profile, ext);
  await configure(b, { endpoint: server.url, member: 'ana', token: team.tokens.ana });
  const s = await b.send({ type: P.syncNow });
  assert.equal(s.type, A.ok, JSON.stringify(s));
  await until(async () => (await b.send({ type: P.getTeamConfig })).active?.doc?.version === 1, { what: 'the team configuration', timeout: 20000 });
  dash = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await b?.close();
  await dash?.close();
  if (server?.child && server.child.exitCode === null) { server.child.kill('SIGTERM'); await new Promise((r) => server.child.on('exit', r)); }
  await fixtures?.stop();
  await slack?.close();
  await smtp?.close();
  if (profile) removeDir(profile);
  if (ext) removeDir(ext);
  team?.cleanup();
});

const openCard = () => openThreadCard(b, `${fixtures.url}/thread.html`);

const mailsAbout = (text) => smtp.messages.filter((m) => m.data.includes(text));
const keyOf = (m) => /^Idempotency-Key:\s*(\S+)/mi.exec(m.data)?.[1];

test('a negative delivery comment is routed to Logistics, delivered to Slack and email across a kill -9, its reply verified, and the report shows the first response', async () => {
  // 1. Capture: negative, and the card previews the rule's route before Log.
  const first = await openCard();
  assert.match(await waitForCard(first, '#excerpt'), /cracked screen/);
  await cardFrame(first).locator('#sentiment .seg[data-value=negative]').click();
  assert.equal(await waitForCard(first, '#route-line', (t) => !!t), '→ Logistics · High · #delivery');
  await clickAndSave(first, '#log');
  const capturedMs = Date.now();
  await pressKey(first, 'Escape');
  await first.close();

  // 2. Sync, and kill -9 the server as soon as Slack has seen (and refused) the first attempt.
  await b.send({ type: P.syncNow });
  await until(() => slack.requests.length >= 1, { what: 'the first Slack attempt', timeout: 30000 });
  const stored = await pullAll(server.url, team.tokens.ana);
  assert.equal(stored.length, 1, 'the capture was stored before the kill');
  server.child.kill('SIGKILL');
  await new Promise((r) => server.child.on('exit', r));
  server = await serve(port);

  // 3. Every delivery arrives after the restart: Slack answered 2xx once, the email under one key.
  await until(() => slack.delivered().length >= 1 && mailsAbout('cracked screen').length >= 1, { what: 'both deliveries', timeout: 60000 });
  await sleep(3000); // a duplicate would come within a few leases
  assert.equal(slack.delivered().length, 1, `Slack answered 2xx once (${slack.requests.map((q) => q.answered).join(', ')})`);
  const blocks = JSON.parse(slack.delivered()[0].body);
  assert.match(JSON.stringify(blocks), /cracked screen/);
  assert.match(JSON.stringify(blocks), /mara_k/);
  const mails = mailsAbout('cracked screen');
  assert.equal(new Set(mails.map(keyOf)).size, 1, 'every copy of the email has the same idempotency key');
  assert.ok(keyOf(mails[0]), 'the email carries its idempotency key');
  assert.deepEqual(mails[0].to, ['<logistica@acme.example>']);
  assert.match(mails[0].data, /multipart\/alternative/i, 'plain text and HTML');
  const deliveries = await api('GET', `/api/v1/deliveries?capture=${encodeURIComponent(stored[0].id)}`);
  assert.equal(deliveries.status, 200, JSON.stringify(deliveries.body));

  const routed = (await pullAll(server.url, team.tokens.ana))[0];
  assert.equal(routed.department.value, 'Logistics');
  assert.equal(routed.priority.value, 'high');
  assert.equal(routed.sentiment.value, 'negative');

  // 4. The team answers on the thread a minute after the capture; the member comes back.
  const replyMs = Math.ceil((capturedMs + MINUTE) / MINUTE) * MINUTE;
  const replyIso = new Date(replyMs).toISOString().replace('.000Z', '+00:00');
  pages['/thread.html'] = FULL.replace('datetime="2024-03-05T10:30:00+00:00"', `datetime="${replyIso}"`);
  assert.notEqual(pages['/thread.html'], FULL, 'the reply\'s time was set');
  while (Date.now() < replyMs + 1000) await sleep(1000);
  await b.send({ type: P.syncNow });
  const again = await openCard();
  // The routed capture is high priority now: the card says when its first response is due.
  assert.match(await waitForCard(again, '#due-line', (t) => !!t), /^First response due .+ \(in \d+ min\)$/);
  const shown = await again.evaluate((ms) => new Date(ms).toLocaleString(), replyMs);
  assert.equal(await waitForCard(again, '#response-line', (t) => /Responded by/.test(t ?? ''), 20000), `Responded by @Acme_Support at ${shown}`);
  await clickAndSave(again, '#confirm-response');
  await pressKey(again, 'Escape');
  await again.close();
  await drained(b, 'the confirmation to reach the team log');
  const answered = await until(async () => (await pullAll(server.url, team.tokens.ana)).find((c) => c.status.value === 'responded'), { what: 'the responded record', timeout: 30000 });
  assert.deepEqual(answered.history.filter((e) => e.field === 'status' && e.to === 'responded').map((e) => e.ms), [replyMs]);

  // 5. The report: first response = reply time − capture time, around the clock (no hours configured).
  const expected = replyMs - answered.createdMs;
  const report = await api('GET', '/api/v1/reports');
  assert.equal(report.body.total.firstResponseMedian, expected, JSON.stringify(report.body.total));
  const context = await dash.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', adminToken);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#reports:not([hidden]) #report-total table');
  await page.selectOption('#report-department', 'Logistics');
  await page.click('#report-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#report-heading').textContent === 'Department report: Logistics');
  const shownMedian = (await page.textContent('#report-total tbody tr:first-child td.first-median')).trim();
  const minutes = Math.round(expected / MINUTE);
  assert.ok(shownMedian === `${minutes} min` || shownMedian === `${minutes - 1} min` || shownMedian === `${minutes + 1} min`, `the dashboard shows ${shownMedian} for ${expected} ms`);
  console.log(`# report: first response ${expected} ms shown as "${shownMedian}"; Slack attempts ${slack.requests.map((q) => q.answered).join(', ')}; emails ${mails.length} under ${new Set(mails.map(keyOf)).size} key(s)`);
  await context.close();
});
