// Memory per frame on an ad-heavy page (issue 15, start-up): an article with
// FRAMES iframes (a third ad banners with a short label, a third empty
// tracking frames, a third widgets with a few lines of text and a mention).
//
//   node tests/bench/frames_memory.mjs
//
// For each of three browsers (the built extension; no extension) it loads the
// page with the iframes and the same page without them, each from a new host
// name (mapped to 127.0.0.1) so each load gets its own renderer process, waits
// for the page to settle, and reads CDP Runtime.getHeapUsage of that process
// (JS heap used + embedder heap + backing stores, which hold WebAssembly
// memories). Memory per frame = (with frames − without) ÷ FRAMES; the
// extension's share is the difference between the two browsers. CDP's
// Debugger.scriptParsed events tell in which frames a WebAssembly module was
// instantiated. Prints a table and writes tests/bench/results/frames-memory-latest.md.
// Asserts nothing.
import { createServer } from 'node:http';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, launchWithExtension, EXTENSION_DIR } from '../e2e/harness.mjs';

const FRAMES = 24;
const RUNS = 3;
const HOSTS = 'frames.test';
const log = (...a) => console.error('[bench]', ...a);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const article = (frames) => `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Noticia</title></head><body><article>${
  Array.from({ length: 30 }, (_, i) => `<p>Párrafo ${i} de la noticia sobre tarifas de fibra; ${i % 5 ? 'nada que destacar' : 'Movistar sube precios'}.</p>`).join('')
}</article>${Array.from({ length: frames }, (_, i) => `<iframe src="/${['ad', 'pixel', 'widget'][i % 3]}.html?i=${i}" width="300" height="120"></iframe>`).join('')}</body></html>`;
const PAGES = {
  '/ad.html': '<!doctype html><meta charset="utf-8"><body style="margin:0"><div style="width:300px;height:100px;background:#eee"></div><small>Publicidad</small></body>',
  '/pixel.html': '<!doctype html><meta charset="utf-8"><body></body>',
  '/widget.html': '<!doctype html><meta charset="utf-8"><body><h4>Lo más leído</h4><ul><li>Vodafone baja la fibra</li><li>Movistar y el fútbol</li><li>Orange cambia de nombre</li></ul></body>',
};

function startServer() {
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const body = u.pathname === '/with.html' ? article(FRAMES) : u.pathname === '/without.html' ? article(0) : PAGES[u.pathname];
    if (!body) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: server.address().port, stop: () => new Promise((s) => server.close(s)) })));
}

let hostSeq = 0;
async function measure(context, port, path) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const wasmContexts = new Set();
  const contexts = new Map();
  cdp.on('Runtime.executionContextCreated', (e) => contexts.set(e.context.id, e.context));
  cdp.on('Debugger.scriptParsed', (e) => { if (e.scriptLanguage === 'WebAssembly') wasmContexts.add(e.executionContextId); });
  await cdp.send('Runtime.enable');
  await cdp.send('Debugger.enable');
  await page.goto(`http://h${++hostSeq}.${HOSTS}:${port}${path}`, { waitUntil: 'load' });
  await sleep(2500);
  await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
  const heap = await cdp.send('Runtime.getHeapUsage');
  const framesWithWasm = new Set([...wasmContexts].map((id) => contexts.get(id)?.auxData?.frameId).filter(Boolean));
  const out = {
    bytes: heap.usedSize + (heap.embedderHeapUsedSize ?? 0) + (heap.backingStorageSize ?? 0),
    jsHeap: heap.usedSize, backing: heap.backingStorageSize ?? null,
    frames: page.frames().length, framesWithWasm: framesWithWasm.size,
  };
  await cdp.detach().catch(() => {});
  await page.close();
  return out;
}

async function main() {
  const server = await startServer();
  const args = [`--host-resolver-rules=MAP *.${HOSTS} 127.0.0.1`];
  const ext = await launchWithExtension(EXTENSION_DIR, { args });
  const plain = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...args] });
  const plainContext = await plain.newContext();
  const rows = {};
  try {
    for (const [name, context] of [['with Escucha', ext.context], ['no extension', plainContext]]) {
      const w = [], wo = [];
      for (let i = 0; i < RUNS; i++) {
        w.push(await measure(context, server.port, '/with.html'));
        wo.push(await measure(context, server.port, '/without.html'));
      }
      rows[name] = { w, wo };
      log(name, JSON.stringify({ w: w.map((x) => x.bytes), wo: wo.map((x) => x.bytes) }));
    }
  } finally {
    await ext.close().catch(() => {});
    await plain.close().catch(() => {});
    await server.stop();
  }
  const mb = (b) => (b / 1048576).toFixed(2);
  const kb = (b) => (b / 1024).toFixed(0);
  const out = ['# Memory per frame on an ad-heavy page', '', `- date: ${new Date().toISOString()}`, '- command: node tests/bench/frames_memory.mjs',
    `- page: a 30-paragraph article with ${FRAMES} same-site iframes (${FRAMES / 3} ad banners with a short label, ${FRAMES / 3} empty tracking frames, ${FRAMES / 3} widgets with a list of headlines); ${RUNS} loads each, median; every load on a new host name, so its own renderer process; heap = CDP Runtime.getHeapUsage (used JS heap + embedder heap + backing stores) after 2.5 s and a GC.`, ''];
  const t = ['| browser | frames in page | frames that instantiated WebAssembly | renderer heap with frames MB | without frames MB | per frame KB |', '| --- | --- | --- | --- | --- | --- |'];
  const per = {};
  for (const [name, { w, wo }] of Object.entries(rows)) {
    const a = median(w.map((x) => x.bytes)), b = median(wo.map((x) => x.bytes));
    per[name] = (a - b) / FRAMES;
    t.push(`| ${name} | ${w[0].frames} | ${w.at(-1).framesWithWasm} | ${mb(a)} | ${mb(b)} | ${kb(per[name])} |`);
  }
  out.push(...t, '', `Escucha's share per frame: ${kb(per['with Escucha'] - per['no extension'])} KB (difference of the per-frame figures).`, '');
  const md = out.join('\n');
  console.log(md);
  mkdirSync(join(ROOT, 'tests', 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'tests', 'bench', 'results', 'frames-memory-latest.md'), md);
}

main().catch((e) => { console.error(e); process.exit(1); });
