#include "staging/s3/s3_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "staging/s3/s3_xml.hpp"

namespace wharf::staging::s3 {

namespace {

class S3Writer : public ObjectWriter {
 public:
  // `client` must outlive the writer (the store owns it).
  S3Writer(Client& client, std::string key) : client_(client), key_(std::move(key)) {}
  ~S3Writer() override {
    if (committed_ || upload_id_.empty()) return;
    try {
      client_.Send({"DELETE", key_, {{"uploadId", upload_id_}}, {}, {}}, {404, 405, 501});
    } catch (const std::exception& e) {
      spdlog::debug("staging: could not abort multipart upload of {}: {}", client_.Where(key_), e.what());
    }
  }

  void Write(std::string_view bytes) override {
    size_t part = client_.settings().part_size;
    while (!bytes.empty()) {
      size_t n = std::min(bytes.size(), part - buffer_.size());
      buffer_.append(bytes.data(), n);
      bytes.remove_prefix(n);
      // A full buffer is sent only once more bytes arrive, so the last part
      // is never empty and a part_size object stays a single PUT.
      if (buffer_.size() == part && !bytes.empty()) UploadPart();
    }
  }

  void Commit() override {
    if (upload_id_.empty()) {
      client_.Send({"PUT", key_, {}, {}, buffer_});
    } else {
      if (!buffer_.empty()) UploadPart();
      std::string xml = "<CompleteMultipartUpload>";
      for (size_t i = 0; i < etags_.size(); ++i) {
        xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + XmlEscape(etags_[i]) +
               "</ETag></Part>";
      }
      xml += "</CompleteMultipartUpload>";
      auto r = client_.Send({"POST", key_, {{"uploadId", upload_id_}}, {}, xml});
      // S3 can answer 200 and still fail the completion inside the body.
      if (r.body.find("<Error>") != std::string::npos) {
        Fail(ErrorKind::kStaging, "completing the multipart upload of {} failed: {}", client_.Where(key_),
             XmlText(r.body, "Message").value_or(r.body.substr(0, 200)));
      }
    }
    committed_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
  }

 private:
  void UploadPart() {
    if (upload_id_.empty()) {
      auto r = client_.Send({"POST", key_, {{"uploads", ""}}, {}, {}});
      auto id = XmlText(r.body, "UploadId");
      if (!id || id->empty()) {
        Fail(ErrorKind::kProtocol, "starting a multipart upload of {}: the response has no UploadId",
             client_.Where(key_));
      }
      upload_id_ = *id;
    }
    std::string number = std::to_string(etags_.size() + 1);
    auto r = client_.Send({"PUT", key_, {{"partNumber", number}, {"uploadId", upload_id_}}, {}, buffer_});
    std::string etag = r.Header("etag");
    if (etag.empty()) {
      Fail(ErrorKind::kProtocol, "uploading part {} of {}: the response has no ETag", number, client_.Where(key_));
    }
    etags_.push_back(etag);
    buffer_.clear();
  }

  Client& client_;
  std::string key_;
  std::string buffer_;               // bytes not yet sent; at most part_size
  std::string upload_id_;            // set once the object became a multipart upload
  std::vector<std::string> etags_;   // of parts 1..n, in order
  bool committed_ = false;
};

class S3Reader : public ObjectReader {
 public:
  // `client` must outlive the reader (the store owns it). A HEAD gives the
  // size and ETag; ranged GETs then fetch exactly the bytes up to it, each
  // conditional on the ETag so an object replaced mid-read fails loudly
  // instead of mixing two versions.
  S3Reader(Client& client, std::string key) : client_(client), key_(std::move(key)) {
    auto r = client_.Send({"HEAD", key_, {}, {}, {}}, {404});
    if (r.status == 404) Fail(ErrorKind::kStaging, "staged object {} does not exist", client_.Where(key_));
    std::string length = r.Header("content-length");
    if (length.empty()) {
      Fail(ErrorKind::kProtocol, "HEAD of {} returned no Content-Length", client_.Where(key_));
    }
    size_ = std::stoull(length);
    etag_ = r.Header("etag");
  }

  size_t Read(char* buf, size_t size) override {
    if (pos_ == chunk_.size()) {
      if (offset_ >= size_) return 0;
      Fetch();
    }
    size_t n = std::min(size, chunk_.size() - pos_);
    std::memcpy(buf, chunk_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  void Fetch() {
    uint64_t last = std::min<uint64_t>(offset_ + client_.settings().read_chunk, size_) - 1;
    Params headers = {{"range", "bytes=" + std::to_string(offset_) + "-" + std::to_string(last)}};
    if (!etag_.empty()) headers.emplace_back("if-match", etag_);
    auto r = client_.Send({"GET", key_, {}, headers, {}}, {404, 412});
    if (r.status == 404 || r.status == 412) {
      Fail(ErrorKind::kStaging, "staged object {} was {} while being read", client_.Where(key_),
           r.status == 404 ? "removed" : "replaced");
    }
    uint64_t want = last - offset_ + 1;
    if (r.status == 200 && offset_ == 0 && r.body.size() == size_) {
      // The server ignored the range and sent the whole object.
    } else if (r.body.size() != want) {
      Fail(ErrorKind::kStaging, "ranged GET of {} returned {} bytes instead of {} (HTTP {})", client_.Where(key_),
           r.body.size(), want, r.status);
    }
    chunk_ = std::move(r.body);
    pos_ = 0;
    offset_ += chunk_.size();
  }

  Client& client_;
  std::string key_;
  uint64_t size_ = 0;    // from the HEAD
  std::string etag_;     // from the HEAD; every range must match it
  std::string chunk_;    // the current ranged GET's bytes
  size_t pos_ = 0;       // read position in chunk_
  uint64_t offset_ = 0;  // object offset of the next range to fetch
};

}  // namespace

S3Store::S3Store(Settings settings, Location location)
    : location_(std::move(location)), client_(std::make_unique<Client>(std::move(settings), location_.bucket)) {}

std::unique_ptr<ObjectWriter> S3Store::OpenWriter(const std::string& path) {
  return std::make_unique<S3Writer>(*client_, Key(path));
}

std::unique_ptr<ObjectReader> S3Store::OpenReader(const std::string& path) {
  return std::make_unique<S3Reader>(*client_, Key(path));
}

std::string S3Store::Read(const std::string& path) {
  auto r = client_->Send({"GET", Key(path), {}, {}, {}}, {404});
  if (r.status == 404) Fail(ErrorKind::kStaging, "staged object {} does not exist", client_->Where(Key(path)));
  return std::move(r.body);
}

bool S3Store::Exists(const std::string& path) {
  return client_->Send({"HEAD", Key(path), {}, {}, {}}, {404}).status != 404;
}

std::vector<std::string> S3Store::List(const std::string& prefix) { return ListAfter(prefix, ""); }

std::vector<std::string> S3Store::ListAfter(const std::string& prefix, const std::string& start_after) {
  std::vector<std::string> out;
  std::optional<std::string> token;
  do {
    Params q = {{"list-type", "2"}, {"prefix", Key(prefix)},
                {"max-keys", std::to_string(client_->settings().list_page)}};
    if (token) q.emplace_back("continuation-token", *token);
    else if (!start_after.empty()) q.emplace_back("start-after", Key(start_after));
    auto page = ParseListObjectsV2(client_->Send({"GET", "", q, {}, {}}).body);
    for (auto& k : page.keys) {
      if (k.rfind(location_.prefix, 0) == 0) out.push_back(k.substr(location_.prefix.size()));
    }
    token = page.continuation;
  } while (token);
  std::sort(out.begin(), out.end());
  return out;
}

void S3Store::Remove(const std::string& path) { client_->Send({"DELETE", Key(path), {}, {}, {}}, {404}); }

std::string S3Store::Describe() const {
  // No trailing slash: callers append "/" + path.
  std::string p = location_.prefix;
  if (!p.empty()) p.pop_back();
  return "s3://" + location_.bucket + (p.empty() ? "" : "/" + p);
}

}  // namespace wharf::staging::s3
