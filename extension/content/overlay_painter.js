// The painter both highlighting paths use (the WebAssembly content script
// through src/web/src/content/painter.rs, the strict-CSP one through
// matcher_client.js). Why an overlay and not CSS.highlights, and what it
// shows the page: escucha_core::paint. Glue only: the stylesheet (colours,
// host style, layer order) comes from Rust; this file turns ranges into
// boxes. It is JavaScript for the same reason as text_collector.js: a
// wasm↔JS crossing per range and per rect would cost more than the work.
//
// Nothing here is page-readable: one 0×0 host whose shadow root is closed,
// boxes only for ranges near the viewport (an IntersectionObserver watches
// each range's element), placed in document coordinates so the page's own
// scrolling carries them. They are redrawn when something may have moved
// them: a change of what is painted, the observer, a resize, a scroll of any
// scroller, a loaded image or font.
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
  const near = new Set(); // elements the observer says are near the viewport
  const unreported = new Set(); // observed, not yet reported by the observer
  let waiters = []; // drawn() promises: resolved by the first draw with every element reported
  let boxes = 0;
  let scheduled = 0;
  let disposed = false;
  const live = document.createRange();

  const schedule = () => { if (!scheduled && !disposed) scheduled = requestAnimationFrame(draw); };
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      unreported.delete(e.target);
      if (e.isIntersecting) near.add(e.target); else near.delete(e.target);
    }
    schedule();
  }, { rootMargin: '50% 0px 50% 0px' });
  const ro = new ResizeObserver(schedule);
  const onScroll = () => schedule();
  const onLoad = (e) => { if (e.target instanceof HTMLImageElement || e.target instanceof HTMLIFrameElement) schedule(); };
  addEventListener('resize', schedule, { passive: true });
  document.addEventListener('scroll', onScroll, { capture: true, passive: true });
  document.addEventListener('load', onLoad, true);
  document.fonts?.addEventListener?.('loadingdone', schedule);

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
      if (!set) { byElement.set(el, (set = new Set())); io.observe(el); unreported.add(el); }
      set.add(entry);
    }
    attach();
    schedule();
  };
  const forget = (entry) => {
    const set = entry.el && byElement.get(entry.el);
    if (!set) return;
    set.delete(entry);
    if (set.size === 0) { byElement.delete(entry.el); near.delete(entry.el); unreported.delete(entry.el); io.unobserve(entry.el); }
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
    attach();
    const origin = host.getBoundingClientRect();
    const html = new Map();
    for (const name of containers.keys()) html.set(name, []);
    let count = 0;
    for (const el of near) {
      for (const entry of byElement.get(el) ?? []) {
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
    if (unreported.size === 0 && waiters.length) { const w = waiters; waiters = []; for (const resolve of w) resolve(boxes); }
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

  const dispose = () => {
    disposed = true;
    if (scheduled) cancelAnimationFrame(scheduled);
    io.disconnect();
    ro.disconnect();
    removeEventListener('resize', schedule);
    document.removeEventListener('scroll', onScroll, true);
    document.removeEventListener('load', onLoad, true);
    document.fonts?.removeEventListener?.('loadingdone', schedule);
    host.remove();
    for (const resolve of waiters) resolve(0);
    waiters = [];
    unreported.clear();
    layers.clear();
    byElement.clear();
    near.clear();
  };

  /** Resolves once the boxes for what is painted now are drawn (benchmarks). */
  const drawn = () => new Promise((resolve) => { waiters.push(resolve); schedule(); });

  // There from the start, painted or not: a host that appeared only with a
  // first mention would tell the page that it holds one.
  attach();
  return { add, remove, set, clear, debug, dispose, drawn, redraw: schedule };
};
