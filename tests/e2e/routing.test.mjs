// rules13 (issue 13): routing rules, end to end. The REAL escucha-server
// serves the built dashboard; an admin writes a rule in its editor (a rule
// without an action is refused first, with the extension's own sentence in
// English and in Spanish), saves it, and a member sees it read-only. A
// member's Chromium (the built extension) syncs the team configuration,
// opens the card on a mention in a real forum thread from ../shared/corpus,
// and the card says what the rule will do before Log ("→ Logistics · High ·
// #delivery"); after Log and sync the server's record has that department,
// priority and tag, and its history names the rule.
//
// Needs ../shared/corpus for the real thread: skipped with one line when it
// is absent, unless ESCUCHA_REQUIRE_CORPUS=1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, WWW_DIR, startFixtures, removeDir, spawnTeamLog, waitForCard, waitForHighlights, highlightTexts, logInCard } from './harness.mjs';
import { createTeam, launchBrowser, extensionWithLoopbackGranted, pullAll, until } from './teamlog.mjs';
import { configure } from './sync_common.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const HAVE_CORPUS = existsSync(join(CORPUS, 'forums'));
if (!HAVE_CORPUS && process.env.ESCUCHA_REQUIRE_CORPUS === '1') throw new Error(`${CORPUS} is missing and ESCUCHA_REQUIRE_CORPUS=1`);
const BIN = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'escucha-server');
const LOCALES = Object.fromEntries(['en', 'es'].map((l) => [l, JSON.parse(readFileSync(join(ROOT, 'extension', '_locales', l, 'messages.json'), 'utf8'))]));
const THREAD = 'community.bitdefender.com.en.discussion.81455.how-to-disable-notification.json';

/** A saved real page, made safe to serve here: no scripts, no CSP or refresh meta. */
function inert(html) {
  return html
    .replace(/<script\b[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<meta[^>]+http-equiv\s*=\s*["']?(content-security-policy|refresh)[^>]*>/gi, '');
}

/** The thread, and two words of one gold post: the brand term and the word the rule looks for. */
function thread() {
  if (!HAVE_CORPUS) return null;
  const files = readdirSync(join(CORPUS, 'forums')).filter((f) => f.endsWith('.json')).sort();
  const name = files.includes(THREAD) ? THREAD : files[0];
  const doc = JSON.parse(readFileSync(join(CORPUS, 'forums', name), 'utf8'));
  for (const g of doc.gold_standard_annotation) {
    const words = [...new Set([...(g.post_text?.surface_form ?? '').matchAll(/\p{L}{6,}/gu)].map((m) => m[0]))];
    if (words.length >= 6) return { name, html: inert(doc.html), term: words[1], word: words[3] };
  }
  throw new Error(`${name}: no post with six long words`);
}

let server, team, dash, member, profile, ext, fixtures, corpus;
const tokens = {};

before(async () => {
  corpus = thread();
  team = createTeam(['mo']);
  team.admin('member', 'add', '--team', 'Atención', '--role', 'admin', 'ada');
  tokens.ada = team.admin('token', 'issue', '--member', 'ada', '--team', 'Atención').trim().split('\n').pop().trim();
  tokens.mo = team.tokens.mo;
  const { url, child } = await spawnTeamLog(BIN, ['--db', team.db, 'serve', '--addr', '127.0.0.1:0', '--www', WWW_DIR]);
  server = { url, child };
  dash = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  fixtures = await startFixtures(corpus ? { '/corpus/thread.html': corpus.html } : {});
});

after(async () => {
  await member?.close();
  await dash?.close();
  if (server?.child && server.child.exitCode === null) { server.child.kill('SIGTERM'); await new Promise((r) => server.child.on('exit', r)); }
  await fixtures?.stop();
  if (profile) removeDir(profile);
  if (ext) removeDir(ext);
  team?.cleanup();
});

async function api(token, method, path, body, headers = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function openSignedIn(token, locale = 'en-US') {
  const context = await dash.newContext({ locale });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#log:not([hidden])');
  return { context, page, errors };
}

const noteIs = (page, re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#config-note').textContent), re.source);
const problems = (page) => page.$$eval('#config-problems li', (lis) => lis.map((l) => l.textContent));

test('routing: an admin writes a rule in the dashboard; a member sees it read-only', { skip: !HAVE_CORPUS && 'needs ../shared/corpus' }, async () => {
  const { context, page, errors } = await openSignedIn(tokens.ada);
  await page.waitForSelector('#config:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#config-brands').value.includes('"groups"'));
  await page.fill('#config-brands', JSON.stringify({ version: 1, groups: [{ id: 'corpus', name: 'Corpus', color: '#ffd54f', terms: [{ text: corpus.term }] }] }, null, 2));
  await page.click('#rules-add');
  const rule = page.locator('#rules-list > li.rule').first();
  await rule.locator('.rule-name').fill('Delivery');
  await rule.locator('.row-value').fill(`${corpus.word}, entrega`);
  // No action yet: the one validation refuses it, in the extension's words.
  await page.click('#config-form button[type=submit]');
  await noteIs(page, /^The configuration was not saved:$/);
  assert.deepEqual(await problems(page), [`Rule 1: ${LOCALES.en.ruleErrNoAction.message}`]);
  await page.selectOption('#lang', 'es');
  await noteIs(page, /^La configuración no se guardó:$/);
  assert.deepEqual(await problems(page), [`Regla 1: ${LOCALES.es.ruleErrNoAction.message}`]);
  await page.selectOption('#lang', 'en');

  await rule.locator('.rule-department').selectOption('Logistics');
  await rule.locator('.rule-priority').selectOption('high');
  await rule.locator('.rule-tags').fill('delivery');
  await page.click('#config-form button[type=submit]');
  await noteIs(page, /^Saved: version 1\.$/);
  const saved = (await api(tokens.ada, 'GET', '/api/v1/config')).body;
  assert.deepEqual(saved.config.rules, [{
    name: 'Delivery', enabled: true, stop: false,
    when: { kind: 'words', words: [corpus.word, 'entrega'] },
    then: [{ kind: 'setDepartment', name: 'Logistics' }, { kind: 'setPriority', priority: 'high' }, { kind: 'addTags', tags: ['delivery'] }],
  }]);
  // The dry run counts nothing to change yet (no captures).
  await page.click('#rules-rerun-dry');
  await page.waitForFunction(() => /^0 of 0 captures would change/.test(document.querySelector('#rules-note').textContent));
  assert.deepEqual(errors, []);
  await context.close();

  const m = await openSignedIn(tokens.mo, 'es-ES');
  await m.page.waitForSelector('#rules:not([hidden])');
  assert.equal(await m.page.locator('#config').isHidden(), true);
  await m.page.waitForFunction(() => document.querySelectorAll('#rules-view > li.rule').length === 1);
  assert.equal(await m.page.inputValue('#rules-view .rule-name'), 'Delivery');
  assert.equal(await m.page.locator('#rules-view .rule-name').isDisabled(), true, 'read-only for a member');
  assert.equal(await m.page.locator('#rules-view button').count(), 0);
  assert.deepEqual(m.errors, []);
  await m.context.close();
});

/** Main world: the centre of `term`'s middle letter in the block that also says `word`. */
function aimAt({ term, word }) {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const at = n.data.indexOf(term);
    if (at < 0) continue;
    let block = n.parentElement;
    while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
    if (!block || !block.textContent.toLowerCase().includes(word.toLowerCase())) continue;
    const mid = at + Math.floor(term.length / 2);
    const r = document.createRange(); r.setStart(n, mid); r.setEnd(n, mid + 1);
    n.parentElement.scrollIntoView({ block: 'center' });
    const b = r.getBoundingClientRect();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }
  return null;
}

test('routing: the card previews the route; after Log and sync the server record has it, by the rule', { skip: !HAVE_CORPUS && 'needs ../shared/corpus' }, async () => {
  ext = extensionWithLoopbackGranted();
  profile = mkdtempSync(join(tmpdir(), 'escucha-routing-profile-'));
  member = await launchBrowser(profile, ext);
  await member.context.route((u) => /^https?:$/.test(u.protocol) && u.hostname !== '127.0.0.1', (r) => r.abort());
  await configure(member, { endpoint: server.url, member: 'mo', token: tokens.mo });
  const synced = await member.send({ type: P.syncNow });
  assert.equal(synced.type, A.ok, JSON.stringify(synced));
  await until(async () => (await member.send({ type: P.getTeamConfig })).active?.doc?.version === 1, { what: 'the team configuration', timeout: 20000 });

  const page = await member.context.newPage();
  await page.goto(`${fixtures.url}/corpus/thread.html`, { waitUntil: 'load' });
  await waitForHighlights(page, (l) => Object.values(l).flat().some((t) => t.toLowerCase() === corpus.term.toLowerCase()), { timeout: 20000 });
  const aim = await page.evaluate(aimAt, { term: corpus.term, word: corpus.word });
  assert.ok(aim, `"${corpus.term}" next to "${corpus.word}" in ${corpus.name}`);
  await page.mouse.click(aim.x, aim.y);
  await waitForCard(page, '#excerpt');
  const line = await waitForCard(page, '#route-line', (t) => !!t);
  assert.equal(line, '→ Logistics · High · #delivery', `${Object.keys(await highlightTexts(page)).length} painted groups`);
  await logInCard(page);
  // Logged: rules do not run again, so the card stops previewing.
  await waitForCard(page, '#route-line', (t) => t === '');

  const again = await member.send({ type: P.syncNow });
  assert.equal(again.type, A.ok, JSON.stringify(again));
  const record = await until(async () => (await pullAll(server.url, tokens.mo)).find((c) => c.context.value.term.toLowerCase() === corpus.term.toLowerCase()),
    { what: 'the capture on the server', timeout: 30000 });
  assert.equal(record.department.value, 'Logistics');
  assert.equal(record.priority.value, 'high');
  assert.deepEqual(record.tags.adds?.map((d) => d.tag) ?? record.tags, ['delivery']);
  assert.deepEqual(record.history.map((e) => [e.member, e.field, e.to]), [['rule Delivery', 'department', 'Logistics'], ['rule Delivery', 'priority', 'high']]);
  assert.ok(record.context.value.commentText.toLowerCase().includes(corpus.word.toLowerCase()), 'the rule matched the comment\'s own words');

  // The member's browser gets the rule's changes back on its next sync.
  await member.send({ type: P.syncNow });
  await until(async () => {
    const r = await member.send({ type: P.getPageCaptures, url: record.context.value.pageUrl });
    return r.captures?.find((c) => c.id === record.id)?.department?.value === 'Logistics';
  }, { what: 'the routed capture back in the browser', timeout: 30000 });
  await Promise.race([page.close(), new Promise((r) => setTimeout(r, 5000))]);

  // The admin's dry run now finds nothing to change: ingest already routed it.
  const dry = await api(tokens.ada, 'POST', '/api/v1/rules/rerun', { dryRun: true });
  assert.deepEqual(dry.body, { dryRun: true, examined: 1, changed: 0, version: 1 });
});
