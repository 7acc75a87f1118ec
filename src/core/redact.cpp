#include "core/redact.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace wharf::core {

namespace {

constexpr std::string_view kMask = "***";

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithCi(std::string_view text, size_t at, std::string_view lower_needle) {
  if (text.size() - at < lower_needle.size()) return false;
  for (size_t k = 0; k < lower_needle.size(); ++k)
    if (Lower(text[at + k]) != lower_needle[k]) return false;
  return true;
}

bool EndsWithCi(std::string_view word, std::string_view lower_suffix) {
  return word.size() >= lower_suffix.size() &&
         StartsWithCi(word, word.size() - lower_suffix.size(), lower_suffix);
}

bool EqualsCi(std::string_view word, std::string_view lower) {
  return word.size() == lower.size() && StartsWithCi(word, 0, lower);
}

// Every rule below needs one of these substrings (any case): "://", "passw",
// "secret", "token", "signature", "authorization", "bearer", "apikey",
// "api_key", "api-key". A line holding none of them is returned untouched.
// This is the fast path of every log line: one switch per byte; a needle is
// compared in full only where its first two bytes match.
bool HasCandidate(std::string_view text) {
  const size_t n = text.size();
  for (size_t i = 0; i + 2 < n; ++i) {
    char second = Lower(text[i + 1]);
    bool hit = false;
    switch (text[i]) {
      case ':':
        hit = second == '/' && text[i + 2] == '/';
        break;
      case 'p':
      case 'P':
        hit = second == 'a' && StartsWithCi(text, i, "passw");
        break;
      case 's':
      case 'S':
        hit = (second == 'e' && StartsWithCi(text, i, "secret")) ||
              (second == 'i' && StartsWithCi(text, i, "signature"));
        break;
      case 't':
      case 'T':
        hit = second == 'o' && StartsWithCi(text, i, "token");
        break;
      case 'b':
      case 'B':
        hit = second == 'e' && StartsWithCi(text, i, "bearer");
        break;
      case 'a':
      case 'A':
        hit = (second == 'u' && StartsWithCi(text, i, "authorization")) ||
              (second == 'p' &&
               (StartsWithCi(text, i, "apikey") || StartsWithCi(text, i, "api_key") ||
                StartsWithCi(text, i, "api-key")));
        break;
      default:
        break;
    }
    if (hit) return true;
  }
  return false;
}

// Keys whose value is a secret, matched as a suffix so that sslpassword,
// PGPASSWORD, AWS_SECRET_ACCESS_KEY, X-Amz-Signature, X-Amz-Security-Token,
// WHARF_TOKEN and client_secret are all covered.
constexpr std::array<std::string_view, 8> kSecretKeySuffixes = {
    "password",   "passwd", "secret",    "secret_access_key",
    "secret_key", "token",  "signature", "apikey"};

bool IsSecretKey(std::string_view word) {
  for (std::string_view suffix : kSecretKeySuffixes)
    if (EndsWithCi(word, suffix)) return true;
  return EndsWithCi(word, "api_key") || EndsWithCi(word, "api-key");
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
bool IsSchemeChar(char c) { return IsWordChar(c) || c == '+' || c == '.'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
// Characters that end a URL password or a bare value in a query string: the
// URL ended, it was quoted in the surrounding text.
bool EndsUrlPart(char c) {
  return IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
}

// Index of the closing `quote` for a quoted value opened at `open`, honouring
// backslash escapes (libpq's and JSON's rule); npos when unterminated.
size_t ClosingQuote(std::string_view t, size_t open, char quote) {
  for (size_t k = open + 1; k < t.size(); ++k) {
    if (t[k] == '\\') {
      ++k;
    } else if (t[k] == quote) {
      return k;
    }
  }
  return std::string_view::npos;
}

size_t EndOfLine(std::string_view t, size_t from) {
  size_t k = from;
  while (k < t.size() && t[k] != '\n' && t[k] != '\r') ++k;
  return k;
}

// At `i`: "://" after a scheme. Masks user:password@ -> user:***@.
size_t RedactUserinfo(std::string_view t, size_t i, std::string& out) {
  size_t j = i + 3;
  size_t user_end = j;
  while (user_end < t.size() && !EndsUrlPart(t[user_end]) &&
         std::string_view(":/@?#").find(t[user_end]) == std::string_view::npos)
    ++user_end;
  if (user_end < t.size() && t[user_end] == ':') {
    // The password may hold ':' and '/' (libpq and users do not always
    // percent-encode), so it runs to the '@'; whitespace or a quote first
    // means this was host:port, not userinfo.
    size_t p = user_end + 1, k = p;
    while (k < t.size() && t[k] != '@' && !EndsUrlPart(t[k])) ++k;
    if (k < t.size() && t[k] == '@' && k > p) {
      out.append(t.substr(i, user_end + 1 - i));
      out.append(kMask);
      out += '@';
      return k + 1;
    }
  }
  out.append("://");
  return j;
}

// After a secret key ending at `key_end` (already copied): masks its value if
// a separator follows. Returns where scanning continues.
size_t RedactKeyValue(std::string_view t, size_t key_start, size_t key_end, std::string& out,
                      bool to_end_of_line) {
  size_t j = key_end;
  const bool json_key = key_start > 0 && t[key_start - 1] == '"' && j < t.size() && t[j] == '"';
  const bool in_query = key_start > 0 && (t[key_start - 1] == '?' || t[key_start - 1] == '&');
  if (json_key) ++j;
  while (j < t.size() && IsBlank(t[j])) ++j;
  if (j >= t.size() || (t[j] != '=' && t[j] != ':')) return key_end;
  if (t[j] == ':' && t.substr(j, 3) == "://") return key_end;  // a URL scheme named like a key
  ++j;
  while (j < t.size() && IsBlank(t[j])) ++j;
  if (j >= t.size()) return key_end;
  out.append(t.substr(key_end, j - key_end));  // closing quote, separator, blanks as they were
  if (t[j] == '\'' || t[j] == '"') {
    size_t close = ClosingQuote(t, j, t[j]);
    size_t end = close == std::string_view::npos ? EndOfLine(t, j) : close + 1;
    // libpq's 'se cret' becomes *** (as RedactDsn always did); a double-quoted
    // value keeps its quotes so JSON and YAML stay well-formed.
    if (t[j] == '"') {
      out += '"';
      out.append(kMask);
      if (close != std::string_view::npos) out += '"';
    } else {
      out.append(kMask);
    }
    return end;
  }
  size_t k = j;
  if (to_end_of_line) {
    k = EndOfLine(t, j);
  } else {
    while (k < t.size() && !IsSpace(t[k])) {
      if (in_query && (t[k] == '&' || t[k] == '#' || EndsUrlPart(t[k]))) break;
      if (json_key && (t[k] == ',' || t[k] == '}')) break;
      ++k;
    }
  }
  if (k > j) out.append(kMask);
  return k;
}

// After "Bearer" (already copied): masks the token that follows. A token of
// lowercase letters only is an English word ("a bearer token is required"),
// not a credential; registered secrets still catch a real one.
size_t RedactBearer(std::string_view t, size_t j, std::string& out) {
  size_t k = j;
  while (k < t.size() && IsBlank(t[k])) ++k;
  if (k == j) return j;
  size_t start = k;
  bool all_lower = true;
  while (k < t.size() &&
         (IsWordChar(t[k]) || std::string_view("._~+/").find(t[k]) != std::string_view::npos)) {
    if (t[k] < 'a' || t[k] > 'z') all_lower = false;
    ++k;
  }
  while (k < t.size() && t[k] == '=') ++k;
  if (k == start || all_lower) return j;
  out.append(t.substr(j, start - j));
  out.append(kMask);
  return k;
}

std::string RedactPatterns(std::string_view t) {
  std::string out;
  out.reserve(t.size() + 16);
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == ':' && t.substr(i, 3) == "://" && i > 0 && IsSchemeChar(t[i - 1])) {
      i = RedactUserinfo(t, i, out);
      continue;
    }
    if (!IsWordChar(c)) {
      out += c;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < t.size() && IsWordChar(t[i])) ++i;
    std::string_view word = t.substr(start, i - start);
    out.append(word);
    if (EqualsCi(word, "bearer")) {
      i = RedactBearer(t, i, out);
    } else if (EqualsCi(word, "authorization")) {
      i = RedactKeyValue(t, start, i, out, /*to_end_of_line=*/true);
    } else if (IsSecretKey(word)) {
      i = RedactKeyValue(t, start, i, out, /*to_end_of_line=*/false);
    }
  }
  return out;
}

// Registered values, longest first so that a secret containing another is
// masked whole. Read on every log line, written a few times at start.
struct Registry {
  std::shared_mutex mutex;
  std::vector<std::string> values;
  std::atomic<bool> any{false};
};

Registry& Secrets() {
  static Registry registry;
  return registry;
}

std::string PercentEncode(std::string_view value, bool upper) {
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : value) {
    if (IsWordChar(static_cast<char>(c)) || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void ReplaceAll(std::string& text, std::string_view value) {
  size_t at = 0;
  while ((at = text.find(value, at)) != std::string::npos) {
    text.replace(at, value.size(), kMask);
    at += kMask.size();
  }
}

}  // namespace

std::string RedactSecrets(std::string_view text) {
  Registry& secrets = Secrets();
  if (secrets.any.load(std::memory_order_acquire)) {
    std::string masked(text);
    {
      std::shared_lock lock(secrets.mutex);
      for (const auto& value : secrets.values) ReplaceAll(masked, value);
    }
    return HasCandidate(masked) ? RedactPatterns(masked) : masked;
  }
  if (!HasCandidate(text)) return std::string(text);
  return RedactPatterns(text);
}

void RegisterSecret(std::string value) {
  if (value.size() < 4) return;
  Registry& secrets = Secrets();
  std::unique_lock lock(secrets.mutex);
  for (std::string variant : {PercentEncode(value, true), PercentEncode(value, false), value}) {
    if (std::find(secrets.values.begin(), secrets.values.end(), variant) == secrets.values.end())
      secrets.values.push_back(std::move(variant));
  }
  std::stable_sort(secrets.values.begin(), secrets.values.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  secrets.any.store(true, std::memory_order_release);
}

void ClearRegisteredSecretsForTesting() {
  Registry& secrets = Secrets();
  std::unique_lock lock(secrets.mutex);
  secrets.values.clear();
  secrets.any.store(false, std::memory_order_release);
}

}  // namespace wharf::core
