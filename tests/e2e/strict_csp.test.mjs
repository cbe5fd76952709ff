// Tier 3, strict CSP: pages whose Content-Security-Policy forbids
// WebAssembly in content scripts are highlighted by the same Rust matcher,
// running in Escucha's hidden matcher frame; live updates, the badge and the
// popup work there too, and a hostile page script cannot use a matcher frame
// to learn the brand list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startFixtures, launchWithExtension, askContentScript, highlightTexts, waitForHighlights,
  popupListsAndRevealsAcme,
} from './harness.mjs';

const STRICT = "script-src 'self'";
const EXPECTED = {
  'escucha-g0': ['Movistar', 'Telefonica', 'Telefónica', 'Telefónica'],
  'escucha-g1': ['Orange', 'Orange'],
  'escucha-g2': ['ACME Corp'],
};

let fixtures, browser;
before(async () => {
  fixtures = await startFixtures();
  browser = await launchWithExtension();
});
after(async () => {
  await browser?.close();
  await fixtures?.stop();
});

/** Open the forum fixture served with `csp`; returns the page and its URL as the browser reports it. */
async function openStrict(csp = STRICT) {
  const page = await browser.context.newPage();
  await page.goto(`${fixtures.url}/forum.html?csp=${encodeURIComponent(csp)}`);
  return { page, url: page.url() };
}

async function tabIdOf(url) {
  await askContentScript(browser.worker, url, { type: 'ping' });
  return browser.worker.evaluate((url) => self.__escuchaTestTabs[url], url);
}

test('strict-CSP page: WebAssembly is refused in the content script, the matcher frame highlights the same mentions', async () => {
  const { page, url } = await openStrict();
  const wasmRefused = await page.evaluate(() => { try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); return false; } catch { return true; } });
  assert.ok(wasmRefused, 'the policy really forbids WebAssembly on this page');
  const h = await waitForHighlights(page, (h) => (h['escucha-g2'] ?? []).length === 1);
  assert.deepEqual(h, EXPECTED, 'same groups and texts as the WebAssembly path (highlight.test.mjs)');
  const bench = await askContentScript(browser.worker, url, { type: 'benchScan' });
  assert.equal(bench.path, 'matcher-frame');
  assert.equal(bench.mentions, 7);
  const tabId = await tabIdOf(url);
  const badge = await browser.worker.evaluate((tabId) => chrome.action.getBadgeText({ tabId }), tabId);
  assert.equal(badge, '7');
  // Nothing but our hidden host element was added, and its inside is closed to the page.
  const dom = await page.evaluate(() => ({
    hosts: document.querySelectorAll('[data-escucha-ui]').length,
    shadowVisible: document.querySelector('[data-escucha-ui]').shadowRoot !== null,
    iframes: document.querySelectorAll('iframe').length,
    frames: window.length,
    marks: document.querySelectorAll('mark').length,
  }));
  assert.deepEqual(dom, { hosts: 1, shadowVisible: false, iframes: 0, frames: 0, marks: 0 });
  await page.close();
});

test('strict-CSP page: appended posts and edited text are highlighted, removed ones forgotten', async () => {
  const { page, url } = await openStrict();
  await waitForHighlights(page, (h) => (h['escucha-g2'] ?? []).length === 1);
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++) {
      const post = document.createElement('article');
      post.className = 'post added';
      const p = document.createElement('p');
      p.textContent = `Respuesta ${i}: me quedo con Vodafone, Movistar me subió la tarifa.`;
      post.append(p);
      document.getElementById('thread').append(post);
    }
  });
  let h = await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 9);
  assert.deepEqual(h['escucha-g0'].filter((t) => t === 'Movistar').length, 6);
  // Editing a text node in place rescans it.
  await page.evaluate(() => { document.querySelector('#post-2 p').firstChild.data = 'Ahora tengo Movistar, adiós a todo lo demás.'; });
  h = await waitForHighlights(page, (h) => (h['escucha-g1'] ?? []).length === 1 && (h['escucha-g0'] ?? []).length === 10);
  assert.deepEqual(h['escucha-g1'], ['Orange'], 'only the title\'s Orange is left');
  // Removing posts drops their mentions, and the badge follows.
  await page.evaluate(() => document.querySelectorAll('article.added').forEach((a) => a.remove()));
  h = await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 5);
  const tabId = await tabIdOf(url);
  const deadline = Date.now() + 5000;
  let badge;
  while (Date.now() < deadline && (badge = await browser.worker.evaluate((t) => chrome.action.getBadgeText({ tabId: t }), tabId)) !== '7') await new Promise((r) => setTimeout(r, 50));
  assert.equal(badge, '7');
  await page.close();
});

test('strict-CSP page: typing in a textarea is never disturbed', async () => {
  const { page } = await openStrict();
  await waitForHighlights(page, (h) => (h['escucha-g2'] ?? []).length === 1);
  await page.evaluate(() => {
    const t = document.createElement('textarea');
    t.id = 'reply';
    document.body.append(t);
  });
  const typed = 'Hola, tengo Telefónica y Movistar; ¿alguien más?';
  await page.locator('#reply').pressSequentially(typed, { delay: 5 });
  const state = await page.evaluate(() => {
    const t = document.getElementById('reply');
    return { value: t.value, caret: t.selectionStart, focused: document.activeElement === t };
  });
  assert.deepEqual(state, { value: typed, caret: typed.length, focused: true });
  assert.deepEqual(await highlightTexts(page), EXPECTED, 'nothing typed was highlighted');
  await page.close();
});

test('strict-CSP page: the popup lists mentions and reveals one', async () => {
  const { page, url } = await openStrict();
  await waitForHighlights(page, (h) => (h['escucha-g2'] ?? []).length === 1);
  const tabId = await tabIdOf(url);
  await popupListsAndRevealsAcme(browser, page, tabId);
  await page.close();
});

test('policies that also forbid frames or everything: the extension frame still loads', async () => {
  for (const csp of ["default-src 'self'", "default-src 'none'", "script-src 'self'; frame-src 'none'", "script-src 'none'; child-src 'none'"]) {
    const { page } = await openStrict(csp);
    const h = await waitForHighlights(page, (h) => (h['escucha-g2'] ?? []).length === 1);
    assert.deepEqual(h, EXPECTED, csp);
    await page.close();
  }
});

test('a hostile page script cannot get matches out of a matcher frame', async () => {
  const { page } = await openStrict();
  await waitForHighlights(page, (h) => (h['escucha-g2'] ?? []).length === 1);
  // The test (not the page) reads our frame's URL, i.e. its ticket: even a
  // leaked ticket is worthless once redeemed.
  const ours = page.frames().find((f) => f.url().includes('/matcher/matcher.html#')).url();
  const leaked = new URL(ours).hash.slice(1);
  const attempt = (ticket) => page.evaluate(async ({ src, ticket }) => {
    const frame = document.createElement('iframe');
    frame.src = `${src}#${ticket}`;
    document.body.append(frame);
    await new Promise((r) => frame.addEventListener('load', r, { once: true }));
    const channel = new MessageChannel();
    const got = [];
    channel.port1.onmessage = (e) => got.push(e.data?.type ?? typeof e.data);
    frame.contentWindow.postMessage({ ticket }, '*', [channel.port2]);
    const text = new TextEncoder().encode('Movistar Telefónica Orange ACME Corp').buffer;
    const starts = Uint32Array.of(0).buffer; const ends = Uint32Array.of(34).buffer;
    channel.port1.postMessage({ type: 'scan', id: 1, text, starts, ends, url: location.href }, [text, starts, ends]);
    await new Promise((r) => setTimeout(r, 2000));
    frame.remove();
    return got;
  }, { src: ours.split('#')[0], ticket });
  assert.deepEqual(await attempt(leaked), [], 'a redeemed ticket opens nothing');
  assert.deepEqual(await attempt('0123456789abcdef0123456789abcdef'), [], 'a made-up ticket opens nothing');
  assert.deepEqual(await attempt(''), [], 'no ticket opens nothing');
  // Our own channel is closed to the page: posting to window frames reaches nothing.
  assert.equal(await page.evaluate(() => window.length), 0);
  // And the real frame kept working for the content script.
  await page.evaluate(() => { const p = document.createElement('p'); p.textContent = 'Zara no, Movistar sí.'; document.body.append(p); });
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 5);
  await page.close();
});
