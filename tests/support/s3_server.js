#!/usr/bin/env node
// A real S3-compatible server for wharf's integration tests: s3rver (pinned,
// installed by scripts/setup.sh) on 127.0.0.1, storing under a directory.
//   node s3_server.js --dir DIR --buckets a,b [--port N] [--notify URL] [--key ID:SECRET]
// --key adds an access key to s3rver's account (besides its built-in S3RVER:S3RVER),
// so tests can look for a distinctive secret in wharf's output.
// Virtual-hosted requests are recognised for hosts <bucket>.s3.localhost
// (curl resolves *.localhost to loopback).
// Prints "s3_server listening on port N" once the buckets exist. With
// --notify, every object-created/removed event s3rver raises in-process is
// POSTed to URL as S3 event-notification JSON ({"Records":[...]}), the shape
// S3 and MinIO send to a webhook. Stops on SIGTERM/SIGINT.
'use strict';
const path = require('path');
const http = require('http');
const S3rver = require(path.join(__dirname, '../../third_party/node/node_modules/s3rver'));

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const dir = arg('dir');
if (!dir) {
  console.error('usage: s3_server.js --dir DIR --buckets a,b [--port N] [--notify URL]');
  process.exit(2);
}
const buckets = arg('buckets', '').split(',').filter(Boolean);
const notify = arg('notify', '');
const key = arg('key', '');
if (key) {
  const AWSAccount = require(path.join(__dirname, '../../third_party/node/node_modules/s3rver/lib/models/account'));
  const colon = key.indexOf(':');
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(key.slice(0, colon), key.slice(colon + 1));
}

function post(url, body) {
  return new Promise(resolve => {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', err => resolve('error ' + err.code));
    req.end(body);
  });
}

// Events go out one at a time, in the order s3rver raised them.
let queue = Promise.resolve();

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(arg('port', '0')),
  directory: dir,
  silent: true,
  serviceEndpoint: 'localhost',
  configureBuckets: buckets.map(name => ({ name })),
});
server.on('event', event => {
  if (!notify) return;
  const body = JSON.stringify(event);
  queue = queue.then(async () => {
    const status = await post(notify, body);
    const r = event.Records[0];
    console.log(`s3_server notified ${r.eventName} ${r.s3.bucket.name}/${r.s3.object.key}: ${status}`);
  });
});
server.run().then(({ port }) => {
  console.log(`s3_server listening on port ${port}`);
}, err => {
  console.error('s3_server failed to start: ' + err.message);
  process.exit(1);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
