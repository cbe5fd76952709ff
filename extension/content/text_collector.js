// The one hot loop the browser forces on us: a single pass over the page's
// text nodes that returns every scannable one and their text joined into one
// string, with a block separator wherever the layout breaks the line.
// A wasm↔JS crossing per node would cost more than the walk itself, so the
// walk stays here. WHAT it skips and where text breaks is decided in Rust
// (escucha_core::page_text::breaks_flow); this file gets that rule as data
// (walk_rules) and applies it. All matching, mapping and painting happen in
// Rust.
//
// Speed: the walk visits text nodes only (no element steps) and decides each
// element once, when it is first met as an ancestor of text; consecutive
// text nodes whose nearest breaking ancestor is the same element are in one
// line. Elements that break without holding text (<br>, images, empty
// blocks, skipped tags) are found up front by one native selector query.
self.escuchaCollectText = (root, rules) => {
  const flows = rules.flowMap ??= new Map(Object.entries(rules.tagFlow));
  const unknownFlow = rules.unknownFlow;
  const inlineDisplays = rules.inlineDisplaySet ??= new Set(rules.inlineDisplays);
  const inlineBy = rules.inlineRestyledBy;
  const blockBy = rules.blockRestyledBy;
  const sep = rules.blockSeparator;
  // Flow numbers, as escucha_core::page_text::Flow.
  const INLINE = 0, SKIP = 2, BREAK = 3, COMPUTED = 4;

  const nodes = [];
  const parts = [];
  let cap = 4096;
  let starts = new Uint32Array(cap);
  let ends = new Uint32Array(cap);
  let count = 0;
  const shadowRoots = [];
  const hosts = new Set();
  let len = 0;
  let pendingBreak = false;

  const push = (n, d) => {
    if (count === cap) {
      cap *= 2;
      const s = new Uint32Array(cap); s.set(starts); starts = s;
      const e = new Uint32Array(cap); e.set(ends); ends = e;
    }
    nodes.push(n); parts.push(d);
    starts[count] = len; len += d.length; ends[count] = len; count += 1;
  };

  const walk = (top) => {
    // Editable regions and our own UI are rare: find them once, natively.
    const special = new Set(top.querySelectorAll(rules.editableSelector));
    // 0: stays in the line, 1: breaks it, 2: skipped (escucha_core::page_text::breaks_flow).
    const own = (el) => {
      const f = flows.get(el.localName) ?? unknownFlow;
      if (f === SKIP || (special.size !== 0 && special.has(el))) return 2;
      if (f === BREAK) return 1;
      let ask = f === COMPUTED;
      if (!ask) {
        const by = f === INLINE ? inlineBy : blockBy;
        for (let i = 0; i < by.length; i++) if (el.hasAttribute(by[i])) { ask = true; break; }
      }
      if (ask) return inlineDisplays.has(getComputedStyle(el).display) ? 0 : 1;
      return f === INLINE ? 0 : 1;
    };
    // Element → its nearest ancestor-or-self that breaks the line (the
    // "line owner"), or null when it is inside something skipped.
    const owner = new Map();
    owner.set(top, top);
    const ownerOf = (el) => {
      let o = owner.get(el);
      if (o !== undefined) return o;
      const up = ownerOf(el.parentNode);
      if (up === null) o = null;
      else {
        const k = own(el);
        o = k === 2 ? null : k === 1 ? el : up;
        if (o !== null && el.shadowRoot !== null) hosts.add(el);
      }
      owner.set(el, o);
      return o;
    };
    // The outermost skipped ancestor of `el`, to jump over its subtree.
    const skipRoot = (el) => {
      while (owner.get(el.parentNode) === null) el = el.parentNode;
      return el;
    };

    const w = document.createTreeWalker(top, NodeFilter.SHOW_TEXT);
    // Text nodes that follow an element which breaks the line without
    // holding text of its own.
    const breakBefore = new Set();
    for (const m of top.querySelectorAll(rules.markerSelector)) {
      if (m.shadowRoot !== null) hosts.add(m);
      if (own(m) === 0) continue;
      w.currentNode = m;
      const next = w.nextSibling();
      if (next !== null) breakBefore.add(next);
    }
    w.currentNode = top;

    let lastParent = null;
    let lastOwner = null;
    let prevOwner = null;
    let n = w.nextNode();
    while (n !== null) {
      const p = n.parentNode;
      if (p !== lastParent) { lastParent = p; lastOwner = ownerOf(p); }
      if (lastOwner === null) {
        pendingBreak = true;
        lastParent = null;
        w.currentNode = skipRoot(p);
        n = w.nextSibling();
        continue;
      }
      if (breakBefore.size !== 0 && breakBefore.has(n)) pendingBreak = true;
      const d = n.data;
      if (d.length !== 0) {
        if (len !== 0 && (pendingBreak || lastOwner !== prevOwner)) { parts.push(sep); len += 1; }
        pendingBreak = false;
        prevOwner = lastOwner;
        push(n, d);
      }
      n = w.nextNode();
    }
  };

  if (root.nodeType === 3) {
    push(root, root.data);
  } else {
    walk(root);
    // The root itself may host a shadow tree (a web component appended by
    // infinite scroll is rescanned as its own root).
    if (root.shadowRoot) hosts.add(root);
    // Shadow trees are walked after the light tree, each its own block;
    // shadow trees found inside them join the queue.
    for (const host of hosts) {
      shadowRoots.push(host.shadowRoot);
      pendingBreak = true;
      walk(host.shadowRoot);
    }
  }
  return {
    nodes, text: parts.join(''), shadowRoots,
    starts: new Uint32Array(starts.buffer.transfer(count * 4)),
    ends: new Uint32Array(ends.buffer.transfer(count * 4)),
  };
};

// Benchmarks only: the floor every highlighter pays, a bare walk that reads
// every text node's data.
self.escuchaFloorWalk = () => {
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let count = 0;
  let chars = 0;
  for (let n = w.nextNode(); n !== null; n = w.nextNode()) { chars += n.data.length; count += 1; }
  return count + (chars & 0); // keep the reads live
};
