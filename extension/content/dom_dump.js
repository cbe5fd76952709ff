// A DOM primitive for pages whose CSP forbids WebAssembly in content scripts:
// copies the part of the page around a mention that the capture card's Rust
// gathering reads, so the card frame can run the same Snapshot::gather and
// PageInfo::gather over it (escucha_core::card_frame::DumpTree). It decides
// nothing: which attributes, which tags keep their children, and every budget
// come from Rust (`rules`, escucha_core::card_frame::dump_rules). The layout
// is DomDump: nodes in an array, node 0 the root, children listed by index
// and always after their parent.
self.escuchaDomDump = (mention, nodeStart, nodeEnd, rules) => {
  const kept = new Set(rules.keptAttributes);
  const skip = new Set(rules.skipTags);
  const lower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const tagOf = (el) => lower(el.localName);
  const isText = (n) => n.nodeType === Node.TEXT_NODE || n.nodeType === Node.CDATA_SECTION_NODE;
  const attrsOf = (el, cap) => {
    const out = [];
    for (const a of el.attributes) {
      const name = lower(a.name);
      if (!kept.has(name) && !(name.startsWith(rules.dataPrefix) && name.length < rules.maxDataName)) continue;
      if (out.length / 2 >= rules.maxAttributes) break;
      out.push(name, a.value.length > cap ? a.value.slice(0, cap) : a.value);
    }
    return out;
  };
  const cut = (s, cap) => (s.length > cap ? s.slice(0, cap) : s);

  const nodes = [];
  const element = (el, cap = rules.maxAttributeValue) => nodes.push({ tag: tagOf(el), attrs: attrsOf(el, cap), children: [], hasChildren: el.firstChild !== null }) - 1;
  const text = (n, cap = rules.maxSentText) => nodes.push({ text: cut(n.data, cap) }) - 1;
  let budgetNodes = rules.maxNodes;
  let budgetText = rules.maxText;
  let over = false;
  const take = (n, t) => {
    if (over || n > budgetNodes || t > budgetText) { over = true; return false; }
    budgetNodes -= n; budgetText -= t;
    return true;
  };

  // Whole subtree of `root` under `parent`, depth first, until the budget runs out.
  const copy = (root, parent) => {
    const stack = [[root, parent]];
    while (stack.length && !over) {
      const [n, p] = stack.pop();
      if (n.nodeType === Node.ELEMENT_NODE) {
        const id = element(n);
        nodes[p].children.push(id);
        if (!take(1, 0) || skip.has(nodes[id].tag)) continue;
        for (let c = n.lastChild; c; c = c.previousSibling) stack.push([c, id]);
      } else if (isText(n)) {
        nodes[p].children.push(text(n));
        take(1, Math.min(n.data.length, rules.maxNodeText));
      }
    }
  };

  const chain = [];
  for (let p = mention.parentNode; p && p.nodeType === Node.ELEMENT_NODE && chain.length < rules.maxAncestors; p = p.parentNode) chain.push(p);
  const ids = [];
  for (let i = chain.length - 1; i >= 0; i--) ids[i] = element(chain[i]);
  const mentionId = text(mention);
  take(1, Math.min(mention.data.length, rules.maxNodeText));
  for (let level = 0; level < chain.length; level++) {
    const onPath = level === 0 ? mention : chain[level - 1];
    const onPathId = level === 0 ? mentionId : ids[level - 1];
    const id = ids[level];
    let shallow = 0;
    for (let c = chain[level].firstChild; c; c = c.nextSibling) {
      if (c === onPath) { nodes[id].children.push(onPathId); continue; }
      if (!over) { copy(c, id); continue; }
      // Above the budget: element siblings only, without their children.
      if (c.nodeType !== Node.ELEMENT_NODE || skip.has(tagOf(c)) || shallow >= rules.maxShallow) continue;
      shallow++;
      nodes[id].children.push(element(c));
    }
  }
  // The ancestors were numbered top-down before their subtrees, so every
  // child comes after its parent; a mention outside any element stands alone.
  const tree = chain.length ? { nodes, mention: mentionId } : { nodes: [nodes[mentionId]], mention: 0 };

  // The page facts: the document element and, in document order, the
  // elements that say them, with their text.
  const root = document.documentElement;
  const pageNodes = [];
  const pushPage = (rec) => pageNodes.push(rec) - 1;
  pushPage({ tag: tagOf(root), attrs: attrsOf(root, rules.maxPageText), children: [], hasChildren: true });
  let count = 0;
  for (const el of document.querySelectorAll(rules.pageSelector)) {
    if (++count > rules.maxPageElements) break;
    const id = pushPage({ tag: tagOf(el), attrs: attrsOf(el, rules.maxPageText), children: [], hasChildren: el.firstChild !== null });
    pageNodes[0].children.push(id);
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (isText(c)) pageNodes[id].children.push(pushPage({ text: cut(c.data, rules.maxPageText) }));
    }
  }
  return { kind: 'dump', tree, nodeStart, nodeEnd, page: { nodes: pageNodes, mention: 0 } };
};
