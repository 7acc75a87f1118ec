#pragma once
// AWS Signature Version 4 for S3 requests, as pure functions over strings
// (no clock, no I/O) so they can be checked against AWS's published examples.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf::staging::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // never logged
  std::string session_token;      // empty unless temporary credentials; never logged
};

using Params = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters
// (A-Z a-z 0-9 - _ . ~) stay, everything else becomes %XX (upper case);
// '/' stays when `keep_slash` (object key paths).
std::string UriEncode(std::string_view text, bool keep_slash);

// "a=1&b=" from unencoded pairs: each name and value encoded, sorted by name
// then value. The same string is the canonical query and the URL's query.
std::string CanonicalQuery(const Params& query);

struct SignInput {
  std::string method;         // GET, PUT, ...
  std::string encoded_path;   // as sent on the wire, e.g. "/bucket/a%20b"
  Params query;               // unencoded
  Params headers;             // every header to sign (host, x-amz-date, x-amz-content-sha256, ...)
  std::string payload_hash;   // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
  std::string amz_date;       // YYYYMMDD'T'HHMMSS'Z'
  std::string region;
  std::string service = "s3";
};

std::string CanonicalRequest(const SignInput& in);
std::string StringToSign(const SignInput& in);
std::string Signature(const SignInput& in, const std::string& secret_access_key);
// The Authorization header's value.
std::string Authorization(const SignInput& in, const Credentials& creds);

// HMAC-SHA256 of `data` under `key` (raw bytes).
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Hex(std::string_view bytes);

}  // namespace wharf::staging::s3
