#!/usr/bin/env node
// An HTTP proxy in front of a real server that fails the first N requests,
// for testing wharf's retries:
//   node fault_proxy.js --target PORT --fail N --mode 503|slowdown|drop
// 503: answers 503 ServiceUnavailable; slowdown: 503 SlowDown (S3's throttle);
// drop: closes the connection without answering. Later requests are passed
// through unchanged (the Host header too, so SigV4 signatures stay valid).
// Prints "fault_proxy listening on port N", then "fault_proxy failed K ..." per
// failure and "fault_proxy passed METHOD HOST/PATH" per request passed on.
'use strict';
const http = require('http');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const target = Number(arg('target'));
let failLeft = Number(arg('fail', '0'));
const mode = arg('mode', '503');
let failed = 0;

const server = http.createServer((req, res) => {
  if (failLeft > 0) {
    failLeft--;
    failed++;
    console.log(`fault_proxy failed ${failed} (${mode} ${req.method} ${req.url})`);
    if (mode === 'drop') {
      req.socket.destroy();
      return;
    }
    const code = mode === 'slowdown' ? 'SlowDown' : 'ServiceUnavailable';
    req.resume();
    res.writeHead(503, { 'content-type': 'application/xml', connection: 'close' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>` +
            `<Message>injected by fault_proxy</Message></Error>`);
    return;
  }
  console.log(`fault_proxy passed ${req.method} ${req.headers.host}${req.url}`);
  const up = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url,
                            headers: req.headers }, upRes => {
    res.writeHead(upRes.statusCode, upRes.headers);
    upRes.pipe(res);
  });
  up.on('error', () => req.socket.destroy());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`fault_proxy listening on port ${server.address().port}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
