// `make screenshots`: regenerate docs/screenshots/ from the real build —
// the welcome page, the card on a forum, the popup, the options page, the
// log page and the team-log dashboard, in English and Spanish — by driving
// Debian's Chromium with the built extension and the release server.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '../tests/node_modules/playwright-core/index.mjs';
import {
  ROOT, CHROMIUM_ARGS, launchWithExtension, startFixtures, startTeamLog, useDemoBrands, waitForHighlights, waitForCard,
} from '../tests/e2e/harness.mjs';

const OUT = join(ROOT, 'docs', 'screenshots');
const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
mkdirSync(OUT, { recursive: true });
const shot = (page, name, opts = {}) => page.screenshot({ path: join(OUT, `${name}.png`), ...opts }).then(() => console.log(`docs/screenshots/${name}.png`));

const DAY = 86_400_000;
const NOW = Date.now();
function record(i, { text, author, brand, term, site, sentiment, status, department, member = 'ana', days }) {
  const ms = NOW - days * DAY - i * 60_000;
  const stamp = { ms, counter: 0, actor: `dev-${member}` };
  const reg = (value) => ({ value, stamp });
  return {
    id: `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`, createdMs: ms, createdBy: member,
    context: reg({ pageUrl: `https://${site}/t/${i}`, pageTitle: `Hilo ${i}`, site, commentText: text, authorName: author,
      permalink: `https://${site}/p/${i}`, brand, term, quote: { exact: term, prefix: '', suffix: '' } }),
    sentiment: reg(sentiment), department: reg(department), status: reg(status), priority: reg('normal'),
    tags: reg([]), note: reg(''), deleted: reg(false),
  };
}
const SAMPLE = [
  record(1, { text: 'Movistar me cobró dos veces la factura de marzo y nadie me responde.', author: 'José Pérez', brand: 'Telefónica', term: 'Movistar', site: 'foro.example', sentiment: 'negative', status: 'needsResponse', department: 'Customer Service', days: 0 }),
  record(2, { text: 'La atención de Movistar en la tienda de Sol fue excelente.', author: 'Ana Núñez', brand: 'Telefónica', term: 'Movistar', site: 'reddit.com', sentiment: 'positive', status: 'new', department: null, member: 'luis', days: 1 }),
  record(3, { text: '¿Alguien sabe si Orange tiene fibra en Cádiz?', author: 'Íñigo', brand: 'Orange', term: 'Orange', site: 'reddit.com', sentiment: 'question', status: 'responded', department: 'Marketing', days: 2 }),
  record(4, { text: 'El router de ACME Corp se reinicia solo cada noche.', author: 'Zoë', brand: 'ACME', term: 'ACME Corp', site: 'foro.example', sentiment: 'negative', status: 'escalated', department: 'Engineering', days: 3 }),
];

const fixtures = await startFixtures();
const teamLog = await startTeamLog();
try {
  const admin = (...a) => execFileSync(BIN, ['--db', join(teamLog.dir, 'team.sqlite3'), ...a], { encoding: 'utf8' });
  admin('team', 'create', 'prensa');
  admin('member', 'add', '--team', 'prensa', 'ana');
  const token = admin('token', 'issue', '--member', 'ana').trim().split('\n').pop().trim();
  const res = await fetch(`${teamLog.url}/api/v1/push`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ items: SAMPLE }),
  });
  if (!res.ok) throw new Error(`push: ${res.status}`);

  for (const lang of ['en', 'es']) {
    const b = await launchWithExtension(undefined, lang === 'es' ? { args: ['--lang=es'], locale: 'es-ES' } : {});
    try {
      const ext = `chrome-extension://${b.extensionId}`;
      const welcome = await b.context.newPage();
      await welcome.setViewportSize({ width: 900, height: 720 });
      await welcome.goto(`${ext}/welcome/welcome.html`);
      await welcome.locator('#app[data-ready="true"]').waitFor();
      await shot(welcome, `welcome-${lang}`, { fullPage: true });
      await welcome.close();
      await useDemoBrands(b);

      const page = await b.context.newPage();
      await page.setViewportSize({ width: 1100, height: 720 });
      await page.goto(`${fixtures.url}/forum.html`);
      await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length === 4);
      const at = await page.evaluate(() => {
        const p = document.querySelector('#post-1');
        const w = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
        for (let n = w.nextNode(); n; n = w.nextNode()) {
          const i = n.data.indexOf('Movistar');
          if (i < 0) continue;
          const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 8);
          const b = r.getBoundingClientRect();
          return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        }
        return null;
      });
      await page.mouse.click(at.x, at.y);
      await waitForCard(page, '#excerpt');
      await page.waitForTimeout(400);
      await shot(page, `card-${lang}`);
      await page.frames().find((f) => f.url().includes('/card/card.html#')).locator('#log').click();
      await waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));

      const tabId = await b.worker.evaluate((u) => self.__escuchaTestTabs[u], `${fixtures.url}/forum.html`);
      const popup = await b.context.newPage();
      await popup.setViewportSize({ width: 384, height: 600 });
      await popup.goto(`${ext}/popup/popup.html?tab=${tabId}`);
      await popup.locator('#page-captures li').waitFor();
      await popup.waitForTimeout(300);
      await shot(popup, `popup-${lang}`);

      const options = await b.context.newPage();
      await options.setViewportSize({ width: 1100, height: 900 });
      await options.goto(`${ext}/options/options.html`);
      await options.locator('#app[data-ready="true"]').waitFor();
      await shot(options, `options-${lang}`, { fullPage: true });

      const log = await b.context.newPage();
      await log.setViewportSize({ width: 1280, height: 720 });
      await log.goto(`${ext}/log/log.html`);
      await log.locator('body[data-ready="true"]').waitFor();
      await log.evaluate((json) => chrome.runtime.sendMessage({ type: 'importCaptures', json }),
        JSON.stringify({ format: 'escucha-log', version: 1, captures: SAMPLE }));
      await log.reload();
      await log.locator('body[data-ready="true"]').waitFor();
      await log.waitForTimeout(300);
      await shot(log, `log-${lang}`);
    } finally {
      await b.close();
    }

    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ locale: lang === 'es' ? 'es-ES' : 'en-US', viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${teamLog.url}/`);
      await page.waitForSelector('#login:not([hidden])');
      await shot(page, `dashboard-signin-${lang}`);
      await page.fill('#token', token);
      await page.click('#login-form button[type=submit]');
      await page.waitForFunction((n) => document.querySelectorAll('#rows tr').length === n, SAMPLE.length);
      await page.locator('#rows tr').first().click();
      await page.waitForTimeout(800);
      await shot(page, `dashboard-${lang}`, { fullPage: true });
    } finally {
      await browser.close();
    }
  }
} finally {
  await teamLog.stop();
  await fixtures.stop();
}
