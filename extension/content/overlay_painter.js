// The painter both highlighting paths use (the WebAssembly content script
// through src/web/src/content/painter.rs, the strict-CSP one through
// matcher_client.js). Why an overlay and not CSS.highlights, and what it
// shows the page: escucha_core::paint. Glue only: the stylesheet (colours,
// host style, layer order) comes from Rust; this file turns ranges into
// boxes. It is JavaScript for the same reason as text_collector.js: a
// wasm↔JS crossing per range and per rect would cost more than the work.
//
// Nothing here is page-readable: one 0×0 host whose shadow root is closed,
// boxes only for ranges near the viewport, placed in document coordinates.
// Which ranges are near is found by a binary search in an index of their
// elements' vertical extents (an IntersectionObserver over thousands of
// elements was measured: it costs every scrolled frame, ~65 ms a frame on
// the 10k-post thread). The index is rebuilt when layout may have moved
// things: a change of what is painted, a resize of the document, a loaded
// image or font, a scroll inside an element; a scroll of the document only
// redraws the boxes near the new view.
self.escuchaOverlayPainter = (css, layerNames, ownUiAttribute) => {
  const host = document.createElement('escucha-overlay');
  host.setAttribute(ownUiAttribute, 'overlay'); // our scan skips it
  const root = host.attachShadow({ mode: 'closed' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [sheet];
  const containers = new Map(); // layer name → its div (stacking order: layerNames)
  for (const name of layerNames) {
    const div = document.createElement('div');
    div.className = 'layer';
    root.append(div);
    containers.set(name, div);
  }
  const layers = new Map(); // name → Map(range → entry)
  const byElement = new Map(); // Element → Set(entry)
  let index = null; // [{ top, bottom, el }] by top, document coordinates; null: to rebuild
  let tallest = 0;
  let waiters = []; // drawn() promises: resolved by the next draw
  let boxes = 0;
  const cost = { draws: 0, rebuilds: 0, ms: 0 }; // for the benchmark (tests/bench/paint.mjs)
  let scheduled = 0;
  let disposed = false;
  const live = document.createRange();

  const schedule = () => { if (!scheduled && !disposed) scheduled = requestAnimationFrame(draw); };
  const moved = () => { index = null; schedule(); };
  const ro = new ResizeObserver(moved);
  const onScroll = (e) => { if (e.target !== document) index = null; schedule(); };
  const onLoad = (e) => { if (e.target instanceof HTMLImageElement || e.target instanceof HTMLIFrameElement) moved(); };
  addEventListener('resize', moved, { passive: true });
  document.addEventListener('scroll', onScroll, { capture: true, passive: true });
  document.addEventListener('load', onLoad, true);
  document.fonts?.addEventListener?.('loadingdone', moved);

  const elementOf = (range) => {
    const n = range.startContainer;
    return n.nodeType === Node.ELEMENT_NODE ? n : n.parentElement;
  };
  const attach = () => {
    if (host.isConnected || disposed) return;
    (document.documentElement ?? document).append(host);
    ro.disconnect();
    ro.observe(document.documentElement);
    if (document.body) ro.observe(document.body);
  };

  const add = (name, ranges) => {
    let layer = layers.get(name);
    if (!layer) layers.set(name, (layer = new Map()));
    for (const range of ranges) {
      if (layer.has(range)) continue;
      const el = elementOf(range);
      const entry = { range, name, el };
      layer.set(range, entry);
      if (!el) continue;
      let set = byElement.get(el);
      if (!set) { byElement.set(el, (set = new Set())); index = null; }
      set.add(entry);
    }
    attach();
    schedule();
  };
  const forget = (entry) => {
    const set = entry.el && byElement.get(entry.el);
    if (!set) return;
    set.delete(entry);
    if (set.size === 0) { byElement.delete(entry.el); index = null; }
  };
  const remove = (name, ranges) => {
    const layer = layers.get(name);
    if (!layer) return;
    for (const range of ranges) {
      const entry = layer.get(range);
      if (!entry) continue;
      layer.delete(range);
      forget(entry);
    }
    schedule();
  };
  const set = (name, ranges) => { clear(name); add(name, ranges); };
  const clear = (name) => {
    const layer = layers.get(name);
    if (!layer) return;
    for (const entry of layer.values()) forget(entry);
    layer.clear();
    schedule();
  };

  /** Boxes for every range near the viewport, in document coordinates. */
  function draw() {
    scheduled = 0;
    if (disposed) return;
    const t0 = performance.now();
    cost.draws++;
    attach();
    const origin = host.getBoundingClientRect();
    if (!index) { cost.rebuilds++; rebuild(origin); }
    const html = new Map();
    for (const name of containers.keys()) html.set(name, []);
    let count = 0;
    const margin = innerHeight / 2;
    const viewTop = -origin.top - margin;
    const viewBottom = -origin.top + innerHeight + margin;
    // First element whose top could reach the view: top >= viewTop - tallest.
    let lo = 0;
    let hi = index.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (index[mid].top < viewTop - tallest) lo = mid + 1; else hi = mid; }
    for (let i = lo; i < index.length && index[i].top <= viewBottom; i++) {
      if (index[i].bottom < viewTop) continue;
      for (const entry of byElement.get(index[i].el) ?? []) {
        const r = entry.range;
        if (!r.startContainer.isConnected || !r.endContainer.isConnected) continue;
        try { live.setStart(r.startContainer, r.startOffset); live.setEnd(r.endContainer, r.endOffset); } catch { continue; }
        const seen = new Set();
        const out = html.get(entry.name);
        if (!out) continue;
        for (const b of live.getClientRects()) {
          if (b.width < 1 || b.height < 1) continue;
          // An element wholly inside the range reports its box as well as
          // its text's: draw each place once.
          const key = `${Math.round(b.left)},${Math.round(b.top)},${Math.round(b.width)},${Math.round(b.height)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push([b.left - origin.left, b.top - origin.top, b.width, b.height]);
          count++;
        }
      }
    }
    for (const [name, div] of containers) {
      const want = html.get(name);
      while (div.childElementCount > want.length) div.lastElementChild.remove();
      while (div.childElementCount < want.length) { const box = document.createElement('div'); box.className = name; div.append(box); }
      let box = div.firstElementChild;
      for (const [x, y, w, h] of want) {
        box.style.cssText = `left:${x}px;top:${y}px;width:${w}px;height:${h}px`;
        box = box.nextElementSibling;
      }
    }
    boxes = count;
    cost.ms += performance.now() - t0;
    if (waiters.length) { const w = waiters; waiters = []; for (const resolve of w) resolve(boxes); }
  }

  /** Each painted element's vertical extent in document coordinates, by top. */
  function rebuild(origin) {
    index = [];
    tallest = 0;
    for (const el of byElement.keys()) {
      if (!el.isConnected) continue;
      let b = el.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) {
        // No box of its own (display: contents): its text's.
        const [entry] = byElement.get(el);
        try { live.setStart(entry.range.startContainer, entry.range.startOffset); live.setEnd(entry.range.endContainer, entry.range.endOffset); b = live.getBoundingClientRect(); } catch { continue; }
      }
      const top = b.top - origin.top;
      const bottom = b.bottom - origin.top;
      tallest = Math.max(tallest, bottom - top);
      index.push({ top, bottom, el });
    }
    index.sort((a, b) => a.top - b.top);
  }

  /** What is painted, layer by layer, as text (the GetPainted answer; never page-visible). */
  const debug = () => {
    const out = [];
    for (const name of layers.keys()) {
      const texts = [];
      for (const { range: r } of layers.get(name).values()) {
        try { live.setStart(r.startContainer, r.startOffset); live.setEnd(r.endContainer, r.endOffset); texts.push(live.toString()); } catch { /* detached */ }
      }
      if (texts.length) out.push({ name, texts: texts.sort() });
    }
    return { layers: out, boxes };
  };
  const costs = () => ({ ...cost });

  const dispose = () => {
    disposed = true;
    if (scheduled) cancelAnimationFrame(scheduled);
    ro.disconnect();
    removeEventListener('resize', moved);
    document.removeEventListener('scroll', onScroll, true);
    document.removeEventListener('load', onLoad, true);
    document.fonts?.removeEventListener?.('loadingdone', moved);
    host.remove();
    for (const resolve of waiters) resolve(0);
    waiters = [];
    layers.clear();
    byElement.clear();
    index = [];
  };

  /**
   * Resolves once the boxes for what is painted now are drawn (benchmarks):
   * with the next draw when one is pending, at once when none is (the last
   * draw already showed every change; waiting for another frame would time
   * a frame that draws nothing new).
   */
  const drawn = () => new Promise((resolve) => {
    if (scheduled === 0 || disposed) { resolve(disposed ? 0 : boxes); return; }
    waiters.push(resolve);
  });

  // There from the start, painted or not: a host that appeared only with a
  // first mention would tell the page that it holds one.
  attach();
  return { add, remove, set, clear, debug, dispose, drawn, costs, redraw: schedule };
};
