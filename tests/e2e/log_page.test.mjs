// Tier 3, the log page: captures seeded through the real store (importCaptures
// to the service worker), then search, filters, sort, inline edits that
// survive a reload, delete + undo, exports parsed back, import merging by id,
// "open comment", and hostile comment text that must stay text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchWithExtension, startFixtures, useDemoBrands } from './harness.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

let browser;
let fixtures;

const NOW = Date.now();
const HOSTILE_TEXT = '<img src=x onerror="window.__pwned=1"> Movistar <script>window.__pwned=2</script>';
const HOSTILE_AUTHOR = '<img src=y onerror="window.__pwned=3">';

const id = (n) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const st = (ms, actor = 'dev-test') => ({ ms, counter: 0, actor });
const lww = (value, ms) => ({ value, stamp: st(ms) });

function capture(n, { text, author, brand = 'Telefónica', term = 'Movistar', site = 'foro.example', member = 'ana', sentiment = 'neutral', status = 'new', department = null, note = '', tags = [], minutesAgo = n, permalink } = {}) {
  const ms = NOW - minutesAgo * 60_000;
  return {
    id: id(n),
    createdMs: ms,
    createdBy: member,
    context: lww({
      pageUrl: `${fixtures.url}/forum.html?t=${n}`,
      pageTitle: `Hilo ${n}`,
      site,
      commentText: text,
      authorName: author,
      permalink: permalink ?? `${fixtures.url}/forum.html?p=${n}`,
      brand, term,
      quote: { exact: term, prefix: '', suffix: '' },
      position: { start: 0, end: term.length },
    }, ms),
    sentiment: lww(sentiment, ms), department: lww(department, ms), status: lww(status, ms),
    priority: lww('normal', ms), tags: lww(tags, ms), note: lww(note, ms), deleted: lww(false, ms),
  };
}

function seedRecords() {
  return [
    capture(1, { text: 'Movistar me cobró dos veces la factura', author: 'José Pérez', sentiment: 'negative', status: 'needsResponse', department: 'Facturación' }),
    capture(2, { text: 'La atención de Movistar fue excelente', author: 'Ana Núñez', sentiment: 'positive', member: 'luis' }),
    capture(3, { text: 'Iberia perdió mi maleta en Barajas', author: 'Zoë', brand: 'Iberia', term: 'Iberia', site: 'x.example', sentiment: 'negative' }),
    capture(4, { text: '¿Iberia vuela a Málaga en agosto?', author: 'Íñigo', brand: 'Iberia', term: 'Iberia', site: 'x.example', sentiment: 'question' }),
    capture(5, { text: HOSTILE_TEXT, author: HOSTILE_AUTHOR, note: '<b>not bold</b>', tags: ['javascript:alert(1)'] }),
  ];
}

before(async () => {
  fixtures = await startFixtures();
  browser = await launchWithExtension();
  await useDemoBrands(browser);
  // Seed through the product's own path: an extension page asks the service worker to import.
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/log/log.html`);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 20000 });
  const reply = await page.evaluate((m) => chrome.runtime.sendMessage(m), { type: P.importCaptures, json: JSON.stringify({ format: 'escucha-log', version: 1, captures: seedRecords() }) });
  assert.equal(reply.type, A.ok, JSON.stringify(reply));
  assert.equal(reply.added, 5);
  // A `javascript:` permalink cannot come in through import; plant one in the
  // database directly, as a hostile sync peer or an old bug might have.
  await page.evaluate((hostileId) => new Promise((resolve, reject) => {
    const open = indexedDB.open('escucha');
    open.onsuccess = () => {
      const tx = open.result.transaction('captures', 'readwrite');
      const store = tx.objectStore('captures');
      const get = store.get(hostileId);
      get.onsuccess = () => {
        // Rows keep the record as one JSON string (see src/web/src/store).
        const row = get.result;
        const r = JSON.parse(row.record);
        r.context.value.permalink = 'javascript:window.__pwned=4';
        r.context.value.authorUrl = 'javascript:window.__pwned=5';
        row.record = JSON.stringify(r);
        store.put(row);
      };
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the planting transaction aborted'));
    };
    open.onerror = () => reject(open.error);
  }), id(5));
  await page.close();
});

after(async () => {
  await browser?.close();
  await fixtures?.stop();
});

async function openLog() {
  const page = await browser.context.newPage();
  await page.addInitScript(() => { window.__pwned = undefined; });
  await page.goto(`chrome-extension://${browser.extensionId}/log/log.html`);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 20000 });
  return page;
}

const rowCount = (page) => page.evaluate(() => Number(document.body.dataset.rows));
const rowAuthors = (page) => page.$$eval('#rows .row', (rows) =>
  rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((r) => r.querySelector('.author').textContent));

/** Run `act`, then wait until the page has run another query. */
async function afterQuery(page, act) {
  const before = await page.evaluate(() => Number(document.body.dataset.queryRuns));
  await act();
  await page.waitForFunction((n) => Number(document.body.dataset.queryRuns) > n, before, { timeout: 10000 });
}

async function chooseFacet(page, facet, labelStart) {
  await afterQuery(page, async () => {
    const value = await page.$eval(`#filter-${facet}`, (s, l) => [...s.options].find((o) => o.textContent.startsWith(l))?.value, labelStart);
    assert.ok(value !== undefined, `no ${facet} option starting with ${labelStart}`);
    await page.selectOption(`#filter-${facet}`, value);
  });
}

test('hostile comment text, author and links stay text; nothing executes', async () => {
  const page = await openLog();
  assert.equal(await rowCount(page), 5);
  const row = page.locator(`.row[data-id="${id(5)}"]`);
  assert.equal(await row.locator('.comment').textContent(), HOSTILE_TEXT);
  assert.equal(await row.locator('.author').textContent(), HOSTILE_AUTHOR);
  assert.equal(await row.locator('input[data-field=note]').inputValue(), '<b>not bold</b>');
  assert.equal(await page.locator('#rows img, #rows script, #rows b, #rows a').count(), 0, 'no element parsed out of page text');
  await page.waitForTimeout(300); // give any onerror a chance to fire
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // Open comment: the javascript: permalink is never followed; the page URL is.
  const [tab] = await Promise.all([browser.context.waitForEvent('page'), row.locator('[data-action=open]').click()]);
  await tab.waitForLoadState('domcontentloaded');
  assert.equal(tab.url(), `${fixtures.url}/forum.html?t=5`);
  const session = await browser.worker.evaluate(() => chrome.storage.session.get(null));
  assert.ok(Object.entries(session).some(([k, v]) => k.startsWith('revealCapture:') && v === id(5)), JSON.stringify(session));
  await tab.close();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await page.close();
});

test('search ignores case and accents; filters and facet counts; sort', async () => {
  const page = await openLog();
  await afterQuery(page, () => page.fill('#search', 'COBRO'));
  assert.equal(await rowCount(page), 1);
  await afterQuery(page, () => page.fill('#search', 'malaga'));
  assert.deepEqual(await rowAuthors(page), ['Íñigo']);
  await afterQuery(page, () => page.fill('#search', ''));
  assert.equal(await rowCount(page), 5);

  await chooseFacet(page, 'brand', 'Iberia');
  assert.equal(await rowCount(page), 2);
  // Sentiment counts are among Iberia captures.
  const sentiments = await page.$$eval('#filter-sentiment option', (os) => os.map((o) => o.textContent));
  assert.ok(sentiments.some((s) => /^Negative \(1\)$/.test(s)), sentiments.join('|'));
  await chooseFacet(page, 'sentiment', 'Question');
  assert.deepEqual(await rowAuthors(page), ['Íñigo']);
  await afterQuery(page, () => page.selectOption('#filter-sentiment', ''));
  await afterQuery(page, () => page.selectOption('#filter-brand', ''));
  await chooseFacet(page, 'member', 'luis');
  assert.deepEqual(await rowAuthors(page), ['Ana Núñez']);
  await afterQuery(page, () => page.selectOption('#filter-member', ''));
  await chooseFacet(page, 'department', 'Facturación');
  assert.deepEqual(await rowAuthors(page), ['José Pérez']);
  await afterQuery(page, () => page.selectOption('#filter-department', ''));

  // Sort by author, ascending (accents folded: Íñigo sorts with I).
  const authorSort = await page.$eval('#sort', (s) => [...s.options].find((o) => o.textContent === 'Author').value);
  await afterQuery(page, () => page.selectOption('#sort', authorSort));
  await afterQuery(page, () => page.uncheck('#descending'));
  assert.deepEqual(await rowAuthors(page), [HOSTILE_AUTHOR, 'Ana Núñez', 'Íñigo', 'José Pérez', 'Zoë']);
  // Default order: newest capture first.
  await afterQuery(page, () => page.selectOption('#sort', '0'));
  await afterQuery(page, () => page.check('#descending'));
  assert.deepEqual((await rowAuthors(page)).slice(0, 2), ['José Pérez', 'Ana Núñez']);
  // Date filter: today only (all seeds are minutes old) vs. a past day.
  await afterQuery(page, () => page.fill('#date-to', '2000-01-01'));
  assert.equal(await rowCount(page), 0);
  await afterQuery(page, () => page.fill('#date-to', ''));
  assert.equal(await rowCount(page), 5);
  // Numbers and dates come from Intl in the browser's locale.
  assert.match(await page.locator('#count').textContent(), /^5 of 5 captures$/);
  assert.ok((await page.locator(`.row[data-id="${id(1)}"] time`).textContent()).length > 6);
  await page.close();
});

test('inline edits persist across a reload', async () => {
  let page = await openLog();
  const row = () => page.locator(`.row[data-id="${id(2)}"]`);
  await afterQuery(page, () => row().locator('select[data-field=status]').selectOption('escalated'));
  await afterQuery(page, () => row().locator('select[data-field=sentiment]').selectOption('negative'));
  await afterQuery(page, async () => { await row().locator('input[data-field=note]').fill('Llamar mañana'); await row().locator('input[data-field=note]').press('Enter'); });
  await afterQuery(page, async () => { await row().locator('input[data-field=tags]').fill('elogio, tienda'); await row().locator('input[data-field=tags]').press('Enter'); });
  await page.close();
  page = await openLog();
  assert.equal(await row().locator('select[data-field=status]').inputValue(), 'escalated');
  assert.equal(await row().locator('select[data-field=sentiment]').inputValue(), 'negative');
  assert.equal(await row().locator('input[data-field=note]').inputValue(), 'Llamar mañana');
  assert.equal(await row().locator('input[data-field=tags]').inputValue(), 'elogio, tienda');
  // The edit is searchable at once (accent-insensitive).
  await afterQuery(page, () => page.fill('#search', 'manana'));
  assert.equal(await rowCount(page), 1);
  await page.close();
});

test('delete with undo; a delete without undo survives a reload', async () => {
  let page = await openLog();
  await afterQuery(page, () => page.locator(`.row[data-id="${id(3)}"] [data-action=delete]`).click());
  assert.equal(await rowCount(page), 4);
  await page.locator('#toast:not([hidden]) #undo').waitFor();
  await afterQuery(page, () => page.click('#undo'));
  assert.equal(await rowCount(page), 5);
  await page.close();
  page = await openLog();
  assert.equal(await rowCount(page), 5, 'undone delete stays undone');
  await afterQuery(page, () => page.locator(`.row[data-id="${id(4)}"] [data-action=delete]`).click());
  await page.close();
  page = await openLog();
  assert.equal(await rowCount(page), 4);
  assert.equal(await page.locator(`.row[data-id="${id(4)}"]`).count(), 0);
  await page.close();
});

async function download(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

test('exports: CSV with BOM and accents, JSON that re-imports, Web Annotations', async () => {
  const page = await openLog();
  const csv = await download(page, '#export-csv');
  assert.match(csv.name, /^escucha-log-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  const text = csv.bytes.toString('utf8');
  assert.ok(text.includes('Movistar me cobró dos veces la factura'));
  assert.ok(text.includes('Facturación') && text.includes('José Pérez') && text.includes('Zoë'));
  assert.ok(text.includes('"<img src=x onerror=""window.__pwned=1""> Movistar <script>window.__pwned=2</script>"'), 'quotes doubled, payload literal');
  assert.ok(text.split('\r\n')[0].startsWith('\ufeffid,created,createdBy'));

  const json = JSON.parse((await download(page, '#export-json')).bytes.toString('utf8'));
  assert.equal(json.format, 'escucha-log');
  assert.equal(json.version, 2); // issue 12: the record shape changed (tag set, comment thread)
  assert.equal(json.captures.length, 4);
  assert.equal(json.captures.find((c) => c.id === id(1)).context.value.commentText, 'Movistar me cobró dos veces la factura');

  const ld = JSON.parse((await download(page, '#export-jsonld')).bytes.toString('utf8'));
  assert.equal(ld['@context'], 'http://www.w3.org/ns/anno.jsonld');
  const a = ld.first.items.find((x) => x.id === `urn:uuid:${id(1)}`);
  assert.equal(a.type, 'Annotation');
  assert.equal(a.target.selector[0].type, 'TextQuoteSelector');
  assert.equal(a.target.selector[1].type, 'TextPositionSelector');
  assert.ok(a.body.some((b) => b.purpose === 'tagging' && b.value === 'department:Facturación'));
  await page.close();
});

test('import merges by id, lists refused records, and a broken file changes nothing', async () => {
  const page = await openLog();
  const existing = capture(1, { text: 'Movistar me cobró dos veces la factura', author: 'José Pérez', sentiment: 'negative', status: 'needsResponse', department: 'Facturación' });
  existing.note = lww('Nota desde otro equipo', NOW + 1000);
  const fresh = capture(9, { text: 'Renfe llegó tarde otra vez', author: 'Marta', brand: 'Renfe', term: 'Renfe' });
  const bad = { ...capture(10, { text: 'x', author: 'y' }), id: 'not-a-uuid' };
  const file = { name: 'import.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'escucha-log', version: 1, captures: [existing, fresh, bad] })) };
  await afterQuery(page, () => page.setInputFiles('#import-file', file));
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Imported'));
  assert.equal(await page.locator('#status').textContent(), 'Imported: 1 new, 1 merged, 1 refused.');
  // Worded from the error's data by the tables (no longer the error's English Display).
  assert.match(await page.locator('#problems li').first().textContent(), /^Record 3 \(not-a-uuid\): the record's id or times: not a valid identifier\.$/);
  assert.equal(await rowCount(page), 5);
  assert.equal(await page.locator(`.row[data-id="${id(1)}"] input[data-field=note]`).inputValue(), 'Nota desde otro equipo');
  assert.equal(await page.locator(`.row[data-id="${id(1)}"] select[data-field=status]`).inputValue(), 'needsResponse', 'fields the file did not change are kept');

  await page.setInputFiles('#import-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"escucha-log", oops') });
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Nothing was imported'));
  assert.match(await page.locator('#status').textContent(), /not valid JSON/);
  await page.close();
  const again = await openLog();
  assert.equal(await rowCount(again), 5);
  await again.close();
});

test('popup links to the log page', async () => {
  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup/popup.html`);
  const [log] = await Promise.all([browser.context.waitForEvent('page'), popup.click('#open-log')]);
  await log.locator('body[data-ready="true"]').waitFor({ timeout: 20000 });
  assert.equal(await log.title(), 'Capture log');
  await log.close();
  await popup.close();
});
