// The team-log dashboard end to end: the real escucha-server binary with a
// temporary database, a team/member/token made with its admin CLI, captures
// pushed through /api/v1/push, and the built dashboard (build/www) driven in
// Debian's Chromium as a plain page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, startTeamLog } from './harness.mjs';

const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
const DAY = 86_400_000;
const NOW = Date.now();
const PAYLOAD_TEXT = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> Movistar payload';
const PAYLOAD_AUTHOR = '<img src=x onerror="window.__pwned=3">';

let teamLog, browser, token;
const ids = {};

function admin(...args) {
  return execFileSync(BIN, ['--db', join(teamLog.dir, 'team.sqlite3'), ...args], { encoding: 'utf8' });
}

function capture(key, { ms, brand, site, sentiment, department = null, status = 'new', member = 'ana', text, author = 'Pedro', permalink, pageTitle = 'Hilo', actor = 'dev-ana' }) {
  const id = crypto.randomUUID();
  ids[key] = id;
  const stamp = { ms, counter: 0, actor };
  const reg = (value) => ({ value, stamp });
  return {
    id, createdMs: ms, createdBy: member,
    context: reg({
      pageUrl: `https://${site}/t/1`, pageTitle, site, commentText: text, authorName: author,
      permalink, brand, term: brand, quote: { exact: brand, prefix: '', suffix: '' },
    }),
    sentiment: reg(sentiment), department: reg(department), status: reg(status), priority: reg('normal'),
    tags: reg([]), note: reg(''), deleted: reg(false),
  };
}

async function api(path, init = {}) {
  const res = await fetch(`${teamLog.url}${path}`, {
    ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers || {}) },
  });
  const body = await res.json();
  assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function pullAll() {
  const items = new Map();
  let cursor = null;
  for (;;) {
    const page = await api(`/api/v1/pull${cursor ? `?since=${cursor}` : ''}`);
    for (const c of page.items) items.set(c.id, c);
    cursor = page.cursor;
    if (!page.more) return items;
  }
}

const dayString = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

before(async () => {
  teamLog = await startTeamLog();
  admin('team', 'create', 'prensa');
  admin('member', 'add', '--team', 'prensa', 'ana');
  token = admin('token', 'issue', '--member', 'ana').trim().split('\n').pop().trim();
  admin('member', 'add', '--team', 'prensa', 'bea');
  const beaToken = admin('token', 'issue', '--member', 'bea').trim().split('\n').pop().trim();
  const items = [
    capture('billing', { ms: NOW - 2 * DAY, brand: 'Movistar', site: 'foro.example', sentiment: 'negative', department: 'Soporte', status: 'needsResponse', text: 'Movistar me cobró dos veces la factura de marzo', permalink: 'https://foro.example/p/1' }),
    capture('praise', { ms: NOW - DAY, brand: 'Vodafone', site: 'reddit.com', sentiment: 'positive', text: 'La atención de Vodafone fue excelente', permalink: 'https://reddit.com/r/x/1' }),
    capture('question', { ms: NOW, brand: 'Movistar', site: 'reddit.com', sentiment: 'question', department: 'Ventas', status: 'responded', member: 'bea', actor: 'dev-bea', text: '¿Alguien sabe si Movistar tiene fibra en Cádiz?', permalink: 'https://reddit.com/r/x/2' }),
    capture('payload', { ms: NOW, brand: 'Movistar', site: 'evil.example', sentiment: 'neutral', department: '<img src=x onerror="window.__pwned=5">', text: PAYLOAD_TEXT, author: PAYLOAD_AUTHOR, pageTitle: '<script>window.__pwned=4</script>', permalink: 'https://evil.example/p/1?q=%3Cimg%3E' }),
    capture('jsLink', { ms: NOW, brand: 'Movistar', site: 'evil.example', sentiment: 'neutral', text: 'link trap', permalink: 'javascript:window.__pwned=6' }),
  ];
  // The server credits a capture to the member whose token first pushes it
  // (issue 11), so bea's capture comes with her token.
  const byBea = await api('/api/v1/push', { method: 'POST', body: JSON.stringify({ items: [items[2]] }), headers: { authorization: `Bearer ${beaToken}` } });
  assert.deepEqual(byBea.results.map((r) => r.status), ['stored'], JSON.stringify(byBea.results));
  const pushed = await api('/api/v1/push', { method: 'POST', body: JSON.stringify({ items: items.filter((_, i) => i !== 2) }) });
  assert.deepEqual(pushed.results.map((r) => r.status), ['stored', 'stored', 'stored', 'rejected'], JSON.stringify(pushed.results));
  assert.match(pushed.results[3].error.message, /permalink/, 'the server refuses a javascript: permalink and says which field');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await teamLog?.stop();
});

async function openDashboard(contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(`${teamLog.url}/`);
  return { context, page, errors };
}

async function signIn(page, secret = token) {
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', secret);
  await page.click('#login-form button[type=submit]');
}

const rowCount = (page) => page.locator('#rows tr').count();
const rowIds = (page) => page.$$eval('#rows tr', (trs) => trs.map((t) => t.dataset.id));

async function assertNothingRan(page) {
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no payload executed');
  assert.equal(await page.locator('img').count(), 0, 'no <img> was parsed out of captured text');
}

test('dashboard: sign-in, search, every filter, detail, charts, inline edits that reach the server, Spanish, nothing executes', async () => {
  const { context, page, errors } = await openDashboard({ locale: 'en-US' });

  // A wrong token gets a clear message and stays out of storage.
  await signIn(page, 'not-a-real-token');
  await page.waitForFunction(() => /did not accept this token/.test(document.querySelector('#login-error').textContent));
  assert.equal(await page.evaluate(() => sessionStorage.getItem('escucha.dashboard.token')), null);

  await signIn(page);
  await page.waitForFunction(() => document.querySelector('#summary').textContent === '4 of 4 captures');
  assert.match(await page.textContent('#who'), /ana · team prensa/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('escucha.dashboard.token')), token, 'token kept for this tab only');
  assert.equal(await page.evaluate(() => JSON.stringify(localStorage).includes(window.sessionStorage.getItem('escucha.dashboard.token'))), false);
  const order = await rowIds(page); // newest first
  assert.deepEqual(order.slice(2), [ids.praise, ids.billing]);
  assert.deepEqual(new Set(order.slice(0, 2)), new Set([ids.question, ids.payload]));
  assert.equal(await rowCount(page), 4);
  assert.match(await page.textContent('#health'), /is up/);

  // Search is accent- and case-insensitive ("cobro" finds "cobró").
  await page.fill('#q', 'COBRO factura');
  await page.waitForFunction(() => document.querySelector('#summary').textContent === '1 of 4 captures');
  assert.deepEqual(await rowIds(page), [ids.billing]);
  await page.fill('#q', 'cadiz');
  // The previous search also showed one row: wait for this search's row (filters are debounced).
  await page.waitForFunction((id) => [...document.querySelectorAll('#rows tr')].map((t) => t.dataset.id).join() === id, ids.question);
  assert.deepEqual(await rowIds(page), [ids.question]);
  await page.fill('#q', 'zzz-nothing');
  await page.waitForFunction(() => /No captures match/.test(document.querySelector('#empty').textContent));
  await page.click('#clear');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4);

  // Each filter, alone.
  const filters = [
    ['#f-brand', 'v:Vodafone', [ids.praise]],
    ['#f-sentiment', 'v:question', [ids.question]],
    ['#f-department', 'v:Ventas', [ids.question]],
    ['#f-department', 'none', [ids.praise]],
    ['#f-status', 'v:needsResponse', [ids.billing]],
    ['#f-site', 'v:reddit.com', [ids.question, ids.praise]],
    ['#f-member', 'v:bea', [ids.question]],
  ];
  for (const [select, value, want] of filters) {
    await page.selectOption(select, value);
    await page.waitForFunction((n) => document.querySelectorAll('#rows tr').length === n, want.length);
    assert.deepEqual(await rowIds(page), want, `${select}=${value}`);
    await page.click('#clear');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4);
  }
  // Facet counts are shown in the options.
  assert.ok((await page.$$eval('#f-brand option', (os) => os.map((o) => o.textContent))).includes('Movistar (3)'));
  // Dates: one local day.
  const billingDay = dayString(NOW - 2 * DAY);
  await page.fill('#f-from', billingDay);
  await page.fill('#f-to', billingDay);
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 1);
  assert.deepEqual(await rowIds(page), [ids.billing]);
  await page.click('#clear');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4);

  // Detail: the full comment, as text, and an http(s) link to it.
  await page.click(`#rows tr[data-id="${ids.billing}"] td.comment`);
  await page.waitForSelector('#detail:not([hidden])');
  assert.equal(await page.textContent('#detail blockquote'), 'Movistar me cobró dos veces la factura de marzo');
  assert.equal(await page.getAttribute('#detail a.open-link', 'href'), 'https://foro.example/p/1');
  await page.click(`#rows tr[data-id="${ids.payload}"] td.comment`);
  await page.waitForFunction((id) => document.querySelector('#detail').dataset.id === id, ids.payload);
  assert.equal(await page.textContent('#detail blockquote'), PAYLOAD_TEXT, 'payload shown verbatim as text');
  assert.equal(await page.textContent('#detail h3'), '<script>window.__pwned=4</script>');
  assert.ok((await page.textContent('#detail dl')).includes(PAYLOAD_AUTHOR));
  const hrefs = await page.$$eval('#detail a', (as) => as.map((a) => a.protocol));
  assert.ok(hrefs.length > 0 && hrefs.every((p) => p === 'https:' || p === 'http:'), hrefs.join());
  await assertNothingRan(page);
  await page.click('#detail-close');

  // Charts: five Chart.js instances on five canvases, fed the filtered rows.
  const charts = await page.evaluate(() => ({
    instances: Object.keys(Chart.instances).length,
    canvases: [...document.querySelectorAll('#charts canvas')].filter((c) => Chart.getChart(c) && c.width > 0).length,
    sentimentTotal: Chart.getChart('chart-sentiment').data.datasets.flatMap((d) => d.data).reduce((a, b) => a + b, 0),
    brands: Chart.getChart('chart-brand').data.labels,
  }));
  assert.deepEqual(charts, { instances: 5, canvases: 5, sentimentTotal: 4, brands: ['Movistar', 'Vodafone'] });
  await page.selectOption('#f-brand', 'v:Vodafone');
  await page.waitForFunction(() => Chart.getChart('chart-sentiment').data.datasets.flatMap((d) => d.data).reduce((a, b) => a + b, 0) === 1);
  assert.equal(await page.evaluate(() => Object.keys(Chart.instances).length), 5, 'old charts are destroyed, not leaked');
  await page.click('#clear');

  // Inline status change: saved through the server, stamped newer, visible in pull.
  const before = (await pullAll()).get(ids.billing);
  await page.evaluate(() => { document.querySelector('#status').textContent = ''; });
  await page.selectOption(`#rows tr[data-id="${ids.billing}"] select.status`, 'closed');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'Saved.' || /not saved/.test(document.querySelector('#status').textContent));
  assert.equal(await page.textContent('#status'), 'Saved.');
  const after = (await pullAll()).get(ids.billing);
  assert.equal(after.status.value, 'closed');
  assert.ok(after.status.stamp.ms > before.status.stamp.ms
    || (after.status.stamp.ms === before.status.stamp.ms && after.status.stamp.counter > before.status.stamp.counter), 'newer stamp');
  assert.equal(after.status.stamp.actor, 'member:ana');
  // Inline department change (and clearing one).
  await page.evaluate(() => { document.querySelector('#status').textContent = ''; });
  const dept = page.locator(`#rows tr[data-id="${ids.praise}"] input.dept`);
  await dept.fill('Prensa');
  await dept.press('Enter');
  await dept.blur();
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'Saved.');
  // "Prensa" is Spanish for the default department PR: stored by its id, so
  // a team mixing languages routes to one department.
  assert.equal((await pullAll()).get(ids.praise).department.value, 'PR');

  // An edit made elsewhere (an extension pushing a newer stamp) appears on refresh.
  const q = (await pullAll()).get(ids.question);
  q.status = { value: 'escalated', stamp: { ms: Date.now(), counter: 0, actor: 'dev-bea' } };
  await api('/api/v1/push', { method: 'POST', body: JSON.stringify({ items: [q] }) });
  await page.click('#refresh');
  await page.waitForFunction((id) => document.querySelector(`#rows tr[data-id="${id}"] select.status`).value === 'escalated', ids.question);

  // Spanish through the switch: every label, the options and the summary.
  await page.selectOption('#lang', 'es');
  await page.waitForFunction(() => document.querySelector('#summary').textContent === '4 de 4 capturas');
  assert.equal(await page.textContent('header h1'), 'Escucha · Registro del equipo');
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.equal(await page.inputValue(`#rows tr[data-id="${ids.billing}"] select.status`), 'closed');
  assert.equal(await page.textContent(`#rows tr[data-id="${ids.billing}"] select.status option:checked`), 'Cerrado');
  assert.equal(await page.evaluate(() => Chart.getChart('chart-sentiment').options.plugins.title.text), 'Menciones por día según sentimiento');

  // Sign out forgets the token.
  await page.click('#signout');
  await page.waitForSelector('#login:not([hidden])');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('escucha.dashboard.token')), null);
  await assertNothingRan(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('dashboard: a Spanish browser gets the Spanish page from the start', async () => {
  const { context, page, errors } = await openDashboard({ locale: 'es-ES' });
  await page.waitForSelector('#login:not([hidden])');
  assert.equal(await page.textContent('#login h2'), 'Entra con el token de tu equipo');
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent === 'Pega primero tu token.');
  await signIn(page);
  await page.waitForFunction(() => /^4 de 4 capturas$/.test(document.querySelector('#summary').textContent));
  await assertNothingRan(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('dashboard: queries run on the server (pages by cursor, debounced search, no whole-log download)', async () => {
  // Its own team, large enough for three pages of 50.
  admin('team', 'create', 'grande');
  admin('member', 'add', '--team', 'grande', 'gil');
  const big = admin('token', 'issue', '--member', 'gil', '--team', 'grande').trim().split('\n').pop().trim();
  const items = [];
  for (let i = 0; i < 120; i++) {
    const c = capture(`big${i}`, { ms: NOW - i * 60_000, brand: i % 3 ? 'Movistar' : 'Vodafone', site: 'foro.example', sentiment: 'neutral', member: 'gil', actor: 'dev-gil', text: `Comentario número ${i} sobre la fibra`, permalink: `https://foro.example/p/${i}` });
    c.context.value.pageUrl = `https://foro.example/t/${i}`;
    items.push(c);
  }
  const res = await fetch(`${teamLog.url}/api/v1/push`, { method: 'POST', headers: { authorization: `Bearer ${big}`, 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
  assert.equal(res.status, 200);

  const { context, page, errors } = await openDashboard({ locale: 'en-US' });
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) requests.push(new URL(r.url()).pathname + new URL(r.url()).search); });
  await signIn(page, big);
  await page.waitForFunction(() => document.querySelector('#summary').textContent === '120 of 120 captures');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 50);
  assert.equal(await page.textContent('#page'), 'Page 1 of 3');
  const first = await rowIds(page);
  assert.equal(first[0], ids.big0, 'newest first');
  await page.click('#next');
  await page.waitForFunction(() => document.querySelector('#page').textContent === 'Page 2 of 3');
  await page.waitForFunction((id) => document.querySelector('#rows tr').dataset.id === id, ids.big50);
  await page.click('#next');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 20);
  assert.equal(await page.isDisabled('#next'), true);
  assert.deepEqual((await rowIds(page)).slice(-1), [ids.big119]);
  await page.click('#prev');
  await page.waitForFunction((id) => document.querySelector('#rows tr').dataset.id === id, ids.big50);
  assert.equal(await page.isDisabled('#prev'), false);

  // Typing a word quickly asks the server once for it, not once per letter.
  const before = requests.filter((u) => u.startsWith('/api/v1/captures')).length;
  await page.type('#q', 'numero 7', { delay: 15 });
  await page.waitForFunction(() => document.querySelector('#summary').textContent === '21 of 120 captures');
  const searched = requests.filter((u) => u.startsWith('/api/v1/captures')).slice(before);
  assert.ok(searched.length <= 2, `debounced: ${searched.join(' ')}`);
  assert.ok(searched.some((u) => u.includes('q=numero%207')), searched.join(' '));
  assert.equal(await page.textContent('#page'), 'Page 1 of 1', 'a new search starts on its first page');
  // Charts come from the aggregates route, under the same filters.
  await page.waitForFunction(() => Chart.getChart('chart-sentiment').data.datasets.flatMap((d) => d.data).reduce((a, b) => a + b, 0) === 21);

  assert.ok(requests.some((u) => u.startsWith('/api/v1/facets')) && requests.some((u) => u.startsWith('/api/v1/aggregates?')));
  assert.deepEqual(requests.filter((u) => u.startsWith('/api/v1/pull')), [], 'the dashboard never downloads the log');
  // The extension's page look-up answers for this page only.
  const look = await (await fetch(`${teamLog.url}/api/v1/page-captures?url=${encodeURIComponent('https://foro.example/t/7#c1')}`, { headers: { authorization: `Bearer ${big}` } })).json();
  assert.deepEqual(look.items.map((c) => c.id), [ids.big7]);
  assert.deepEqual(errors, []);
  await context.close();
});
