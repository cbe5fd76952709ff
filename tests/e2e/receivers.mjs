// Real receivers on 127.0.0.1 for the end-to-end delivery run: an HTTP
// receiver (a Slack or Teams workflow webhook stand-in) whose answers can be
// scripted, and a small SMTP server (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT,
// DATA) that keeps every message. They only record what the team-log server
// sends; nothing here decides product behaviour.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';

/**
 * An HTTP receiver. `script` is a list of answers taken one per request
 * (a status number, or 'drop' to close the connection unanswered); when it
 * runs out, 200. Every request is kept with its headers and body.
 */
export async function startHttpReceiver(script = []) {
  const answers = [...script];
  const requests = [];
  const server = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const answer = answers.length ? answers.shift() : 200;
      requests.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: answer === 'drop' ? 0 : answer });
      if (answer === 'drop') return req.socket.destroy();
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** The requests answered 2xx. */
    delivered: () => requests.filter((q) => q.answered >= 200 && q.answered < 300),
    /** Replace the answers still to come (an empty list: 200 from now on). */
    answerWith: (list) => answers.splice(0, answers.length, ...list),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A plain SMTP server (no TLS) that accepts any AUTH and keeps each message's envelope and data. */
export async function startSmtpReceiver() {
  const messages = [];
  const server = createTcpServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let authStep = null;
    let envelope = { from: null, to: [], data: '', auth: null };
    const say = (line) => socket.write(`${line}\r\n`);
    say('220 receiver.escucha.test ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let at;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(envelope);
            envelope = { from: null, to: [], data: '', auth: envelope.auth };
            say('250 2.0.0 queued');
          } else envelope.data += `${line.startsWith('..') ? line.slice(1) : line}\r\n`;
          continue;
        }
        if (authStep === 'user') { authStep = 'pass'; envelope.auth = Buffer.from(line, 'base64').toString(); say('334 UGFzc3dvcmQ6'); continue; }
        if (authStep === 'pass') { authStep = null; say('235 2.7.0 ok'); continue; }
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') { socket.write('250-receiver.escucha.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n'); }
        else if (verb === 'HELO') say('250 receiver.escucha.test');
        else if (verb === 'AUTH') {
          const [, mech, initial] = line.split(' ');
          if (mech.toUpperCase() === 'PLAIN') { envelope.auth = initial ? Buffer.from(initial, 'base64').toString().split('\0')[1] : null; say('235 2.7.0 ok'); }
          else { authStep = 'user'; say('334 VXNlcm5hbWU6'); }
        } else if (verb === 'MAIL') { envelope.from = line.slice(10).trim(); say('250 2.1.0 ok'); }
        else if (verb === 'RCPT') { envelope.to.push(line.slice(8).trim()); say('250 2.1.5 ok'); }
        else if (verb === 'DATA') { inData = true; say('354 end with .'); }
        else if (verb === 'RSET') { envelope = { from: null, to: [], data: '', auth: envelope.auth }; say('250 ok'); }
        else if (verb === 'NOOP') say('250 ok');
        else if (verb === 'QUIT') { say('221 bye'); socket.end(); }
        else say('502 5.5.2 not implemented');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { host: '127.0.0.1', port: server.address().port, messages, close: () => new Promise((r) => server.close(r)) };
}
