// Tier 3, accessibility: axe-core (tests/package.json) audits every screen a
// manager meets — popup, options, log page, the card's frame, the dashboard's
// sign-in and the dashboard — in English and in Spanish, on the real build.
// Any critical or serious violation fails; the counts are printed per page so
// a run doubles as the record of where the UI stands. Then keyboard only: a
// mention opens the card, the card is filled and logged, Escape closes it and
// the log page is navigated with Tab and arrow keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  ROOT, CHROMIUM_ARGS, launchWithExtension, startFixtures, startTeamLog, useDemoBrands,
  waitForHighlights, highlightTexts, cardFrame, waitForCard, pressKey,
} from './harness.mjs';

const AXE = readFileSync(join(ROOT, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
const RESULTS = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'a11y');
const counts = {};

let fixtures, teamLog, token, emptyToken;
before(async () => {
  fixtures = await startFixtures();
  teamLog = await startTeamLog();
  const admin = (...a) => execFileSync(BIN, ['--db', join(teamLog.dir, 'team.sqlite3'), ...a], { encoding: 'utf8' });
  admin('team', 'create', 'prensa');
  admin('member', 'add', '--team', 'prensa', 'ana');
  token = admin('token', 'issue', '--member', 'ana').trim().split('\n').pop().trim();
  admin('team', 'create', 'vacio');
  admin('member', 'add', '--team', 'vacio', 'eva');
  emptyToken = admin('token', 'issue', '--member', 'eva').trim().split('\n').pop().trim();
  const ms = Date.now();
  const stamp = { ms, counter: 0, actor: 'dev-ana' };
  const reg = (value) => ({ value, stamp });
  const item = (text, sentiment, brand) => ({
    id: crypto.randomUUID(), createdMs: ms, createdBy: 'ana',
    context: reg({ pageUrl: 'https://foro.example/t/1', pageTitle: 'Hilo', site: 'foro.example', commentText: text,
      authorName: 'Pedro', permalink: 'https://foro.example/p/1', brand, term: brand, quote: { exact: brand, prefix: '', suffix: '' } }),
    sentiment: reg(sentiment), department: reg(null), status: reg('new'), priority: reg('normal'),
    tags: reg([]), note: reg(''), deleted: reg(false),
  });
  const res = await fetch(`${teamLog.url}/api/v1/push`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ items: [item('La atención de Movistar fue excelente', 'positive', 'Movistar'), item('Movistar me cobró dos veces', 'negative', 'Movistar')] }),
  });
  assert.ok(res.ok, `push: ${res.status}`);
});
after(async () => {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'counts.json'), JSON.stringify(counts, null, 2));
  await teamLog?.stop();
  await fixtures?.stop();
});

/** Run axe in `frame`; returns the critical and serious violations (rule, impact, how many nodes, first targets). */
async function audit(frame, label) {
  await frame.evaluate(AXE);
  const violations = await frame.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const sum = (impact) => bad.filter((v) => v.impact === impact).reduce((n, v) => n + v.nodes, 0);
  counts[label] = { critical: sum('critical'), serious: sum('serious'), rules: bad.map((v) => `${v.id}×${v.nodes}`) };
  console.log(`# axe ${label}: ${counts[label].critical} critical, ${counts[label].serious} serious ${JSON.stringify(counts[label].rules)}`);
  return bad;
}

function assertClean(bad, label) {
  assert.deepEqual(bad, [], `${label}: axe found critical/serious violations:\n${JSON.stringify(bad, null, 1)}`);
}

/** Client rectangle of the first "Movistar" on the page, scrolled to mid-screen. */
function mentionRect(page) {
  return page.evaluate(() => {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const i = n.data.indexOf('Movistar');
      if (i < 0) continue;
      const r = document.createRange();
      r.setStart(n, i); r.setEnd(n, i + 8);
      window.scrollBy(0, r.getBoundingClientRect().top - innerHeight / 2);
      const b = r.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }
    return null;
  });
}

for (const lang of ['en', 'es']) {
  test(`axe: welcome, popup, options, log page and card have no critical or serious violations (${lang})`, async () => {
    const browser = await launchWithExtension(undefined, lang === 'es' ? { args: ['--lang=es'], locale: 'es-ES' } : {});
    const failures = [];
    const check = async (frame, name) => {
      const bad = await audit(frame, `${name} ${lang}`);
      if (bad.length) failures.push(`${name}: ${JSON.stringify(bad)}`);
    };
    try {
      const welcome = await browser.context.newPage();
      await welcome.goto(`chrome-extension://${browser.extensionId}/welcome/welcome.html`);
      await welcome.locator('#app[data-ready="true"]').waitFor({ timeout: 15000 });
      await check(welcome, 'welcome');
      await welcome.close();
      await useDemoBrands(browser);
      const page = await browser.context.newPage();
      await page.goto(`${fixtures.url}/forum.html`);
      await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4);
      const at = await mentionRect(page);
      await page.mouse.click(at.x, at.y);
      await waitForCard(page, '#excerpt');
      await check(cardFrame(page), 'card');
      await cardFrame(page).locator('#log').click();
      await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
      await pressKey(page, 'Escape');

      const tabId = await browser.worker.evaluate((u) => self.__escuchaTestTabs[u], `${fixtures.url}/forum.html`);
      const popup = await browser.context.newPage();
      await popup.goto(`chrome-extension://${browser.extensionId}/popup/popup.html?tab=${tabId}`);
      await popup.locator('#page-status[data-total="7"]').waitFor({ timeout: 10000 });
      await check(popup, 'popup');

      const options = await browser.context.newPage();
      await options.goto(`chrome-extension://${browser.extensionId}/options/options.html`);
      await options.locator('#app[data-ready="true"]').waitFor({ timeout: 20000 });
      await check(options, 'options');

      const log = await browser.context.newPage();
      await log.goto(`chrome-extension://${browser.extensionId}/log/log.html`);
      await log.locator('body[data-ready="true"]').waitFor({ timeout: 20000 });
      await log.locator('#rows tr, #rows li, #rows [data-id]').first().waitFor({ timeout: 10000 });
      await check(log, 'log');
      // Every view calls them captures; the Spanish log said "comentarios". One
      // capture is singular (the plural rule, i18n::plural).
      if (lang === 'es') {
        assert.equal(await log.textContent('h1'), 'Registro de capturas');
        assert.match(await log.textContent('#count'), /^1 de 1 captura$/);
      }
    } finally {
      await browser.close();
    }
    assert.deepEqual(failures, []);
  });

  test(`axe: dashboard sign-in and dashboard have no critical or serious violations (${lang})`, async () => {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const failures = [];
    try {
      const context = await browser.newContext({ locale: lang === 'es' ? 'es-ES' : 'en-US' });
      const page = await context.newPage();
      await page.goto(`${teamLog.url}/`);
      await page.waitForSelector('#login:not([hidden])');
      let bad = await audit(page, `dashboard sign-in ${lang}`);
      if (bad.length) failures.push(`sign-in: ${JSON.stringify(bad)}`);
      await page.fill('#token', token);
      await page.click('#login-form button[type=submit]');
      await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 2);
      bad = await audit(page, `dashboard ${lang}`);
      if (bad.length) failures.push(`dashboard: ${JSON.stringify(bad)}`);
      await page.locator('#rows tr').first().click();
      await page.waitForTimeout(300);
      bad = await audit(page, `dashboard detail ${lang}`);
      if (bad.length) failures.push(`dashboard detail: ${JSON.stringify(bad)}`);
    } finally {
      await browser.close();
    }
    assert.deepEqual(failures, []);
  });
}

test('first run: the welcome page opens on install, nothing is highlighted, empty states say what to do, the demo is one click away', async () => {
  const browser = await launchWithExtension();
  try {
    assert.match(browser.welcomeUrl ?? '', new RegExp(`^chrome-extension://${browser.extensionId}/welcome/welcome\\.html$`), 'install opened the welcome page');
    const welcome = await browser.context.newPage();
    await welcome.goto(browser.welcomeUrl);
    await welcome.locator('#app[data-ready="true"]').waitFor({ timeout: 15000 });
    assert.equal(await welcome.getAttribute('html', 'lang'), 'en');
    for (const id of ['#import', '#create', '#use-demo']) assert.ok(await welcome.locator(id).isVisible(), id);
    assert.equal(await welcome.locator('ol.steps li').count(), 4, 'how capture works, step by step');

    // No brand is preconfigured: the forum's Telefónica/Orange/ACME stay plain.
    const page = await browser.context.newPage();
    const url = `${fixtures.url}/forum.html`;
    await page.goto(url);
    const tabId = await (async () => {
      for (let i = 0; i < 100; i++) {
        const id = await browser.worker.evaluate((u) => self.__escuchaTestTabs[u], url);
        if (id !== undefined) return id;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no content script said hello');
    })();
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup/popup.html?tab=${tabId}`);
    await popup.locator('#page-status[data-total="0"]').waitFor({ timeout: 10000 });
    assert.match(await popup.textContent('#page-status'), /No brands yet.*import a brand list or create a brand group/);
    assert.ok(await popup.locator('#open-welcome').isVisible(), 'the popup points to getting started');
    assert.deepEqual(await highlightTexts(page), {});

    const log = await browser.context.newPage();
    await log.goto(`chrome-extension://${browser.extensionId}/log/log.html`);
    await log.locator('body[data-ready="true"]').waitFor({ timeout: 20000 });
    assert.match(await log.textContent('#count'), /^Nothing logged yet\. Click a highlighted mention/);

    // One click on the welcome page and the page lights up.
    await welcome.click('#use-demo');
    await welcome.waitForFunction(() => /Demo brands on/.test(document.querySelector('#state').textContent));
    await page.reload();
    await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4 && (h['escucha-g2'] ?? []).length > 0);
  } finally {
    await browser.close();
  }
});

test('keyboard only: open the card from a mention, fill it, Log, Escape, then work the log', async () => {
  const browser = await launchWithExtension();
  try {
    await useDemoBrands(browser);
    const page = await browser.context.newPage();
    const url = `${fixtures.url}/forum.html`;
    await page.goto(url);
    await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4);
    const tabId = await browser.worker.evaluate((u) => self.__escuchaTestTabs[u], url);
    await page.bringToFront();
    // The caret in post 2 (as keyboard reading leaves it), then Alt+Shift+L:
    // Chromium's command shortcuts are not delivered to headless pages, so
    // the command itself is sent, exactly as the browser would.
    await page.evaluate(() => {
      const p = document.querySelector('#post-2 p');
      const sel = getSelection(); sel.removeAllRanges();
      const r = document.createRange(); r.setStart(p.firstChild, 3); r.collapse(true); sel.addRange(r);
    });
    await browser.worker.evaluate((id) => wasm_bindgen.sw_command('open-card', id), tabId);
    await waitForCard(page, '#excerpt');
    const card = cardFrame(page);
    const active = () => card.evaluate(() => document.activeElement?.id || document.activeElement?.dataset?.value || document.activeElement?.tagName);
    const tabTo = async (id) => {
      for (let i = 0; i < 30; i++) {
        if (await active() === id) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached #${id} (at ${await active()})`);
    };
    await tabTo('note');
    await page.keyboard.type('respondido por teclado');
    await tabTo('log');
    await page.keyboard.press('Enter');
    await waitForCard(page, '#state', (t) => /Saved/.test(t ?? ''));
    await pressKey(page, 'Escape');
    await page.waitForFunction(() => document.querySelectorAll('escucha-card').length === 0, null, { timeout: 5000 });

    // The log: Tab reaches the row's editors; arrow keys change the status.
    const log = await browser.context.newPage();
    await log.goto(`chrome-extension://${browser.extensionId}/log/log.html`);
    await log.locator('body[data-ready="true"]').waitFor({ timeout: 20000 });
    assert.equal(await log.inputValue('#rows input[data-field=note]'), 'respondido por teclado');
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await log.keyboard.press('Tab');
      reached = await log.evaluate(() => document.activeElement?.matches('#rows select[data-field=status]'));
    }
    assert.ok(reached, 'Tab reaches the status of a row');
    const before = await log.inputValue('#rows select[data-field=status]');
    await log.keyboard.press('ArrowDown');
    await log.waitForFunction((b) => document.querySelector('#rows select[data-field=status]').value !== b, before);
    await log.reload();
    await log.locator('body[data-ready="true"]').waitFor({ timeout: 20000 });
    assert.notEqual(await log.inputValue('#rows select[data-field=status]'), before, 'the keyboard edit was saved');
  } finally {
    await browser.close();
  }
});

test('dashboard: it has a favicon; an empty team log says how captures get there', async () => {
  const icon = await fetch(`${teamLog.url}/favicon.png`);
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type') ?? '', /^image\/png/);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    for (const [locale, want] of [['en-US', /^No captures yet\. In the extension, open “Brands and settings” → Sync/], ['es-ES', /^Aún no hay capturas\. En la extensión, abre «Marcas y ajustes» → Sincronización/]]) {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      await page.goto(`${teamLog.url}/`);
      assert.equal(await page.getAttribute('link[rel=icon]', 'href'), 'favicon.png');
      await page.waitForSelector('#login:not([hidden])');
      await page.fill('#token', emptyToken);
      await page.click('#login-form button[type=submit]');
      await page.waitForFunction(() => document.querySelector('#empty')?.textContent.length > 0, null, { timeout: 10000 });
      assert.match(await page.textContent('#empty'), want);
      assert.deepEqual(await audit(page, `dashboard empty ${locale}`), []);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

test('a card opened low on the page stays inside the viewport', async () => {
  const browser = await launchWithExtension();
  try {
    await useDemoBrands(browser);
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 900, height: 420 });
    await page.goto(`${fixtures.url}/forum.html`);
    await waitForHighlights(page, (h) => (h['escucha-g2'] ?? []).length > 0);
    // "ACME Corp" on the last line of the window.
    const at = await page.evaluate(() => {
      const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = w.nextNode(); n; n = w.nextNode()) {
        const i = n.data.indexOf('ACME');
        if (i < 0) continue;
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 4);
        document.body.style.paddingBottom = '2000px';
        window.scrollBy(0, r.getBoundingClientRect().bottom - innerHeight + 6);
        const b = r.getBoundingClientRect();
        return { x: b.x + b.width / 2, y: b.y + b.height / 2, bottom: b.bottom };
      }
      return null;
    });
    assert.ok(at && at.bottom > 400, JSON.stringify(at));
    await page.mouse.click(at.x, at.y);
    await waitForCard(page, '#excerpt');
    const box = await page.waitForFunction(() => {
      const host = document.querySelector('escucha-card');
      if (!host || getComputedStyle(host).visibility !== 'visible') return null;
      const r = host.getBoundingClientRect();
      return r.height > 50 ? { top: r.top, bottom: r.bottom, height: r.height, view: innerHeight } : null;
    }, null, { timeout: 10000 }).then((h) => h.jsonValue());
    assert.ok(box.top >= 0 && box.bottom <= box.view, `card ${JSON.stringify(box)} inside the ${box.view}px window`);
  } finally {
    await browser.close();
  }
});
