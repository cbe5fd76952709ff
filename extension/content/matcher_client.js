// The content script on pages whose CSP forbids it WebAssembly (e.g.
// `Content-Security-Policy: script-src 'self'`). The same Rust matcher runs
// in a hidden extension frame instead (src/web/src/matcher_frame; design,
// ticket and channel layout in src/core/src/matcher_frame.rs). This file is
// glue only: it walks the page with escuchaCollectText, moves the text over a
// MessageChannel as transferred buffers, turns the frame's spans into ranges
// for CSS.highlights and wires events. What to match, highlight names,
// priorities, colours, what to skip, counts and the popup's list all come
// from the frame. A click on a mention opens the same capture card as on
// other pages (src/core/src/card_frame.rs): this file copies the DOM around
// the mention with escuchaDomDump under the rules the frame sent, and the
// card frame runs the Rust gathering and extraction over that copy.
self.escuchaMatcherClient = (api) => {
  // Request names, answers and error codes are generated from the Rust types
  // (src/core/src/protocol): C to the service worker, T from it.
  const { ContentRequest: C, TabRequest: T, BenchRequest: B = {}, Answer: A, ErrorCode: E } = self.escuchaProtocol;
  const NOT_IN_THIS_BUILD = Symbol('not in this build');
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
    closeCard();
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
    const reply = await api.runtime.sendMessage({ type: C.openMatcher, url });
    if (!reply || reply.type !== A.ok) throw new Error(`Escucha: no matcher ticket: ${JSON.stringify(reply)}`);
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
    listen();
    await serial(() => fullScan());
  };

  // --- The capture card -------------------------------------------------
  let card = null; // { host, frame, port, previous, focused }
  let listening = false;
  let hoverTimer = 0;

  const closeCard = () => {
    if (!card) return;
    const old = card;
    card = null;
    const hadFocus = document.activeElement === old.host;
    old.port.close();
    old.host.remove();
    if (hadFocus || old.focused) { window.focus(); old.previous?.focus(); }
  };

  const liveRange = (r) => { const l = document.createRange(); l.setStart(r.startContainer, r.startOffset); l.setEnd(r.endContainer, r.endOffset); return l; };

  /** The painted mention under client point (x, y), if any. */
  const mentionAt = (x, y) => {
    const pos = document.caretPositionFromPoint?.(x, y);
    if (!pos || !s) return null;
    return s.found.find((f) => f.range.startContainer.isConnected && liveRange(f.range).isPointInRange(pos.offsetNode, pos.offset)) ?? null;
  };

  /** The mention nearest the selection or caret (the keyboard command). */
  const mentionNearSelection = () => {
    const sel = getSelection();
    if (!s || !s.found.length) return null;
    if (!sel.rangeCount) return s.found[0];
    const r = sel.getRangeAt(0);
    let before = null;
    for (const f of s.found) {
      if (!f.range.startContainer.isConnected) continue;
      if (liveRange(f.range).compareBoundaryPoints(Range.START_TO_START, r) >= 0) return f;
      before = f;
    }
    return before;
  };

  const place = (data) => {
    if (!card) return;
    for (const k of ['left', 'top', 'width', 'height']) card.host.style.setProperty(k, `${data[k]}px`, 'important');
    card.host.style.setProperty('visibility', 'visible', 'important');
    if (data.keyboard && !card.focused) {
      card.focused = true;
      card.frame.focus();
      card.port.postMessage({ type: 'focus' });
    }
  };

  /** Open the card for `found` (a painted mention): same frame, same Rust as the WebAssembly path. */
  const openCard = async (found, keyboard) => {
    closeCard();
    const session = s;
    const r = found.range;
    const node = r.startContainer;
    const nodeEnd = r.endContainer === node ? r.endOffset : node.data.length;
    const source = escuchaDomDump(node, r.startOffset, nodeEnd, session.hello.card.dump);
    const c = escuchaCollectText(document.body ?? document.documentElement, session.hello.rules);
    const live = liveRange(r);
    const exact = live.toString();
    const i = c.nodes.indexOf(node);
    const textStart = i >= 0 ? c.starts[i] + r.startOffset : null;
    const rect = live.getBoundingClientRect();
    const opening = {
      target: { kind: 'mention', group: found.group }, source, text: c.text, textStart,
      textEnd: textStart === null ? null : textStart + exact.length, exact,
      anchor: { x: rect.x, y: rect.y, w: rect.width, h: rect.height },
      viewport: { width: innerWidth, height: innerHeight, scrollX, scrollY }, keyboard,
    };
    const previous = keyboard ? document.activeElement : null;
    const reply = await api.runtime.sendMessage({ type: C.openCardFrame });
    if (!reply || reply.type !== A.ok || s !== session) return;
    const host = document.createElement('escucha-card');
    host.setAttribute('data-escucha-ui', 'card');
    for (const [k, v] of [['all', 'initial'], ['position', 'absolute'], ['z-index', '2147483647'], ['left', '0px'], ['top', '0px'],
      ['width', '340px'], ['height', '0px'], ['display', 'block'], ['visibility', 'hidden']]) host.style.setProperty(k, v, 'important');
    const frame = document.createElement('iframe');
    const src = api.runtime.getURL('card/card.html');
    frame.src = `${src}#${reply.ticket}`;
    frame.title = 'Escucha';
    for (const [k, v] of [['border', '0'], ['width', '100%'], ['height', '100%'], ['display', 'block'], ['color-scheme', 'normal']]) frame.style.setProperty(k, v, 'important');
    host.attachShadow({ mode: 'closed' }).append(frame);
    const channel = new MessageChannel();
    const mine = card = { host, frame, port: channel.port1, previous, focused: false };
    channel.port1.onmessage = (e) => {
      if (card !== mine) return;
      if (e.data?.type === 'place') place(e.data);
      else if (e.data?.type === 'close') closeCard();
    };
    frame.addEventListener('load', () => frame.contentWindow.postMessage({ ticket: reply.ticket }, new URL(src).origin, [channel.port2]), { once: true });
    channel.port1.postMessage({ type: 'open', opening });
    document.documentElement.append(host);
  };

  /** Only the manager's own gestures count: events a page script made up (isTrusted false) never open the card. */
  const listen = () => {
    if (listening) return;
    listening = true;
    document.addEventListener('click', (e) => {
      if (!e.isTrusted || !s?.hello?.enabled || (card && card.host.contains(e.target))) return;
      const inLink = e.target instanceof Element && e.target.closest(s.hello.card.interactiveSelector);
      const found = inLink ? null : mentionAt(e.clientX, e.clientY);
      if (found) openCard(found, false).catch((err) => console.warn('Escucha card:', String(err)));
      else closeCard();
    });
    document.addEventListener('mousemove', (e) => {
      clearTimeout(hoverTimer);
      if (!e.isTrusted || card || e.buttons !== 0 || !s?.hello?.enabled) return;
      const { clientX: x, clientY: y } = e;
      hoverTimer = setTimeout(() => {
        const found = card ? null : mentionAt(x, y);
        if (found) openCard(found, false).catch((err) => console.warn('Escucha card:', String(err)));
      }, s.hello.card.hoverOpenMs);
    }, { passive: true });
    // Escape closes the card also when the pointer opened it.
    document.addEventListener('keydown', (e) => { if (e.isTrusted && e.key === 'Escape' && card) closeCard(); }, true);
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
    api.runtime.sendMessage({ type: C.mentionsFound, url: s.url, count }).catch(() => {});
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
    if (!f || !f.range.startContainer.isConnected) return { type: A.error, code: E.mentionGone };
    const node = f.range.startContainer;
    (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.scrollIntoView({ block: 'center' });
    const flash = new Highlight(f.range);
    flash.priority = s.hello.flash.priority;
    CSS.highlights.set(s.hello.flash.name, flash);
    const name = s.hello.flash.name;
    setTimeout(() => { if (CSS.highlights.get(name) === flash) CSS.highlights.delete(name); }, s.hello.flashMs);
    return { type: A.ok };
  };

  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));

  /** Messages from our service worker or popup (never from pages: only extension contexts reach runtime.onMessage). */
  const handle = async (message, sender) => {
    if (sender.id !== api.runtime.id || sender.tab) return { type: A.error, code: E.unknownSender };
    const none = { type: A.ok, url: location.href, total: 0, groups: [] };
    switch (message?.type) {
      case T.ping: return { type: A.ok, version: s?.hello?.version ?? '', context: 'content_script' };
      case T.settingsChanged: await start(); return { type: A.ok };
      case T.getPageMentions: {
        if (!s?.hello?.enabled) return none;
        const r = await serial(() => fullScan({ url: location.href }));
        return r?.pageMentions ?? none;
      }
      case T.revealMention: return reveal(message.index);
      case T.openCard: {
        if (!document.hasFocus()) return { type: A.ok }; // another frame of this tab has the focus
        const found = mentionNearSelection();
        if (!found) return { type: A.error, code: E.noMention };
        await openCard(found, true);
        return { type: A.ok };
      }
      // Benchmarks: only a bench build's protocol.js names them (scripts/build.sh).
      case B.benchScan ?? NOT_IN_THIS_BUILD: {
        const t0 = performance.now();
        const r = await serial(() => fullScan());
        await nextFrame();
        return { type: A.ok, engine: 'escucha', ms: performance.now() - t0, mentions: s?.found.length ?? 0, path: 'matcher-frame', phases: Object.entries(r?.phases ?? {}) };
      }
      case B.benchFloor ?? NOT_IN_THIS_BUILD: {
        const t0 = performance.now();
        const nodes = escuchaFloorWalk();
        return { type: A.ok, engine: 'floor', ms: performance.now() - t0, mentions: nodes, path: 'content-world', phases: [] };
      }
      default: return { type: A.error, code: E.forbidden, request: String(message?.type) };
    }
  };

  return { start, handle };
};
