// Tier 4 harness: headless Firefox ESR driven through geckodriver by
// selenium-webdriver (WebDriver classic; geckodriver is built into .tools/ by
// scripts/setup.sh). Nothing here decides product behaviour; it only drives it.
//
// Why this driver: geckodriver is Mozilla's own WebDriver server, the
// protocol Firefox's automation is tested against, and selenium-webdriver
// is its well-kept client with `installAddon` (an add-on install the way
// about:debugging does it). Playwright's Firefox is a patched build we
// cannot install from Debian; `web-ext run` restarts Firefox per change and
// only forwards a remote-debugging port, so tests would still need a
// WebDriver client.
//
// How tests reach Escucha's own pages: WebDriver refuses to navigate a tab to
// moz-extension:// URLs, so a test switches to an extension tab (the welcome
// page opened on install, or one an extension page opened) and navigates it by
// script from there. The add-on's UUID is preset through the
// `extensions.webextensions.uuids` preference, so its origin is known.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Builder, By } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import { ROOT, removeDir } from '../e2e/harness.mjs';
import { PageRequest as P, Answer as A } from '../e2e/protocol.mjs';

export const FIREFOX_DIR = resolve(ROOT, process.env.ESCUCHA_BUILD || 'build', 'firefox');
export const FIREFOX_BIN = process.env.FIREFOX || '/usr/bin/firefox-esr';
export const GECKODRIVER = join(ROOT, '.tools', 'bin', 'geckodriver');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The add-on id the Firefox manifest declares (browser_specific_settings.gecko.id). */
export function geckoId(dir = FIREFOX_DIR) {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;
}

/** `firefox-esr --version`, e.g. "Mozilla Firefox 153.8.0esr". */
export function firefoxVersion() {
  return spawnSync(FIREFOX_BIN, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/**
 * A copy of the Firefox package for the tests: loopback granted (as
 * teamlog.mjs does for Chromium: a permission prompt needs a user's click)
 * and, with `probe`, tests/e2e-firefox/probe/probe.js added as one more
 * content script of the same add-on, so a test can see what a content script
 * of Escucha can read. Everything else is the package as built.
 */
export function testPackage({ probe = false } = {}) {
  if (!existsSync(join(FIREFOX_DIR, 'manifest.json'))) throw new Error(`${FIREFOX_DIR} is missing: run scripts/build.sh first`);
  const dir = mkdtempSync(join(tmpdir(), 'escucha-firefox-pkg-'));
  cpSync(FIREFOX_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.host_permissions = ['http://127.0.0.1/*'];
  if (probe) {
    cpSync(join(ROOT, 'tests', 'e2e-firefox', 'probe', 'probe.js'), join(dir, 'probe.js'));
    manifest.content_scripts.push({ matches: ['http://127.0.0.1/*'], js: ['platform/extension_api.js', 'probe.js'], run_at: 'document_idle' });
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Wait until `f()` returns a truthy value; returns it. */
export async function until(f, { timeout = 20000, every = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try { last = await f(); } catch (e) { last = e; }
    if (last && !(last instanceof Error)) return last;
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.stack : JSON.stringify(last)?.slice(0, 1000)}`);
}

/**
 * Firefox on a profile of its own (kept across `restart()`), with the add-on
 * in `pkg` installed permanently on the first start (ESR honours
 * xpinstall.signatures.required=false, so an unsigned package installs as a
 * store one would). `uuid` fixes the add-on's moz-extension:// host.
 */
export async function launchFirefox(pkg, { uuid = '5c0ffee0-1111-4222-8333-444455556666', profile } = {}) {
  profile ??= mkdtempSync(join(tmpdir(), 'escucha-firefox-profile-'));
  const id = geckoId(pkg);
  const base = `moz-extension://${uuid}`;
  const start = async () => {
    const opts = new firefox.Options();
    opts.setBinary(FIREFOX_BIN);
    opts.addArguments('-headless', '-profile', profile);
    opts.setPreference('extensions.webextensions.uuids', JSON.stringify({ [id]: uuid }));
    opts.setPreference('xpinstall.signatures.required', false);
    opts.setPreference('extensions.autoDisableScopes', 0);
    opts.setPreference('browser.shell.checkDefaultBrowser', false);
    opts.setPreference('datareporting.policy.dataSubmissionEnabled', false);
    // --allow-system-access lets a test switch to Firefox's own window
    // (`inChrome`): the context menu and the keyboard shortcuts live there.
    const service = new firefox.ServiceBuilder(GECKODRIVER).addArguments('--allow-system-access');
    return new Builder().forBrowser('firefox').setFirefoxOptions(opts).setFirefoxService(service).build();
  };
  const f = {
    id, uuid, base, profile, driver: await start(),
    /** Handles of the tabs whose URL starts with `prefix`. */
    async tabsAt(prefix) {
      const out = [];
      const current = await f.driver.getWindowHandle().catch(() => null);
      for (const h of await f.driver.getAllWindowHandles()) {
        await f.driver.switchTo().window(h);
        if ((await f.driver.getCurrentUrl()).startsWith(prefix)) out.push(h);
      }
      if (current) await f.driver.switchTo().window(current).catch(() => {});
      return out;
    },
    /** Switch to an extension tab (opening one from the add-on's own pages if none is left) and show `path` in it. */
    async openPage(path) {
      let [h] = await f.tabsAt(base);
      if (!h) {
        // None left (after a restart): a web page may open our web-accessible
        // card page, and from there the tab is on our origin.
        if (!f.webUrl) throw new Error('no extension tab to navigate from, and no webUrl to start from');
        h = await f.openTab(f.webUrl);
        await f.driver.executeScript('location.href = arguments[0]', `${base}/card/card.html`);
        await until(async () => (await f.driver.getCurrentUrl()).startsWith(base), { what: 'a tab on the extension origin' });
      }
      await f.driver.switchTo().window(h);
      await f.driver.executeScript('location.href = arguments[0]', `${base}/${path}`);
      await until(async () => (await f.driver.getCurrentUrl()) === `${base}/${path}` && (await f.driver.executeScript('return document.readyState')) === 'complete',
        { what: `${path} loaded` });
      return h;
    },
    /** A new tab showing `url` (a web page); returns its WebDriver handle. */
    async openTab(url) {
      await f.driver.switchTo().newWindow('tab');
      await f.driver.get(url);
      return f.driver.getWindowHandle();
    },
    /** Run `body` (an async function's source, `arguments[0]` its argument) in the current extension page. */
    async inPage(body, arg) {
      // A tab that just navigated (after a restart: the transit page) may still unload once.
      const run = () => f.driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
        (async (arg) => { ${body} })(arguments[0]).then((v) => done({ ok: v }), (e) => done({ err: String(e) }));`, arg);
      let r;
      for (let i = 0; ; i++) {
        try {
          r = await run();
          // null: the page went away before the script called back (it navigated): run it again.
          if (r != null || i >= 3) break;
          await sleep(300);
        } catch (e) {
          if (i >= 3 || !/unloaded/i.test(e.message)) throw e;
          await sleep(300);
        }
      }
      if (r == null) throw new Error('the extension page never answered the script');
      if (r.err) throw new Error(r.err);
      return r.ok;
    },
    /** Send a message to the background script from the extension page in the current tab (its real sender). */
    async send(message) {
      return f.inPage('return browser.runtime.sendMessage(arg);', message);
    },
    /** The WebExtension tab id of the web page at `url` (extension pages may list tab URLs for granted hosts). */
    async tabIdOf(url) {
      // Compared decoded: Firefox reports a quote in a query as %27.
      return until(() => f.inPage('const want = decodeURIComponent(arg); return (await browser.tabs.query({})).find((t) => t.url && decodeURIComponent(t.url) === want)?.id;', url),
        { what: `tab of ${url}` });
    },
    /** Run `body` (a function body, `arguments[0]` its argument) in Firefox's own browser window (chrome://browser), then come back to the page. */
    async inChrome(body, arg) {
      await f.driver.setContext('chrome');
      try { return await f.driver.executeScript(body, arg); } finally { await f.driver.setContext('content'); }
    },
    /** Quit Firefox and start it again on the same profile (the add-on stays installed). */
    async restart() {
      await f.driver.quit();
      f.driver = await start();
    },
    async quit({ keepProfile = false } = {}) {
      await f.driver.quit().catch(() => {});
      if (!keepProfile) removeDir(profile);
    },
  };
  await f.driver.installAddon(pkg, false);
  // A fresh install opens the welcome page: that tab is where tests reach our pages from.
  await until(async () => (await f.tabsAt(`${base}/welcome/welcome.html`)).length > 0, { what: 'the welcome page after install' });
  return f;
}

/** Check a reply is `ok`; returns it. */
/**
 * Switch on the demo brands from the welcome page a fresh install opened, as
 * a manager does (Firefox's twin of harness.mjs's useDemoBrands).
 */
export async function useDemoBrands(a) {
  const [welcome] = await a.tabsAt(`${a.base}/welcome/welcome.html`);
  await a.driver.switchTo().window(welcome);
  await until(() => a.driver.executeScript('return document.querySelector("#app")?.dataset.ready === "true"'), { what: 'welcome page ready' });
  await a.driver.findElement(By.css('#use-demo')).click();
  await until(async () => /Telefónica, Movistar/.test(await a.driver.executeScript('return document.querySelector("#state")?.textContent ?? ""')),
    { what: 'demo brands saved' });
}

export function ok(reply) {
  if (!reply || reply.type !== A.ok) throw new Error(`expected ok: ${JSON.stringify(reply)}`);
  return reply;
}

/** Settings through the options page's own request, as `configure` in sync_common.mjs. */
export async function configureSync(f, { endpoint, member, token }) {
  const got = ok(await f.send({ type: P.getSettings }));
  ok(await f.send({ type: P.saveSettings, settings: { ...got.settings, sync: { mode: 'teamLog', endpoint, member } } }));
  if (token !== undefined) ok(await f.send({ type: P.saveSyncToken, token }));
}

export { By };
