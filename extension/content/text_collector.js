// The one hot loop the browser forces on us: a single pass over the page's
// text nodes that returns every scannable one and their text joined into one
// string, with a block separator wherever the layout breaks the line.
// A wasm↔JS crossing per node would cost more than the walk itself, so the
// walk stays here. WHAT it skips and where text breaks is decided in Rust
// (escucha_core::page_text::breaks_flow); this file gets that rule as data
// (walk_rules) and applies it. All matching, mapping and painting happen in
// Rust.
//
// The walk visits elements and text in document order and decides each
// element once: entering an element that breaks the line starts a new line,
// and so does the node right after one (its end). Editable regions and our
// own UI are found up front by one native selector query.
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
  const walk = (top) => {
    // Editable regions and our own UI are rare: find them once, natively,
    // rather than asking every element for its attributes.
    const special = new Set(top.querySelectorAll(rules.editableSelector));
    const attrs = (by) => (by.length ? new Set(top.querySelectorAll(by.map((a) => `[${a}]`).join(', '))) : new Set());
    const inlineStyled = attrs(inlineBy);
    const blockStyled = inlineBy.join() === blockBy.join() ? inlineStyled : attrs(blockBy);
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
    // Elements of the line-breaking kind that the walk cannot see end: a
    // node right after one (its next sibling) starts a new line.
    const breakers = new Set();

    const w = document.createTreeWalker(top, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    let n = w.nextNode();
    while (n !== null) {
      // Leaving an element that breaks the line: what follows it is on a new
      // line even when no whitespace separates them (minified HTML).
      const prev = n.previousSibling;
      if (prev !== null && breakers.has(prev)) pendingBreak = true;
      if (n.nodeType === 3) {
        const d = n.data;
        if (d.length !== 0) {
          if (pendingBreak && len !== 0) { parts.push(sep); len += 1; }
          pendingBreak = false;
          push(n, d);
        }
        n = w.nextNode();
        continue;
      }
      const k = own(n);
      if (k === 2) {
        pendingBreak = true;
        breakers.add(n);
        n = w.nextSibling();
        while (n === null && w.parentNode() !== null) n = w.nextSibling();
        continue;
      }
      if (k === 1) { pendingBreak = true; breakers.add(n); }
      if (n.shadowRoot !== null) hosts.add(n);
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
