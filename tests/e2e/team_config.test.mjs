// config12 (issue 12): the team configuration, end to end. An admin PUTs the
// team's brand list through the REAL escucha-server; a member's Chromium
// (the built extension) fetches it on a sync run, highlights the new term on
// a page that is already open (no reload) and shows the version in its
// options page; with the server gone it keeps the last configuration.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtures, removeDir, waitForHighlights } from './harness.mjs';
import { createTeam, serveTeamLog, launchBrowser, extensionWithLoopbackGranted, until } from './teamlog.mjs';
import { configure, status } from './sync_common.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

const group = (terms) => ({
  id: 'telco', name: 'Telco', kind: 'own', color: '#ffd54f', enabled: true,
  terms: terms.map((text) => ({ text })), exclusions: [],
});
const config = (terms) => ({
  brands: { version: 1, groups: [group(terms)] },
  departments: ['Product', 'Marketing', 'PR', 'Engineering', 'Logistics', 'Customer Service'],
  deny: [],
});
const allTexts = (layers) => Object.values(layers).flat();

describe('team configuration', () => {
  let team, server, ext, fixtures, b, profile, b2, profile2, adminToken;

  const put = (body, ifMatch) => fetch(`${server.url}/api/v1/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
    body: JSON.stringify({ config: body }),
  });
  const syncNow = async (browser = b) => { const r = await browser.send({ type: P.syncNow }); assert.equal(r.type, A.ok, JSON.stringify(r)); return r; };
  const optionsBanner = async () => {
    const id = await b.extensionId();
    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${id}/options/options.html`);
    await page.locator('#app[data-ready="true"]').waitFor({ timeout: 15000 });
    const banner = await page.locator('#team-config').count() ? {
      version: await page.getAttribute('#team-config', 'data-version'),
      text: await page.textContent('#team-config'),
      inert: await page.getAttribute('#brands-section', 'inert'),
    } : null;
    return { page, banner };
  };

  before(async () => {
    team = createTeam(['ana', 'bo']);
    team.admin('member', 'add', '--team', 'Atención', '--role', 'admin', 'boss');
    adminToken = team.admin('token', 'issue', '--member', 'boss', '--team', 'Atención').trim().split('\n').pop().trim();
    server = await serveTeamLog(team.db);
    ext = extensionWithLoopbackGranted();
    fixtures = await startFixtures();
    profile = mkdtempSync(join(tmpdir(), 'escucha-teamconfig-profile-'));
    b = await launchBrowser(profile, ext);
    await configure(b, { endpoint: server.url, member: 'ana', token: team.tokens.ana });
    // A second member in a second browser profile: one configuration reaches both.
    profile2 = mkdtempSync(join(tmpdir(), 'escucha-teamconfig-profile-'));
    b2 = await launchBrowser(profile2, ext);
    await configure(b2, { endpoint: server.url, member: 'bo', token: team.tokens.bo });
  });

  after(async () => {
    await b?.close();
    await b2?.close();
    await server?.kill(); await fixtures?.stop();
    if (profile) removeDir(profile);
    if (profile2) removeDir(profile2);
    if (ext) removeDir(ext);
    team?.cleanup();
  });

  test('an admin saves; a member may not', async () => {
    assert.equal((await put(config(['Telefónica']))).status, 428, 'If-Match is required');
    const member = await fetch(`${server.url}/api/v1/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${team.tokens.ana}`, 'content-type': 'application/json', 'if-match': '"0"' },
      body: JSON.stringify({ config: config(['Telefónica']) }),
    });
    assert.equal(member.status, 403, await member.text());
    const first = await put(config(['Telefónica']), '"0"');
    assert.equal(first.status, 200, await first.clone().text());
    assert.equal(first.headers.get('etag'), '"1"');
  });

  test('the member\'s browser applies a new version to an open page without a reload and shows it', async () => {
    const page = await b.context.newPage();
    await page.goto(`${fixtures.url}/forum.html`);
    await page.evaluate(() => { window.__sameDocument = 'yes'; });
    const page2 = await b2.context.newPage();
    await page2.goto(`${fixtures.url}/forum.html`);
    await page2.evaluate(() => { window.__sameDocument = 'yes'; });
    for (const [browser, p] of [[b, page], [b2, page2]]) {
      await syncNow(browser);
      await waitForHighlights(p, (l) => allTexts(l).includes('Telefónica'), { timeout: 20000 });
      assert.ok(!allTexts(await waitForHighlights(p, () => true)).includes('Zaragoza'));
    }

    // Version 2 adds a term; the open page highlights it after the next sync.
    const second = await put(config(['Telefónica', 'Zaragoza']), '"1"');
    assert.equal(second.status, 200, await second.clone().text());
    const stale = await put(config(['Orange']), '"1"');
    assert.equal(stale.status, 412, 'a concurrent edit over version 1 is refused');
    assert.equal((await stale.json()).error.currentVersion, 2);
    for (const [browser, p, who] of [[b, page, 'ana'], [b2, page2, 'bo']]) {
      await syncNow(browser);
      await waitForHighlights(p, (l) => allTexts(l).includes('Zaragoza') && allTexts(l).includes('Telefónica'), { timeout: 20000 });
      assert.equal(await p.evaluate(() => window.__sameDocument), 'yes', `${who}'s page was not reloaded`);
    }
    await page2.close();

    const { page: options, banner } = await optionsBanner();
    assert.ok(banner, 'the options page names the team configuration');
    assert.equal(banner.version, '2');
    assert.match(banner.text, /2/);
    assert.ok(banner.text.includes(new URL(server.url).host), banner.text);
    assert.equal(banner.inert, '', 'the team\'s brand list is read-only for a member');

    // A personal addition: only this browser, shown as the member's own.
    await options.fill('#personal-terms', 'telco: Orange County\nnot a line');
    await options.click('#personal-save');
    await until(async () => /2/.test(await options.textContent('#personal-notes')), { what: 'the bad line named', timeout: 10000 });
    await options.fill('#personal-terms', 'telco: Orange County\ngone: Lost term');
    await options.click('#personal-save');
    await until(async () => (await options.textContent('#personal-status')).length > 0, { what: 'saved', timeout: 10000 });
    await waitForHighlights(page, (l) => allTexts(l).includes('Orange County'), { timeout: 20000 });
    const state = await b.send({ type: P.getTeamConfig });
    assert.equal(state.active.doc.version, 2);
    assert.deepEqual(state.personal.map(([t, s]) => [t.text, s]), [['Orange County', 'applied'], ['Lost term', 'groupGone']]);
    await options.close();
    await page.close();
  });

  test('with the server gone, the browser keeps the last configuration it had', async () => {
    await server.kill();
    // A run that finds the server gone reports it (another run may be the one that does).
    await until(async () => {
      const r = await b.send({ type: P.syncNow });
      assert.equal(r.type, A.ok, JSON.stringify(r));
      return (r.problem ?? (await status(b)).problem) ? true : null;
    }, { what: 'a sync problem: the server is down', timeout: 30000 });
    // A worker restart reads the stored document again.
    await b.killWorker();
    await b.wake();
    const page = await b.context.newPage();
    await page.goto(`${fixtures.url}/forum.html`);
    await waitForHighlights(page, (l) => allTexts(l).includes('Zaragoza') && allTexts(l).includes('Orange County'), { timeout: 20000 });
    const { page: options, banner } = await optionsBanner();
    assert.equal(banner?.version, '2');
    await options.close();
    await page.close();
  });
});
