// Tier 3, a large import through the log page's Import button: the records
// are written in batched transactions with the progress on screen, in the
// manager's language, and every record lands. (200,000 records: the
// benchmark tests/bench/import.mjs; here 20,000 in English, 6,000 in Spanish.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension } from './harness.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

const NOW = Date.now();

function exportOf(count) {
  const captures = Array.from({ length: count }, (_, n) => {
    const ms = NOW - (count - n) * 60_000;
    const h = ms.toString(16).padStart(12, '0');
    const lww = (value) => ({ value, stamp: { ms, counter: 0, actor: 'dev-file' } });
    return {
      id: `${h.slice(0, 8)}-${h.slice(8)}-7000-8000-${String(n).padStart(12, '0')}`, createdMs: ms, createdBy: 'ana',
      context: lww({
        pageUrl: `https://foro.example/t/${n % 300}`, pageTitle: 'Hilo', site: 'foro.example',
        commentText: `Comentario ${n}: Movistar me cobró dos veces la factura de este mes y nadie responde`,
        authorName: `usuario${n}`, brand: 'Telefónica', term: 'Movistar', quote: { exact: 'Movistar', prefix: '', suffix: '' },
      }),
      sentiment: lww('negative'), department: lww(null), status: lww('new'), priority: lww('normal'),
      tags: lww([]), note: lww(''), deleted: lww(false),
    };
  });
  return Buffer.from(JSON.stringify({ format: 'escucha-log', version: 1, captures }));
}

/** Import `count` records on the log page; the progress lines seen and the final status line. */
async function importThroughPage(browser, count) {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/log/log.html`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.evaluate(() => {
    self.__progress = [];
    const el = document.getElementById('progress');
    new MutationObserver(() => { if (!el.hidden) self.__progress.push(el.textContent); })
      .observe(el, { childList: true, characterData: true, subtree: true, attributes: true });
  });
  await page.setInputFiles('#import-file', { name: 'export.json', mimeType: 'application/json', buffer: exportOf(count) });
  await page.waitForFunction((n) => document.body.dataset.importDone === String(n) && /\d/.test(document.getElementById('status').textContent),
    count, { timeout: 240000 });
  const seen = await page.evaluate(() => self.__progress);
  const status = await page.evaluate(() => document.getElementById('status').textContent);
  const counts = await page.evaluate((m) => chrome.runtime.sendMessage(m), { type: P.getLogStatus });
  await page.close();
  return { seen, status, counts };
}

test('importing 20,000 records shows progress batch by batch and lands every record', async () => {
  const browser = await launchWithExtension(undefined, { locale: 'en-US' });
  try {
    const { seen, status, counts } = await importThroughPage(browser, 20000);
    assert.equal(counts.type, A.ok, JSON.stringify(counts));
    assert.equal(counts.total, 20000);
    assert.equal(counts.pending, 20000, 'every imported record is queued for the team log');
    // One line per committed batch of 2,000 (and the start), in order.
    const done = seen.map((s) => s.match(/^Importing: ([\d,]+) of 20,000 records written/)?.[1]).filter(Boolean).map((d) => Number(d.replace(/,/g, '')));
    assert.ok(done.length >= 5, `progress lines: ${JSON.stringify(seen.slice(0, 20))}`);
    assert.deepEqual(done, [...done].sort((a, b) => a - b), 'progress only moves forward');
    assert.ok(done.includes(2000) && done.includes(20000), JSON.stringify(done));
    assert.match(status, /20,000 new/, status);
  } finally { await browser.close(); }
});

test('the import progress is in Spanish for a Spanish browser', async () => {
  const browser = await launchWithExtension(undefined, { args: ['--lang=es'], locale: 'es-ES' });
  try {
    const { seen, counts } = await importThroughPage(browser, 6000);
    assert.equal(counts.total, 6000);
    assert.ok(seen.some((s) => /^Importando: [\d.\s]+ de [\d.\s]+ registros escritos/.test(s)), JSON.stringify(seen.slice(0, 10)));
    assert.ok(!seen.some((s) => /Importing/.test(s)), 'no English line');
  } finally { await browser.close(); }
});
