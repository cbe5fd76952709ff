// Log page benchmark: 50,000 captures in the real IndexedDB store, the real
// log page in headless Chromium.
//
//   make bench-log        (builds, runs the native bench_log first)
//   node tests/bench/log_page.mjs   (needs target/bench_log_captures.json and
//                                    tests/bench/results/log-native.json from
//                                    `cargo run --release -p escucha-core --example bench_log -- --emit … --results …`)
//
// Seeds the store by importing the native benchmark's generated captures
// through the page's own Import button, then measures (median of RUNS):
// page load to first rows painted (and its read / index parts), search
// (query + facet recount + row render + next paint), facet filters, sort and
// a scroll jump. Prints figures and ratios against the native core figures.
// It asserts nothing.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchWithExtension } from '../e2e/harness.mjs';
import { PageRequest as P } from '../e2e/protocol.mjs';

const RUNS = 7;
const CAPTURES = join(ROOT, 'target', 'bench_log_captures.json');
const NATIVE = join(ROOT, 'tests', 'bench', 'results', 'log-native.json');
if (!existsSync(CAPTURES) || !existsSync(NATIVE)) {
  console.error(`missing ${CAPTURES} or ${NATIVE}: run \`make bench-log\``);
  process.exit(1);
}
const native = JSON.parse(readFileSync(NATIVE, 'utf8'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(x < 10 ? 2 : 1).padStart(9);

const browser = await launchWithExtension();
const out = [];
const row = (name, ms, nativeKey, extra = '') => {
  const n = nativeKey ? native[nativeKey] : undefined;
  const ratio = n ? `  core native ${n.toFixed(2)} ms, page/native ${(ms / n).toFixed(1)}x` : '';
  const line = `${name.padEnd(44)} ${fmt(ms)} ms${ratio}${extra ? '  ' + extra : ''}`;
  console.log(line);
  out.push(line);
};

try {
  const url = `chrome-extension://${browser.extensionId}/log/log.html`;
  let page = await browser.context.newPage();
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 30000 });
  const size = readFileSync(CAPTURES).length;
  const t0 = Date.now();
  await page.setInputFiles('#import-file', CAPTURES);
  await page.waitForFunction(() => /^(Imported|Nothing)/.test(document.querySelector('#status').textContent), null, { timeout: 600000 });
  const importMs = Date.now() - t0;
  const status = await page.locator('#status').textContent();
  console.log(`seeded: ${status} (${(size / 1e6).toFixed(1)} MB file, import + store merge + reload ${(importMs / 1000).toFixed(1)} s)\n`);
  await page.close();

  // Load: navigation → first rows painted, and → the whole log read and
  // indexed. An init script stamps both moments from inside the page (it
  // works on builds from before the page painted early, where both are one).
  const load = { first: [], ready: [], firstRead: [], status: [] };
  let shape;
  for (let i = 0; i < RUNS; i++) {
    page = await browser.context.newPage();
    await page.addInitScript(() => {
      const marks = {};
      window.__marks = marks;
      new MutationObserver(() => {
        if (!marks.rowsAt && document.querySelector('#rows .row')) {
          marks.rowsAt = performance.now();
          marks.loadedAtFirst = Number(document.body.dataset.loaded || 0);
          requestAnimationFrame(() => requestAnimationFrame(() => { marks.firstPaint = performance.now(); }));
        }
        if (!marks.readyAt && document.body?.dataset.ready === 'true') {
          marks.readyAt = performance.now();
          requestAnimationFrame(() => requestAnimationFrame(() => { marks.readyPaint = performance.now(); }));
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__marks?.readyPaint && window.__marks?.firstPaint, null, { timeout: 120000, polling: 50 });
    const r = await page.evaluate(() => ({
      ...window.__marks,
      firstRead: Number(document.body.dataset.firstReadMs ?? document.body.dataset.loadReadMs),
      rows: document.querySelectorAll('#rows .row').length, total: Number(document.body.dataset.rows),
    }));
    load.first.push(r.firstPaint); load.ready.push(r.readyPaint); load.firstRead.push(r.firstRead);
    // The popup's status, through the service worker as the popup asks.
    const t = await page.evaluate(async (m) => { const t = performance.now(); await chrome.runtime.sendMessage(m); return performance.now() - t; }, { type: P.getLogStatus });
    load.status.push(t);
    shape = r;
    if (i < RUNS - 1) await page.close();
  }
  console.log(`page shows ${shape.total} rows, ${shape.rows} in the DOM\n`);
  row('load: navigation → first rows painted', median(load.first));
  row('  of which: read the first rows from IndexedDB', median(load.firstRead));
  row('load: navigation → whole log read, indexed, painted', median(load.ready), null,
    `first rows at ${(100 * median(load.first) / median(load.ready)).toFixed(0)}% of it`);
  row('popup status (getLogStatus round trip)', median(load.status));
  console.log();

  // One measured interaction: act in the page (the handler runs the query
  // and renders synchronously), then wait two frames for the paint.
  const measure = (act) => page.evaluate((act) => new Promise((res) => {
    const t = performance.now();
    const runsBefore = Number(document.body.dataset.queryRuns);
    new Function(act)();
    const sync = performance.now() - t;
    const rows = Number(document.body.dataset.rows);
    if (Number(document.body.dataset.queryRuns) === runsBefore) throw new Error('no query ran');
    requestAnimationFrame(() => requestAnimationFrame(() => res({ sync, painted: performance.now() - t, rows, query: Number(document.body.dataset.queryMs) })));
  }), act);
  const search = (q) => `const s = document.querySelector('#search'); s.value = ${JSON.stringify(q)}; s.dispatchEvent(new Event('change', { bubbles: true }));`;
  const select = (sel, pick) => `const s = document.querySelector(${JSON.stringify(sel)}); s.value = [...s.options].find(o => o.textContent.startsWith(${JSON.stringify(pick)}))?.value ?? ''; s.dispatchEvent(new Event('change', { bubbles: true }));`;
  // Figures: wall time to the next paint, and the part spent in our handler
  // (query + facet recount + row render); the ratio compares that part with
  // the same query in the native core.
  const bench = async (name, act, reset, nativeKey) => {
    const painted = [];
    const sync = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      if (reset) await measure(reset);
      last = await measure(act);
      painted.push(last.painted);
      sync.push(last.sync);
    }
    if (reset) await measure(reset);
    const n = nativeKey ? native[nativeKey] : undefined;
    const s = median(sync);
    const line = `${name.padEnd(34)} ${fmt(median(painted))} ms painted ${fmt(s)} ms in handler  ${String(last.rows).padStart(6)} rows` +
      (n ? `   native core ${n.toFixed(2)} ms, handler/native ${(s / n).toFixed(1)}x` : '');
    console.log(line);
    out.push(line);
  };
  for (const q of ['movistar', 'factura', 'cobraron dos veces', 'malaga', 'NUNEZ', 'zzzz-nothing', 'llamar manana']) {
    await bench(`search ${JSON.stringify(q)}`, search(q), search(''), `search ${JSON.stringify(q)}`);
  }
  await measure(search(''));
  await bench('filter brand=Telefónica', select('#filter-brand', 'Telefónica'), select('#filter-brand', 'Any'), 'filter brand=Telefónica');
  await bench('filter sentiment=Negative', select('#filter-sentiment', 'Negative'), select('#filter-sentiment', 'Any'));
  await bench('sort by author', select('#sort', 'Author'), select('#sort', 'Capture date'), 'query + sort author');
  await bench('no filter (all rows, facets)', search(''), null, 'filter no filter (all rows + facets)');
  // Scroll: jump to the middle; only the rows in view are rendered.
  const jumps = [];
  for (let i = 0; i < RUNS; i++) {
    jumps.push(await page.evaluate(({ i, runs }) => new Promise((res) => {
      const v = document.querySelector('#list');
      const t = performance.now();
      v.scrollTop = (v.scrollHeight / (runs + 1)) * (i + 1);
      requestAnimationFrame(() => requestAnimationFrame(() => res(performance.now() - t)));
    }), { i, runs: RUNS }));
  }
  row('scroll jump → rows painted', median(jumps), null, `(${await page.$$eval('#rows .row', (r) => r.length)} rows in the DOM)`);
} finally {
  await browser.close();
}
mkdirSync(join(ROOT, 'tests', 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'tests', 'bench', 'results', 'log-page-latest.md'), '```\n' + out.join('\n') + '\n```\n');
