// Local-log benchmark: fills IndexedDB with realistic captures from an
// extension page (where the log page will run) and times the bulk paths,
// each next to its floor (raw getAll, no deserialization) in the same run.
//
//   node tests/bench/store.mjs [count]        (default 50,000)
//
// Prints a table and writes tests/bench/results/store-latest.md. Asserts nothing.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { ROOT, launchWithExtension } from '../e2e/harness.mjs';

const COUNT = Number(process.argv[2] || 50000);
const browser = await launchWithExtension();
try {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/popup/popup.html`);
  await page.evaluate(() => self.escuchaReady);
  const r = await page.evaluate(({ count }) => wasm_bindgen.bench_store(`escucha-bench-${Date.now()}`, count), { count: COUNT });
  const usage = await page.evaluate(() => navigator.storage.estimate());
  const x = (a, b) => `${(a / b).toFixed(2)}×`;
  const rows = [
    ['merge (import) of new records, one transaction', r.mergeNewMs, ''],
    ['merge of the same records again (nothing to write)', r.mergeAgainMs, ''],
    ['all(): getAll + one JSON pass into Capture', r.allMs, `${x(r.allMs, r.rawGetAllMs)} raw getAll`],
    ['raw getAll, JS objects only (floor)', r.rawGetAllMs, '1.00×'],
    [`page_captures (one page, ${r.pageCapturesFound} found)`, r.pageCapturesMs, ''],
    ['log_capture into the full log, median of 21 (strict commit)', r.logCaptureMedianMs, ''],
    ['newest(200): first rows for the log page (cursor on created)', r.newestMs, `${x(r.newestMs, r.allMs)} all()`],
    ['whole log via chunk() in pieces of 2,500 (log page background read)', r.chunkedMs, `${x(r.chunkedMs, r.allMs)} all()`],
    ['status(): kept totals (one read from meta)', r.statusMs, `${x(r.statusMs, r.statusByIndexMs)} counting`],
    ['status by counting through indexes (before; once for an old database)', r.statusByIndexMs, '1.00×'],
  ];
  const mb = (usage.usageDetails?.indexedDB ?? usage.usage) / 1e6;
  const lines = [
    `# Local log benchmark (${r.records.toLocaleString('en')} captures)`, '',
    `Chromium headless, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); IndexedDB on disk: ${mb.toFixed(1)} MB (${(mb * 1e6 / r.records / 1000).toFixed(2)} KB per capture).`, '',
    '| operation | ms | ratio |', '|---|---:|---|',
    ...rows.map(([name, ms, ratio]) => `| ${name} | ${ms.toFixed(1)} | ${ratio} |`),
  ];
  console.log(lines.join('\n'));
  mkdirSync(join(ROOT, 'tests', 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'tests', 'bench', 'results', 'store-latest.md'), lines.join('\n') + '\n');
} finally {
  await browser.close();
}
