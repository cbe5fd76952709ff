// Tier 3, capture: one click on a highlighted mention opens the card (an
// extension frame in a closed shadow root); "Log" stores the comment with its
// context; the page then shows it as logged; hostile pages cannot inject
// markup, fake captures, read what is typed into the card or open it with
// made-up events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtures, launchWithExtension, askContentScript, askWorker, waitForHighlights, paintedLayers, cardFrame, inCard, waitForCard, logInCard, pressKey, useDemoBrands } from './harness.mjs';
import { PageRequest as P, TabRequest as T, Answer as A, ToCardFrame as K } from './protocol.mjs';

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
  await useDemoBrands(browser);
});
after(async () => {
  await browser?.close();
  await fixtures?.stop();
});

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
  if (url.endsWith('/forum.html')) url = 'http://127.0.0.1/demo/forum.html'; // forum.html's canonical link
  return askWorker(browser.worker, { type: P.getPageCaptures, url }, 'popup/popup.html');
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
  await logInCard(page); // a real click: Log refuses untrusted ones (card::log_allowed)
  const reply = await pageCaptures(url);
  assert.equal(reply.type, A.ok, JSON.stringify(reply));
  assert.equal(reply.captures.length, 1);
  const c = reply.captures[0].context.value;
  assert.equal(c.brand, 'Telefónica');
  assert.equal(c.term, 'Movistar');
  assert.equal(c.quote.exact, 'Movistar');
  assert.match(c.commentText, /Llevo dos años con Telefónica/);
  assert.doesNotMatch(c.commentText, /jordi|Orange/, 'only this post, not the thread');
  assert.equal(c.authorName, 'marta_g');
  assert.equal(c.authorUrl, `${fixtures.url}/u/marta`);
  assert.equal(c.commentTime.utc, '2026-11-20T09:12:00Z');
  assert.equal(c.permalink, `${fixtures.url}/forum.html#post-1`);
  assert.equal(c.pageUrl, 'http://127.0.0.1/demo/forum.html', 'the canonical link is cited');
  assert.equal(c.lang, 'es');
  assert.ok(c.position && c.position.end - c.position.start === 8, JSON.stringify(c.position));
  // Logged comments are painted in their status style.
  // (Observed through the content script: the painter is invisible to the page.)
  const logged = await waitForLayers(page, (l) => (l['escucha-logged-new'] ?? []).length === 1);
  assert.equal((logged['escucha-logged-new'] ?? []).length, 1);
  // Capturing the same comment again updates the one record.
  await pressKey(page, 'Escape');
  await clickText(page, 'Movistar');
  await waitForCard(page, '#logged', (t) => /log|registro/i.test(t ?? ''));
  await inCard(page, '#status', (el) => { el.value = 'responded'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  await logInCard(page); // a real click: Log refuses untrusted ones (card::log_allowed)
  const again = await pageCaptures(url);
  assert.equal(again.captures.length, 1);
  assert.equal(again.captures[0].status.value, 'responded');
  await page.close();
});

test('revisiting a page re-anchors its captures and the popup lists them', async () => {
  const url = `${fixtures.url}/forum.html`;
  const page = await browser.context.newPage();
  await page.goto(url);
  const layers = await waitForLayers(page, (l) => (l['escucha-logged-responded'] ?? []).length === 1);
  assert.deepEqual(layers['escucha-logged-responded'], ['Movistar']);
  await askContentScript(browser.worker, url, { type: T.ping });
  const tabId = await browser.worker.evaluate((url) => self.__escuchaTestTabs[url], url);
  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup/popup.html?tab=${tabId}`);
  await popup.locator('#page-captures li[data-status="responded"]').waitFor({ timeout: 10000 });
  await popup.close();
  await page.close();
});

test('"open comment" from the log opens the page and flashes the re-anchored capture', async () => {
  const url = `${fixtures.url}/forum.html`;
  const [capture] = (await pageCaptures(url)).captures;
  const opened = browser.context.waitForEvent('page');
  const reply = await askWorker(browser.worker, { type: P.openCapture, id: capture.id }, 'log/log.html');
  assert.equal(reply.type, A.ok, JSON.stringify(reply));
  const page = await opened;
  const layers = await waitForLayers(page, (l) => JSON.stringify(l['escucha-flash']) === '["Movistar"]');
  assert.deepEqual(layers['escucha-flash'], ['Movistar']);
  await page.close();
});

test('the keyboard command and "Log selection" open the card', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/forum.html`;
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g1'] ?? []).length === 2);
  await askContentScript(browser.worker, url, { type: T.ping });
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
  await pressKey(page, 'Escape');
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
  assert.equal(await inCard(page, 'img', () => 'found'), null, 'no element was parsed from page text');
  await logInCard(page); // a real click: Log refuses untrusted ones (card::log_allowed)
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
  await logInCard(page); // a real click: Log refuses untrusted ones (card::log_allowed)
  const big = (await pageCaptures(url)).captures[0].context.value;
  assert.ok(big.commentText.length < 200000, `bounded: ${big.commentText.length}`);
  assert.ok(big.commentLength > 1000000, `full length recorded: ${big.commentLength}`);
  assert.equal(big.authorName, 'larga');

  const deepUrl = `${fixtures.url}/deep.html`;
  await page.goto(deepUrl);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 1);
  await clickText(page, 'Movistar');
  await waitForCard(page, '#excerpt', (t) => /Muy adentro/.test(t ?? ''));
  // Nothing found for author and time: the card offers inputs, never invents.
  assert.equal(await inCard(page, '#manual-author', (el) => el.tagName), 'INPUT');
  await inCard(page, '#manual-author', (el, v) => { el.value = v; }, 'Cliente anónimo');
  await inCard(page, '#manual-link', (el, v) => { el.value = v; }, 'javascript:alert(1)');
  await cardFrame(page).locator('#log').click(); // a real click: Log refuses untrusted ones (card::log_allowed)
  await waitForCard(page, '#state', (t) => /web link|enlace|http/.test(t ?? ''));
  assert.equal((await pageCaptures(deepUrl)).captures.length, 0, 'refused input saves nothing');
  await inCard(page, '#manual-link', (el, v) => { el.value = v; }, `${fixtures.url}/deep.html#p1`);
  await logInCard(page); // a real click: Log refuses untrusted ones (card::log_allowed)
  const deep = (await pageCaptures(deepUrl)).captures[0].context.value;
  assert.equal(deep.authorName, 'Cliente anónimo');
  assert.equal(deep.permalink, `${fixtures.url}/deep.html#p1`);
  await page.close();
});

/** Listeners a hostile page puts on window and document, capture phase, for every key and input event. */
function plantKeyListeners(page) {
  return page.evaluate(() => {
    window.__heard = [];
    for (const target of [window, document]) {
      for (const type of ['keydown', 'keyup', 'keypress', 'input', 'beforeinput', 'compositionstart', 'textInput']) {
        target.addEventListener(type, (e) => window.__heard.push(`${type}:${e.key ?? e.data ?? ''}`), true);
      }
    }
  });
}

/** Type `text` into the card's note with the real keyboard; returns what the page heard and what the note holds. */
async function typeIntoCardNote(page, text) {
  const frame = cardFrame(page);
  await frame.locator('#note').click();
  await page.keyboard.type(text, { delay: 5 });
  return { heard: await page.evaluate(() => window.__heard), note: await frame.locator('#note').inputValue() };
}

test('a hostile page\'s key and input listeners hear nothing typed into the card', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${fixtures.url}/forum.html`);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4);
  await plantKeyListeners(page);
  await clickText(page, 'Orange', '#post-2');
  await waitForCard(page, '#excerpt');
  const { heard, note } = await typeIntoCardNote(page, 'llamar mañana, cliente enfadado');
  assert.equal(note, 'llamar mañana, cliente enfadado', 'the note got every keystroke');
  assert.deepEqual(heard, [], 'the page heard none of them');
  await page.close();
});

test('made-up clicks and pointer moves never open the card; only real ones do', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${fixtures.url}/forum.html`);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4);
  const r = await rectOf(page, 'Orange', '#post-2');
  await page.evaluate(({ x, y }) => {
    const target = document.elementFromPoint(x, y);
    target.click();
    for (const type of ['mousedown', 'mouseup', 'click', 'mousemove']) {
      target.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, clientX: x, clientY: y, view: window }));
    }
  }, { x: r.x + r.w / 2, y: r.y + r.h / 2 });
  await new Promise((res) => setTimeout(res, 1500)); // longer than the hover delay (700 ms)
  assert.equal(await page.evaluate(() => document.querySelectorAll('escucha-card').length), 0, 'no card for synthetic events');
  assert.equal(cardFrame(page), undefined);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
  assert.match(await waitForCard(page, '#excerpt'), /me cambié a Orange/, 'a real click opens it');
  await page.close();
});

test('the card opens from the keyboard with the focus in it, and Escape closes it however it opened', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/forum.html`;
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g1'] ?? []).length === 2);
  await askContentScript(browser.worker, url, { type: T.ping });
  const tabId = await browser.worker.evaluate((url) => self.__escuchaTestTabs[url], url);
  await page.bringToFront();
  await page.evaluate(() => {
    const p = document.querySelector('#post-2 p');
    const sel = getSelection(); sel.removeAllRanges();
    const r = document.createRange(); r.setStart(p.firstChild, 3); r.collapse(true); sel.addRange(r);
  });
  await browser.worker.evaluate((tabId) => wasm_bindgen.sw_command('open-card', tabId), tabId);
  await waitForCard(page, '#excerpt');
  const deadline = Date.now() + 5000;
  let focused = false;
  while (Date.now() < deadline && !(focused = await cardFrame(page).evaluate(() => document.hasFocus() && document.activeElement?.id === 'card'))) {
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(focused, 'focus moved into the card');
  await pressKey(page, 'Escape');
  await page.waitForFunction(() => document.querySelectorAll('escucha-card').length === 0, null, { timeout: 5000 });
  assert.ok(await page.evaluate(() => document.hasFocus() && !document.activeElement?.matches('escucha-card')), 'focus is back on the page');
  // Opened by resting the pointer: focus stays on the page, and Escape still closes it.
  const r = await rectOf(page, 'Orange', '#post-2');
  await page.mouse.move(r.x + r.w / 2, r.y + r.h / 2);
  await waitForCard(page, '#excerpt');
  await pressKey(page, 'Escape');
  await page.waitForFunction(() => document.querySelectorAll('escucha-card').length === 0, null, { timeout: 5000 });
  // Playwright's close() has been seen to wait forever here (after a card
  // frame that held the focus was removed); the page is done either way.
  const closed = await Promise.race([page.close().then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
  if (!closed) console.log('# page.close() did not return within 5 s (left to the browser\'s close)');
});

test('a page that embeds the card page itself gets no card and can log nothing', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/capture/hostile.html`;
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 1);
  const before = (await pageCaptures(url)).captures.length;
  // A real card's ticket, read by the test (a page cannot): once claimed it opens nothing.
  await clickText(page, 'Movistar');
  await waitForCard(page, '#excerpt');
  const leaked = new URL(cardFrame(page).url()).hash.slice(1);
  await pressKey(page, 'Escape');
  for (const ticket of [leaked, '0123456789abcdef0123456789abcdef', '']) {
    await page.evaluate(async ({ src, ticket, open }) => {
      const frame = document.createElement('iframe');
      frame.id = 'planted';
      frame.src = `${src}#${ticket}`;
      frame.style.cssText = 'width:400px;height:400px';
      document.body.append(frame);
      await new Promise((r) => frame.addEventListener('load', r, { once: true }));
      const channel = new MessageChannel();
      frame.contentWindow.postMessage({ ticket }, '*', [channel.port2]);
      channel.port1.postMessage({ type: open, opening: { target: { kind: 'selection' }, source: { kind: 'dump', tree: { nodes: [{ text: 'fake' }], mention: 0 }, nodeStart: 0, nodeEnd: 4, page: { nodes: [{ tag: 'html' }] } }, text: 'fake', textStart: 0, textEnd: 4, exact: 'fake', anchor: { x: 0, y: 0, w: 1, h: 1 }, viewport: { width: 800, height: 600, scrollX: 0, scrollY: 0 } } });
    }, { src: `chrome-extension://${browser.extensionId}/card/card.html`, ticket, open: K.open });
    await new Promise((res) => setTimeout(res, 1500));
    const planted = await (await page.$('#planted')).contentFrame();
    // card.html is web-accessible only at Chromium's dynamic address now
    // (use_dynamic_url, issue 11): framed by its static address it is refused
    // before any ticket is looked at. Either way, no card and no Log button.
    const logButtons = planted ? await planted.locator('#log').count().catch(() => 0) : 0;
    assert.equal(logButtons, 0, `no card, so no Log button (ticket ${JSON.stringify(ticket)}, frame at ${planted?.url()})`);
    await page.evaluate(() => document.getElementById('planted').remove());
  }
  assert.equal((await pageCaptures(url)).captures.length, before, 'nothing was logged');
  await page.close();
});

test('click to card painted (content-script path): measured, not asserted', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${fixtures.url}/forum.html`);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4);
  const times = [];
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => document.addEventListener('click', (e) => { window.__clickAt = performance.timeOrigin + e.timeStamp; }, { capture: true, once: true }));
    await clickText(page, 'Orange', '#post-2');
    await waitForCard(page, '#excerpt');
    const frame = cardFrame(page);
    await frame.waitForFunction(() => self.escuchaPaintedAt > 0);
    const painted = await frame.evaluate(() => self.escuchaPaintedAt);
    times.push(painted - await page.evaluate(() => window.__clickAt));
    await pressKey(page, 'Escape');
    await page.waitForFunction(() => document.querySelectorAll('escucha-card').length === 0);
  }
  times.sort((a, b) => a - b);
  console.log(`# click to card painted, content-script path: median ${times[2].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[4].toFixed(1)})`);
  await page.close();
});

test('a teammate\'s capture says who logged it: the card knows the member\'s name', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/forum.html`;
  const asPage = (message) => askWorker(browser.worker, message);
  const setMember = async (member) => {
    const { settings } = await asPage({ type: P.getSettings });
    const saved = await asPage({ type: P.saveSettings, settings: { ...settings, sync: { ...settings.sync, member } } });
    assert.equal(saved.type, A.ok, JSON.stringify(saved));
  };
  // bo logged jordi's post (same permalink) in this browser's log, as a pull would bring it.
  await setMember('bo');
  const logged = await asPage({ type: P.logCapture, tags: null, context: {
    pageUrl: 'http://127.0.0.1/demo/forum.html', commentText: 'Yo me cambié a Orange el mes pasado.', brand: 'Orange', term: 'Orange',
    permalink: `${fixtures.url}/forum.html#post-2`, quote: { exact: 'Orange', prefix: 'Yo me cambié a ', suffix: ' el mes pasado.' } } });
  assert.equal(logged.type, A.ok, JSON.stringify(logged));
  await setMember('ana');
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g1'] ?? []).length === 2);
  await clickText(page, 'Orange', '#post-2');
  const line = await waitForCard(page, '#logged', (t) => !!t);
  assert.match(line, /bo/, `the card names the teammate: ${line}`);
  assert.doesNotMatch(line, /your log|tu registro/i);
  await setMember('');
  await page.close();
});

/** Poll what the content script painted (paintedLayers) until `done(layers)`; returns the last seen. */
async function waitForLayers(page, done, timeout = 10000) {
  let last = {};
  for (const deadline = Date.now() + timeout; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    last = await paintedLayers(page);
    if (done(last)) return last;
  }
  return last;
}
