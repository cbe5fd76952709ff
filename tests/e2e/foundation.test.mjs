// Tier 3, foundation: the built extension loads in real Chromium and its Rust
// code runs in every context: service worker, content script, popup, options.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startTeamLog, startFixtures, launchWithExtension, askContentScript, askContentScriptReply, askWorker, useDemoBrands } from './harness.mjs';
import { PageRequest as P, TabRequest as T, BenchRequest as B, Answer as A, ErrorCode as E } from './protocol.mjs';

const VERSION = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
let teamLog, fixtures, browser;

before(async () => {
  [teamLog, fixtures] = await Promise.all([startTeamLog(), startFixtures()]);
  browser = await launchWithExtension();
  await useDemoBrands(browser);
});
after(async () => {
  await browser?.close();
  await fixtures?.stop();
  await teamLog?.stop();
});

test('service worker runs Rust and answers the typed protocol', async () => {
  const reply = await askWorker(browser.worker, { type: P.ping }, 'popup/popup.html');
  assert.deepEqual(reply, { type: A.ok, version: VERSION, context: 'service_worker' });
  assert.equal(await browser.worker.evaluate(() => wasm_bindgen.version()), VERSION);
});

test('service worker refuses other senders and settings requests from pages', async () => {
  const replies = await browser.worker.evaluate(async ({ ping, getSettings }) => ({
    foreign: await wasm_bindgen.sw_handle_message({ type: ping }, { id: 'someone-else', url: 'chrome-extension://someone-else/x.html' }),
    fromPage: await wasm_bindgen.sw_handle_message({ type: getSettings }, { id: chrome.runtime.id, url: 'https://evil.example/', tab: { id: 1 }, frameId: 0 }),
    malformed: await wasm_bindgen.sw_handle_message({ type: 'dropAllTables' }, { id: chrome.runtime.id, url: chrome.runtime.getURL('x.html') }),
  }), { ping: P.ping, getSettings: P.getSettings });
  assert.equal(replies.foreign.code, E.unknownSender);
  assert.equal(replies.fromPage.code, E.forbidden);
  assert.equal(replies.fromPage.request, P.getSettings, 'the refusal names the request as data');
  assert.equal(replies.malformed.code, E.badMessage);
});

test('content script runs Rust on a normal page', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/forum.html`;
  await page.goto(url);
  const reply = await askContentScript(browser.worker, url, { type: T.ping });
  assert.deepEqual(reply, { type: A.ok, version: VERSION, context: 'content_script' });
  // The page itself cannot reach the extension's messaging.
  assert.equal(await page.evaluate(() => typeof globalThis.chrome?.runtime?.sendMessage), 'undefined');
  await page.close();
});

test('the shipped build has no benchmark code: its content script refuses benchmark requests', async () => {
  const page = await browser.context.newPage();
  const url = `${fixtures.url}/forum.html`;
  await page.goto(url);
  await askContentScript(browser.worker, url, { type: T.ping });
  for (const type of [B.benchScan, B.benchFloor]) {
    const reply = await askContentScriptReply(browser.worker, url, { type });
    assert.deepEqual(reply, { type: A.error, code: E.forbidden, request: type });
  }
  await page.close();
});

test('popup renders from Rust and reaches the service worker', async () => {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/popup/popup.html`);
  // The engine's version is an attribute for tests and bug reports; the
  // manager sees no "Engine 0.1.0 ready" developer text (issue 14).
  const engine = page.locator('#engine[data-ready="true"]');
  await engine.waitFor({ state: 'attached', timeout: 10000 });
  assert.equal(await engine.getAttribute('data-version'), VERSION);
  assert.doesNotMatch(await page.locator('body').innerText(), /Engine|Motor|\d+\.\d+\.\d+/);
  assert.ok((await page.locator('#open-options').textContent()).length > 0);
  await page.close();
});

test('options page renders settings from Rust and refuses invalid input without losing saved data', async () => {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/options/options.html`);
  await page.locator('#app[data-ready="true"]').waitFor({ timeout: 10000 });
  const original = await page.locator('#brands-json').inputValue();
  assert.match(original, /Telefónica/);
  // What the set-up saved (the demo brands, through the welcome page).
  const readStored = () => browser.worker.evaluate(async () => (await chrome.storage.local.get('settings')).settings ?? null);
  const storedBefore = await readStored();
  assert.match(storedBefore, /Telefónica/);

  // The JSON view is folded away under the form editor.
  await page.locator('#json-view summary').click();
  await page.locator('#brands-json').fill('{"groups": [ this is not json');
  await page.locator('#save').click();
  await page.waitForFunction(() => document.querySelector('#save-status').textContent.length > 0);
  assert.match(await page.locator('#save-status').textContent(), /line 1, column/i);

  assert.equal(await readStored(), storedBefore, 'nothing was written for invalid input');
  await page.close();
});

test('team-log server answers its health check and serves the dashboard', async () => {
  const health = await (await fetch(`${teamLog.url}/healthz`)).json();
  assert.equal(health.status, 'ok');
  assert.equal(health.version, VERSION);
  assert.equal(health.storage.journalMode, 'wal');
  const page = await browser.context.newPage();
  await page.goto(`${teamLog.url}/`);
  await page.waitForFunction(() => /is up/.test(document.querySelector('#health').textContent));
  await page.close();
});
