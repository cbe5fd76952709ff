// Dashboard load benchmark: the real server with N pushed captures, the built
// dashboard in Chromium. Prints the time from "Sign in" to the first full
// render (pull of every page + index + table + 5 charts) and for one search.
// Usage: node tests/bench/dashboard.mjs [N=5000]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, startTeamLog } from '../e2e/harness.mjs';

const N = Number(process.argv[2] || 5000);
const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
const teamLog = await startTeamLog();
const admin = (...a) => execFileSync(BIN, ['--db', join(teamLog.dir, 'team.sqlite3'), ...a], { encoding: 'utf8' });
admin('team', 'create', 'bench');
admin('member', 'add', '--team', 'bench', 'ana');
const token = admin('token', 'issue', '--member', 'ana').trim().split('\n').pop().trim();
const brands = ['Movistar', 'Vodafone', 'Orange', 'Digi'], sites = ['foro.example', 'reddit.com', 'x.com', 'forocoches.com', 'news.example'];
const sentiments = ['positive', 'neutral', 'negative', 'question'], statuses = ['new', 'needsResponse', 'responded', 'escalated', 'closed'];
const now = Date.now();
const items = Array.from({ length: N }, (_, i) => {
  const stamp = { ms: now - (i % 90) * 86_400_000 - i, counter: 0, actor: 'dev' };
  const reg = (value) => ({ value, stamp });
  return {
    id: crypto.randomUUID(), createdMs: stamp.ms, createdBy: ['ana', 'bea', 'carlos'][i % 3],
    context: reg({ pageUrl: `https://${sites[i % 5]}/t/${i}`, pageTitle: `Hilo ${i}`, site: sites[i % 5],
      commentText: `Comentario ${i} sobre ${brands[i % 4]}: la factura de ${i % 12 + 1} llegó con un cargo que no reconozco, ¿alguien más? `.repeat(2),
      authorName: `usuario${i % 300}`, permalink: `https://${sites[i % 5]}/p/${i}`, brand: brands[i % 4], term: brands[i % 4],
      quote: { exact: brands[i % 4], prefix: '', suffix: '' } }),
    sentiment: reg(sentiments[i % 4]), department: reg(i % 3 ? ['Soporte', 'Ventas', 'Prensa'][i % 3] : null), status: reg(statuses[i % 5]),
    priority: reg('normal'), tags: reg([]), note: reg(''), deleted: reg(false),
  };
});
for (let i = 0; i < N; i += 500) {
  const r = await fetch(`${teamLog.url}/api/v1/push`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ items: items.slice(i, i + 500) }) });
  if (!r.ok) throw new Error(`push: ${r.status} ${await r.text()}`);
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
let t = Date.now();
await page.goto(`${teamLog.url}/`);
await page.waitForSelector('#login:not([hidden])');
const boot = Date.now() - t;
await page.fill('#token', token);
t = Date.now();
await page.click('#login-form button[type=submit]');
await page.waitForFunction((n) => document.querySelector('#summary').textContent.startsWith(`${n.toLocaleString('en')} of`), N, { timeout: 120000 });
const load = Date.now() - t;
t = Date.now();
await page.fill('#q', 'factura 7');
await page.waitForFunction((n) => !document.querySelector('#summary').textContent.startsWith(`${n.toLocaleString('en')} of`), N);
const search = Date.now() - t;
await page.fill('#q', '');
if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });
console.log(`dashboard with ${N} captures: page boot (wasm + Chart.js) ${boot} ms, sign-in to first full render ${load} ms, one search keystroke to render ${search} ms`);
await browser.close();
await teamLog.stop();
