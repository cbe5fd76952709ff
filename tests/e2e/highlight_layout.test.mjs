// Tier 3, issue 15 rows 1 and 6: word and phrase boundaries follow layout,
// not tag names, on both highlighting paths (the WebAssembly content script
// on a normal page; the matcher frame on a page whose CSP forbids
// WebAssembly). Each reproduction from the issue is on the page once, plus
// controls that must still join.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launchWithExtension, saveSettings, waitForHighlights, askContentScript, STRICT_CSP, highlightingPath } from './harness.mjs';
import { TabRequest as T } from './protocol.mjs';


// One reproduction per <section>, so that sections never join each other.
const CASES = [
  // Row 1: minified HTML, a block's end followed by an inline.
  '<div><div>por</div><a href="#">Movistar</a></div>',
  '<div>Me encanta Movistar</div><span>3 me gusta</span>',
  '<h3>Autor</h3><b>Vodafone</b> responde',
  // Row 6: a custom element is inline; a span made a block breaks the word.
  '<p><x-b>Movi</x-b>star</p>',
  '<p>Tele<span style="display:block">fónica</span></p>',
  // Controls: inline runs still join, a class that keeps a span inline too.
  '<p>Tele<span class="hl">fó</span>nica</p>',
  '<p><b>ACME</b> <i>Corp</i></p>',
];
const PAGE = `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>layout</title>
<style>.hl{color:#333}</style></head><body>${CASES.map((c) => `<section>${c}</section>`).join('')}</body></html>`;

// Inline tags, custom elements and block tags as the issue lists them.
const EXPECTED = {
  'escucha-g0': ['Movistar', 'Movistar', 'Movistar', 'Telefónica'],
  'escucha-g1': ['Vodafone'],
  'escucha-g2': ['ACME Corp'],
};

const SETTINGS = {
  version: 1,
  brands: {
    version: 1,
    groups: [
      { name: 'Telefónica', color: '#80d8ff', terms: [{ text: 'Telefónica' }, { text: 'Movistar' }] },
      { name: 'Vodafone', color: '#ffb74d', terms: [{ text: 'Vodafone' }] },
      { name: 'ACME', color: '#b9f6ca', terms: [{ text: 'ACME Corp' }, { text: 'ACME' }] },
    ],
  },
  sites: {}, departments: ['Product'], sync: {},
};

let server, base, browser;
before(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    if (u.searchParams.has('csp')) headers['content-security-policy'] = STRICT_CSP;
    if (u.pathname === '/layout.html') { res.writeHead(200, headers); res.end(PAGE); return; }
    if (u.pathname === '/empty.html') { res.writeHead(200, headers); res.end('<!doctype html><meta charset="utf-8"><title>e</title><body><main id="feed"></main></body>'); return; }
    res.writeHead(404); res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launchWithExtension();
  await saveSettings(browser.worker, SETTINGS);
});
after(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r) ?? r());
});

const complete = (h) => (h['escucha-g0'] ?? []).length >= 4 && (h['escucha-g1'] ?? []).length >= 1 && (h['escucha-g2'] ?? []).length >= 1;

for (const [label, query, path] of [['content script (wasm)', '', 'wasm'], ['strict CSP (matcher frame)', '?csp=1', 'matcher-frame']]) {
  test(`${label}: words join within inline runs and break where layout breaks`, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/layout.html${query}`);
    const h = await waitForHighlights(page, complete);
    assert.deepEqual(h, EXPECTED);
    // The shipped build has no benchmark requests: the matcher frame's hidden host tells the path.
    assert.equal(await highlightingPath(page), path, 'the intended highlighting path');
    const list = await askContentScript(browser.worker, page.url(), { type: T.getPageMentions });
    assert.equal(list.total, 6);
    await page.close();
  });

  test(`${label}: the same holds for content appended after load`, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/empty.html${query}`);
    await askContentScript(browser.worker, page.url(), { type: T.ping });
    await page.evaluate((cases) => {
      // The fixture's own markup, parsed by the page as a framework would render it.
      const tpl = document.createElement('template');
      tpl.innerHTML = cases.map((c) => `<section>${c}</section>`).join('');
      document.getElementById('feed').append(tpl.content);
    }, CASES);
    const h = await waitForHighlights(page, complete);
    assert.deepEqual(h, EXPECTED);
    await page.close();
  });
}

// Mentions as the popup lists them (the content script's own answer, not
// the painter's page-visible state): group name → sorted texts.
const mentionTexts = (list) => Object.fromEntries(list.groups.map((g) => [g.name, g.mentions.map((m) => m.text).sort()]));
async function waitForMentions(url, want, { timeout = 10000 } = {}) {
  const deadline = Date.now() + timeout;
  let got;
  while (Date.now() < deadline) {
    got = mentionTexts(await askContentScript(browser.worker, url, { type: T.getPageMentions }));
    if (JSON.stringify(got) === JSON.stringify(want)) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}

// The hl15 follow-up: a block nested in an inline ends its line (the walk
// sees it end), and live edits judge custom elements by layout too
// (escucha_core::page_watch::element_flow), so an edit inside an inline
// custom element rescans its whole block.
for (const [label, query] of [['content script (wasm)', ''], ['strict CSP (matcher frame)', '?csp=1']]) {
  test(`${label}: a block inside an inline breaks the word; edits inside a custom inline element rescan the block`, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/empty.html${query}`);
    await askContentScript(browser.worker, page.url(), { type: T.ping });
    await page.evaluate(() => {
      const tpl = document.createElement('template');
      tpl.innerHTML = '<section><div><a href="#"><div>Tele</div></a>fónica</div></section>' +
        '<section><p>Movi<a href="#"><span>star</span></a></p></section>' +
        '<section><p id="acme">ACME <x-b id="xb">Co</x-b></p></section>';
      document.getElementById('feed').append(tpl.content);
    });
    // "Tele" | "fónica": no Telefónica; the inline control still joins.
    let got = await waitForMentions(page.url(), { 'Telefónica': ['Movistar'], ACME: ['ACME'] });
    assert.deepEqual(got, { 'Telefónica': ['Movistar'], ACME: ['ACME'] });
    // x-b is laid out inline: its new text joins "ACME " into "ACME Corp".
    await page.evaluate(() => { document.getElementById('xb').textContent = 'Corp'; });
    got = await waitForMentions(page.url(), { 'Telefónica': ['Movistar'], ACME: ['ACME Corp'] });
    assert.deepEqual(got, { 'Telefónica': ['Movistar'], ACME: ['ACME Corp'] }, 'the edit inside <x-b> rescans its <p>');
    // A post moved elsewhere keeps one mention (its old ones are dropped
    // before it is scanned again, although it is an added node).
    await page.evaluate(() => { const feed = document.getElementById('feed'); feed.append(feed.children[1]); });
    await new Promise((r) => setTimeout(r, 300));
    got = await waitForMentions(page.url(), { 'Telefónica': ['Movistar'], ACME: ['ACME Corp'] });
    assert.deepEqual(got, { 'Telefónica': ['Movistar'], ACME: ['ACME Corp'] }, 'a moved post is not counted twice');
    await page.close();
  });
}
