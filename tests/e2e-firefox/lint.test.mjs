// Tier 4: `web-ext lint` (Mozilla's add-on linter, as addons.mozilla.org runs
// it) on the Firefox package must report no error and no warning; notices are
// printed. Also: the Firefox package carries none of the Chromium-only keys,
// and both packages come from the one manifest source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from '../e2e/harness.mjs';
import { FIREFOX_DIR } from './firefox.mjs';

const WEB_EXT = join(ROOT, 'tests', 'node_modules', '.bin', 'web-ext');
const CHROME_DIR = resolve(ROOT, process.env.ESCUCHA_BUILD || 'build', 'chrome');
const manifest = (dir) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

test('web-ext lint: 0 errors, 0 warnings on the Firefox package', () => {
  assert.ok(existsSync(join(FIREFOX_DIR, 'manifest.json')), `${FIREFOX_DIR} is missing: run scripts/build.sh first`);
  let out;
  try {
    out = execFileSync(WEB_EXT, ['lint', '--source-dir', FIREFOX_DIR, '--output', 'json', '--no-input'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    out = e.stdout; // web-ext exits non-zero when it finds errors; the report is still on stdout
  }
  const report = JSON.parse(out.slice(out.indexOf('{')));
  const line = (m) => `${m.code} ${m.file ?? ''}: ${m.message}`;
  console.log(`# web-ext lint: ${report.summary.errors} errors, ${report.summary.warnings} warnings, ${report.summary.notices} notices`);
  for (const n of report.notices) console.log(`#   notice ${line(n)}`);
  assert.deepEqual(report.errors.map(line), []);
  assert.deepEqual(report.warnings.map(line), []);
});

test('one source, two manifests: each browser gets its own keys and nothing of the other', () => {
  const source = manifest(join(ROOT, 'extension'));
  const chrome = manifest(CHROME_DIR);
  const ff = manifest(FIREFOX_DIR);
  // Firefox: an event page (background.scripts), its id and minimum version, the data-collection declaration.
  assert.deepEqual(ff.background.scripts.at(-1), 'background/service_worker.js');
  assert.equal(ff.background.service_worker, undefined);
  assert.equal(ff.minimum_chrome_version, undefined);
  assert.ok(ff.web_accessible_resources.every((r) => !('use_dynamic_url' in r)));
  assert.equal(ff.browser_specific_settings.gecko.strict_min_version, '140.0', 'data_collection_permissions exists from Firefox 140 (web-ext lint warns on a lower minimum)');
  assert.ok(ff.browser_specific_settings.gecko.data_collection_permissions.required.length > 0);
  // Chromium: a service worker, no Firefox keys.
  assert.equal(chrome.background.service_worker, 'background/service_worker.js');
  assert.equal(chrome.background.scripts, undefined);
  assert.equal(chrome.browser_specific_settings, undefined);
  assert.ok(chrome.web_accessible_resources.some((r) => r.use_dynamic_url === true));
  // Everything else is the source's, in both.
  for (const key of ['name', 'version', 'permissions', 'content_scripts', 'content_security_policy', 'commands', 'action', 'options_ui']) {
    assert.deepEqual(chrome[key], source[key], `chrome ${key}`);
    assert.deepEqual(ff[key], source[key], `firefox ${key}`);
  }
  // The per-browser parts file itself ships in neither package.
  assert.ok(!existsSync(join(CHROME_DIR, 'platform', 'manifest.browsers.json')));
  assert.ok(!existsSync(join(FIREFOX_DIR, 'platform', 'manifest.browsers.json')));
});
