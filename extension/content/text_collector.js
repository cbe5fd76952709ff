// The one hot loop the browser forces on us: a single pass over the page's
// text nodes that returns every scannable one and their text joined into one
// string, with a block separator wherever the layout breaks the line.
// A wasm↔JS crossing per node would cost more than the walk itself, so the
// walk stays here. WHAT it skips and where text breaks is decided in Rust
// (escucha_core::page_text::breaks_flow); this file gets that rule as data
// (walk_rules) and applies it. All matching, mapping and painting happen in
// Rust.
//
// The walk is depth-first by hand (firstChild / nextSibling), so it sees
// both entering and leaving each element: entering or leaving an element
// that breaks the line starts a new line, also when it sits inside an
// inline one (`<a><div>x</div></a>y` is "x", break, "y"). Editable regions,
// our own UI and the elements with an inline style are found up front by one
// native selector query.
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

  const byClass = new Map();
  const restyle = [...new Set([...inlineBy, ...blockBy])].map((a) => `[${a}]`);
  const walk = (top) => {
    // Editable regions, our own UI and restyled elements are rare: one
    // native query finds them all, rather than asking every element.
    const special = new Set();
    const inlineStyled = new Set();
    const blockStyled = new Set();
    for (const el of top.querySelectorAll([rules.editableSelector, ...restyle].join(', '))) {
      if (el.matches(rules.editableSelector)) special.add(el);
      if (inlineBy.some((a) => el.hasAttribute(a))) inlineStyled.add(el);
      if (blockBy.some((a) => el.hasAttribute(a))) blockStyled.add(el);
    }
    // 0: stays in the line, 1: breaks it, 2: skipped (escucha_core::page_text::breaks_flow).
    const own = (el) => {
      const f = flows.get(el.localName) ?? unknownFlow;
      if (f === SKIP || (special.size !== 0 && special.has(el))) return 2;
      if (f === BREAK) return 1;
      // Tags that may be restyled (walk_rules) are asked only when they
      // carry such an attribute; the elements that do were found natively.
      if (f !== COMPUTED && !(f === INLINE ? inlineStyled : blockStyled).has(el)) return f === INLINE ? 0 : 1;
      // Custom elements share one answer per tag and class list in this walk
      // when they carry no inline style (the same component repeats).
      let key = null;
      if (f === COMPUTED && !inlineStyled.has(el) && !blockStyled.has(el)) {
        key = `${el.localName} ${el.getAttribute('class') ?? ''}`;
        const known = byClass.get(key);
        if (known !== undefined) return known;
      }
      const k = inlineDisplays.has(getComputedStyle(el).display) ? 0 : 1;
      if (key !== null) byClass.set(key, k);
      return k;
    };

    // The elements we are inside and their flows, outermost first (our own
    // stack: cheaper than asking each node for its parent on the way up).
    const stack = [];
    const flowStack = [];
    let n = top.firstChild;
    outer: while (n !== null) {
      const t = n.nodeType;
      if (t === 3) {
        const d = n.data;
        if (d.length !== 0) {
          if (pendingBreak && len !== 0) { parts.push(sep); len += 1; }
          pendingBreak = false;
          push(n, d);
        }
      } else if (t === 1) {
        const k = own(n);
        if (k === 2) {
          pendingBreak = true;
        } else {
          if (k === 1) pendingBreak = true;
          if (n.shadowRoot !== null) hosts.add(n);
          const c = n.firstChild;
          if (c !== null) { stack.push(n); flowStack.push(k); n = c; continue; }
        }
      }
      // Next: the sibling, or up until there is one; leaving an element
      // that breaks the line puts what follows on a new line.
      let s = n.nextSibling;
      while (s === null) {
        if (stack.length === 0) break outer;
        n = stack.pop();
        if (flowStack.pop() === 1) pendingBreak = true;
        s = n.nextSibling;
      }
      n = s;
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

// One element's flow by the same rule, for the live-page glue on strict-CSP
// pages (matcher_client.js describes mutation records with it; the wasm
// content script applies escucha_core::page_watch::element_flow itself):
// 0 joins the line, 1 breaks it, 2 skipped. An element off the page has no
// layout and is taken as joining, the side that rescans more and misses
// nothing.
self.escuchaElementFlow = (el, rules) => {
  const f = (rules.flowMap ??= new Map(Object.entries(rules.tagFlow))).get(el.localName) ?? rules.unknownFlow;
  if (f === 2) return 2;
  if (f === 3) return 1;
  const by = f === 0 ? rules.inlineRestyledBy : f === 1 ? rules.blockRestyledBy : null;
  if (by !== null && !by.some((a) => el.hasAttribute(a))) return f;
  if (!el.isConnected) return 0;
  return (rules.inlineDisplaySet ??= new Set(rules.inlineDisplays)).has(getComputedStyle(el).display) ? 0 : 1;
};

// The ranges of located mentions, made in one call (a wasm↔JS crossing per
// range and per field cost more than the ranges): `spans` holds start node,
// start offset, end node, end offset per mention (escucha_core::page_text::locate).
// Their nodes join `painted`, so that a rescan can tell in one call whether
// a changed subtree holds any mention (escuchaHoldsPainted).
self.escuchaMakeRanges = (nodes, spans, painted) => {
  const out = new Array(spans.length >> 2);
  for (let i = 0, j = 0; j < spans.length; i += 1, j += 4) {
    const start = nodes[spans[j]], end = nodes[spans[j + 2]];
    out[i] = new StaticRange({ startContainer: start, startOffset: spans[j + 1], endContainer: end, endOffset: spans[j + 3] });
    painted.add(start); painted.add(end);
  }
  return out;
};

// Whether `root` or anything under it (also in open shadow trees) is a node
// of a painted mention. A new post holds none, so its rescan need not look
// through every mention on the page for ones to drop; a node that is no
// longer painted may still be in the set, which only costs that look.
self.escuchaHoldsPainted = (root, painted) => {
  if (painted.has(root)) return true;
  const w = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n !== null; n = w.nextNode()) {
    if (painted.has(n)) return true;
    if (n.nodeType === 1 && n.shadowRoot !== null && self.escuchaHoldsPainted(n.shadowRoot, painted)) return true;
  }
  return false;
};

// The collected text into wasm memory, UTF-8 encoded by the browser
// (escucha-web's content/scan.rs owns the buffer): from UTF-16 unit `from`
// into the view `into`; returns [units read, bytes written].
const escuchaEncoder = new TextEncoder();
self.escuchaEncodeText = (text, from, into) => {
  const r = escuchaEncoder.encodeInto(from === 0 ? text : text.slice(from), into);
  return [r.read, r.written];
};
