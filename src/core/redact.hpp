#pragma once
// Secret redaction for log lines, status pages and error messages (DESIGN.md:
// "never a secret in a log line or status page"). Runs on every log line, so
// text with no candidate substring is returned after one cheap scan.
//
// What is masked (the secret becomes `***`, everything else is kept):
// - URL userinfo passwords, any scheme: postgres://user:***@host,
//   postgresql://, s3://key:***@bucket, https://user:***@host
// - key=value and key: value pairs whose key (case-insensitive) ends in
//   password, passwd, secret, secret_access_key, secret_key, token,
//   signature, apikey, api_key or api-key: libpq keyword DSNs
//   (password=..., password='se cret', sslpassword=...), query strings
//   (?password=...&, X-Amz-Signature=..., X-Amz-Security-Token=...),
//   environment lines (AWS_SECRET_ACCESS_KEY=..., WHARF_TOKEN=...), config
//   and JSON ("token": "..." keeps its quotes: "token": "***")
// - Authorization header values up to the end of the line (or the closing
//   quote when the value is quoted): Authorization: ***
// - Bearer <token>: Bearer ***
// - every value given to RegisterSecret, wherever it appears verbatim (and
//   in its percent-encoded form, as it appears inside a URL).
// Redaction errs on the side of masking too much: a bare value runs to the
// next whitespace (or `&`/`#` inside a query string).
#include <string>
#include <string_view>

namespace wharf::core {

std::string RedactSecrets(std::string_view text);

// Masks `value` in everything RedactSecrets sees from now on: passwords and
// tokens read from the environment into the configuration. Values shorter
// than 4 characters are ignored (masking every "1" or "abc" would garble logs
// and a secret that short is no secret). Thread-safe; registering the same
// value twice is harmless.
void RegisterSecret(std::string value);

// Tests only: forgets every registered secret.
void ClearRegisteredSecretsForTesting();

}  // namespace wharf::core
