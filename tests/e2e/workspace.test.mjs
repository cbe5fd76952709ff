// Tier 3, issue 12's team workspace in the extension, two members in two
// browser profiles against the REAL escucha-server on 127.0.0.1: ana logs a
// comment from the card and claims it ("I'm responding"); bo's card on the
// same page says "ana is responding" before bo types anything; bo assigns it
// to ana and comments mentioning @ana; ana's toolbar badge and popup show the
// mention and her "Mine" view counts it; opening the mention shows the thread
// in the log page and clears the badge; tags added at once by both survive.
// axe audits the card, the popup and the log page with the new controls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startFixtures, removeDir, useDemoBrands, waitForHighlights, cardFrame, waitForCard, pressKey } from './harness.mjs';
import { createTeam, serveTeamLog, launchBrowser, extensionWithLoopbackGranted, until } from './teamlog.mjs';
import { configure, pageCaptures, drained } from './sync_common.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

const AXE = readFileSync(join(ROOT, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
// forum.html's canonical link: captures are filed under it.
const CANONICAL = 'http://127.0.0.1/demo/forum.html';

let team, server, ext, fixtures, a, b;
const profiles = [];

before(async () => {
  team = createTeam(['ana', 'bo']);
  server = await serveTeamLog(team.db);
  ext = extensionWithLoopbackGranted();
  fixtures = await startFixtures();
  for (let i = 0; i < 2; i++) profiles.push(mkdtempSync(join(tmpdir(), 'escucha-ws-profile-')));
  a = await launchBrowser(profiles[0], ext);
  b = await launchBrowser(profiles[1], ext);
  for (const [browser, member] of [[a, 'ana'], [b, 'bo']]) {
    await useDemoBrands(browser);
    await configure(browser, { endpoint: server.url, member, token: team.tokens[member] });
    // The first sync also caches the team's member names (GET /api/v1/members).
    const s = await browser.send({ type: P.syncNow });
    assert.equal(s.type, A.ok, JSON.stringify(s));
  }
});

after(async () => {
  await a?.close(); await b?.close();
  await server?.kill(); await fixtures?.stop();
  for (const p of profiles) removeDir(p);
  if (ext) removeDir(ext);
  team?.cleanup();
});

/** axe's critical and serious violations in `frame`. */
async function audit(frame, label) {
  await frame.evaluate(AXE);
  const violations = await frame.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  console.log(`# axe ${label}: ${bad.length ? JSON.stringify(bad) : 'clean'}`);
  assert.deepEqual(bad, [], `${label}: axe found critical/serious violations`);
}

/** Open forum.html in `browser` and the card of its first "Movistar" with a real click. */
async function openCard(browser) {
  const page = await browser.context.newPage();
  await page.goto(`${fixtures.url}/forum.html`);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4);
  const at = await page.evaluate(() => {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const i = n.data.indexOf('Movistar');
      if (i < 0) continue;
      const r = document.createRange();
      r.setStart(n, i); r.setEnd(n, i + 8);
      window.scrollBy(0, r.getBoundingClientRect().top - innerHeight / 2);
      const box = r.getBoundingClientRect();
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    }
    return null;
  });
  await page.mouse.click(at.x, at.y);
  await waitForCard(page, '#excerpt');
  return page;
}

/** Click a card button with the real mouse and wait for "Saved". */
async function clickAndSave(page, selector) {
  await waitForCard(page, '#state', () => true);
  await cardFrame(page).evaluate(() => { document.getElementById('state').textContent = ''; });
  await cardFrame(page).locator(selector).click();
  return waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
}

const badge = (browser, tabId) => browser.worker().then((w) => w.evaluate((t) => chrome.action.getBadgeText(t === undefined ? {} : { tabId: t }), tabId));

test('a claim shows on the teammate\'s card; an @mention reaches the badge and the popup; concurrent tags survive', async () => {
  // ana logs the comment and says she is responding.
  const pageA = await openCard(a);
  assert.equal(await cardFrame(pageA).locator('#claim').isHidden(), true, 'no claim button before the comment is logged');
  await clickAndSave(pageA, '#log');
  await cardFrame(pageA).locator('#claim:not([hidden])').waitFor();
  assert.equal(await cardFrame(pageA).locator('#claim').textContent(), 'I\'m responding');
  await clickAndSave(pageA, '#claim');
  const mine = await waitForCard(pageA, '#claim-line', (t) => /^You are responding \(until .+\)$/.test(t ?? ''));
  assert.equal(await cardFrame(pageA).locator('#claim').textContent(), 'Stop responding');
  await pressKey(pageA, 'Escape');
  await drained(a, 'ana to push the claim');
  const [logged] = await pageCaptures(a, CANONICAL);
  assert.equal(logged.claim.value.member, 'ana');

  // bo opens the same comment: the card says so before anything is typed.
  const pageB = await openCard(b);
  const theirs = await waitForCard(pageB, '#claim-line', (t) => /is responding/.test(t ?? ''));
  assert.match(theirs, /^ana is responding \(until \d{1,2}:\d{2}(\s?[AP]M)?\)$/);
  assert.equal(theirs.replace('ana is', 'You are'), mine, 'the same time on both cards');
  assert.equal(await cardFrame(pageB).locator('#note').inputValue(), '', 'nothing typed yet');
  assert.match(await waitForCard(pageB, '#logged'), /^Logged by ana/);
  // The assignee menu lists the team (from the server's member list).
  const options = await cardFrame(pageB).locator('#assignee option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, ['', 'ana', 'bo']);
  await audit(cardFrame(pageB), 'card with a teammate\'s claim');

  // bo assigns it to ana and comments mentioning her.
  await cardFrame(pageB).locator('#assignee').selectOption('ana');
  await cardFrame(pageB).locator('#note').fill('@ana ¿lo respondes tú? <b>no es HTML</b>');
  await clickAndSave(pageB, '#log');
  await cardFrame(pageB).locator('#thread li').first().waitFor();
  assert.equal(await cardFrame(pageB).locator('#thread .comment-text').last().textContent(), '@ana ¿lo respondes tú? <b>no es HTML</b>');
  assert.equal(await cardFrame(pageB).locator('#thread b').count(), 0, 'comment text stays text');
  assert.equal(await cardFrame(pageB).locator('#note').inputValue(), '', 'the box empties once posted');
  await audit(cardFrame(pageB), 'card with a comment thread');
  await pressKey(pageB, 'Escape');
  await drained(b, 'bo to push the comment');

  // ana syncs: her badge says @1 on every tab, her popup lists the mention and counts "Mine".
  await a.send({ type: P.syncNow });
  await until(async () => (await badge(a)) === '@1', { timeout: 15000, what: 'the browser-wide badge @1' });
  const tabId = await (await a.worker()).evaluate(() => chrome.tabs.query({}).then((ts) => ts.find((t) => (t.url || '').endsWith('/forum.html'))?.id));
  assert.equal(await badge(a, tabId), '@1', 'the @mention outranks the page count on the page\'s tab');
  const popup = await a.context.newPage();
  await popup.goto(`chrome-extension://${await a.extensionId()}/popup/popup.html?tab=${tabId}`);
  await popup.locator('#mentions-of-me').waitFor({ timeout: 10000 });
  assert.equal(await popup.locator('#mentions-of-me h2').textContent(), 'Mentions of you: 1');
  assert.equal(await popup.locator('.mention-of-me strong').textContent(), 'bo mentioned you');
  assert.match(await popup.locator('.mention-of-me').textContent(), /@ana ¿lo respondes tú\? <b>no es HTML<\/b>/);
  assert.equal(await popup.locator('#views [data-view=mine]').textContent(), 'Mine (1)');
  assert.equal(await popup.locator('#views [data-view=unassigned]').textContent(), 'Unassigned (0)');
  assert.equal(await popup.locator('#views [data-view=department]').isDisabled(), true, 'no department chosen yet');
  await audit(popup, 'popup with views and a mention');

  // Opening the mention shows its thread in the log page and clears the badge.
  const [log] = await Promise.all([a.context.waitForEvent('page'), popup.locator('.mention-of-me').click()]);
  await log.locator('#details:not([hidden]) #comments li').first().waitFor({ timeout: 20000 });
  assert.equal(await log.locator('#comments .comment-author').first().textContent(), 'bo');
  await until(async () => (await badge(a)) === '', { timeout: 10000, what: 'the badge cleared' });
  assert.equal(await badge(a, tabId), '7', 'back to the page\'s mention count');
  // The timeline: bo assigned it to ana.
  assert.match(await log.locator('#history').textContent(), /bo · Assignee: Unassigned → ana/);
  await audit(log, 'log page with the details panel');
  // ana answers in the thread and edits her own comment; bo's has no edit button.
  await log.fill('#comment-new', 'Respondido por privado');
  await log.click('#comment-add');
  await log.locator('#comments li:has-text("Respondido por privado") [data-action=comment-edit]').waitFor();
  assert.equal(await log.locator('#comments li:has-text("no es HTML") [data-action=comment-edit]').count(), 0);
  await log.locator('#comments li:has-text("Respondido por privado") [data-action=comment-edit]').click();
  await log.fill('#comment-edit-text', 'Respondido por mensaje privado');
  await log.click('[data-action=comment-save]');
  await log.locator('#comments .comment-text:text-is("Respondido por mensaje privado")').waitFor();
  // "Mine" is one click away in the log page too.
  await log.click('#views [data-view=mine]');
  await until(async () => (await log.getAttribute('body', 'data-rows')) === '1', { timeout: 5000, what: 'Mine shows one row' });
  await log.click('#views [data-view=unassigned]');
  await until(async () => (await log.getAttribute('body', 'data-rows')) === '0', { timeout: 5000, what: 'Unassigned shows none' });

  // Tags added at the same time by both members both survive.
  const add = (browser, tag) => browser.send({ type: P.editCapture, id: logged.id, edit: { addTags: [tag] } });
  const [ra, rb] = await Promise.all([add(a, 'factura'), add(b, 'urgente')]);
  assert.equal(ra.type, A.ok, JSON.stringify(ra)); assert.equal(rb.type, A.ok, JSON.stringify(rb));
  await drained(a, 'ana to push her tag'); await drained(b, 'bo to push his tag');
  await a.send({ type: P.syncNow }); await b.send({ type: P.syncNow });
  for (const browser of [a, b]) {
    const [c] = await pageCaptures(browser, CANONICAL);
    // The add-wins set's live adds (log::TagSet): both members' tags.
    const tags = [...new Set(c.tags.adds.map((d) => d.tag))].sort();
    assert.deepEqual(tags, ['factura', 'urgente'], JSON.stringify(c.tags));
  }
  await Promise.all([pageA.close(), pageB.close(), popup.close(), log.close()]);
});
