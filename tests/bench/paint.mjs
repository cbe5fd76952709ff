// Painting benchmark (issue 11): the closed-shadow overlay Escucha paints
// with now (extension/content/overlay_painter.js, escucha_core::paint)
// against the page-visible CSS.highlights painter it replaced, on the same
// 10,000-post thread (tests/bench/gen_forum.mjs) and the same ranges, in one
// headless Chromium. Only painting differs: the ranges are found once, in
// the page, by a plain regex over the text nodes (the matcher's cost is in
// tests/bench/highlight.mjs).
//
//   node tests/bench/paint.mjs [--quick]
//
// Figures, per painter, median of RUNS fresh page loads:
//   first paint  — every range handed to the painter → the frame that shows them
//                  (CSS.highlights: two animation frames; overlay: its first
//                  draw once the IntersectionObserver has placed every range);
//   scrolling    — 240 frames scrolling the thread 60 px a frame: frame
//                  intervals (median, p95, max), frames over 20 ms, and the
//                  main-thread time the painter's own work took in them;
//   new post     — one post with one mention appended at the end of the
//                  visible area → painted.
// Prints a table and writes tests/bench/results/paint-latest.md. Asserts nothing.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS, startFixtures } from '../e2e/harness.mjs';
import { generateForum, TERMS_10 } from './gen_forum.mjs';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 3 : 5;
const SCROLL_FRAMES = 240;
const log = (...a) => console.error('[paint]', ...a);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const OVERLAY_JS = readFileSync(join(ROOT, 'extension', 'content', 'overlay_painter.js'), 'utf8');
const COLORS = ['#ffd54f', '#4dabf7', '#ff8787', '#69db7c', '#da77f2', '#ffa94d', '#38d9a9', '#748ffc', '#f783ac', '#a9e34b'];
// The same rules escucha_core::paint::overlay_css and page_text::highlight_css write for ten groups.
const OVERLAY_CSS = ':host { all: initial !important; position: absolute !important; left: 0px !important; top: 0px !important; width: 0px !important; height: 0px !important; overflow: visible !important; display: block !important; pointer-events: none !important; z-index: 2147483646 !important; }\n'
  + 'div { position: absolute; pointer-events: none; box-sizing: border-box; margin: 0; padding: 0; border: 0; }\n.layer { left: 0; top: 0; width: 0; height: 0; }\n'
  + COLORS.map((c, i) => `.escucha-g${i} { background-color: ${c}; opacity: 0.4; }`).join('\n');
const HIGHLIGHT_CSS = COLORS.map((c, i) => `::highlight(escucha-g${i}) { background-color: ${c}; color: #111; }`).join('\n');

/** In the page: one StaticRange per mention of the ten terms (any case, accents as written). */
function findRanges(terms) {
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const groups = new Map(terms.map((t, i) => [fold(t), i]));
  const out = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    for (const m of n.data.normalize('NFC').matchAll(re)) {
      if (n.data.normalize('NFC') !== n.data) continue;
      out.push({ group: groups.get(fold(m[0])) ?? 0, range: new StaticRange({ startContainer: n, startOffset: m.index, endContainer: n, endOffset: m.index + m[0].length }) });
    }
  }
  window.__mentions = out;
  return out.length;
}

/** In the page: set up painter `kind` and paint every mention; resolves with ms to the painted frame. */
async function firstPaint({ kind, css, overlayJs }) {
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const mentions = window.__mentions;
  const t0 = performance.now();
  if (kind === 'highlights') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    const hs = [];
    for (let i = 0; i < 10; i++) { const h = new Highlight(); h.priority = 10 - i; CSS.highlights.set(`escucha-g${i}`, h); hs.push(h); }
    for (const m of mentions) hs[m.group].add(m.range);
    window.__paint = { add: (m) => hs[m.group].add(m.range), drawn: frames };
    await frames();
  } else if (kind === 'overlay') {
    (0, eval)(overlayJs); // defines escuchaOverlayPainter
    const layers = Array.from({ length: 10 }, (_, i) => `escucha-g${i}`);
    const p = self.escuchaOverlayPainter(css, [...layers, 'escucha-flash'], 'data-escucha-ui');
    for (let i = 0; i < 10; i++) p.add(`escucha-g${i}`, mentions.filter((m) => m.group === i).map((m) => m.range));
    // drawn() resolves in the animation frame that draws the boxes; one more
    // frame means that one was produced (as the two frames above).
    const drawn = async () => { await p.drawn(); await new Promise((r) => requestAnimationFrame(r)); };
    window.__paint = { add: (m) => p.add(`escucha-g${m.group}`, [m.range]), drawn, painter: p };
    await drawn();
  } else {
    window.__paint = { add: () => {}, drawn: frames };
    await frames();
  }
  return performance.now() - t0;
}

/** In the page: scroll `frames` frames, 60 px each; frame intervals and long frames. */
async function scroll(frames) {
  scrollTo(0, 0);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const intervals = [];
  let last = performance.now();
  const loaf = [];
  const po = typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes?.includes('long-animation-frame')
    ? new PerformanceObserver((l) => { for (const e of l.getEntries()) loaf.push(e.duration); }) : null;
  po?.observe({ type: 'long-animation-frame', buffered: false });
  await new Promise((resolve) => {
    let n = 0;
    const step = (t) => {
      intervals.push(t - last);
      last = t;
      scrollBy(0, 60);
      if (++n >= frames) resolve();
      else requestAnimationFrame(step);
    };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(step); });
  });
  po?.disconnect();
  return { intervals, loaf };
}

/** In the page: append a post with one mention at the bottom of the view, paint it, ms to drawn. */
async function newPost() {
  const post = document.createElement('div');
  post.className = 'post';
  post.innerHTML = '<p>Nuevo mensaje: me cambio a Movistar mañana.</p>';
  const t0 = performance.now();
  const anchor = document.elementFromPoint(innerWidth / 2, innerHeight - 20)?.closest('.post') ?? document.body.lastElementChild;
  anchor.after(post);
  const text = post.querySelector('p').firstChild;
  const at = text.data.indexOf('Movistar');
  window.__paint.add({ group: 1, range: new StaticRange({ startContainer: text, startOffset: at, endContainer: text, endOffset: at + 8 }) });
  await window.__paint.drawn();
  return performance.now() - t0;
}

const fmt = (x) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));

async function main() {
  const { html, stats } = generateForum({ posts: 10000 });
  const fixtures = await startFixtures({ '/thread.html': html });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const version = browser.version();
  const ONLY = process.env.PAINT_ONLY;
  // PAINT_BLEND=1: the overlay with mix-blend-mode: multiply on its host (measured and dropped).
  const CSS_OVERRIDE = process.env.PAINT_BLEND ? OVERLAY_CSS.replace(' z-index: 2147483646 !important;', ' z-index: 2147483646 !important; mix-blend-mode: multiply !important;') : OVERLAY_CSS;
  const all = [
    { kind: 'none', label: 'no painter (the page alone)' },
    { kind: 'highlights', label: 'CSS.highlights (before; page-readable)', css: HIGHLIGHT_CSS },
    { kind: 'overlay', label: 'closed-shadow overlay (now)', css: CSS_OVERRIDE, overlayJs: OVERLAY_JS },
  ];
  const painters = ONLY ? all.filter((p) => p.kind === ONLY) : all;
  const rows = [];
  try {
    for (const p of painters) {
      const r = { label: p.label, first: [], newPost: [], p50: [], p95: [], max: [], slow: [], loaf: [], mentions: 0, boxes: null };
      for (let run = 0; run < RUNS; run++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(`${fixtures.url}/thread.html`, { waitUntil: 'load' });
        r.mentions = await page.evaluate(findRanges, TERMS_10);
        r.first.push(await page.evaluate(firstPaint, { kind: p.kind, css: p.css, overlayJs: p.overlayJs }));
        if (p.kind === 'overlay') r.boxes = await page.evaluate(() => window.__paint.painter.debug().boxes);
        const before = p.kind === 'overlay' ? await page.evaluate(() => window.__paint.painter.costs()) : null;
        const s = await page.evaluate(scroll, SCROLL_FRAMES);
        if (before) {
          const after = await page.evaluate(() => window.__paint.painter.costs());
          r.drawMs = (r.drawMs ?? []).concat((after.ms - before.ms) / Math.max(1, after.draws - before.draws));
          r.rebuilds = (r.rebuilds ?? []).concat(after.rebuilds - before.rebuilds);
        }
        const iv = s.intervals.slice(1).sort((a, b) => a - b);
        r.p50.push(median(iv));
        r.p95.push(iv[Math.floor(iv.length * 0.95)]);
        r.max.push(iv[iv.length - 1]);
        r.slow.push(iv.filter((x) => x > 20).length);
        r.loaf.push(s.loaf.length);
        r.newPost.push(await page.evaluate(newPost));
        await page.close();
      }
      log(p.label, JSON.stringify({ first: r.first.map(fmt), newPost: r.newPost.map(fmt), drawMs: r.drawMs?.map(fmt), rebuilds: r.rebuilds }));
      rows.push(r);
    }
  } finally {
    await browser.close();
    await fixtures.stop();
  }
  const out = [];
  out.push(`# Painting: closed-shadow overlay vs CSS.highlights (${new Date().toISOString().slice(0, 10)})`);
  out.push('');
  out.push(`Chromium ${version}, headless, 1280×800; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), shared. ${stats.posts}-post thread, ${rows[1]?.mentions ?? 0} mentions of 10 terms. Median of ${RUNS} page loads each; scrolling: ${SCROLL_FRAMES} frames × 60 px.`);
  out.push('');
  out.push('| painter | first paint ms | scroll frame ms p50 / p95 / max | frames > 20 ms | long animation frames | new post → painted ms |');
  out.push('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    out.push(`| ${r.label} | ${fmt(median(r.first))} | ${fmt(median(r.p50))} / ${fmt(median(r.p95))} / ${fmt(median(r.max))} | ${median(r.slow)} of ${SCROLL_FRAMES - 1} | ${median(r.loaf)} | ${fmt(median(r.newPost))} |`);
  }
  const overlay = rows.find((r) => r.boxes !== null);
  out.push('');
  out.push(`The overlay draws boxes only for ranges near the viewport (${overlay?.boxes ?? '?'} boxes after the first paint, of ${overlay?.mentions ?? '?'} ranges); draw cost per scrolled frame (main thread, the painter's own work): ${(overlay?.drawMs ?? []).map(fmt).join(', ')} ms; index rebuilds while scrolling: ${(overlay?.rebuilds ?? []).join(', ')}.`);
  const text = out.join('\n');
  console.log(text);
  mkdirSync(join(ROOT, 'tests', 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'tests', 'bench', 'results', 'paint-latest.md'), `${text}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
