// Tier 3, issue 13's verified response, with the built extension and the
// REAL escucha-server on 127.0.0.1. An admin lists the team's account
// (Acme_Support on this site) in the team configuration; ana captures a
// customer's comment on a phpBB thread (tests/fixtures/threads/phpbb.html
// without the later posts); the thread is loaded again with the team's reply
// appended (the whole fixture: Acme_Support quotes it); the card proposes
// "Responded by @Acme_Support at <time>" with the reply's permalink; one
// click confirms; the server's record says responded, keeps the reply's
// permalink, and its responded event is at the reply's own time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, startFixtures, removeDir, cardFrame, waitForCard, pressKey } from './harness.mjs';
import { createTeam, serveTeamLog, launchBrowser, extensionWithLoopbackGranted, pullAll } from './teamlog.mjs';
import { configure, drained } from './sync_common.mjs';
import { openThreadCard, clickAndSave } from './thread_card.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

const FULL = readFileSync(join(FIXTURES, 'threads', 'phpbb.html'), 'utf8');
// The thread before the team answered: the posts from p103 on are not there yet.
const BEFORE = FULL.replace(/<div id="p103"[\s\S]*?(?=<\/div>\s*<\/div>\s*<\/body>)/, '');
const REPLY_MS = Date.parse('2024-03-05T10:30:00Z');

const pages = { '/thread.html': BEFORE };
let team, server, ext, fixtures, b, profile, adminToken;

before(async () => {
  assert.ok(!BEFORE.includes('p103') && BEFORE.includes('id="p102"'), 'the thread without the reply');
  team = createTeam(['ana']);
  team.admin('member', 'add', '--team', 'Atención', '--role', 'admin', 'boss');
  adminToken = team.admin('token', 'issue', '--member', 'boss', '--team', 'Atención').trim().split('\n').pop().trim();
  server = await serveTeamLog(team.db);
  fixtures = await startFixtures(pages);
  const config = {
    brands: { version: 1, groups: [{ id: 'acme', name: 'Acme', kind: 'own', color: '#ffd54f', enabled: true, terms: [{ text: 'Acme' }], exclusions: [] }] },
    departments: ['Product', 'Logistics', 'Customer Service'],
    deny: [],
    teamAccounts: { '127.0.0.1': ['@Acme_Support'] },
  };
  const put = await fetch(`${server.url}/api/v1/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'if-match': '"0"' },
    body: JSON.stringify({ config }),
  });
  assert.equal(put.status, 200, await put.text());
  ext = extensionWithLoopbackGranted();
  profile = mkdtempSync(join(tmpdir(), 'escucha-verified-profile-'));
  b = await launchBrowser(profile, ext);
  await configure(b, { endpoint: server.url, member: 'ana', token: team.tokens.ana });
  const s = await b.send({ type: P.syncNow });
  assert.equal(s.type, A.ok, JSON.stringify(s));
});

after(async () => {
  await b?.close();
  await server?.kill(); await fixtures?.stop();
  if (profile) removeDir(profile);
  if (ext) removeDir(ext);
  team?.cleanup();
});

const openCard = () => openThreadCard(b, `${fixtures.url}/thread.html`);

test('a team reply on a revisited thread is proposed, confirmed in one click, and the server records the reply\'s time', async () => {
  // The customer's comment, captured before the team answered.
  const first = await openCard();
  assert.match(await waitForCard(first, '#excerpt'), /cracked screen/);
  await clickAndSave(first, '#log');
  assert.equal(await cardFrame(first).locator('#response').isHidden(), true, 'no reply yet, nothing proposed');
  await pressKey(first, 'Escape');
  await first.close();
  await drained(b, 'the capture to reach the team log');

  // The team answered: the thread now has Acme_Support's reply quoting it.
  pages['/thread.html'] = FULL;
  const again = await openCard();
  const line = await waitForCard(again, '#response-line', (t) => /Responded by/.test(t ?? ''));
  // The reply's time as the browser words it (the card formats it the same way).
  const shown = await again.evaluate((ms) => new Date(ms).toLocaleString(), REPLY_MS);
  // The fixture's canonical link is on another host, so links resolve against the page's own address.
  const REPLY_LINK = `${fixtures.url}/viewtopic.php?p=103#p103`;
  assert.equal(line, `Responded by @Acme_Support at ${shown}`);
  assert.equal(await cardFrame(again).locator('#response-link').getAttribute('href'), REPLY_LINK);
  assert.equal(await cardFrame(again).locator('#confirm-response').isVisible(), true);
  await clickAndSave(again, '#confirm-response');
  assert.equal(await waitForCard(again, '#response-line', (t) => /verified/.test(t ?? '')), `Response verified: @Acme_Support at ${shown}`);
  assert.equal(await cardFrame(again).locator('#confirm-response').isHidden(), true, 'confirmed once');
  await drained(b, 'the confirmation to reach the team log');

  // The server's record: responded, the reply's permalink, the event at the reply's time.
  const records = await pullAll(server.url, team.tokens.ana);
  assert.equal(records.length, 1);
  const [rec] = records;
  assert.equal(rec.status.value, 'responded');
  assert.equal(rec.verifiedResponse.value.permalink, REPLY_LINK);
  assert.equal(rec.verifiedResponse.value.handle, 'Acme_Support');
  assert.equal(rec.verifiedResponse.value.time.utc, '2024-03-05T10:30:00Z');
  assert.equal(rec.verifiedResponse.value.confirmedBy, 'ana');
  const responded = rec.history.filter((e) => e.field === 'status' && e.to === 'responded');
  assert.deepEqual(responded.map((e) => e.ms), [REPLY_MS], 'the first response is the reply itself');
  assert.equal(responded[0].member, 'ana');
});
