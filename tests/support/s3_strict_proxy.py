#!/usr/bin/env python3
# A copy of the team's shared/tools/s3-strict-proxy.py, kept here so a clean clone runs its tests.
"""A strict S3 front for s3rver, which accepts any signature and ignores conditional PUTs:
every request's AWS SigV4 signature is recomputed with botocore (an independent
implementation) from the headers the client says it signed; a mismatch, a wrong payload hash
or a skewed clock gets S3's own 403/400 XML error. Conditional writes are enforced as AWS S3
does since 2024: PutObject and CompleteMultipartUpload with `If-None-Match: *` fail with 412
when the key exists, with `If-Match: <etag>` with 404 when it is missing and 412 when the ETag
differs (checked and written under one lock). Everything else is forwarded to s3rver unchanged.
Usage: s3-strict-proxy.py LISTEN_PORT UPSTREAM_PORT ACCESS_KEY SECRET_KEY [LOG]
Needs python3 with botocore (the AWS CLI's). Listens on 127.0.0.1 only."""
import datetime
import hashlib
import http.client
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

LISTEN, UPSTREAM, AK, SK = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
LOG = open(sys.argv[5], "a", buffering=1) if len(sys.argv) > 5 else sys.stderr
WRITE_LOCK = threading.Lock()
AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
                     r"SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})")


def xml_error(code, msg):
    return (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{msg}</Message></Error>").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=(), length=None):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def verify(self, body):
        auth = self.headers.get("Authorization", "")
        m = AUTH_RE.fullmatch(auth.strip())
        if not m:
            return "AccessDenied", f"missing or malformed SigV4 Authorization: {auth[:80]!r}"
        ak, day, region, service, signed, sig = m.groups()
        if ak != AK:
            return "InvalidAccessKeyId", "unknown access key"
        amz_date = self.headers.get("x-amz-date", "")
        try:
            t = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
        except ValueError:
            return "AccessDenied", f"bad x-amz-date {amz_date!r}"
        if abs((datetime.datetime.utcnow() - t).total_seconds()) > 900 or amz_date[:8] != day:
            return "RequestTimeTooSkewed", "x-amz-date skewed or not matching the credential scope"
        payload = self.headers.get("x-amz-content-sha256")
        if payload is None:
            return "AccessDenied", "x-amz-content-sha256 missing"
        if payload != "UNSIGNED-PAYLOAD" and payload != hashlib.sha256(body).hexdigest():
            return "XAmzContentSHA256Mismatch", "payload hash differs from x-amz-content-sha256"
        names = signed.split(";")
        if "host" not in names:
            return "AccessDenied", "host is not signed"
        hdrs = {n: self.headers.get(n, "") for n in names}
        req = AWSRequest(method=self.command, url=f"http://{hdrs['host']}{self.path}", headers=hdrs, data=body)
        req.context["timestamp"] = amz_date
        signer = S3SigV4Auth(Credentials(AK, SK), service, region)
        canonical = signer.canonical_request(req)
        expected = signer.signature(signer.string_to_sign(req, canonical), req)
        if expected != sig:
            LOG.write(f"MISMATCH {self.command} {self.path}\n--- canonical request (botocore) ---\n{canonical}\n\n")
            return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
        return None

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        bad = self.verify(body)
        if bad:
            code, msg = bad
            LOG.write(f"REFUSED {self.command} {self.path}: {code}: {msg}\n")
            status = 400 if code == "XAmzContentSHA256Mismatch" else 403
            self.reply(status, xml_error(code, msg), [("Content-Type", "application/xml")])
            return
        conditional = (self.headers.get("If-None-Match") or self.headers.get("If-Match")) and (
            (self.command == "PUT" and "uploadId=" not in self.path) or
            (self.command == "POST" and "uploadId=" in self.path))
        if conditional:
            with WRITE_LOCK:
                refusal = self.precondition()
                if refusal:
                    status, code = refusal
                    LOG.write(f"PRECONDITION {self.command} {self.path}: {status} {code}\n")
                    self.reply(status, xml_error(code, "At least one of the pre-conditions you specified did not hold"),
                               [("Content-Type", "application/xml")])
                    return
                self.forward(body)
            return
        self.forward(body)

    def precondition(self):
        key_path = self.path.split("?", 1)[0]
        conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        conn.request("HEAD", key_path, headers={"Host": f"127.0.0.1:{UPSTREAM}"})
        r = conn.getresponse(); r.read(); conn.close()
        exists, etag = r.status == 200, (r.getheader("ETag") or "").strip('"')
        inm, im = self.headers.get("If-None-Match"), self.headers.get("If-Match")
        if inm is not None and inm.strip() == "*" and exists:
            return 412, "PreconditionFailed"
        if im is not None:
            if not exists:
                return 404, "NoSuchKey"
            if im.strip().strip('"') != etag:
                return 412, "PreconditionFailed"
        return None

    def forward(self, body):
        LOG.write(f"OK {self.command} {self.path}\n")
        conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        fwd = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        fwd["Host"] = f"127.0.0.1:{UPSTREAM}"
        conn.request(self.command, self.path, body=body if body else None, headers=fwd)
        r = conn.getresponse()
        data = r.read()
        hop = ("transfer-encoding", "connection", "content-length", "keep-alive")
        # a HEAD answer has no body but reports the object's length
        length = r.getheader("Content-Length") if self.command == "HEAD" else None
        self.reply(r.status, data, [(k, v) for k, v in r.getheaders() if k.lower() not in hop], length)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


ThreadingHTTPServer(("127.0.0.1", LISTEN), Handler).serve_forever()
