// Tier 3, the log page on a log too big to read at once: it paints the
// newest captures first, then reads the rest in pieces, saying how far it
// got. Asserts what was on screen and in what order, never how long it took.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchWithExtension } from './harness.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

const COUNT = 3000;
const NOW = Date.now();
let browser;

// The highest n is the newest capture and has the highest id: the pieces,
// read in id order, bring the oldest first, so only a read by creation time
// can put the newest on screen first.
const id = (n) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const st = (ms) => ({ ms, counter: 0, actor: 'dev-test' });
const lww = (value, ms) => ({ value, stamp: st(ms) });

function capture(n) {
  const ms = NOW - (COUNT - n) * 60_000;
  return {
    id: id(n), createdMs: ms, createdBy: 'ana',
    context: lww({
      pageUrl: `https://foro.example/t/${n % 40}`, pageTitle: `Hilo ${n % 40}`, site: 'foro.example',
      commentText: `Comentario clave${n}x: Movistar me cobró dos veces la factura de este mes`,
      authorName: `usuario${n}`, brand: 'Telefónica', term: 'Movistar',
      quote: { exact: 'Movistar', prefix: '', suffix: '' },
    }, ms),
    sentiment: lww('negative', ms), department: lww(null, ms), status: lww('new', ms),
    priority: lww('normal', ms), tags: lww([], ms), note: lww('', ms), deleted: lww(false, ms),
  };
}

before(async () => {
  browser = await launchWithExtension();
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/popup/popup.html`);
  const captures = Array.from({ length: COUNT }, (_, n) => capture(n));
  const reply = await page.evaluate((m) => chrome.runtime.sendMessage(m), { type: P.importCaptures, json: JSON.stringify({ format: 'escucha-log', version: 1, captures }) });
  assert.equal(reply.type, A.ok, JSON.stringify(reply));
  assert.equal(reply.added, COUNT);
  await page.close();
});

after(async () => { await browser?.close(); });

test('the popup status counts an import from the kept totals', async () => {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/popup/popup.html`);
  const status = await page.evaluate((m) => chrome.runtime.sendMessage(m), { type: P.getLogStatus });
  assert.equal(status.type, A.ok, JSON.stringify(status));
  assert.equal(status.total, COUNT);
  assert.equal(status.pending, COUNT, 'an import is queued for the team log');
  assert.equal(status.quarantined, 0);
  await page.close();
});

test('newest captures are painted before the rest of the log is read; then all of it is searchable', async () => {
  const page = await browser.context.newPage();
  // Record, as the page changes, what was on screen when the first rows
  // appeared, and every count and progress line shown.
  await page.addInitScript(() => {
    const seen = { first: null, counts: [], progress: [] };
    window.__seen = seen;
    new MutationObserver(() => {
      const body = document.body;
      if (!body) return;
      const rows = [...document.querySelectorAll('#rows .row')];
      if (!seen.first && rows.length) {
        seen.first = {
          ready: body.dataset.ready ?? null,
          ids: rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((r) => r.dataset.id),
        };
      }
      const count = document.querySelector('#count')?.textContent;
      if (count && count !== seen.counts.at(-1)) seen.counts.push(count);
      const progress = document.querySelector('#progress');
      if (progress && !progress.hidden && progress.textContent !== seen.progress.at(-1)) seen.progress.push(progress.textContent);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.goto(`chrome-extension://${browser.extensionId}/log/log.html`);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 60000 });
  const seen = await page.evaluate(() => window.__seen);

  assert.ok(seen.first, 'rows appeared');
  assert.equal(seen.first.ready, null, 'the first rows were on screen before the whole log was read');
  const newest = Array.from({ length: 200 }, (_, i) => id(COUNT - 1 - i));
  assert.deepEqual(seen.first.ids, newest.slice(0, seen.first.ids.length), 'the first rows are the newest, newest first');

  // Counts grew from the first rows to the whole log.
  const shown = seen.counts.filter((c) => /^[\d,]+ of [\d,]+ captures$/.test(c)).map((c) => Number(c.split(' of ')[1].split(' ')[0].replace(/,/g, '')));
  assert.equal(shown[0], 200, seen.counts.join(' | '));
  assert.equal(shown.at(-1), COUNT, seen.counts.join(' | '));
  assert.deepEqual(shown, [...shown].sort((a, b) => a - b), 'never went back');
  assert.ok(seen.progress.length >= 1, 'a progress line was shown');
  assert.ok(seen.progress.every((p) => /^Still reading the log: [\d,]+ of 3,000 captures so far\./.test(p)), seen.progress.join(' | '));
  assert.equal(await page.locator('#progress').isHidden(), true, 'the progress line goes once all is read');
  assert.equal(await page.evaluate(() => Number(document.body.dataset.loaded)), COUNT);

  // The oldest capture (read last) is found, and the view still starts with the newest.
  const rowIds = () => page.$$eval('#rows .row', (rows) => rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((r) => r.dataset.id));
  assert.equal((await rowIds())[0], id(COUNT - 1));
  const runs = await page.evaluate(() => Number(document.body.dataset.queryRuns));
  await page.fill('#search', 'clave0x');
  await page.waitForFunction((n) => Number(document.body.dataset.queryRuns) > n, runs);
  assert.deepEqual(await rowIds(), [id(0)]);
  await page.close();
});
