#include "staging/s3/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "staging/codec.hpp"

namespace wharf::staging::s3 {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Header values are signed trimmed, with inner runs of spaces collapsed.
std::string TrimValue(const std::string& v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

Params SortedHeaders(const Params& headers) {
  Params h;
  for (const auto& [k, v] : headers) h.emplace_back(Lower(k), TrimValue(v));
  std::sort(h.begin(), h.end());
  return h;
}

std::string SignedHeaderList(const Params& sorted) {
  std::string out;
  for (const auto& [k, v] : sorted) out += (out.empty() ? "" : ";") + k;
  return out;
}

std::string Date(const SignInput& in) { return in.amz_date.substr(0, 8); }

std::string Scope(const SignInput& in) {
  return Date(in) + "/" + in.region + "/" + in.service + "/aws4_request";
}

}  // namespace

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len)) {
    Fail(ErrorKind::kInternal, "HMAC-SHA256 failed in OpenSSL");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string CanonicalQuery(const Params& query) {
  Params enc;
  for (const auto& [k, v] : query) enc.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

std::string CanonicalRequest(const SignInput& in) {
  Params headers = SortedHeaders(in.headers);
  std::string out = in.method + "\n" + in.encoded_path + "\n" + CanonicalQuery(in.query) + "\n";
  for (const auto& [k, v] : headers) out += k + ":" + v + "\n";
  out += "\n" + SignedHeaderList(headers) + "\n" + in.payload_hash;
  return out;
}

std::string StringToSign(const SignInput& in) {
  return "AWS4-HMAC-SHA256\n" + in.amz_date + "\n" + Scope(in) + "\n" + Sha256Hex(CanonicalRequest(in));
}

std::string Signature(const SignInput& in, const std::string& secret_access_key) {
  std::string key = HmacSha256("AWS4" + secret_access_key, Date(in));
  key = HmacSha256(key, in.region);
  key = HmacSha256(key, in.service);
  key = HmacSha256(key, "aws4_request");
  return Hex(HmacSha256(key, StringToSign(in)));
}

std::string Authorization(const SignInput& in, const Credentials& creds) {
  return "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + Scope(in) +
         ",SignedHeaders=" + SignedHeaderList(SortedHeaders(in.headers)) +
         ",Signature=" + Signature(in, creds.secret_access_key);
}

}  // namespace wharf::staging::s3
