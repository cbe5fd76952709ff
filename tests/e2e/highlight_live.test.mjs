// Tier 3, live highlighting on both paths: the WebAssembly content script on
// a normal page, and the matcher frame on a page whose CSP forbids
// WebAssembly in content scripts. Issue 15's defects 2–5, each on both:
// a replaced <body>, shadow roots attached after their host was scanned,
// srcdoc / about:blank frames, and live edits inside inline elements.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtures, launchWithExtension, askContentScript, highlightTexts, useDemoBrands, STRICT_CSP, withCsp, highlightingPath } from './harness.mjs';
import { TabRequest as T } from './protocol.mjs';

const PATHS = [
  { name: 'wasm content script', csp: null },
  { name: 'strict-CSP matcher frame', csp: STRICT_CSP },
];

let fixtures, browser;
before(async () => {
  fixtures = await startFixtures();
  browser = await launchWithExtension();
  await useDemoBrands(browser);
});
after(async () => {
  await browser?.close();
  await fixtures?.stop();
});

/** The non-empty highlights only: { 'escucha-g0': [...], ... }. */
async function painted(frame) {
  const h = await highlightTexts(frame);
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v.length));
}

/** Wait until the painted highlights equal `want` exactly; fails with the last seen. */
async function expectPainted(frame, want, what, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await painted(frame);
    if (JSON.stringify(last) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(last, want, what);
}

/** Open plain.html on `path`; checks the path is the one intended (wasm refused or not, matcher frame or not). */
async function open(path) {
  const page = await browser.context.newPage();
  const plain = `${fixtures.url}/plain.html`;
  await page.goto(path.csp ? withCsp(plain, path.csp) : plain);
  const url = page.url();
  await expectPainted(page, { 'escucha-g1': ['Orange'] }, 'the initial mention');
  assert.equal(await highlightingPath(page), path.csp ? 'matcher-frame' : 'wasm', 'the intended highlighting path');
  return { page, url };
}

async function tabIdOf(url) {
  await askContentScript(browser.worker, url, { type: T.ping });
  return browser.worker.evaluate((url) => self.__escuchaTestTabs[url], url);
}

async function badge(url) {
  const tabId = await tabIdOf(url);
  return browser.worker.evaluate((tabId) => chrome.action.getBadgeText({ tabId }), tabId);
}

async function expectBadge(url, want, timeout = 5000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await badge(url);
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(last, want, 'badge');
}

for (const path of PATHS) {
  test(`${path.name}: replacing <body> keeps highlighting; the old body's mentions stop counting`, async () => {
    const { page, url } = await open(path);
    await expectBadge(url, '1');
    await page.evaluate(() => {
      const b = document.createElement('body');
      const p = document.createElement('p');
      p.textContent = 'Cuerpo nuevo: Movistar responde.';
      b.append(p);
      document.body.replaceWith(b);
    });
    await expectPainted(page, { 'escucha-g0': ['Movistar'] }, 'only the new body is painted');
    await expectBadge(url, '1');
    const list = await askContentScript(browser.worker, url, { type: T.getPageMentions });
    assert.equal(list.total, 1, 'the popup counts the new body only');
    // The new body is watched: later content is highlighted too.
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.textContent = 'Y luego llegó ACME Corp.';
      document.body.append(p);
    });
    await expectPainted(page, { 'escucha-g0': ['Movistar'], 'escucha-g2': ['ACME Corp'] }, 'appended to the new body');
    await expectBadge(url, '2');
    await page.close();
  });

  test(`${path.name}: shadow roots attached after their host was scanned are highlighted and watched`, async () => {
    const { page } = await open(path);
    // A custom element in the page before its definition: scanned as an empty element.
    await page.evaluate(() => {
      const late = document.createElement('x-late-card');
      const marker = document.createElement('p');
      marker.textContent = 'Marca de control: Orange.';
      document.getElementById('main').append(late, marker);
    });
    await expectPainted(page, { 'escucha-g1': ['Orange', 'Orange'] }, 'the region with the undefined element was scanned');
    await page.evaluate(() => customElements.define('x-late-card', class extends HTMLElement {
      constructor() {
        super();
        const p = document.createElement('p');
        p.textContent = 'Dentro del componente: el router de ACME Corp.';
        this.attachShadow({ mode: 'open' }).append(p);
      }
    }));
    await expectPainted(page, { 'escucha-g1': ['Orange', 'Orange'], 'escucha-g2': ['ACME Corp'] }, 'upgraded element\'s shadow root');
    // The late shadow root is observed: what is added to it later is highlighted.
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.textContent = 'Más tarde: Movistar.';
      document.querySelector('x-late-card').shadowRoot.append(p);
    });
    await expectPainted(page, { 'escucha-g0': ['Movistar'], 'escucha-g1': ['Orange', 'Orange'], 'escucha-g2': ['ACME Corp'] }, 'added to the late shadow root');
    // attachShadow on an element that was scanned long ago.
    await page.evaluate(() => {
      const host = document.querySelector('#main > p');
      const root = host.attachShadow({ mode: 'open' });
      const p = document.createElement('p');
      p.textContent = 'Sombra tardía: Telefónica.';
      root.append(p);
    });
    await expectPainted(page, { 'escucha-g0': ['Movistar', 'Telefónica'], 'escucha-g1': ['Orange', 'Orange'], 'escucha-g2': ['ACME Corp'] },
      'shadow root attached to an existing element');
    await page.close();
  });

  test(`${path.name}: srcdoc and about:blank frames are highlighted`, async () => {
    const { page } = await open(path);
    await page.evaluate(() => {
      const f = document.createElement('iframe');
      f.id = 'srcdoc';
      f.srcdoc = '<!doctype html><meta charset="utf-8"><p>En el srcdoc: Movistar.</p>';
      document.body.append(f);
    });
    const frameByUrl = async (u) => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const f = page.frames().find((f) => f.url() === u);
        if (f) return f;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${u} frame`);
    };
    const srcdoc = await frameByUrl('about:srcdoc');
    await expectPainted(srcdoc, { 'escucha-g0': ['Movistar'] }, 'the srcdoc frame');
    if (path.csp) {
      const refused = await srcdoc.evaluate(() => { try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); return false; } catch { return true; } });
      assert.ok(refused, 'the srcdoc frame inherits the strict policy');
      assert.ok(srcdoc.childFrames().some((f) => f.url().includes('/matcher/matcher.html#')), 'its own matcher frame');
    }
    await page.evaluate(() => {
      const f = document.createElement('iframe');
      f.id = 'blank';
      document.body.append(f);
      const p = f.contentDocument.createElement('p');
      p.textContent = 'Escrito por la página madre: ACME Corp.';
      f.contentDocument.body.append(p);
    });
    const blank = await frameByUrl('about:blank');
    await expectPainted(blank, { 'escucha-g2': ['ACME Corp'] }, 'the about:blank frame filled by its parent');
    await page.close();
  });

  test(`${path.name}: live edits inside inline elements rescan the whole block`, async () => {
    const { page } = await open(path);
    const setUp = (html) => page.evaluate((html) => {
      // The fixture's HTML is ours (a test constant), never page text.
      const p = document.createElement('p');
      p.id = 'edit';
      p.innerHTML = html;
      document.getElementById('edit')?.remove();
      document.getElementById('main').append(p);
    }, html);
    const base = { 'escucha-g1': ['Orange'] };

    await setUp('Tele<b>fó</b>nica');
    await expectPainted(page, { 'escucha-g0': ['Telefónica'], ...base }, 'split across <b>');
    await page.evaluate(() => { document.querySelector('#edit b').textContent = 'XX'; });
    await expectPainted(page, base, '"TeleXXnica" is not a mention (text replaced)');

    await setUp('Tele<b>fó</b>nica');
    await expectPainted(page, { 'escucha-g0': ['Telefónica'], ...base }, 'split across <b> again');
    await page.evaluate(() => { document.querySelector('#edit b').firstChild.data = 'XX'; });
    await expectPainted(page, base, '"TeleXXnica" is not a mention (character data edited)');

    await setUp('ACME <b>Corp</b>');
    await expectPainted(page, { ...base, 'escucha-g2': ['ACME Corp'] }, 'ACME Corp');
    await page.evaluate(() => { document.querySelector('#edit b').firstChild.data = 'Industries'; });
    await expectPainted(page, { ...base, 'escucha-g2': ['ACME'] }, 'no "ACME Indu"');

    await setUp('ACME ');
    await expectPainted(page, { ...base, 'escucha-g2': ['ACME'] }, 'ACME alone');
    await page.evaluate(() => {
      const b = document.createElement('b');
      b.textContent = 'Corp';
      document.getElementById('edit').append(b);
    });
    await expectPainted(page, { ...base, 'escucha-g2': ['ACME Corp'] }, 'appending <b>Corp</b> after "ACME " gives "ACME Corp"');
    await page.evaluate(() => document.querySelector('#edit b').remove());
    await expectPainted(page, { ...base, 'escucha-g2': ['ACME'] }, 'removing <b>Corp</b> again leaves "ACME"');
    await page.close();
  });
}

/**
 * Centre of the first occurrence of `text` in the page, in client coordinates,
 * once the content script says a mention with that text is painted (the
 * painter is invisible to page scripts: see harness paintedLayers).
 */
async function mentionPoint(page, text) {
  const painted = Object.values(await highlightTexts(page)).flat();
  assert.ok(painted.includes(text), `"${text}" is painted: ${JSON.stringify(painted)}`);
  return page.evaluate((text) => {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const at = n.data.indexOf(text);
      if (at < 0) continue;
      const r = document.createRange();
      r.setStart(n, at);
      r.setEnd(n, at + text.length);
      const b = r.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }
    return null;
  }, text);
}

const cardOpen = (page) => page.frames().some((f) => f.url().includes('/card/card.html#'));
const pointerState = (page, x, y) => page.evaluate(({ x, y }) => ({
  cursor: getComputedStyle(document.elementFromPoint(x, y)).cursor,
  tooltip: document.querySelector('[data-escucha-ui="tooltip"]')?.shadowRoot?.textContent ?? null,
}), { x, y });

for (const path of PATHS) {
  test(`${path.name}: a mention shows it can be clicked; a card closed under the pointer stays closed`, async () => {
    const { page } = await open(path);
    const expected = await browser.worker.evaluate(() => chrome.i18n.getMessage('mentionTooltip'));
    assert.ok(expected.length > 10, 'the tooltip string exists in the browser language');
    const before = await pointerState(page, 5, 5);
    const at = await mentionPoint(page, 'Orange');
    await page.mouse.move(at.x, at.y);
    await page.waitForFunction(() => document.querySelector('[data-escucha-ui="tooltip"]'), null, { timeout: 3000 });
    const over = await pointerState(page, at.x, at.y);
    assert.deepEqual(over, { cursor: 'pointer', tooltip: expected }, 'pointer cursor and the tooltip over a mention');
    // Resting opens the card (700 ms); Escape closes it.
    const deadline = Date.now() + 5000;
    while (!cardOpen(page) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(cardOpen(page), 'resting on the mention opens its card');
    const { pressKey } = await import('./harness.mjs');
    await pressKey(page, 'Escape');
    await page.waitForFunction(() => !document.querySelector('[data-escucha-ui="card"]'), null, { timeout: 3000 });
    // The pointer keeps resting (and jiggling) on the same mention: no reopen.
    for (let i = 0; i < 5; i++) { await page.mouse.move(at.x + (i % 2), at.y); await new Promise((r) => setTimeout(r, 200)); }
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(cardOpen(page), false, 'a closed card does not reopen while the pointer rests on its mention');
    // Leaving puts the page's cursor back and removes the tooltip; coming back opens the card again.
    await page.mouse.move(5, 5);
    await new Promise((r) => setTimeout(r, 300)); // the pointer rests off the mention (a flick shorter than 60 ms is not leaving)
    await page.waitForFunction(() => !document.querySelector('[data-escucha-ui="tooltip"]'), null, { timeout: 3000 });
    assert.deepEqual(await pointerState(page, 5, 5), before, 'off the mention, nothing of ours remains');
    await page.mouse.move(at.x, at.y);
    const again = Date.now() + 5000;
    while (!cardOpen(page) && Date.now() < again) await new Promise((r) => setTimeout(r, 50));
    assert.ok(cardOpen(page), 'after leaving, resting on it opens the card again');
    await page.close();
  });
}
