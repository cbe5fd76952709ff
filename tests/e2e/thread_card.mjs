// Shared by the issue 13 thread tests: open the card of "Acme" in mara_k's
// comment on the phpBB fixture thread with a real click, and save a card
// action. Only drives the browser; decides nothing.
import assert from 'node:assert/strict';
import { waitForHighlights, cardFrame, waitForCard } from './harness.mjs';

/** Open `url` in `b`'s context and the card of "Acme" in "My Acme X200…". */
export async function openThreadCard(b, url) {
  const page = await b.context.newPage();
  await page.goto(url);
  await waitForHighlights(page, (h) => (h['escucha-g0'] ?? []).length >= 3);
  const at = await page.evaluate(() => {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (!n.data.startsWith('My Acme X200')) continue;
      const r = document.createRange();
      r.setStart(n, 3); r.setEnd(n, 7);
      window.scrollBy(0, r.getBoundingClientRect().top - innerHeight / 2);
      const box = r.getBoundingClientRect();
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    }
    return null;
  });
  assert.ok(at, 'the comment is on the page');
  await page.mouse.click(at.x, at.y);
  await waitForCard(page, '#excerpt');
  return page;
}

/** Click a card control and wait for the card to say it saved. */
export async function clickAndSave(page, selector) {
  await waitForCard(page, '#state', () => true);
  await cardFrame(page).evaluate(() => { document.getElementById('state').textContent = ''; });
  await cardFrame(page).locator(selector).click();
  return waitForCard(page, '#state', (t) => /Saved|Guardado/.test(t ?? ''));
}
