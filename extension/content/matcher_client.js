// The content script on pages whose CSP forbids it WebAssembly (e.g.
// `Content-Security-Policy: script-src 'self'`). The same Rust matcher runs
// in a hidden extension frame instead (src/web/src/matcher_frame; design,
// ticket and channel layout in src/core/src/matcher_frame.rs). This file is
// glue only: it walks the page with escuchaCollectText, moves the text over a
// MessageChannel as transferred buffers, turns the frame's spans into ranges
// for the overlay painter (overlay_painter.js) and wires events. What to match, highlight names,
// priorities, colours, what to skip, counts and the popup's list all come
// from the frame. A click on a mention opens the same capture card as on
// other pages (src/core/src/card_frame.rs): this file copies the DOM around
// the mention with escuchaDomDump under the rules the frame sent, and the
// card frame runs the Rust gathering and extraction over that copy.
// Decisions run in the frame too (escucha_core::matcher_frame::Brain through
// the typed channel FrameRequest/FrameReply): whether a message's sender may
// ask and what it means, which mention a point is on, what to rescan for a
// mutation, when the route changed, whether to report a count, and when
// resting on a mention opens its card. Here: DOM reads and writes.
self.escuchaMatcherClient = (api) => {
  // Names generated from the Rust types (src/core/src/protocol/generated.rs):
  // C to the service worker, F/R the frame's requests and replies, D its acts,
  // K/O the card frame's port messages (to it / from it: escucha_core::card_frame).
  const { ContentRequest: C, Answer: A, ErrorCode: E, FrameRequest: F, FrameReply: R, FrameAct: D, ToCardFrame: K, FromCardFrame: O } = self.escuchaProtocol;
  let s = null; // the running session, see start()
  let queue = Promise.resolve(); // scans run one at a time, in order
  const encoder = new TextEncoder();
  const serial = (work) => (queue = queue.then(work, work));
  // Our frames are loaded from a dynamic address (manifest: use_dynamic_url,
  // so a page cannot probe for them) but their documents have the
  // extension's own origin: post to that (a resource outside the dynamic list names it).
  const frameOrigin = () => new URL(api.runtime.getURL('manifest.json')).origin;

  /** Send a typed request (buffers beside it) and wait for the reply with its id (null if the frame went away). */
  const ask = (session, request, buffers = {}, transfer = []) => {
    request.id = ++session.seq;
    return new Promise((resolve) => {
      session.pending.set(request.id, resolve);
      session.port.postMessage({ request, ...buffers }, transfer);
    }).finally(() => session.pending.delete(request.id));
  };

  /** The ancestors' addresses (null where unreadable): the service worker decides whose site rules apply (escucha_core::page_watch::deciding_url). */
  const ancestorUrls = () => {
    const out = [];
    for (let w = window; w.parent !== w; w = w.parent) {
      try { out.push(w.parent.location.href); } catch { out.push(null); }
    }
    return out;
  };

  const adopt = (root) => {
    if (!s.sheet || s.styled.includes(root)) return;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, s.sheet];
    s.styled.push(root);
  };

  const stop = () => {
    closeCard();
    pointerOff();
    if (!s) return;
    const old = s;
    s = null;
    old.observer?.disconnect();
    if (old.hello) document.removeEventListener(old.hello.shadowAttachedEvent, onShadow);
    old.host.remove();
    old.port?.close();
    for (const resolve of old.pending.values()) resolve(null);
    old.painter?.dispose();
    for (const root of old.styled) root.adoptedStyleSheets = root.adoptedStyleSheets.filter((x) => x !== old.sheet);
  };

  /**
   * An extension frame (`page`, with `ticket` in its fragment) inside a closed
   * shadow root, handed one end of a channel and the ticket once it loaded
   * (src/web/src/frame_port.rs takes it there). Styles come from the frame's hello.
   */
  const openFrame = (tag, ui, page, ticket, hostStyle, frameStyle = []) => {
    const host = document.createElement(tag);
    host.setAttribute('data-escucha-ui', ui);
    for (const [k, v] of hostStyle) host.style.setProperty(k, v, 'important');
    const frame = document.createElement('iframe');
    const src = api.runtime.getURL(page);
    frame.src = `${src}#${ticket}`;
    for (const [k, v] of frameStyle) frame.style.setProperty(k, v, 'important');
    host.attachShadow({ mode: 'closed' }).append(frame);
    const channel = new MessageChannel();
    frame.addEventListener('load', () => frame.contentWindow.postMessage({ ticket }, frameOrigin(), [channel.port2]), { once: true });
    return { host, frame, port: channel.port1 };
  };

  /** Open the matcher frame inside a closed shadow root and wait for its hello. */
  const start = async () => {
    stop();
    const url = location.href;
    const reply = await api.runtime.sendMessage({ type: C.openMatcher, url, ancestors: ancestorUrls() });
    if (!reply || reply.type !== A.ok) throw new Error(`Escucha: no matcher ticket: ${JSON.stringify(reply)}`);
    const { host, port } = openFrame('div', 'matcher', 'matcher/matcher.html', reply.ticket, [['display', 'none']]);
    host.hidden = true;
    const session = s = { url, host, port, hello: null, ready: null, sheet: null, styled: [], highlights: [], found: [], pending: new Map(), seq: 0, observer: null };
    session.ready = new Promise((resolve, reject) => {
      port.onmessage = (e) => {
        if (e.data?.type === R.hello) resolve(e.data.hello);
        else session.pending.get(e.data?.id)?.(e.data);
      };
      setTimeout(() => reject(new Error('Escucha: the matcher frame did not answer.')), 15000);
    });
    document.documentElement.append(host);
    session.hello = await session.ready;
    if (s !== session) return;
    if (!session.hello.enabled) { report(); return; }
    // Painted in a closed overlay, not CSS.highlights (escucha_core::paint; content/overlay_painter.js).
    session.painter = self.escuchaOverlayPainter(session.hello.css, [...session.hello.highlights.map((h) => h.name), session.hello.flash.name], session.hello.rules.ownUiAttribute);
    session.observer = new MutationObserver(onMutations);
    observe(document); // the whole document: a replaced <body> is seen too
    document.addEventListener(session.hello.shadowAttachedEvent, onShadow);
    listen();
    await serial(() => fullScan());
  };

  // --- The capture card -------------------------------------------------
  let card = null; // { host, frame, port, previous, focused }
  let listening = false;
  let restTimer = 0;
  let openTimer = 0;
  let under = null; // index of the mention the pointer rests on (the frame's answer)
  let tip = null; // { host, sheet, roots }

  /** Show that the mention can be clicked: the pointer cursor and a tooltip, at the place the frame chose. */
  const pointerOn = (found, at) => {
    pointerOff();
    const p = s.hello.pointer;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(p.hoverCss);
    const roots = [...new Set([document, found.range.startContainer.getRootNode()])];
    for (const root of roots) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    let host = null;
    if (at && !card) {
      host = document.createElement('div');
      host.setAttribute('data-escucha-ui', 'tooltip');
      for (const [k, v] of p.tooltipStyle) host.style.setProperty(k, v, 'important');
      host.style.setProperty('left', `${at[0]}px`, 'important');
      host.style.setProperty('top', `${at[1]}px`, 'important');
      const text = document.createElement('span');
      text.setAttribute('role', 'tooltip');
      text.textContent = p.tooltip;
      host.attachShadow({ mode: 'open' }).append(text); // a fixed string in the user's language: nothing to hide
      document.documentElement.append(host);
    }
    tip = { host, sheet, roots };
  };
  const pointerOff = () => {
    if (!tip) return;
    const old = tip;
    tip = null;
    old.host?.remove();
    for (const root of old.roots) root.adoptedStyleSheets = root.adoptedStyleSheets.filter((x) => x !== old.sheet);
  };

  /** The pointer rested at (x, y): the frame says which mention it is on, whether that changed, and what to do. */
  const rest = async (x, y) => {
    const session = s;
    if (!session?.hello?.enabled) return;
    const reply = await ask(session, { type: F.pointer, candidates: candidates(x, y), cardOpen: card !== null, x, y, width: innerWidth, height: innerHeight });
    if (s !== session || !reply?.changed) return;
    const index = under = reply.mention;
    clearTimeout(openTimer);
    const found = index === null ? null : session.found[index];
    if (found) pointerOn(found, reply.tooltip); else pointerOff();
    if (found && reply.action.do === 'openAfter') {
      openTimer = setTimeout(() => {
        if (s === session && under === index && !card) openCard(found, false).catch((err) => console.warn('Escucha card:', String(err)));
      }, reply.action.ms); // counted from this rest (escucha_core::page_watch::HoverAction)
    }
  };

  const closeCard = () => {
    if (!card) return;
    const old = card;
    card = null;
    if (s?.port) ask(s, { type: F.cardClosed, mention: under }).catch(() => {});
    const hadFocus = document.activeElement === old.host;
    old.port.close();
    old.watch?.disconnect(); // top11
    old.host.remove();
    if (hadFocus || old.focused) { window.focus(); old.previous?.focus(); }
  };

  const liveRange = (r) => { const l = document.createRange(); l.setStart(r.startContainer, r.startOffset); l.setEnd(r.endContainer, r.endOffset); return l; };

  /** The painted mentions whose range holds the caret at client point (x, y), with their boxes: the frame picks the one the point is on. */
  const candidates = (x, y) => {
    const pos = document.caretPositionFromPoint?.(x, y);
    const out = [];
    if (!pos || !s) return out;
    s.found.forEach((f, index) => {
      if (!f.range.startContainer.isConnected) return;
      const l = liveRange(f.range);
      if (l.isPointInRange(pos.offsetNode, pos.offset)) out.push({ index, boxes: [...l.getClientRects()].map(({ left, top, right, bottom }) => ({ left, top, right, bottom })) });
    });
    return out;
  };

  /**
   * The keyboard command: where the selection's start lies against each painted mention
   * (comparePoint: -1, 0, 1; null where it cannot tell), for the frame to pick the card to open
   * (escucha_core::page_watch::near_selection, the WebAssembly path's rule too).
   */
  const selectionSides = () => {
    const sel = getSelection();
    if (!sel?.rangeCount) return null;
    const { startContainer: node, startOffset: offset } = sel.getRangeAt(0);
    return s.found.map((f) => {
      if (!f.range.startContainer.isConnected) return null;
      try { return liveRange(f.range).comparePoint(node, offset); } catch { return null; }
    });
  };

  const place = (data) => {
    if (!card) return;
    ours(card, () => {
      for (const k of ['left', 'top', 'width', 'height']) card.host.style.setProperty(k, `${data.at[k]}px`, 'important');
      card.host.style.setProperty('visibility', 'visible', 'important');
    });
    if (data.keyboard && !card.focused) {
      card.focused = true;
      card.frame.focus();
      card.port.postMessage({ type: K.focus });
    }
  };

  // top11: the card's host in the top layer (a manual popover, above any z-index), watched for the page
  // changing its attributes; our own changes go through `ours`. Log asks for the facts ('cover'), the
  // frame decides (escucha_core::card_cover); src/web/src/content/card/cover.rs is the same in Rust.
  const ours = (c, f) => {
    if (c.watch?.takeRecords().length) c.tampered = true;
    f();
    c.watch?.takeRecords();
  };
  const coverFacts = (c, ask) => {
    if (c.watch?.takeRecords().length) c.tampered = true;
    const host = c.host;
    const others = [];
    for (const [selector, kind] of ask.selectors) for (const el of document.querySelectorAll(selector)) if (el !== host) others.push(kind);
    const cs = getComputedStyle(host);
    return {
      onTopLayer: host.matches(':popover-open'), tampered: c.tampered, others,
      style: ask.properties.map((p) => [p, cs.getPropertyValue(p)]),
      pseudo: ask.pseudo.map((p) => [p, getComputedStyle(host, p).getPropertyValue('content')]),
      checkVisibility: typeof host.checkVisibility === 'function'
        ? host.checkVisibility({ contentVisibilityAuto: true, opacityProperty: true, visibilityProperty: true }) : null,
    };
  };

  /** Open the card for `found` (a painted mention): same frame, same Rust as the WebAssembly path. */
  const openCard = async (found, keyboard) => {
    closeCard();
    pointerOff();
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
    // Only the latest opening shows a card (escucha_core::card_frame::Openings, kept by the frame).
    const attempt = (await ask(session, { type: F.cardOpening }))?.attempt;
    const reply = await api.runtime.sendMessage({ type: C.openCardFrame });
    if (!reply || reply.type !== A.ok || s !== session || attempt == null) return;
    // A later opening (a hover and a click, one after the other) started while this one waited: that one shows.
    if (!(await ask(session, { type: F.cardTicket, attempt }))?.show || s !== session) return;
    // An earlier opening may have shown its card while this one asked for its number: the latest replaces it.
    closeCard();
    const rules = session.hello.card;
    const { host, frame, port } = openFrame('escucha-card', 'card', 'card/card.html', reply.ticket, rules.hostStyle, rules.frameStyle);
    frame.title = 'Escucha';
    host.setAttribute('popover', 'manual'); // top11
    const mine = card = { host, frame, port, previous, focused: false, tampered: false, watch: null };
    pointerOff(); // a tooltip shown while the card was on its way would cover it (and Log refuses a covered card)
    port.onmessage = (e) => {
      if (card !== mine) return;
      if (e.data?.type === O.place) place(e.data);
      else if (e.data?.type === O.close) closeCard();
      else if (e.data?.type === O.cover) port.postMessage({ type: K.cover, seq: e.data.seq, facts: coverFacts(mine, e.data) }); // top11
    };
    port.postMessage({ type: K.open, opening });
    document.documentElement.append(host);
    host.showPopover(); // top11
    mine.watch = new MutationObserver(() => { mine.tampered = true; });
    mine.watch.observe(host, { attributes: true });
  };

  /** Only the manager's own gestures count: events a page script made up (isTrusted false) never open the card. */
  const listen = () => {
    if (listening) return;
    listening = true;
    document.addEventListener('click', async (e) => {
      if (!e.isTrusted || !s?.hello?.enabled || (card && card.host.contains(e.target))) return;
      const session = s;
      const interactive = e.target instanceof Element && !!e.target.closest(session.hello.card.interactiveSelector);
      const reply = await ask(session, { type: F.hit, x: e.clientX, y: e.clientY, candidates: interactive ? [] : candidates(e.clientX, e.clientY), interactive });
      const found = reply?.mention == null || s !== session ? null : session.found[reply.mention];
      if (found) openCard(found, false).catch((err) => console.warn('Escucha card:', String(err)));
      else closeCard();
    });
    document.addEventListener('mousemove', (e) => {
      clearTimeout(restTimer);
      if (!e.isTrusted || e.buttons !== 0 || !s?.hello?.enabled) return;
      const { clientX: x, clientY: y } = e;
      restTimer = setTimeout(() => rest(x, y), s.hello.pointer.restMs);
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
    const reply = await ask(session, { type: F.scan, url: url ?? null }, { text: bytes.buffer, starts: c.starts.buffer, ends: c.ends.buffer },
      [bytes.buffer, c.starts.buffer, c.ends.buffer]);
    if (!reply) return { found: [], phases };
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
    byLayer(found, (name, ranges) => s.painter.add(name, ranges));
    s.found.push(...found);
    phases.paint = performance.now() - t;
  };

  const byLayer = (found, fn) => s.hello.highlights.forEach((spec, i) => { const r = found.filter((f) => f.group === i).map((f) => f.range); if (r.length) fn(spec.name, r); });

  /** Keep the mentions `keep` accepts; take the others off the page. */
  const unpaint = (keep) => {
    const kept = [];
    const gone = [];
    for (const f of s.found) (keep(f) ? kept : gone).push(f);
    byLayer(gone, (name, ranges) => s.painter.remove(name, ranges));
    s.found = kept;
  };

  const fullScan = async (opts) => {
    if (!s) return null;
    const session = s;
    const result = await scan(document.body ?? document.documentElement, opts);
    if (s !== session) return null;
    for (const spec of session.hello.highlights) session.painter.clear(spec.name);
    session.found = [];
    paint(result.found, result.phases);
    report();
    return result;
  };

  const report = async () => {
    const session = s;
    const count = (await ask(session, { type: F.painted, count: session.found.length }))?.report;
    if (typeof count === 'number' && s === session) api.runtime.sendMessage({ type: C.mentionsFound, url: session.url, count }).catch(() => {});
  };

  /** Whether `node` is `root` or inside it, also through shadow roots. */
  const containsDeep = (root, node) => {
    for (let n = node; n; n = n.getRootNode().host) if (root.contains(n)) return true;
    return false;
  };
  const touches = (root, f) => containsDeep(root, f.range.startContainer) || containsDeep(root, f.range.endContainer);

  // Live pages: describe each mutation record (escucha_core::page_watch::Change),
  // ask the frame what to rescan for it, and rescan once per task.
  const inline = (el) => self.escuchaElementFlow(el, s.hello.rules) === 0; // the walk's layout rule (text_collector.js)
  const flow = (n) => (n.nodeType === 3 ? 'text' : n.nodeType === 1 ? (inline(n) ? 'inline' : 'block') : n.nodeType === 9 || n.nodeType === 11 ? 'root' : 'other');
  // escucha_core::page_watch::Unit::EnclosingBlock: up to the first block or tree top.
  const enclosingBlock = (node) => {
    let n = node;
    while (n.parentNode && flow(n) !== 'block' && flow(n) !== 'root') n = n.parentNode;
    return n;
  };
  const flowOf = (n) => (n ? flow(n) : null);
  let batch = []; // { change, node, target }
  let hosts = [];
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      const work = { batch, hosts };
      batch = []; hosts = [];
      serial(() => rescan(work));
    }, 0);
  };
  const onMutations = (records) => {
    if (!s?.hello) return;
    for (const r of records) {
      const target = r.target;
      if (r.type === 'characterData') { batch.push({ change: { kind: 'text' }, node: target, target }); continue; }
      const parent = flow(target);
      for (const n of r.addedNodes) {
        batch.push({ change: { kind: 'added', node: flow(n), parent, before: flowOf(n.previousSibling), after: flowOf(n.nextSibling) }, node: n, target });
      }
      if (r.removedNodes.length) {
        // Described without our own hosts (the card, the tooltip): the frame decides what their removal means.
        const page = [...r.removedNodes].filter((n) => !(n.nodeType === 1 && n.hasAttribute(s.hello.rules.ownUiAttribute)));
        const change = { kind: 'removed', anyJoining: page.some((n) => flow(n) !== 'block'), onlyOurs: page.length === 0, parent, before: flowOf(r.previousSibling), after: flowOf(r.nextSibling) };
        batch.push({ change, node: null, target });
      }
    }
    schedule();
  };
  // Escucha's page-world hook (content/shadow_hook.js) announces shadow roots attached later.
  const onShadow = (e) => { if (s?.hello) { hosts.push(e.composedPath()[0]); schedule(); } };

  /**
   * What each changed root is, for the frame to pick the ones to scan again
   * (escucha_core::page_watch::outermost): on the page? in a region the walk skips
   * (the hello's excludedSelector)? which other roots of the batch are it or hold it?
   */
  const rootFacts = (roots, excluded) => {
    const at = new Map();
    roots.forEach((r, i) => { if (r) at.set(r, [...(at.get(r) ?? []), i]); });
    return roots.map((r, i) => {
      if (!r) return { connected: false, excluded: false, within: [] };
      const within = [];
      for (let n = r; n; n = n.parentNode ?? (n instanceof ShadowRoot ? n.host : null)) {
        for (const j of at.get(n) ?? []) if (j !== i) within.push(j);
      }
      const el = r.nodeType === Node.ELEMENT_NODE ? r : r.parentElement;
      return { connected: r.isConnected, excluded: !!el?.closest(excluded), within };
    });
  };

  const rescan = async ({ batch, hosts }) => {
    if (!s) return;
    const session = s;
    const answer = await ask(session, { type: F.changes, startedAt: session.url, now: location.href, changes: batch.map((b) => b.change) });
    if (s !== session || !answer) return;
    if (answer.restart) { await start().catch((e) => console.warn(String(e))); return; }
    const roots = [...hosts];
    (answer.units ?? []).forEach((unit, i) => {
      const b = batch[i];
      if (unit === 'node') roots.push(b.node);
      else if (unit === 'enclosingBlock') roots.push(enclosingBlock(b.node && b.change.kind === 'text' ? b.node : b.target));
    });
    if (answer.prune) unpaint((f) => f.range.startContainer.isConnected && f.range.endContainer.isConnected);
    const picked = roots.length ? await ask(session, { type: F.roots, roots: rootFacts(roots, session.hello.excludedSelector) }) : null;
    if (s !== session) return;
    for (const root of (picked?.rescan ?? []).map((i) => roots[i])) {
      unpaint((f) => !touches(root, f));
      const result = await scan(root);
      if (s !== session) return;
      if (root.isConnected) paint(result.found, result.phases);
    }
    await report();
  };

  /** Scroll to mention `index` and flash it; false when it is gone. */
  const reveal = (index) => {
    const f = s?.found[index];
    if (!f || !f.range.startContainer.isConnected) return false;
    const node = f.range.startContainer;
    (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.scrollIntoView({ block: 'center' });
    const { painter } = s;
    painter.set(s.hello.flash.name, [f.range]);
    const name = s.hello.flash.name;
    setTimeout(() => painter.remove(name, [f.range]), s.hello.flashMs);
    return true;
  };

  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));

  /** Messages from runtime.onMessage, relayed whole with their sender: the frame decides who may ask and what it means. */
  const handle = async (message, sender) => {
    const session = s;
    await session?.ready.catch(() => {});
    const reply = session?.hello && s === session
      ? await ask(session, { type: F.incoming, senderId: sender.id ?? null, senderUrl: sender.url ?? null, ownId: api.runtime.id, ownBase: api.runtime.getURL(''), fromTab: sender.tab !== undefined, url: location.href }, { message })
      : null;
    const act = reply?.act;
    if (!act) return { type: A.error, code: E.noAnswer, detail: 'matcher frame' };
    switch (act.do) {
      case D.answer: return act.answer;
      case D.restart: await start(); return act.answer;
      case D.pageMentions: return (await serial(() => fullScan({ url: location.href })))?.pageMentions ?? act.otherwise;
      case D.reveal: return reveal(act.index) ? act.done : act.gone;
      case D.painted: return { type: A.ok, ...(s?.painter?.debug() ?? { layers: [], boxes: 0 }), url: location.href };
      case D.openCard: {
        const sides = s ? selectionSides() : null;
        const near = s && await ask(s, { type: F.nearSelection, hasFocus: document.hasFocus(), count: s.found.length, sides });
        if (!near) return { type: A.error, code: E.noAnswer, detail: 'matcher frame' };
        const found = near.mention == null ? null : s?.found[near.mention];
        if (found) await openCard(found, true);
        return near.answer;
      }
      // Benchmarks: only a bench build's frame asks for these.
      case D.benchScan: {
        const t0 = performance.now();
        const r = await serial(() => fullScan());
        await nextFrame();
        await s?.painter?.drawn();
        return { type: A.ok, engine: 'escucha', ms: performance.now() - t0, mentions: s?.found.length ?? 0, path: 'matcher-frame', phases: Object.entries(r?.phases ?? {}) };
      }
      case D.benchFloor: {
        const t0 = performance.now();
        const nodes = escuchaFloorWalk();
        return { type: A.ok, engine: 'floor', ms: performance.now() - t0, mentions: nodes, path: 'content-world', phases: [] };
      }
    }
    return { type: A.error, code: E.internal, detail: `matcher frame act ${act.do}` };
  };

  return { start, handle };
};
