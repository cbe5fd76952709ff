// Webhook mode against a real HTTP receiver on 127.0.0.1: each new capture is
// POSTed as JSON with an Idempotency-Key; a receiver that fails (500, then a
// dropped connection) gets the same key again until it answers 2xx, and an
// edit is a new delivery with its own key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { launchBrowser, extensionWithLoopbackGranted, captureContext, until } from './teamlog.mjs';
import { configure, logCapture, drained } from './sync_common.mjs';
import { removeDir, useDemoBrands } from './harness.mjs';
import { PageRequest as P, Answer as A } from './protocol.mjs';

let receiver, ext, profile, b;
const deliveries = []; // { key, body } of every request that reached the receiver
let failNext = 0; // answer 500 to this many requests
let dropNext = 0; // then destroy the socket of this many

before(async () => {
  receiver = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      deliveries.push({ key: req.headers['idempotency-key'], type: req.headers['content-type'], auth: req.headers.authorization, body: data });
      if (failNext > 0) { failNext--; res.writeHead(500); res.end('boom'); return; }
      if (dropNext > 0) { dropNext--; req.socket.destroy(); return; }
      res.writeHead(204); res.end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  ext = extensionWithLoopbackGranted();
  profile = mkdtempSync(join(tmpdir(), 'escucha-webhook-profile-'));
  b = await launchBrowser(profile, ext);
  await useDemoBrands(b);
});

after(async () => {
  await b?.close();
  await new Promise((r) => receiver?.close(r));
  if (profile) removeDir(profile);
  if (ext) removeDir(ext);
});

test('each new capture and each edit reaches the webhook once acknowledged, retried under one key', async () => {
  const url = `http://127.0.0.1:${receiver.address().port}/hooks/escucha`;
  await configure(b, { endpoint: url, member: 'ana', mode: 'webhook' });
  failNext = 2; dropNext = 1;
  const c = await logCapture(b, captureContext(1));
  await drained(b, 'the webhook accepted the capture');
  const forC = deliveries.filter((d) => d.key === c.id);
  assert.equal(forC.length, 4, 'two 500s and one dropped connection were retried with the same key');
  for (const d of forC) {
    assert.match(d.type, /application\/json/);
    assert.equal(d.auth, undefined, 'no Authorization header when no token is saved');
    const body = JSON.parse(d.body);
    assert.equal(body.capture.id, c.id);
    assert.equal(body.member, 'ana');
    assert.equal(typeof body.text, 'string');
  }
  // An edit is a distinct delivery: same capture, a new key.
  const edited = await b.send({ type: P.editCapture, id: c.id, edit: { status: 'responded' } });
  assert.equal(edited.type, A.ok, JSON.stringify(edited));
  await until(() => deliveries.some((d) => d.key !== c.id && d.key.startsWith(`${c.id}@`)), { what: 'the edit delivery' });
  const edit = deliveries.find((d) => d.key.startsWith(`${c.id}@`));
  assert.equal(JSON.parse(edit.body).capture.status.value, 'responded');
});
