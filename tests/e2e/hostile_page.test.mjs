// Tier 3: a hostile page tries, with real Chromium and the built extension,
// what issue 11 found a page could learn or do (escucha_core::paint,
// escucha_core::card::{log_allowed, page_reachable}). Each attack runs as
// page script (page.evaluate runs in the page's main world) and each test
// also checks, through the extension's own channel, that Escucha did its
// work, so that "the page learned nothing" is never vacuous.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startFixtures, launchWithExtension, askWorker, waitForHighlights, paintedLayers, cardFrame, inCard, waitForCard, useDemoBrands, pressKey,
} from './harness.mjs';
import { PageRequest as P, ContentRequest as C, Answer as A, ErrorCode as E } from './protocol.mjs';

const BRAND_TERMS = ['Telefónica', 'Movistar', 'Orange', 'ACME Corp'];
const FILLER = ('casa perro gato mesa silla libro agua fuego tierra aire ciudad campo coche tren avión barco calle plaza puerta ventana '
  + 'router factura tarifa precio oferta cliente soporte llamada mensaje correo teléfono móvil internet fibra cobertura antena red '
  + 'apple google amazon netflix spotify microsoft samsung huawei xiaomi nokia sony philips siemens bosch renault seat iberia repsol').split(' ');

/** A page with a planted dictionary: every word in its own span, brand terms among ~70 others. */
function dictionaryPage(csp) {
  const words = [...FILLER.slice(0, 30), ...BRAND_TERMS, ...FILLER.slice(30)];
  const meta = csp ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : '';
  return `<!doctype html><html lang="es"><head><meta charset="utf-8">${meta}<title>Diccionario</title></head><body>
<p id="dict">${words.map((w) => `<span class="w">${w}</span>`).join(' · ')}</p>
<div class="post" id="post-1"><p>Llevo un mes con Movistar y el router falla cada noche.</p></div>
</body></html>`;
}

let fixtures;
let browser;
before(async () => {
  fixtures = await startFixtures({ '/dict.html': dictionaryPage(null), '/decoy.html': dictionaryPage(null), '/dict-strict.html': dictionaryPage("script-src 'self'") });
  browser = await launchWithExtension();
  await useDemoBrands(browser);
});
after(async () => {
  await browser?.close();
  await fixtures?.stop();
});

/**
 * The attack, in the page's main world: everything a page script can read
 * that might tell which planted words Escucha painted. Returns the words it
 * recovered and what it saw.
 */
function recover() {
  const recovered = new Set();
  const textOf = (sr) => { const r = document.createRange(); r.setStart(sr.startContainer, sr.startOffset); r.setEnd(sr.endContainer, sr.endOffset); return r.toString(); };
  const names = [];
  if (globalThis.CSS?.highlights) for (const [name, h] of CSS.highlights) { names.push(name); for (const sr of h) recovered.add(textOf(sr)); }
  // Style rules adopted into the document (a ::highlight sheet names groups and statuses).
  const rules = [...document.adoptedStyleSheets].flatMap((s) => [...s.cssRules].map((r) => r.cssText));
  // Anything drawn over a word that the page did not put there, found by hit testing.
  const spans = [...document.querySelectorAll('#dict .w')];
  for (const span of spans) {
    const b = span.getBoundingClientRect();
    const at = document.elementsFromPoint(b.x + b.width / 2, b.y + b.height / 2);
    if (at.some((e) => !e.contains(span))) recovered.add(span.textContent);
    const caret = document.caretPositionFromPoint(b.x + b.width / 2, b.y + b.height / 2);
    if (caret && !span.contains(caret.offsetNode)) recovered.add(span.textContent);
  }
  // Every element the page did not write, and whatever it exposes.
  const foreign = [...document.querySelectorAll('*')].filter((e) => !e.closest('#dict, .post') && !['html', 'head', 'meta', 'title', 'body', 'p'].includes(e.localName));
  const exposed = foreign.map((e) => ({
    tag: e.localName,
    open: e.shadowRoot !== null,
    box: (() => { const b = e.getBoundingClientRect(); return [b.width, b.height]; })(),
    text: e.textContent,
    style: e.getAttribute('style') ?? '',
  }));
  return { recovered: [...recovered].sort(), names, rules, exposed };
}

for (const path of [{ name: 'wasm content script', url: '/dict.html' }, { name: 'strict-CSP matcher frame', url: '/dict-strict.html' }]) {
  test(`${path.name}: a planted dictionary recovers no brand term (issue 11, item 1)`, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${fixtures.url}${path.url}`);
    // Escucha did paint the planted terms (asked of the extension, not the page).
    const h = await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 3 && (h['escucha-g2'] ?? []).length === 1);
    assert.deepEqual(h['escucha-g2'], ['ACME Corp']);
    const layers = await paintedLayers(page);
    assert.ok(Object.keys(layers).length >= 3, JSON.stringify(layers));
    const seen = await page.evaluate(recover);
    assert.deepEqual(seen.recovered, [], `the page recovered painted words: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.names, [], 'no highlight names in CSS.highlights');
    assert.deepEqual(seen.rules, [], 'no stylesheet of ours in the document');
    for (const e of seen.exposed) {
      assert.equal(e.open, false, `${e.tag}: its shadow root is closed`);
      assert.equal(e.text, '', `${e.tag}: no text`);
      if (e.tag === 'escucha-overlay') {
        assert.deepEqual(e.box, [0, 0], 'the overlay host is 0×0');
        assert.equal(e.style, '', 'the overlay host carries no style attribute');
      }
    }
    assert.ok(seen.exposed.some((e) => e.tag === 'escucha-overlay'), JSON.stringify(seen.exposed));
    await page.close();
  });
}

test('a page without any mention looks the same from inside as one with mentions (the overlay is there from the start)', async () => {
  const empty = await browser.context.newPage();
  await empty.goto(`${fixtures.url}/plain.html`); // one mention
  await waitForHighlights(empty, (h) => Object.keys(h).length > 0);
  const withMention = await empty.evaluate(() => [...document.querySelectorAll('[data-escucha-ui]')].map((e) => e.localName).sort());
  await empty.evaluate(() => { document.body.innerHTML = '<p>Nada que ver aquí.</p>'; });
  await waitForHighlights(empty, (h) => Object.keys(h).length === 0);
  const without = await empty.evaluate(() => [...document.querySelectorAll('[data-escucha-ui]')].map((e) => e.localName).sort());
  assert.deepEqual(without, withMention);
  await empty.close();
});

/** Click the middle of the post's "Movistar" with the real mouse. */
async function clickMention(page) {
  const text = 'Movistar';
  const at = await page.evaluate((text) => {
    const w = document.createTreeWalker(document.querySelector('#post-1'), NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const i = n.data.indexOf(text);
      if (i < 0) continue;
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + text.length);
      const b = r.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }
    return null;
  }, text);
  assert.ok(at, `${text} is on the page`);
  await page.mouse.click(at.x, at.y);
}

const captures = (url) => askWorker(browser.worker, { type: P.getPageCaptures, url }, 'popup/popup.html');

test('the team\'s triage is not readable: a logged, escalated comment shows no status to the page (item 2)', async () => {
  const url = `${fixtures.url}/dict.html`;
  const page = await browser.context.newPage();
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 3);
  await clickMention(page);
  await waitForCard(page, '#excerpt', (t) => /router falla/.test(t ?? ''));
  await inCard(page, '#status', (el) => { el.value = 'escalated'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  await cardFrame(page).locator('#log').click();
  await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
  await page.reload();
  for (const deadline = Date.now() + 10000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if ((await paintedLayers(page))['escucha-logged-escalated']) break;
  }
  assert.ok((await paintedLayers(page))['escucha-logged-escalated']?.length === 1, 'the escalated capture is painted');
  const seen = await page.evaluate(() => ({
    names: globalThis.CSS?.highlights ? [...CSS.highlights.keys()] : [],
    rules: [...document.adoptedStyleSheets].flatMap((s) => [...s.cssRules].map((r) => r.cssText)),
    html: document.documentElement.outerHTML.match(/escalated|logged|needs_response|responded/gi) ?? [],
  }));
  assert.deepEqual(seen, { names: [], rules: [], html: [] });
  await page.close();
});

test('what the manager types into the card cannot be read by the page (item 3)', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${fixtures.url}/dict.html`);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 3);
  await page.evaluate(() => {
    window.__heard = [];
    for (const type of ['keydown', 'keypress', 'keyup', 'input', 'beforeinput', 'compositionend']) {
      window.addEventListener(type, (e) => window.__heard.push(`${type}:${e.key ?? e.data ?? ''}`), true);
      document.addEventListener(type, (e) => window.__heard.push(`${type}:${e.key ?? e.data ?? ''}`), true);
    }
  });
  await clickMention(page);
  await waitForCard(page, '#excerpt');
  const frame = cardFrame(page);
  assert.match(frame.url(), /^chrome-extension:\/\/[a-p]{32}\/card\/card\.html#/, 'the card is an extension-origin frame');
  assert.equal(await page.evaluate(() => document.querySelector('escucha-card').shadowRoot), null, 'its host is closed');
  assert.equal(await page.evaluate(() => { try { return [...document.querySelectorAll('iframe')].map((f) => f.contentDocument?.body?.innerHTML ?? null); } catch (e) { return String(e); } }).then((x) => JSON.stringify(x)), '[]', 'no frame of ours is reachable through the DOM');
  await frame.locator('#note').click();
  await page.keyboard.type('cliente VIP secreto');
  assert.equal(await inCard(page, '#note', (el) => el.value), 'cliente VIP secreto', 'the note has the text');
  const heard = await page.evaluate(() => window.__heard);
  assert.deepEqual(heard.filter((h) => !h.startsWith('keydown:Escape')), [], 'the page heard no keystroke');
  await page.close();
});

test('a synthetic click never opens the card; Log is refused while the card is hidden or covered (item 4)', async () => {
  const url = `${fixtures.url}/decoy.html`;
  const page = await browser.context.newPage();
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 3);
  // A page script clicks a mention: untrusted, so nothing opens.
  await page.evaluate(() => {
    const span = [...document.querySelectorAll('.w')].find((s) => s.textContent === 'Movistar');
    const b = span.getBoundingClientRect();
    for (const type of ['mousemove', 'mousedown', 'mouseup', 'click']) {
      span.dispatchEvent(new MouseEvent(type, { bubbles: true, clientX: b.x + b.width / 2, clientY: b.y + b.height / 2 }));
    }
  });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(cardFrame(page), undefined, 'no card after synthetic events');
  // The card is in the top layer (a manual popover): what can still hide it
  // is the page fading its host, or a popover of the page's opened after it.
  for (const attack of ['invisible', 'faded', 'popover']) {
    await clickMention(page);
    await waitForCard(page, '#excerpt', (t) => /router falla/.test(t ?? ''));
    const box = await cardFrame(page).locator('#log').boundingBox();
    await page.evaluate(({ attack, box }) => {
      const host = document.querySelector('escucha-card');
      if (attack === 'invisible') host.style.setProperty('opacity', '0', 'important');
      else if (attack === 'faded') host.style.setProperty('opacity', '0.05', 'important');
      else {
        // A decoy in the top layer, above the card, letting clicks through to it.
        const d = document.createElement('div');
        d.id = 'decoy';
        d.popover = 'manual';
        d.textContent = '¡Gana un premio!';
        d.style.cssText = `position:fixed;inset:auto;margin:0;left:${box.x - 50}px;top:${box.y - 50}px;width:${box.width + 100}px;height:${box.height + 100}px;background:gold;pointer-events:none`;
        document.body.append(d);
        d.showPopover();
      }
    }, { attack, box });
    await new Promise((r) => setTimeout(r, 400));
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2); // the manager's real click on the "decoy"
    const state = await waitForCard(page, '#state', (t) => (t ?? '').length > 0 && !/Saving|Guardando/.test(t));
    assert.doesNotMatch(state, /Saved|Guardado/, `${attack}: not logged`);
    assert.match(state, /hidden or covered|oculta o tapada/, `${attack}: says why`);
    assert.equal((await captures(url)).captures.length, 0, `${attack}: nothing in the log`);
    await page.evaluate(() => { document.querySelector('escucha-card').style.removeProperty('opacity'); document.getElementById('decoy')?.remove(); });
    await pressKey(page, 'Escape');
    await page.waitForFunction(() => !document.querySelector('escucha-card'), null, { timeout: 3000 });
  }
  // An ordinary decoy, however high its z-index, is drawn under the card
  // (which used to be refused as covered): Log logs what the manager sees.
  await clickMention(page);
  await waitForCard(page, '#excerpt', (t) => /router falla/.test(t ?? ''));
  const box = await cardFrame(page).locator('#log').boundingBox();
  // In the top layer, placed exactly where the frame said, none of the user agent's popover box styles.
  const placed = await page.evaluate(() => { const h = document.querySelector('escucha-card'); const r = h.getBoundingClientRect(); const cs = getComputedStyle(h);
      const px = (k) => parseFloat(h.style.getPropertyValue(k));
      return { off: [r.left + scrollX - px('left'), r.top + scrollY - px('top'), r.width - px('width'), r.height - px('height')].map((d) => Math.round(d)),
        box: [cs.marginTop, cs.borderTopWidth, cs.paddingTop, cs.backgroundColor, cs.overflow, h.matches(':popover-open')] }; });
  assert.deepEqual(placed, { off: [0, 0, 0, 0], box: ['0px', '0px', '0px', 'rgba(0, 0, 0, 0)', 'visible', true] }, JSON.stringify(placed));
  const order = await page.evaluate((box) => {
    const d = document.createElement('div');
    d.id = 'decoy';
    d.textContent = '¡Gana un premio!';
    d.style.cssText = `position:fixed;left:${box.x - 50}px;top:${box.y - 50}px;width:${box.width + 100}px;height:${box.height + 100}px;background:gold;z-index:2147483647`;
    document.documentElement.append(d);
    // Hit testing follows paint order: with pointer events on, the decoy shows where it is drawn.
    const order = document.elementsFromPoint(box.x + box.width / 2, box.y + box.height / 2).slice(0, 2).map((e) => e.localName + (e.id ? `#${e.id}` : ''));
    d.style.pointerEvents = 'none';
    return order;
  }, box);
  assert.deepEqual(order, ['escucha-card', 'div#decoy'], 'the card is drawn above the decoy');
  await new Promise((r) => setTimeout(r, 400));
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
  assert.equal((await captures(url)).captures.length, 1);
  await page.evaluate(() => document.getElementById('decoy')?.remove());
  await pressKey(page, 'Escape');
  await page.waitForFunction(() => !document.querySelector('escucha-card'), null, { timeout: 3000 });
  // The same card, in plain sight: a real click logs (an update now).
  await clickMention(page);
  await waitForCard(page, '#excerpt', (t) => /router falla/.test(t ?? ''));
  await new Promise((r) => setTimeout(r, 300));
  await cardFrame(page).locator('#log').click();
  await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
  assert.equal((await captures(url)).captures.length, 1);
  await page.close();
});

test('a content script reaches only its own tab\'s page (item 5)', async () => {
  const url = `${fixtures.url}/dict.html`;
  assert.ok((await captures(url)).captures.length >= 1, 'a capture of dict.html exists (earlier tests)');
  const asContentScript = (pageUrl, message) => browser.worker.evaluate(({ message, pageUrl }) => wasm_bindgen.sw_handle_message(message,
    { id: chrome.runtime.id, url: pageUrl, tab: { id: 4242 }, frameId: 0 }), { message, pageUrl });
  const own = await asContentScript(url, { type: C.getPageCaptures, url });
  assert.equal(own.type, A.ok, JSON.stringify(own));
  assert.ok(own.captures.length >= 1);
  const other = url.replace('127.0.0.1', 'localhost');
  const stolen = await asContentScript(other, { type: C.getPageCaptures, url });
  assert.equal(stolen.type, A.error, `another page's content script read ${JSON.stringify(stolen).slice(0, 300)}`);
  assert.equal(stolen.code, E.otherPage);
});

test('the page cannot fetch or frame matcher.html or card.html by their static address (item 6)', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${fixtures.url}/dict.html`);
  await waitForHighlights(page, (h) => Object.keys(h).length > 0);
  const probes = await page.evaluate(async (id) => {
    const out = {};
    for (const path of ['matcher/matcher.html', 'card/card.html', 'wasm/escucha_content_bg.wasm', 'manifest.json']) {
      const u = `chrome-extension://${id}/${path}`;
      out[path] = await fetch(u).then((r) => `fetched ${r.status}`, () => 'refused');
    }
    return out;
  }, browser.extensionId);
  assert.deepEqual(probes, {
    'matcher/matcher.html': 'refused', 'card/card.html': 'refused', 'wasm/escucha_content_bg.wasm': 'refused', 'manifest.json': 'refused',
  });
  await page.close();
});
