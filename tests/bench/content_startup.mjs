// Content-script start-up benchmark: how long after navigation a page shows
// its first highlight, with the split build (content scripts load the small
// `escucha_content` module) against the same build with content scripts
// loading the extension's full `escucha_web` module, as before the split.
//
//   node tests/bench/content_startup.mjs [runs]      (default 9 per variant and mode)
//
// Both variants come from one build ($ESCUCHA_BUILD/extension, default
// build/extension): the "full module" variant is a copy whose manifest,
// content.js and matcher frame point at escucha_web instead, so only the
// module differs. Each variant runs in its own headless Chromium; both stay
// open and page loads alternate between them, so machine load (2 shared
// cores) hits both alike. A run is one new tab on a small generated article
// with 20 mentions; its figure is the time from navigation start to the
// first Escucha highlight in CSS.highlights (polled from the page's main
// world every millisecond), and that minus the load event's end (content
// scripts run at document_idle, after it).
// Two modes: "new site" loads each run from a new host name (all mapped to
// 127.0.0.1), so each page gets a new renderer process with nothing compiled
// yet, as when a user opens a site; "same site" reuses one host, whose
// process keeps V8's compiled-module cache between tabs.
// Apart, the part that grows with the module: WebAssembly.compile of each
// module's bytes in a new renderer process.
// Prints a table and writes tests/bench/results/content-startup-latest.md.
// Asserts nothing.
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, EXTENSION_DIR, launchWithExtension, startFixtures, saveSettings } from '../e2e/harness.mjs';

const RUNS = Number(process.argv[2] || 9);
const log = (...a) => console.error('[bench]', ...a);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** A copy of the built extension whose web-page contexts load the full module, as before the split. */
function fullModuleVariant(dir) {
  const out = mkdtempSync(join(tmpdir(), 'escucha-fullmodule-'));
  cpSync(dir, out, { recursive: true });
  const rewrite = (file, from, to) => {
    const path = join(out, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(from)) throw new Error(`${file} has no '${from}': the bench needs updating`);
    writeFileSync(path, text.replaceAll(from, to));
  };
  rewrite('manifest.json', 'wasm/escucha_content', 'wasm/escucha_web');
  rewrite('content/content.js', 'wasm/escucha_content_bg.wasm', 'wasm/escucha_web_bg.wasm');
  rewrite('matcher/matcher.html', 'wasm/escucha_content.js', 'wasm/escucha_web.js');
  rewrite('matcher/matcher.js', 'wasm/escucha_content_bg.wasm', 'wasm/escucha_web_bg.wasm');
  return out;
}

/** A plain article: 60 paragraphs, 20 of them mention the brand. */
function article() {
  const para = (i) => `<p>Paragraph ${i} of a long post about phones, prices and service. `
    + (i % 3 === 0 ? 'People keep asking about Acme Phone and its battery. ' : 'Nothing to see in this one, just words. ')
    + 'The thread goes on with replies, quotes and a few links.</p>';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Start-up</title></head><body><article>${
    Array.from({ length: 60 }, (_, i) => para(i)).join('\n')}</article></body></html>`;
}

const SETTINGS = {
  version: 1,
  brands: { version: 1, groups: [{ name: 'Bench', color: '#ffd54f', terms: [{ text: 'Acme Phone' }] }] },
  sites: {}, departments: ['Product'], sync: {},
};

// Main world, before the page's own scripts: the time of the first Escucha
// highlight with at least one range.
const WATCH = () => {
  window.__firstHighlight = new Promise((resolve) => {
    const timer = setInterval(() => {
      for (const [name, h] of CSS.highlights) {
        if (name.startsWith('escucha-g') && h.size > 0) { clearInterval(timer); resolve(performance.now()); return; }
      }
    }, 1);
  });
};

let seq = 0;
const HOSTS = 'startup.test';
/** One page load; `newSite`: from a host no earlier run used. */
async function oneRun(browser, port, newSite) {
  const page = await browser.context.newPage();
  const host = newSite ? `r${++seq}.${HOSTS}` : `same.${HOSTS}`;
  try {
    await page.addInitScript(WATCH);
    await page.goto(`http://${host}:${port}/article.html?r=${++seq}`, { waitUntil: 'load' });
    const first = await page.evaluate(() => Promise.race([
      window.__firstHighlight,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no highlight within 30 s')), 30000)),
    ]));
    const loadEnd = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
    return { first, afterLoad: first - loadEnd };
  } finally {
    await page.close();
  }
}

function sizes(file) {
  const raw = statSync(file).size;
  const gz = execFileSync('gzip', ['-9', '-c', file], { maxBuffer: 64 << 20 }).length;
  return { raw, gz };
}

const MODES = [['new site', true], ['same site', false]];

/**
 * The part of start-up that grows with the module: WebAssembly.compile of
 * its bytes (already in memory) in a page of a new site, so a new renderer
 * process whose V8 has no compiled copy of it yet.
 */
async function compileMs(browser, port, file) {
  const page = await browser.context.newPage();
  try {
    const bytes = readFileSync(file);
    await page.route('**/module.wasm', (route) => route.fulfill({ body: bytes, contentType: 'application/wasm' }));
    await page.goto(`http://c${++seq}.${HOSTS}:${port}/article.html`, { waitUntil: 'load' });
    return await page.evaluate(async () => {
      const b = await (await fetch('/module.wasm')).arrayBuffer();
      const t0 = performance.now();
      await WebAssembly.compile(b);
      return performance.now() - t0;
    });
  } finally {
    await page.close();
  }
}

async function main() {
  const variants = [
    { name: 'split: escucha_content', dir: EXTENSION_DIR, wasm: join(EXTENSION_DIR, 'wasm', 'escucha_content_bg.wasm') },
    { name: 'before: escucha_web (full)', dir: fullModuleVariant(EXTENSION_DIR), wasm: join(EXTENSION_DIR, 'wasm', 'escucha_web_bg.wasm') },
  ];
  const fixtures = await startFixtures({ '/article.html': article() });
  const port = new URL(fixtures.url).port;
  try {
    for (const v of variants) {
      v.size = sizes(v.wasm);
      v.browser = await launchWithExtension(v.dir, { args: [`--host-resolver-rules=MAP *.${HOSTS} 127.0.0.1`] });
      await saveSettings(v.browser.worker, SETTINGS);
      v.runs = { 'new site': [], 'same site': [] };
      v.compile = [];
    }
    // One untimed page each first, so the same-site process exists.
    for (const v of variants) await oneRun(v.browser, port, false);
    for (let i = 0; i < RUNS; i++) {
      for (const [mode, newSite] of MODES) {
        for (const v of (i % 2 ? variants : [...variants].reverse())) v.runs[mode].push(await oneRun(v.browser, port, newSite));
      }
      for (const v of variants) v.compile.push(await compileMs(variants[0].browser, port, v.wasm));
      log(`run ${i + 1}/${RUNS}: ${variants.map((v) => `${v.name} ${MODES.map(([m]) => `${m} ${v.runs[m].at(-1).first.toFixed(1)}`).join(' / ')} ms`).join('; ')}`);
    }
  } finally {
    for (const v of variants) await v.browser?.close();
    rmSync(variants[1].dir, { recursive: true, force: true });
    await fixtures.stop();
  }

  const stat = (runs) => ({
    first: median(runs.map((r) => r.first)),
    afterLoad: median(runs.map((r) => r.afterLoad)),
    min: Math.min(...runs.map((r) => r.first)),
    max: Math.max(...runs.map((r) => r.first)),
  });
  for (const v of variants) v.stats = Object.fromEntries(MODES.map(([m]) => [m, stat(v.runs[m])]));
  const [split, full] = variants;
  const kb = (b) => `${(b / 1024).toFixed(0)} KiB`;
  const ms = (x) => x.toFixed(1);
  const x = (a, b) => `${(a / b).toFixed(2)}×`;
  const lines = [
    '# Content-script start-up: split module vs full module', '',
    `Headless Chromium, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); ${RUNS} page loads per variant and mode (medians), alternating between the variants.`,
    'Figure: navigation start → first Escucha highlight in CSS.highlights; "after load": the same minus loadEventEnd.',
    '"new site": every page from a new host, so a new renderer process with nothing compiled; "same site": one host, process reused.', '',
    '| content scripts load | wasm raw | wasm gzip | mode | first highlight, median ms | min–max | after load, median ms |',
    '|---|---:|---:|---|---:|---:|---:|',
    ...variants.flatMap((v) => MODES.map(([m]) => `| ${v.name} | ${kb(v.size.raw)} | ${kb(v.size.gz)} | ${m} | ${ms(v.stats[m].first)} | ${ms(v.stats[m].min)}–${ms(v.stats[m].max)} | ${ms(v.stats[m].afterLoad)} |`)),
    '',
    'WebAssembly.compile of the module in a new renderer process (the part that grows with its size), median ms:',
    ...variants.map((v) => `- ${v.name}: ${ms(median(v.compile))} (${ms(Math.min(...v.compile))}–${ms(Math.max(...v.compile))})`),
    '',
    `Ratios (before ÷ split): size ${x(full.size.raw, split.size.raw)} raw, ${x(full.size.gz, split.size.gz)} gzip; `
      + `compile ${x(median(full.compile), median(split.compile))}; `
      + MODES.map(([m]) => `${m}: first highlight ${x(full.stats[m].first, split.stats[m].first)}, after load ${x(full.stats[m].afterLoad, split.stats[m].afterLoad)}`).join('; ') + '.',
  ];
  console.log(lines.join('\n'));
  mkdirSync(join(ROOT, 'tests', 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'tests', 'bench', 'results', 'content-startup-latest.md'), lines.join('\n') + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
