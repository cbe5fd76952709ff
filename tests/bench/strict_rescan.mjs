// The strict-CSP path's live updates, timed: on a page whose CSP forbids
// WebAssembly (the matcher frame's path, extension/content/matcher_client.js),
// how long from a change of the page until its mention is painted. Three
// changes: one post added at the top, a burst of 50 posts added in one task
// (50 changed roots in one batch: the outermost-root decision), and an edit
// inside an inline element (its enclosing block is rescanned). Figures print;
// nothing asserts a time.
//
//   node tests/bench/strict_rescan.mjs [posts=2000] [runs=15]
//   ESCUCHA_BUILD=build/before node tests/bench/strict_rescan.mjs   (another build)
//
// Timed in the content script's own world (CDP Runtime.evaluate in that
// isolated context): the change is made there, and the overlay's boxes are
// counted through chrome.dom.openOrClosedShadowRoot until they grow, polled
// every task; so the figure is change → ranges → boxes drawn, the way the
// manager sees it, without the page's or the service worker's hops.
import { createServer } from 'node:http';
import { launchWithExtension, useDemoBrands, waitForHighlights, STRICT_CSP, EXTENSION_DIR } from '../e2e/harness.mjs';

const POSTS = Number(process.argv[2] ?? 2000);
const RUNS = Number(process.argv[3] ?? 15);

function thread(n) {
  const posts = [];
  for (let i = 0; i < n; i++) {
    const body = i % 10 === 0 ? `Me pasé a Movistar hace ${i} días y de momento bien.` : `Mensaje ${i}: nada que destacar, <b>solo</b> charla.`;
    posts.push(`<article class="post"><header><a href="/u/${i}">usuario_${i}</a></header><div class="body"><p>${body}</p></div></article>`);
  }
  return `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Hilo</title></head><body><main id="thread">${posts.join('')}</main></body></html>`;
}

const html = thread(POSTS);
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': STRICT_CSP });
  res.end(html);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/hilo`;

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
};

const browser = await launchWithExtension();
try {
  await useDemoBrands(browser);
  const page = await browser.context.newPage();
  const cdp = await page.context().newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length > 0, { timeout: 60000 });
  const path = await page.evaluate(() => document.querySelectorAll('[data-escucha-ui="matcher"]').length > 0 ? 'matcher-frame' : 'wasm');
  if (path !== 'matcher-frame') throw new Error(`not the strict-CSP path: ${path}`);
  const world = contexts.find((c) => c.auxData?.type === 'isolated' && c.origin.startsWith('chrome-extension://'))
    ?? contexts.find((c) => c.auxData?.type === 'isolated');
  if (!world) throw new Error('no content-script world');
  const inWorld = async (fn, arg) => {
    const r = await cdp.send('Runtime.evaluate', { contextId: world.id, expression: `(${fn})(${JSON.stringify(arg)})`, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails).slice(0, 500));
    return r.result.value;
  };
  // One change made in the content script's world, timed until the overlay holds more boxes (or another set of them).
  const timed = (kind) => inWorld(async (kind) => {
    const root = chrome.dom.openOrClosedShadowRoot(document.querySelector('escucha-overlay'));
    const boxes = () => [...root.querySelectorAll('.layer > div')].map((b) => b.style.cssText).join('|');
    const thread = document.querySelector('#thread');
    scrollTo(0, 0);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
    const before = boxes();
    const post = (text) => {
      const a = document.createElement('article');
      a.className = 'post';
      a.innerHTML = `<header><a href="/u/x">nuevo</a></header><div class="body"><p>${text}</p></div>`;
      return a;
    };
    const t0 = performance.now();
    if (kind === 'one post') thread.prepend(post('Acabo de pasarme a Movistar, ya os contaré.'));
    else if (kind === '50 posts') { for (let i = 0; i < 50; i++) thread.prepend(post(`Otro más con Movistar (${i}).`)); }
    else {
      // An edit inside an inline element: "Mo<b>xx</b>" becomes "Mo<b>vistar</b>" (the block is rescanned).
      const p = thread.querySelector('.post .body p');
      p.innerHTML = 'Prefiero Mo<b>xx</b> y nada más.';
      await new Promise((r) => setTimeout(r, 300));
      const b = p.querySelector('b');
      const ready = boxes();
      const t1 = performance.now();
      b.firstChild.data = 'vistar';
      for (;;) {
        if (boxes() !== ready) return performance.now() - t1;
        if (performance.now() - t1 > 5000) return null;
        await new Promise((r) => setTimeout(r, 0));
      }
    }
    for (;;) {
      if (boxes() !== before) return performance.now() - t0;
      if (performance.now() - t0 > 5000) return null;
      await new Promise((r) => setTimeout(r, 0));
    }
  }, kind);
  const out = {};
  for (const kind of ['one post', '50 posts', 'inline edit']) {
    const xs = [];
    for (let i = 0; i < RUNS; i++) {
      const ms = await timed(kind);
      if (ms === null) { console.log(`# ${kind}: no box after 5 s (run ${i + 1})`); continue; }
      xs.push(ms);
    }
    out[kind] = stats(xs);
  }
  console.log(`strict-CSP live updates, ${POSTS}-post thread, ${RUNS} runs each, build ${EXTENSION_DIR}`);
  console.log('| change | n | p50 ms | p95 ms | max ms |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [kind, s] of Object.entries(out)) console.log(`| ${kind} | ${s.n} | ${s.p50?.toFixed(1)} | ${s.p95?.toFixed(1)} | ${s.max?.toFixed(1)} |`);
} finally {
  await browser.close();
  server.close();
}
