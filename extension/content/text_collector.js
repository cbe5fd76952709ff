// The one hot loop the browser forces on us: a single pass over the DOM that
// returns every scannable text node and their text joined into one string.
// A wasm↔JS crossing per node would cost more than the walk itself, so the
// walk stays here; WHAT it skips, which tags are inline and where blocks
// break all come from Rust (escucha_core::page_text::walk_rules), and all
// matching, mapping and painting happen in Rust.
self.escuchaCollectText = (root, rules) => {
  const skip = rules.skipSet ??= new Set(rules.skipTags);
  const inline = rules.inlineSet ??= new Set(rules.inlineTags);
  const own = rules.ownUiAttribute;
  const sep = rules.blockSeparator;
  const nodes = [];
  const parts = [];
  const starts = [];
  const ends = [];
  const shadowRoots = [];
  let len = 0;
  let pendingBreak = false;

  const walk = (top) => {
    // Editable regions and our own UI are rare: find them once, natively,
    // rather than asking every element for its attributes.
    const special = new Set(top.querySelectorAll(`[contenteditable]:not([contenteditable="false"]), [${own}]`));
    const w = document.createTreeWalker(top, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    let n = w.nextNode();
    while (n) {
      if (n.nodeType === 3) {
        const prev = n.previousSibling;
        if (prev !== null && prev.nodeType === 1 && !inline.has(prev.localName)) pendingBreak = true;
        const d = n.data;
        if (d.length !== 0) {
          if (pendingBreak && len !== 0) { parts.push(sep); len += 1; }
          pendingBreak = false;
          nodes.push(n); starts.push(len); parts.push(d); len += d.length; ends.push(len);
        }
        n = w.nextNode();
        continue;
      }
      const tag = n.localName;
      if (skip.has(tag) || (special.size !== 0 && special.has(n))) {
        pendingBreak = true;
        n = w.nextSibling();
        while (n === null && w.parentNode() !== null) n = w.nextSibling();
        continue;
      }
      if (!inline.has(tag)) pendingBreak = true;
      if (n.shadowRoot !== null) { shadowRoots.push(n.shadowRoot); pendingBreak = true; walk(n.shadowRoot); pendingBreak = true; }
      n = w.nextNode();
    }
  };
  if (root.nodeType === 3) {
    nodes.push(root); starts.push(0); parts.push(root.data); ends.push(root.data.length);
  } else {
    walk(root);
    // The root itself may host a shadow tree (a web component appended by
    // infinite scroll is rescanned as its own root).
    if (root.shadowRoot) { shadowRoots.push(root.shadowRoot); pendingBreak = true; walk(root.shadowRoot); }
  }
  return { nodes, text: parts.join(''), starts: Uint32Array.from(starts), ends: Uint32Array.from(ends), shadowRoots };
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
