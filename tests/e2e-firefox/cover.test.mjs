// Tier 4: Log's occlusion check on Firefox (no IntersectionObserver v2
// there). The card's host is in the top layer (a manual popover), so a
// decoy with any z-index is drawn under it and a real click on Log logs;
// what a page can still do, open its own popover over the card or fade the
// card's host, refuses Log (escucha_core::card_cover). Both content paths:
// WebAssembly, and the strict-CSP page's JavaScript with the matcher frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtures } from '../e2e/harness.mjs';
import { PageRequest as P } from '../e2e/protocol.mjs';
import { launchFirefox, useDemoBrands, testPackage, firefoxVersion, until, ok, By, sleep } from './firefox.mjs';

const FORUM_CANONICAL = 'http://127.0.0.1/demo/forum.html'; // forum.html's canonical link
let fixtures, a;

before(async () => {
  console.log(`# ${firefoxVersion()}`);
  fixtures = await startFixtures();
  a = await launchFirefox(testPackage());
  // The demo brands, switched on from the welcome page as a manager does.
  await useDemoBrands(a);
});
after(async () => {
  await a?.quit();
  await fixtures?.stop();
});

/** Switch into the open card's frame (inside Escucha's closed shadow root); null when none is open. */
async function enterCard() {
  const host = await a.driver.findElements(By.css('escucha-card'));
  if (!host.length) return null;
  const frames = await (await host[0].getShadowRoot()).findElements(By.css('iframe'));
  if (!frames.length) return null;
  await a.driver.switchTo().frame(frames[0]);
  return true;
}

const inCard = async (script) => {
  await a.driver.switchTo().defaultContent();
  await until(() => enterCard(), { what: 'the card frame' });
  try { return await a.driver.executeScript(script); } finally { await a.driver.switchTo().defaultContent(); }
};

/** Click "Movistar" in the page until the card is open, placed and shows the quote. */
async function openCard() {
  await until(async () => {
    await a.driver.switchTo().defaultContent();
    const r = await a.driver.executeScript(`
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n; (n = walker.nextNode());) {
        const i = n.data.indexOf('Movistar');
        if (i < 0) continue;
        const range = document.createRange(); range.setStart(n, i); range.setEnd(n, i + 8);
        n.parentElement.scrollIntoView({ block: 'center' });
        const b = range.getBoundingClientRect();
        return { x: Math.round(b.x + b.width / 2), y: Math.round(b.y + b.height / 2) };
      }
      return null;`);
    await a.driver.actions().move({ x: r.x, y: r.y, origin: 'viewport' }).click().perform();
    return until(() => a.driver.executeScript(`const h = document.querySelector('escucha-card'); if (!h) return false;
      const r = h.getBoundingClientRect(); return getComputedStyle(h).visibility === 'visible' && r.width > 0 && r.height > 100;`),
    { timeout: 3000, what: 'the card placed' }).catch(() => false);
  }, { timeout: 30000, every: 500, what: 'a card for Movistar' });
  await until(async () => /Movistar/.test(await inCard('return document.querySelector("#excerpt")?.textContent ?? ""')), { what: 'the quote' });
}

/** Where Log is, in the page's viewport. */
async function logPoint() {
  const inner = await inCard('const b = document.querySelector("#log").getBoundingClientRect(); return { x: b.x + b.width / 2, y: b.y + b.height / 2 };');
  const host = await a.driver.executeScript('const b = document.querySelector("escucha-card").getBoundingClientRect(); return { x: b.x, y: b.y };');
  return { x: Math.round(host.x + inner.x), y: Math.round(host.y + inner.y) };
}

/** The manager's real click at Log's place, then what the card says once it has answered. */
async function clickLog() {
  const p = await logPoint();
  await sleep(300);
  await a.driver.actions().move({ x: p.x, y: p.y, origin: 'viewport' }).click().perform();
  let state = '';
  await until(async () => {
    state = await inCard('return document.querySelector("#state")?.textContent ?? ""');
    return state.length > 0 && !/Saving|Guardando/.test(state);
  }, { what: 'the card answers' });
  return state;
}

async function closeCard() {
  await a.driver.switchTo().defaultContent();
  await a.driver.executeScript('document.getElementById("decoy")?.remove()');
  await a.driver.actions().sendKeys('\uE00C').perform(); // Escape
  const closed = () => a.driver.executeScript('return !document.querySelector("escucha-card")');
  if (!(await until(closed, { timeout: 2000, what: 'the card closed by Escape' }).catch(() => false))) {
    await a.driver.actions().move({ x: 3, y: 3, origin: 'viewport' }).click().perform(); // a click elsewhere closes it
    await until(closed, { what: 'the card closed' });
  }
}

async function count(tab) {
  await a.openPage('log/log.html');
  const n = ok(await a.send({ type: P.getPageCaptures, url: FORUM_CANONICAL })).captures.length;
  await a.driver.switchTo().window(tab);
  return n;
}

const ATTACKS = {
  // A popover of the page's, opened after the card, over it and letting clicks through.
  popover: `const box = document.querySelector('escucha-card').getBoundingClientRect();
    const d = document.createElement('div'); d.id = 'decoy'; d.popover = 'manual'; d.textContent = '¡Gana un premio!';
    d.style.cssText = 'position:fixed;inset:auto;margin:0;left:' + box.x + 'px;top:' + box.y + 'px;width:' + box.width + 'px;height:' + box.height + 'px;background:gold;pointer-events:none';
    document.body.append(d); d.showPopover();`,
  // The card's host faded until it can hardly be seen.
  faded: `document.querySelector('escucha-card').style.setProperty('opacity', '0.05', 'important');`,
  // A page rule drawing a pseudo-element over the card, inside the top layer with it, letting clicks through.
  pseudo: `const st = document.createElement('style'); st.id = 'decoy';
    st.textContent = 'escucha-card::after { content: "¡Gana un premio!"; position: absolute; inset: 0; background: gold; pointer-events: none; }';
    document.head.append(st);`,
};

for (const [path, url] of [['WebAssembly', () => `${fixtures.url}/forum.html?cover`], ['strict-CSP', () => `${fixtures.url}/forum.html?cover&csp=${encodeURIComponent("script-src 'self'")}`]]) {
  test(`${path} path: Log is refused under a page popover, on a faded card or under a pseudo-element, and logs above a z-index decoy and in plain sight`, async () => {
    const tab = await a.openTab(url());
    const before = await count(tab);
    for (const [attack, script] of Object.entries(ATTACKS)) {
      await openCard();
      await a.driver.executeScript(script);
      const state = await clickLog();
      assert.doesNotMatch(state, /Saved|Guardado/, `${attack}: not logged`);
      assert.match(state, /hidden or covered|oculta o tapada/, `${attack}: says why`);
      await closeCard();
      assert.equal(await count(tab), before, `${attack}: nothing in the log`);
    }
    // A decoy of any z-index is drawn under the card: Log logs.
    await openCard();
    // In the top layer, placed exactly where the frame said, none of the user agent's popover box styles.
    const placed = await a.driver.executeScript(`const h = document.querySelector('escucha-card'); const r = h.getBoundingClientRect(); const cs = getComputedStyle(h);
      const px = (k) => parseFloat(h.style.getPropertyValue(k));
      return { off: [r.left + scrollX - px('left'), r.top + scrollY - px('top'), r.width - px('width'), r.height - px('height')].map((d) => Math.round(d)),
        box: [cs.marginTop, cs.borderTopWidth, cs.paddingTop, cs.backgroundColor, cs.overflow, h.matches(':popover-open')] };`);
    assert.deepEqual(placed, { off: [0, 0, 0, 0], box: ['0px', '0px', '0px', 'rgba(0, 0, 0, 0)', 'visible', true] }, JSON.stringify(placed));
    const order = await a.driver.executeScript(`const box = document.querySelector('escucha-card').getBoundingClientRect();
      const d = document.createElement('div'); d.id = 'decoy'; d.textContent = '¡Gana un premio!';
      d.style.cssText = 'position:fixed;left:' + (box.x - 20) + 'px;top:' + (box.y - 20) + 'px;width:' + (box.width + 40) + 'px;height:' + (box.height + 40) + 'px;background:gold;z-index:2147483647';
      document.documentElement.append(d);
      const order = document.elementsFromPoint(box.x + box.width / 2, box.y + box.height / 2).slice(0, 2).map((e) => e.localName + (e.id ? '#' + e.id : ''));
      d.style.pointerEvents = 'none';
      return order;`);
    assert.deepEqual(order, ['escucha-card', 'div#decoy'], 'the card is drawn above the decoy (hit testing follows paint order)');
    assert.match(await clickLog(), /Saved|Guardado/, 'logged above the decoy');
    await closeCard();
    const after = await count(tab);
    assert.ok(after >= 1 && after <= before + 1, `stored (${before} → ${after})`);
    // In plain sight.
    await openCard();
    assert.match(await clickLog(), /Saved|Guardado/, 'logged in plain sight');
    await closeCard();
  });
}
