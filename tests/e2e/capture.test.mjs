// Tier 3, capture: one click on a highlighted mention opens the card in a
// closed shadow root; "Log" stores the comment with its context; the page
// then shows it as logged; hostile pages cannot inject markup or fake captures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtures, launchWithExtension, askContentScript, waitForHighlights } from './harness.mjs';

// A 1 MB comment and one nested 500 deep, both mentioning Movistar.
function bigComment() {
  const filler = 'texto de relleno '.repeat(62000);
  return `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Comentario enorme</title></head><body>
    <article class="comment"><header><a class="author" href="/u/larga">larga</a> <time datetime="2026-11-23T08:00:00Z">ayer</time></header>
    <p>Movistar: ${filler} fin.</p></article></body></html>`;
}
function deepNesting() {
  const open = '<div class="reply">'.repeat(500);
  const close = '</div>'.repeat(500);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Anidado</title></head><body>${open}<p>Muy adentro hablan de Movistar.</p>${close}</body></html>`;
}

let fixtures, browser;
before(async () => {
  fixtures = await startFixtures({ '/big.html': bigComment(), '/deep.html': deepNesting() });
  browser = await launchWithExtension();
});
after(async () => {
  await browser?.close();
  await fixtures?.stop();
});

/** Run `fn` on the element matching `selector` inside the card's CLOSED shadow root (via CDP, which can pierce it; page scripts cannot). */
async function inCard(page, selector, fn, ...args) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: 3, pierce: true }); // the card hangs off <html>
    const find = (n) => {
      if (n.localName === 'escucha-card') return n;
      for (const c of n.children ?? []) { const r = find(c); if (r) return r; }
      return null;
    };
    const host = find(root);
    if (!host) return undefined;
    const shadow = host.shadowRoots?.[0];
    assert.equal(shadow?.shadowRootType, 'closed');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: shadow.nodeId, selector });
    if (!nodeId) return null;
    const { object } = await cdp.send('DOM.resolveNode', { nodeId });
    const { result, exceptionDetails } = await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId, functionDeclaration: fn.toString(), arguments: args.map((value) => ({ value })),
      returnByValue: true, awaitPromise: true,
    });
    if (exceptionDetails) throw new Error(JSON.stringify(exceptionDetails));
    return result.value;
  } finally {
    await cdp.detach();
  }
}

async function waitForCard(page, selector, predicate = (v) => v !== undefined && v !== null, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await inCard(page, selector, function () { return this.textContent; });
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`card ${selector} never matched; last: ${JSON.stringify(last)}`);
}

/** Client rectangle of the first occurrence of `text` inside `within` (main world). */
function rectOf(page, text, within = 'body') {
  return page.evaluate(({ text, within }) => {
    const w = document.createTreeWalker(document.querySelector(within), NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const i = n.data.indexOf(text);
      if (i >= 0) {
        const r = document.createRange();
        r.setStart(n, i); r.setEnd(n, i + text.length);
        // Bring the words themselves (not their possibly huge element) to mid-screen.
        const first = r.getBoundingClientRect();
        window.scrollBy(0, first.top - innerHeight / 2);
        const b = r.getBoundingClientRect();
        return { x: b.x, y: b.y, w: b.width, h: b.height };
      }
    }
    return null;
  }, { text, within });
}

async function clickText(page, text, within) {
  const r = await rectOf(page, text, within);
  assert.ok(r, `${text} is on the page`);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
}

async function pageCaptures(url) {
  return browser.worker.evaluate((url) => wasm_bindgen.sw_handle_message({ type: 'getPageCaptures', url },
    { id: chrome.runtime.id, url: chrome.runtime.getURL('popup/popup.html') }), url);
}

test('one click on a mention opens the card, Log stores the comment with its context', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/forum.html`;
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4);
  await clickText(page, 'Movistar');
  const quote = await waitForCard(page, '#excerpt');
  assert.match(quote, /soporte de Movistar tarda/);
  // The page cannot reach into the card.
  assert.equal(await page.evaluate(() => document.querySelector('escucha-card').shadowRoot), null);
  await inCard(page, '#log', function () { this.click(); });
  await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
  const reply = await pageCaptures(url);
  assert.equal(reply.type, 'pageCaptures', JSON.stringify(reply));
  assert.equal(reply.captures.length, 1);
  const c = reply.captures[0].context.value;
  assert.equal(c.brand, 'Telefónica');
  assert.equal(c.term, 'Movistar');
  assert.equal(c.quote.exact, 'Movistar');
  assert.match(c.commentText, /Llevo dos años con Telefónica/);
  assert.ok(c.position && c.position.end - c.position.start === 8, JSON.stringify(c.position));
  // Logged comments are painted in their status style.
  const logged = await page.evaluate(() => [...(CSS.highlights.get('escucha-logged-new') ?? [])].length);
  assert.equal(logged, 1);
  // Capturing the same comment again updates the one record.
  await page.keyboard.press('Escape');
  await clickText(page, 'Movistar');
  await waitForCard(page, '#logged', (t) => /log|registro/i.test(t ?? ''));
  await inCard(page, '#status', function () { this.value = 'responded'; this.dispatchEvent(new Event('input', { bubbles: true })); });
  await inCard(page, '#log', function () { this.click(); });
  await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
  const again = await pageCaptures(url);
  assert.equal(again.captures.length, 1);
  assert.equal(again.captures[0].status.value, 'responded');
  await page.close();
});

test('revisiting a page re-anchors its captures and the popup lists them', async () => {
  const url = `${fixtures.url}/forum.html`;
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => [...(CSS.highlights.get('escucha-logged-responded') ?? [])].length === 1, null, { timeout: 10000 });
  const text = await page.evaluate(() => {
    const [sr] = [...CSS.highlights.get('escucha-logged-responded')];
    const r = document.createRange(); r.setStart(sr.startContainer, sr.startOffset); r.setEnd(sr.endContainer, sr.endOffset);
    return r.toString();
  });
  assert.equal(text, 'Movistar');
  await askContentScript(browser.worker, url, { type: 'ping' });
  const tabId = await browser.worker.evaluate((url) => self.__escuchaTestTabs[url], url);
  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup/popup.html?tab=${tabId}`);
  await popup.locator('#page-captures li[data-status="responded"]').waitFor({ timeout: 10000 });
  await popup.close();
  await page.close();
});

test('the keyboard command and "Log selection" open the card', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/forum.html`;
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g1'] ?? []).length === 2);
  await askContentScript(browser.worker, url, { type: 'ping' });
  const tabId = await browser.worker.evaluate((url) => self.__escuchaTestTabs[url], url);
  // Caret in post 2, before "Orange": the nearest mention is that Orange.
  await page.evaluate(() => {
    const p = document.querySelector('#post-2 p');
    const sel = getSelection(); sel.removeAllRanges();
    const r = document.createRange(); r.setStart(p.firstChild, 3); r.collapse(true); sel.addRange(r);
  });
  await page.bringToFront();
  await browser.worker.evaluate((tabId) => wasm_bindgen.sw_command('open-card', tabId), tabId);
  const quote = await waitForCard(page, '#excerpt');
  assert.match(quote, /me cambié a Orange/);
  assert.equal(await waitForCard(page, '.term'), 'Orange');
  // "Log selection" for text the matcher did not find.
  await page.keyboard.press('Escape');
  await page.evaluate(() => {
    const p = document.querySelector('#post-3 p');
    const sel = getSelection(); sel.removeAllRanges();
    const r = document.createRange(); r.setStart(p.firstChild, 3); r.setEnd(p.firstChild, 11); sel.addRange(r);
  });
  await browser.worker.evaluate((tabId) => wasm_bindgen.sw_menu_clicked('log-selection', tabId, 0), tabId);
  const q2 = await waitForCard(page, '#excerpt', (t) => /Zaragoza/.test(t ?? ''));
  assert.match(q2, /cobertura/);
  await page.close();
});

test('hostile page: payloads stay text, javascript: links are refused, faked messages create nothing', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/capture/hostile.html`;
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 1);
  await clickText(page, 'Movistar');
  const quote = await waitForCard(page, '#excerpt');
  assert.match(quote, /<img src=x onerror="window.__pwned=1"> Movistar/);
  assert.equal(await inCard(page, 'img', function () { return 'found'; }), null, 'no element was parsed from page text');
  await inCard(page, '#log', function () { this.click(); });
  await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
  const reply = await pageCaptures(url);
  assert.equal(reply.captures.length, 1, 'only the real capture: faked messages created none');
  const c = reply.captures[0].context.value;
  assert.ok(!String(c.permalink ?? '').startsWith('javascript:'), c.permalink);
  assert.ok(!String(c.authorUrl ?? '').startsWith('javascript:'), c.authorUrl);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // The page's scripts never got a handle on chrome.runtime messaging.
  assert.ok(await page.evaluate(() => window.__fakeError !== undefined || typeof chrome === 'undefined' || !chrome.runtime?.sendMessage));
  await page.close();
});

test('a 1 MB comment is stored bounded with a marker; 500-deep nesting and missing author/time do not break capture', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/big.html`;
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 1, { timeout: 20000 });
  await clickText(page, 'Movistar');
  await waitForCard(page, '#excerpt');
  await inCard(page, '#log', function () { this.click(); });
  await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
  const big = (await pageCaptures(url)).captures[0].context.value;
  assert.ok(big.commentText.length < 200000, `bounded: ${big.commentText.length}`);
  assert.ok(big.commentLength > 1000000, `full length recorded: ${big.commentLength}`);

  const deepUrl = `${fixtures.url}/deep.html`;
  await page.goto(deepUrl);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 1);
  await clickText(page, 'Movistar');
  await waitForCard(page, '#excerpt', (t) => /Muy adentro/.test(t ?? ''));
  // Nothing found for author and time: the card offers inputs, never invents.
  assert.equal(await inCard(page, '#manual-author', function () { return this.tagName; }), 'INPUT');
  await inCard(page, '#manual-author', function (v) { this.value = v; }, 'Cliente anónimo');
  await inCard(page, '#manual-link', function (v) { this.value = v; }, 'javascript:alert(1)');
  await inCard(page, '#log', function () { this.click(); });
  await waitForCard(page, '#state', (t) => /web link|enlace|http/.test(t ?? ''));
  assert.equal((await pageCaptures(deepUrl)).captures.length, 0, 'refused input saves nothing');
  await inCard(page, '#manual-link', function (v) { this.value = v; }, `${fixtures.url}/deep.html#p1`);
  await inCard(page, '#log', function () { this.click(); });
  await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
  const deep = (await pageCaptures(deepUrl)).captures[0].context.value;
  assert.equal(deep.authorName, 'Cliente anónimo');
  assert.equal(deep.permalink, `${fixtures.url}/deep.html#p1`);
  await page.close();
});
