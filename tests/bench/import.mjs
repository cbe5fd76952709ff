// Import benchmark: a JSON export of N realistic captures (default 200,000)
// imported through the log page's Import button, in the built extension.
// Reports the wall time until every record is written (batched transactions,
// progress on screen), until the page shows the result (it then re-reads the
// whole log), and the memory of the tab: the peak resident set (VmHWM) of the
// log page's renderer process, found through CDP SystemInfo.getProcessInfo
// among this Chromium's own children, and performance.memory at the end.
//
//   node tests/bench/import.mjs [count]
//
// Prints a table and writes tests/bench/results/import-latest.md. Asserts only
// that every record landed (the figures would be meaningless otherwise).
import { writeFileSync, mkdirSync, mkdtempSync, createWriteStream, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, EXTENSION_DIR, removeDir } from '../e2e/harness.mjs';
import { launchBrowser, sleep } from '../e2e/teamlog.mjs';
import { PageRequest as P } from '../e2e/protocol.mjs';

const COUNT = Number(process.argv[2] || 200000);
const NOW = Date.now();
const WORDS = ['Movistar', 'factura', 'me', 'cobraron', 'dos', 'veces', 'el', 'router', 'no', 'funciona', 'desde', 'ayer', 'y', 'nadie',
  'responde', 'en', 'atención', 'al', 'cliente', 'llevo', 'tres', 'semanas', 'esperando', 'un', 'técnico', 'fibra', 'cortes', 'cada', 'noche'];

/** One capture as an export holds it: a comment of a few hundred characters. */
function capture(n) {
  const ms = NOW - (COUNT - n) * 30_000;
  const h = ms.toString(16).padStart(12, '0');
  const id = `${h.slice(0, 8)}-${h.slice(8)}-7000-8000-${String(n).padStart(12, '0')}`;
  const text = Array.from({ length: 40 + (n % 40) }, (_, i) => WORDS[(n * 7 + i * 13) % WORDS.length]).join(' ');
  const st = { ms, counter: 0, actor: `dev-${n % 5}` };
  const lww = (value) => ({ value, stamp: st });
  return {
    id, createdMs: ms, createdBy: ['ana', 'bo', 'cai', 'dani', 'eva'][n % 5],
    context: lww({
      pageUrl: `https://foro.example/t/${n % 500}`, pageTitle: `Hilo ${n % 500}: problemas con la factura`, site: 'foro.example',
      commentText: `Comentario ${n}: ${text}`, authorName: `usuario${n % 3000}`, brand: 'Telefónica', term: 'Movistar',
      quote: { exact: 'Movistar', prefix: `Comentario ${n}: `, suffix: ` ${text.slice(0, 30)}` },
    }),
    sentiment: lww(['negative', 'neutral', 'positive'][n % 3]), department: lww(n % 4 === 0 ? 'Soporte' : null),
    status: lww('new'), priority: lww('normal'), tags: lww(n % 3 === 0 ? ['factura'] : []), note: lww(n % 10 === 0 ? 'llamar' : ''),
    deleted: lww(false),
  };
}

async function writeExport(path) {
  const out = createWriteStream(path);
  const write = (s) => (out.write(s) ? null : new Promise((r) => out.once('drain', r)));
  await write(`{"format":"escucha-log","version":1,"exportedMs":${NOW},"captures":[`);
  for (let n = 0; n < COUNT; n++) await write((n ? ',' : '') + JSON.stringify(capture(n)));
  await write(']}');
  await new Promise((r) => out.end(r));
}

/** Pids of `root`'s descendants. */
function descendants(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { parent.set(Number(d), Number(readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1])); } catch { /* gone */ }
  }
  const out = new Set();
  for (const pid of parent.keys()) {
    for (let p = pid, hops = 0; p && hops < 10; p = parent.get(p), hops++) if (p === root) { out.add(pid); break; }
  }
  return out;
}

function kb(pid, field) {
  try { return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`))[1]); } catch { return 0; }
}

const dir = mkdtempSync(join(tmpdir(), 'escucha-import-bench-'));
const file = join(dir, 'export.json');
await writeExport(file);
const fileMb = statSync(file).size / 1e6;
const profile = mkdtempSync(join(tmpdir(), 'escucha-import-profile-'));
const b = await launchBrowser(profile, EXTENSION_DIR);
try {
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.lastId}/log/log.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  // Every renderer of this Chromium is sampled and the largest reported
  // (extension pages share one; other helpers' browsers are not ours).
  const cdp = await b.browser.newBrowserCDPSession();
  const renderers = async () => {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    const ours = descendants(b.child.pid);
    return processInfo.filter((p) => p.type === 'renderer' && ours.has(p.id)).map((p) => p.id);
  };
  const pids = await renderers();
  let peakRss = 0;
  const sampler = setInterval(() => { for (const p of pids) peakRss = Math.max(peakRss, kb(p, 'VmRSS')); }, 250);
  const t0 = Date.now();
  // Playwright refuses files over 50 MB over a CDP connection; the browser
  // is on this machine, so CDP gives it the path itself.
  const pageCdp = await b.context.newCDPSession(page);
  const { root } = await pageCdp.send('DOM.getDocument');
  const { nodeId } = await pageCdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#import-file' });
  await pageCdp.send('DOM.setFileInputFiles', { nodeId, files: [file] });
  let firstProgress = null;
  let tWritten = null;
  const deadline = Date.now() + 3_600_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('import did not finish within an hour');
    const s = await page.evaluate(() => ({
      done: document.body.dataset.importDone, total: document.body.dataset.importTotal,
      progress: document.getElementById('progress').textContent, status: document.getElementById('status').textContent,
    }));
    if (s.done && firstProgress === null && Number(s.done) > 0) firstProgress = s.progress;
    if (s.total && s.done === s.total && tWritten === null) tWritten = Date.now() - t0;
    if (tWritten !== null && /\d/.test(s.status)) { console.log(`# status: ${s.status}`); break; }
    await sleep(250);
  }
  const tShown = Date.now() - t0;
  clearInterval(sampler);
  const hwm = Math.max(...pids.map((p) => kb(p, 'VmHWM')));
  const heap = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : null);
  const status = await page.evaluate((m) => chrome.runtime.sendMessage(m), { type: P.getLogStatus });
  if (status.total !== COUNT) throw new Error(`expected ${COUNT} records, the log holds ${status.total}`);
  const lines = [
    `# Import benchmark (${COUNT.toLocaleString('en')} captures, ${fileMb.toFixed(0)} MB export)`, '',
    `Chromium headless, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); log page Import button; transactions of 2,000 records.`, '',
    '| figure | value |', '|---|---:|',
    `| every record written (last batch committed) | ${(tWritten / 1000).toFixed(1)} s |`,
    `| result shown (after re-reading the whole log into the page) | ${(tShown / 1000).toFixed(1)} s |`,
    `| records in the log afterwards | ${status.total.toLocaleString('en')} |`,
    `| peak resident memory of the page's renderer (VmHWM, largest of ${pids.length}) | ${(hwm / 1024).toFixed(0)} MB |`,
    `| resident memory sampled every 250 ms, largest | ${(peakRss / 1024).toFixed(0)} MB |`,
    `| JS heap at the end (performance.memory.usedJSHeapSize) | ${heap === null ? '—' : (heap / 1e6).toFixed(0) + ' MB'} |`,
    '', `First progress line seen: “${firstProgress ?? '(none)'}”`,
  ];
  console.log(lines.join('\n'));
  mkdirSync(join(ROOT, 'tests', 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'tests', 'bench', 'results', 'import-latest.md'), lines.join('\n') + '\n');
  await cdp.detach();
} finally {
  await b.close();
  removeDir(profile);
  removeDir(dir);
}
