// Tier 3, the local capture log: captures are acknowledged only once they are
// on disk. We log from an extension page, then stop the service worker, kill
// the whole browser with SIGKILL, and fill the disk, and check what survived.
//
// These tests start Chromium themselves (not through Playwright's launcher)
// so they own its process id: killing it is the point.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, EXTENSION_DIR, removeDir } from './harness.mjs';
import { PageRequest as P, PageEvent, Answer as A, ErrorCode as E } from './protocol.mjs';

const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** Chromium on `profile` with the extension, driven over CDP; its popup page open in a tab. */
async function launch(profile) {
  const child = spawn(process.env.CHROMIUM || '/usr/bin/chromium', [...CHROMIUM_ARGS, '--headless', `--user-data-dir=${profile}`,
    '--remote-debugging-port=0', `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`, 'about:blank'],
  { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  const ws = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${stderr}`)), 20000);
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = stderr.match(/DevTools listening on (ws:\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Chromium exited ${code}: ${stderr}`)); });
  });
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0];
  let [worker] = context.serviceWorkers();
  if (!worker) worker = await context.waitForEvent('serviceworker', { timeout: 15000 });
  const extensionId = new URL(worker.url()).host;
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/popup/popup.html`);
  const cdp = await browser.newBrowserCDPSession();
  const b = {
    browser, context, page, extensionId, cdp, child, worker,
    /** What the extension page gets back from the service worker. */
    send: (message) => page.evaluate((m) => chrome.runtime.sendMessage(m), message),
    async swTargets() {
      const { targetInfos } = await cdp.send('Target.getTargets');
      return targetInfos.filter((t) => t.type === 'service_worker' && t.url.includes(extensionId));
    },
    /** SIGKILL the browser's whole process group (we started it, by its id). */
    kill() {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      return new Promise((r) => (child.exitCode !== null || child.signalCode ? r() : child.on('exit', r)));
    },
    async close() { await browser.close().catch(() => {}); await b.kill(); },
  };
  return b;
}

function freshProfile() {
  const dir = mkdtempSync(join(tmpdir(), 'escucha-store-'));
  cleanups.push(() => removeDir(dir));
  return dir;
}

const comment = (n, extra = {}) => ({
  pageUrl: `https://foro.example/t/1#p${n}`,
  pageTitle: 'Hilo sobre facturas',
  site: 'foro.example',
  commentText: `Comentario ${n}: Movistar me cobró dos veces`,
  permalink: `https://foro.example/p/${n}`,
  brand: 'Telefónica',
  term: 'Movistar',
  quote: { exact: 'Movistar', prefix: `Comentario ${n}: `, suffix: ' me cobró' },
  ...extra,
});

const pageIds = async (b) => {
  const r = await b.send({ type: P.getPageCaptures, url: 'https://foro.example/t/1' });
  assert.equal(r.type, A.ok, JSON.stringify(r));
  return r.captures.map((c) => c.id).sort();
};

test('log, re-capture the same comment, edit: one record, updated; pages hear logChanged', async () => {
  const b = await launch(freshProfile());
  cleanups.push(() => b.close());
  // A second extension page listens, as the log page will.
  const listener = await b.context.newPage();
  await listener.goto(`chrome-extension://${b.extensionId}/popup/popup.html`);
  await listener.evaluate(() => { self.__heard = []; chrome.runtime.onMessage.addListener((m) => { self.__heard.push(m.type); }); });

  const first = await b.send({ type: P.logCapture, context: comment(1), tags: null });
  assert.equal(first.type, A.ok, JSON.stringify(first));
  assert.equal(first.capture.status.value, 'new');
  const again = await b.send({ type: P.logCapture, context: comment(1, { commentText: 'edited by its author' }),
    tags: { sentiment: 'negative', status: 'needsResponse', priority: 'high', tags: ['factura'], note: '' } });
  assert.equal(again.capture.id, first.capture.id, 'same permalink: same record');
  assert.equal(again.capture.context.value.commentText, 'edited by its author');
  assert.equal(again.capture.priority.value, 'high');
  // Same page and quote without a permalink is the same comment too.
  const noLink = await b.send({ type: P.logCapture, context: comment(2, { permalink: null }), tags: null });
  const noLinkAgain = await b.send({ type: P.logCapture, context: comment(2, { permalink: null, pageUrl: 'https://foro.example/t/1' }), tags: null });
  assert.equal(noLinkAgain.capture.id, noLink.capture.id);

  const edited = await b.send({ type: P.editCapture, id: first.capture.id, edit: { status: 'responded', note: 'Llamamos al cliente' } });
  assert.equal(edited.type, A.ok);
  // The note became the comment thread: an edit's note is posted as a comment.
  assert.equal(edited.capture.comments.at(-1)?.text.value, 'Llamamos al cliente');
  const bad = await b.send({ type: P.editCapture, id: first.capture.id, edit: { tags: ['x'.repeat(61)] } });
  assert.equal(bad.code, E.invalid);
  // The edit's refusal names the field and its limit (issue 12's edit refusals carry data).
  assert.equal(bad.detail, 'tags[0]: 61 characters; at most 60');

  assert.deepEqual(await pageIds(b), [first.capture.id, noLink.capture.id].sort());
  const status = await b.send({ type: P.getLogStatus });
  assert.deepEqual({ total: status.total, pending: status.pending, problem: status.problem }, { total: 2, pending: 2, problem: null });
  await listener.waitForFunction((name) => self.__heard.filter((t) => t === name).length >= 4, PageEvent.logChanged, { timeout: 5000 });
  await b.close();
});

test('import merges by id and reports each refused record', async () => {
  const b = await launch(freshProfile());
  cleanups.push(() => b.close());
  const mine = (await b.send({ type: P.logCapture, context: comment(1), tags: null })).capture;
  const teammate = structuredClone(mine);
  const benStamp = { ms: mine.createdMs + 1000, counter: 0, actor: 'dev-ben' };
  teammate.comments = [...(mine.comments ?? []), { id: '0190a0b0-0000-7000-8000-0000000000be', author: 'ben', createdMs: benStamp.ms, text: { value: 'de Ben', stamp: benStamp }, deleted: { value: false, stamp: benStamp } }];
  const other = structuredClone(mine);
  other.id = '0190a0b0-0000-7000-8000-000000000001';
  const file = JSON.stringify({ format: 'escucha-log', version: 2, captures: [teammate, other, { id: 'broken', hello: 1 }, { ...other, id: 'not-a-uuid' }] });
  const r = await b.send({ type: P.importCaptures, json: file });
  assert.equal(r.type, A.ok, JSON.stringify(r));
  assert.deepEqual([r.added, r.merged], [1, 1], JSON.stringify(r.rejected));
  assert.equal(r.rejected.length, 2);
  assert.match(r.rejected[0], /^Record 3 \(broken\): /);
  assert.match(r.rejected[1], /^Record 4 \(not-a-uuid\): id: is not a UUID/);
  const back = await b.send({ type: P.getPageCaptures, url: mine.context.value.pageUrl });
  assert.deepEqual(back.captures.find((c) => c.id === mine.id).comments.map((k) => k.text.value), ['de Ben'], 'the teammate\'s comment merged in');
  const notJson = await b.send({ type: P.importCaptures, json: '{oops' });
  assert.equal(notJson.code, E.invalid);
  await b.close();
});

test('a capture survives the service worker being stopped right after the acknowledgement', async () => {
  const b = await launch(freshProfile());
  cleanups.push(() => b.close());
  const [before] = await b.swTargets();
  await b.worker.evaluate(() => { self.__escuchaTestMarker = 'old worker'; });
  const logged = await b.send({ type: P.logCapture, context: comment(7), tags: null });
  assert.equal(logged.type, A.ok);
  const { success } = await b.cdp.send('Target.closeTarget', { targetId: before.targetId });
  assert.ok(success);
  for (let i = 0; i < 50 && (await b.swTargets()).length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await b.swTargets()).length, 0, 'the worker is gone');
  // The next message wakes a new worker, which knows nothing but the database.
  assert.deepEqual(await pageIds(b), [logged.capture.id]);
  const markers = await Promise.all(b.context.serviceWorkers().map((w) => w.evaluate(() => self.__escuchaTestMarker).catch(() => 'closed')));
  assert.ok(markers.includes(undefined), `a new worker answered (markers: ${JSON.stringify(markers)})`);
  await b.close();
});

test('a capture survives SIGKILL of the whole browser right after the acknowledgement', async () => {
  const profile = freshProfile();
  const b = await launch(profile);
  cleanups.push(() => b.close());
  const kept = await b.send({ type: P.logCapture, context: comment(3), tags: null });
  const logged = await b.send({ type: P.logCapture, context: comment(4), tags: null });
  assert.equal(logged.type, A.ok);
  await b.kill(); // no await between the acknowledgement and the kill but the page's reply itself
  const again = await launch(profile);
  cleanups.push(() => again.close());
  assert.deepEqual(await pageIds(again), [kept.capture.id, logged.capture.id].sort());
  const s = await again.send({ type: P.getLogStatus });
  assert.equal(s.pending, 2, 'both are still queued for the team log');
  await again.close();
});

test('a full disk gives a clear storage error and loses nothing', async (t) => {
  // A real full disk: the profile on a small tmpfs that we fill. Needs root
  // (mount); skipped, with the reason, where that is not allowed.
  const mnt = mkdtempSync(join(tmpdir(), 'escucha-fulldisk-'));
  cleanups.push(() => removeDir(mnt));
  try { execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mnt], { stdio: 'pipe' }); } catch (e) {
    t.skip(`cannot mount a tmpfs here (${String(e.stderr || e.message).trim()})`);
    return;
  }
  cleanups.push(() => { try { execFileSync('umount', [mnt]); } catch { /* not mounted */ } });
  const profile = join(mnt, 'profile');
  mkdirSync(profile);
  const b = await launch(profile);
  cleanups.push(() => b.close());
  const earlier = [];
  for (const n of [1, 2, 3]) earlier.push((await b.send({ type: P.logCapture, context: comment(n), tags: null })).capture.id);

  let i = 0;
  try { for (;;) writeFileSync(join(mnt, `filler-${i++}`), Buffer.alloc(1 << 20)); } catch (e) { assert.equal(e.code, 'ENOSPC'); }
  try { for (;;) writeFileSync(join(mnt, `filler-${i++}`), Buffer.alloc(4096)); } catch (e) { assert.equal(e.code, 'ENOSPC'); }

  const failed = await b.send({ type: P.logCapture, context: comment(4), tags: null });
  assert.equal(failed.type, A.error, JSON.stringify(failed));
  assert.equal(failed.code, E.storage);
  // Data, worded where it is shown (escucha_core::log::store_error::words, tested natively).
  assert.deepEqual([failed.failure, failed.action], [{ kind: 'full' }, 'capture'], JSON.stringify(failed));
  const status = await b.send({ type: P.getLogStatus });
  assert.equal(status.code ?? E.storage, E.storage);
  assert.deepEqual(status.problem?.failure ?? status.failure, { kind: 'full' }, 'the popup shows why');

  for (const f of readdirSync(mnt)) if (f.startsWith('filler-')) rmSync(join(mnt, f));
  assert.deepEqual(await pageIds(b), earlier.sort(), 'earlier captures intact, nothing half-written');
  const retried = await b.send({ type: P.logCapture, context: comment(4), tags: null });
  assert.equal(retried.type, A.ok);
  const after = await b.send({ type: P.getLogStatus });
  assert.deepEqual([after.total, after.problem], [4, null], 'a successful write clears the problem');
  await b.close();
});
