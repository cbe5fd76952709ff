// The content script on pages whose CSP forbids it WebAssembly (e.g.
// `Content-Security-Policy: script-src 'self'`). The same Rust matcher runs
// in a hidden extension frame instead (src/web/src/matcher_frame; design,
// ticket and channel layout in src/core/src/matcher_frame.rs). This file is
// glue only: it walks the page with escuchaCollectText, moves the text over a
// MessageChannel as transferred buffers, turns the frame's spans into ranges
// for CSS.highlights and wires events. What to match, highlight names,
// priorities, colours, what to skip, counts and the popup's list all come
// from the frame.
self.escuchaMatcherClient = (api) => {
  let s = null; // the running session, see start()
  let queue = Promise.resolve(); // scans run one at a time, in order
  const encoder = new TextEncoder();
  const serial = (work) => (queue = queue.then(work, work));

  const adopt = (root) => {
    if (!s.sheet || s.styled.includes(root)) return;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, s.sheet];
    s.styled.push(root);
  };

  const stop = () => {
    if (!s) return;
    const old = s;
    s = null;
    old.observer?.disconnect();
    old.host.remove();
    old.port?.close();
    for (const spec of old.hello?.highlights ?? []) CSS.highlights.delete(spec.name);
    if (old.hello) CSS.highlights.delete(old.hello.flash.name);
    for (const root of old.styled) root.adoptedStyleSheets = root.adoptedStyleSheets.filter((x) => x !== old.sheet);
  };

  /** Open the matcher frame inside a closed shadow root and wait for its hello. */
  const start = async () => {
    stop();
    const url = location.href;
    const reply = await api.runtime.sendMessage({ type: 'openMatcher', url });
    if (!reply || reply.type !== 'matcherTicket') throw new Error(`Escucha: no matcher ticket: ${JSON.stringify(reply)}`);
    const host = document.createElement('div');
    host.setAttribute('data-escucha-ui', 'matcher');
    host.hidden = true;
    host.style.setProperty('display', 'none', 'important');
    const frame = document.createElement('iframe');
    const src = api.runtime.getURL('matcher/matcher.html');
    frame.src = `${src}#${reply.ticket}`;
    host.attachShadow({ mode: 'closed' }).append(frame);
    const session = s = { url, host, port: null, hello: null, sheet: null, styled: [], highlights: [], found: [], pending: new Map(), seq: 0, reported: null, observer: null };
    const hello = new Promise((resolve, reject) => {
      const channel = new MessageChannel();
      session.port = channel.port1;
      channel.port1.onmessage = (e) => {
        if (e.data?.type === 'hello') resolve(e.data.hello);
        else if (e.data?.type === 'spans') session.pending.get(e.data.id)?.(e.data);
      };
      frame.addEventListener('load', () => frame.contentWindow.postMessage({ ticket: reply.ticket }, new URL(src).origin, [channel.port2]), { once: true });
      setTimeout(() => reject(new Error('Escucha: the matcher frame did not answer.')), 15000);
    });
    document.documentElement.append(host);
    session.hello = await hello;
    if (s !== session) return;
    for (const spec of session.hello.highlights) {
      const h = new Highlight();
      h.priority = spec.priority;
      CSS.highlights.set(spec.name, h);
      session.highlights.push(h);
    }
    session.sheet = new CSSStyleSheet();
    session.sheet.replaceSync(session.hello.css);
    adopt(document);
    if (!session.hello.enabled) { report(); return; }
    session.observer = new MutationObserver(onMutations);
    observe(document.body ?? document.documentElement);
    await serial(() => fullScan());
  };

  const observe = (root) => s.observer.observe(root, { childList: true, subtree: true, characterData: true });

  /** Collect `root`'s text, have the frame match it, and return ranges (not yet painted). */
  const scan = async (root, { url } = {}) => {
    const session = s;
    const t0 = performance.now();
    const c = escuchaCollectText(root, session.hello.rules);
    const t1 = performance.now();
    for (const shadow of c.shadowRoots) { adopt(shadow); observe(shadow); }
    const phases = { collect: t1 - t0 };
    if (c.text.length === 0 && !url) return { found: [], phases };
    // encodeInto writes straight into one buffer (encode() converts, then
    // copies); UTF-8 needs at most 3 bytes per UTF-16 unit, and the buffer is
    // then cut to what was written before it is transferred.
    const room = new Uint8Array(c.text.length * 3);
    const { written } = encoder.encodeInto(c.text, room);
    const bytes = new Uint8Array(room.buffer.transfer(written));
    const t2 = performance.now();
    phases.encode = t2 - t1;
    const id = ++session.seq;
    const reply = await new Promise((resolve) => {
      session.pending.set(id, resolve);
      session.port.postMessage({ type: 'scan', id, text: bytes.buffer, starts: c.starts.buffer, ends: c.ends.buffer, url },
        [bytes.buffer, c.starts.buffer, c.ends.buffer]);
    });
    session.pending.delete(id);
    const t3 = performance.now();
    phases['post + frame + reply'] = t3 - t2;
    for (const [name, ms] of reply.phases) phases[name] = ms;
    const w = new Uint32Array(reply.spans);
    const found = new Array(w.length / 5);
    for (let i = 0, j = 0; i < w.length; i += 5, j++) {
      found[j] = { group: w[i + 4], range: new StaticRange({ startContainer: c.nodes[w[i]], startOffset: w[i + 1], endContainer: c.nodes[w[i + 2]], endOffset: w[i + 3] }) };
    }
    phases.ranges = performance.now() - t3;
    return { found, phases, pageMentions: reply.pageMentions };
  };

  const paint = (found, phases) => {
    const t = performance.now();
    for (const f of found) s.highlights[f.group]?.add(f.range);
    s.found.push(...found);
    phases.paint = performance.now() - t;
  };

  /** Keep the mentions `keep` accepts; take the others off the page. */
  const unpaint = (keep) => {
    const kept = [];
    for (const f of s.found) {
      if (keep(f)) kept.push(f);
      else s.highlights[f.group]?.delete(f.range);
    }
    s.found = kept;
  };

  const fullScan = async (opts) => {
    if (!s) return null;
    const session = s;
    const result = await scan(document.body ?? document.documentElement, opts);
    if (s !== session) return null;
    for (const h of session.highlights) h.clear();
    session.found = [];
    paint(result.found, result.phases);
    report();
    return result;
  };

  const report = () => {
    const count = s.found.length;
    if (s.reported === count) return;
    s.reported = count;
    api.runtime.sendMessage({ type: 'mentionsFound', url: s.url, count }).catch(() => {});
  };

  // Live pages: rescan what was added or edited, once per task.
  let roots = [];
  let removed = false;
  let scheduled = false;
  const onMutations = (records) => {
    for (const r of records) {
      if (r.type === 'characterData') { if (r.target.parentNode) roots.push(r.target.parentNode); continue; }
      for (const n of r.addedNodes) roots.push(n.nodeType === Node.TEXT_NODE ? n.parentNode : n);
      if (r.removedNodes.length) removed = true;
    }
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      const batch = roots; const anyRemoved = removed;
      roots = []; removed = false;
      serial(() => rescan(batch, anyRemoved));
    }, 0);
  };

  const rescan = async (batch, anyRemoved) => {
    if (!s) return;
    if (location.href !== s.url) { await start().catch((e) => console.warn(String(e))); return; }
    const session = s;
    const excluded = session.hello.excludedSelector;
    if (anyRemoved) unpaint((f) => f.range.startContainer.isConnected);
    const outer = [];
    for (const r of batch) {
      if (!r || !r.isConnected || outer.some((o) => o.contains(r))) continue;
      const el = r.nodeType === Node.ELEMENT_NODE ? r : r.parentElement;
      if (el && el.closest(excluded)) continue;
      for (let i = outer.length - 1; i >= 0; i--) if (r.contains(outer[i])) outer.splice(i, 1);
      outer.push(r);
    }
    for (const root of outer) {
      unpaint((f) => !root.contains(f.range.startContainer));
      const result = await scan(root);
      if (s !== session) return;
      if (root.isConnected) paint(result.found, result.phases);
    }
    report();
  };

  const reveal = (index) => {
    const f = s?.found[index];
    if (!f || !f.range.startContainer.isConnected) return { type: 'error', code: 'invalid', message: 'That mention is no longer on the page.' };
    const node = f.range.startContainer;
    (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.scrollIntoView({ block: 'center' });
    const flash = new Highlight(f.range);
    flash.priority = s.hello.flash.priority;
    CSS.highlights.set(s.hello.flash.name, flash);
    const name = s.hello.flash.name;
    setTimeout(() => { if (CSS.highlights.get(name) === flash) CSS.highlights.delete(name); }, s.hello.flashMs);
    return { type: 'ok' };
  };

  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));

  /** Messages from our service worker or popup (never from pages: only extension contexts reach runtime.onMessage). */
  const handle = async (message, sender) => {
    if (sender.id !== api.runtime.id || sender.tab) return { type: 'error', code: 'unknown_sender', message: 'Only Escucha itself may talk to this page\'s script.' };
    switch (message?.type) {
      case 'ping': return { type: 'pong', version: s?.hello?.version ?? '', context: 'content_script' };
      case 'settingsChanged': await start(); return { type: 'ok' };
      case 'getPageMentions': {
        if (!s?.hello?.enabled) return { type: 'pageMentions', url: location.href, total: 0, groups: [] };
        const r = await serial(() => fullScan({ url: location.href }));
        return r?.pageMentions ?? { type: 'pageMentions', url: location.href, total: 0, groups: [] };
      }
      case 'revealMention': return reveal(message.index);
      case 'benchScan': {
        const t0 = performance.now();
        const r = await serial(() => fullScan());
        await nextFrame();
        return { type: 'benchResult', engine: 'escucha', ms: performance.now() - t0, mentions: s?.found.length ?? 0, path: 'matcher-frame', phases: Object.entries(r?.phases ?? {}) };
      }
      case 'benchFloor': {
        const t0 = performance.now();
        const nodes = escuchaFloorWalk();
        return { type: 'benchResult', engine: 'floor', ms: performance.now() - t0, mentions: nodes, path: 'content-world', phases: [] };
      }
      default: return { type: 'error', code: 'forbidden', message: `The content script does not handle '${message?.type}'.` };
    }
  };

  return { start, handle };
};
