#include "staging/s3/s3_client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "staging/codec.hpp"
#include "staging/s3/s3_xml.hpp"

namespace wharf::staging::s3 {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string AmzDate() { return core::UtcNow("%Y%m%dT%H%M%SZ"); }

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    static_cast<Params*>(user)->emplace_back(name, value);
  }
  return size * n;
}

struct UploadState {
  std::string_view body;
  size_t pos = 0;
};

size_t OnRead(char* buf, size_t size, size_t n, void* user) {
  auto* st = static_cast<UploadState*>(user);
  size_t len = std::min(size * n, st->body.size() - st->pos);
  std::memcpy(buf, st->body.data() + st->pos, len);
  st->pos += len;
  return len;
}

bool Retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool RetryableStatus(long status, const std::string& body) {
  if (status >= 500 || status == 429) return true;
  // S3 sends SlowDown as 503, some compatible servers as 400 or 429.
  return body.find("<Code>SlowDown</Code>") != std::string::npos ||
         body.find("<Code>RequestTimeout</Code>") != std::string::npos;
}

}  // namespace

std::string Response::Header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return "";
}

struct Client::Attempt {
  CURLcode code = CURLE_OK;
  std::string curl_error;
  Response response;
};

Client::Client(Settings settings, std::string bucket) : settings_(std::move(settings)), bucket_(std::move(bucket)) {
  GlobalInit();
}

Client::~Client() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

std::string Client::Where(const std::string& key) const {
  return "s3://" + bucket_ + "/" + key + " at " + settings_.endpoint.ToString();
}

void* Client::AcquireHandle() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (!h) Fail(ErrorKind::kInternal, "curl_easy_init failed");
  return h;
}

void Client::ReleaseHandle(void* handle) {
  std::lock_guard lock(mu_);
  idle_.push_back(handle);
}

Client::Attempt Client::Perform(const Request& request) {
  Target target = MakeTarget(settings_, bucket_, request.key);
  SignInput sign;
  sign.method = request.method;
  sign.encoded_path = target.encoded_path;
  sign.query = request.query;
  sign.amz_date = AmzDate();
  sign.region = settings_.region;
  sign.payload_hash = Sha256Hex(request.body);
  sign.headers = {{"host", target.host},
                  {"x-amz-date", sign.amz_date},
                  {"x-amz-content-sha256", sign.payload_hash}};
  if (!settings_.credentials.session_token.empty()) {
    sign.headers.emplace_back("x-amz-security-token", settings_.credentials.session_token);
  }
  for (const auto& h : request.headers) sign.headers.push_back(h);

  curl_slist* list = nullptr;
  for (const auto& [k, v] : sign.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  list = curl_slist_append(list, ("Authorization: " + Authorization(sign, settings_.credentials)).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(list, curl_slist_free_all);

  CURL* h = static_cast<CURL*>(AcquireHandle());
  curl_easy_reset(h);
  Attempt a;
  std::string url = target.Url(settings_, CanonicalQuery(request.query));
  char errbuf[CURL_ERROR_SIZE] = {0};
  UploadState upload{request.body, 0};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  // A stalled transfer (under 1 KB/s for 60 s) is a timeout; big parts may take long.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &a.response.headers);
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    // Never a null pointer: curl would then read the body from stdin.
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  a.code = curl_easy_perform(h);
  if (a.code == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.response.status);
  } else {
    a.curl_error = errbuf[0] ? errbuf : curl_easy_strerror(a.code);
  }
  // A handle that failed mid-transfer may hold a broken connection: drop it.
  if (a.code == CURLE_OK) ReleaseHandle(h);
  else curl_easy_cleanup(h);
  return a;
}

Response Client::Send(const Request& request, std::initializer_list<long> accept) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const std::string what = request.method + " " + Where(request.key);
  for (int attempt = 1;; ++attempt) {
    Attempt a = Perform(request);
    long st = a.response.status;
    // A 404 the caller accepts means "no such object", never "no such bucket".
    bool accepted = std::find(accept.begin(), accept.end(), st) != accept.end() &&
                    a.response.body.find("<Code>NoSuchBucket</Code>") == std::string::npos;
    bool ok = a.code == CURLE_OK && ((st >= 200 && st < 300) || accepted);
    if (ok) return std::move(a.response);
    bool retry = a.code != CURLE_OK ? Retryable(a.code) : RetryableStatus(st, a.response.body);
    if (retry && attempt < settings_.max_attempts) {
      // Full jitter: sleep a random time up to min(10 s, 200 ms * 2^attempt).
      int64_t cap = std::min<int64_t>(10000, 200ll << std::min(attempt, 10));
      auto wait = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(cap / 4, cap)(rng));
      spdlog::warn("staging: {} failed ({}), retry {} of {} in {} ms", what,
                   a.code != CURLE_OK ? a.curl_error : "HTTP " + std::to_string(st), attempt,
                   settings_.max_attempts - 1, wait.count());
      std::this_thread::sleep_for(wait);
      continue;
    }
    std::string tries = attempt > 1 ? fmt::format(" after {} attempts", attempt) : "";
    if (a.code != CURLE_OK) {
      if (a.code == CURLE_COULDNT_RESOLVE_HOST) {
        Fail(ErrorKind::kConnection, "{}: cannot resolve host {}{} ({}); check staging.s3.endpoint or "
             "AWS_ENDPOINT_URL and this machine's DNS", what, MakeTarget(settings_, bucket_, "").host, tries,
             a.curl_error);
      }
      Fail(ErrorKind::kConnection, "{}: cannot reach the S3 endpoint{} ({}); check that the server runs "
           "and that staging.s3.endpoint / AWS_ENDPOINT_URL points at it", what, tries, a.curl_error);
    }
    std::string code = XmlText(a.response.body, "Code").value_or("");
    std::string message = XmlText(a.response.body, "Message").value_or("");
    std::string detail = fmt::format("HTTP {}{}{}", st, code.empty() ? "" : " " + code,
                                     message.empty() ? "" : ": " + message);
    if (st == 403 || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" ||
        code == "RequestTimeTooSkewed") {
      Fail(ErrorKind::kConfig, "{}: access denied ({}); check the credentials (AWS_ACCESS_KEY_ID and "
           "AWS_SECRET_ACCESS_KEY, or staging.s3.access_key_id/secret_access_key), that they may use this "
           "bucket, and that this machine's clock is right (signatures expire after 15 minutes)",
           what, detail);
    }
    if (code == "NoSuchBucket") {
      Fail(ErrorKind::kConfig, "{}: bucket {} does not exist ({}); create it (e.g. `aws s3 mb s3://{}`) "
           "or fix staging.url", what, bucket_, detail, bucket_);
    }
    if (st == 301 || code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed") {
      Fail(ErrorKind::kConfig, "{}: wrong region or endpoint ({}); set staging.s3.region or AWS_REGION to "
           "the bucket's region", what, detail);
    }
    Fail(ErrorKind::kStaging, "{} failed{} ({})", what, tries, detail);
  }
}

}  // namespace wharf::staging::s3
