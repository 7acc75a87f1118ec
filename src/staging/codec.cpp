#include "staging/codec.hpp"

#include <openssl/evp.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

#include "core/error.hpp"
#include "core/text.hpp"

namespace wharf::staging {

Compression ParseCompression(const std::string& name) {
  if (name == "none") return Compression::kNone;
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  Fail(ErrorKind::kConfig, "staging.compression '{}' is not one of none, gzip, zstd", name);
}

std::string CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
  }
  return "none";
}

std::string CompressionExtension(Compression c) {
  switch (c) {
    case Compression::kNone: return "";
    case Compression::kGzip: return ".gz";
    case Compression::kZstd: return ".zst";
  }
  return "";
}

std::string ChecksumAlgoName(ChecksumAlgo a) {
  return a == ChecksumAlgo::kSha256 ? "sha256" : "xxh128";
}

ChecksumAlgo ChecksumAlgoOf(std::string_view recorded, const std::string& where) {
  std::string_view algo = recorded.substr(0, recorded.find(':'));
  if (algo == "xxh128") return ChecksumAlgo::kXxh128;
  if (algo == "sha256") return ChecksumAlgo::kSha256;
  Fail(ErrorKind::kStaging,
       "staged file {} has checksum algorithm '{}'; this wharf verifies xxh128 and sha256. A newer "
       "wharf staged it: load it with that version (or a later one)",
       where, algo);
}

struct Checksum::Impl {
  XXH3_state_t* xxh = nullptr;
  std::unique_ptr<Sha256> sha;
  ~Impl() {
    if (xxh) XXH3_freeState(xxh);
  }
};

Checksum::Checksum(ChecksumAlgo algo) : algo_(algo), impl_(std::make_unique<Impl>()) {
  if (algo_ == ChecksumAlgo::kSha256) {
    impl_->sha = std::make_unique<Sha256>();
    return;
  }
  impl_->xxh = XXH3_createState();
  if (!impl_->xxh || XXH3_128bits_reset(impl_->xxh) != XXH_OK)
    Fail(ErrorKind::kInternal, "XXH3-128 initialisation failed");
}

Checksum::~Checksum() = default;

void Checksum::Update(std::string_view bytes) {
  if (impl_->sha)
    impl_->sha->Update(bytes);
  else
    XXH3_128bits_update(impl_->xxh, bytes.data(), bytes.size());
}

std::string Checksum::Finish() {
  if (impl_->sha) return "sha256:" + impl_->sha->HexDigest();
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(impl_->xxh));
  return "xxh128:" + core::HexLower(canon.digest, sizeof(canon.digest));
}

std::string ChecksumOf(std::string_view bytes, ChecksumAlgo algo) {
  Checksum sum(algo);
  sum.Update(bytes);
  return sum.Finish();
}

struct EncodingWriter::Impl {
  Checksum sum;
  ZSTD_CCtx* zstd = nullptr;
  std::string frame;   // one zstd frame's output, reused
  bool framed = false;  // a zstd frame has been written
  z_stream gz{};
  bool gz_init = false;
  ~Impl() {
    if (zstd) ZSTD_freeCCtx(zstd);
    if (gz_init) deflateEnd(&gz);
  }
};

EncodingWriter::EncodingWriter(std::unique_ptr<ObjectWriter> out, Compression compression, Effort effort)
    : out_(std::move(out)), compression_(compression), impl_(std::make_unique<Impl>()) {
  if (compression_ == Compression::kZstd) {
    impl_->zstd = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(impl_->zstd, ZSTD_c_compressionLevel, effort == Effort::kBulk ? -2 : 1);
    // A 2^11-entry match table stays in L1 and, on staged lines, which
    // repeat the same names and header every row, finds as many matches as
    // the level's default 2^13: 7 % faster, no bigger (bench/README.md).
    if (effort == Effort::kBulk) ZSTD_CCtx_setParameter(impl_->zstd, ZSTD_c_hashLog, 11);
  } else if (compression_ == Compression::kGzip) {
    if (deflateInit2(&impl_->gz, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      Fail(ErrorKind::kInternal, "gzip initialisation failed");
    impl_->gz_init = true;
  }
  buffer_.reserve(1 << 20);
}

EncodingWriter::~EncodingWriter() = default;

void EncodingWriter::Emit(std::string_view bytes) {
  if (bytes.empty()) return;
  impl_->sum.Update(bytes);
  stored_bytes_ += bytes.size();
  out_->Write(bytes);
}

void EncodingWriter::Write(std::string_view bytes) {
  buffer_.append(bytes);
  Appended(bytes.size());
}

void EncodingWriter::Appended(size_t bytes) {
  raw_bytes_ += bytes;
  if (buffer_.size() >= (1 << 20)) FlushBuffer();
}

void EncodingWriter::FlushBuffer() {
  if (buffer_.empty()) return;
  if (compression_ == Compression::kNone) {
    Emit(buffer_);
  } else if (compression_ == Compression::kZstd) {
    CompressFrame();
  } else {
    std::string out(1 << 16, '\0');
    impl_->gz.next_in = reinterpret_cast<Bytef*>(buffer_.data());
    impl_->gz.avail_in = static_cast<uInt>(buffer_.size());
    do {
      impl_->gz.next_out = reinterpret_cast<Bytef*>(out.data());
      impl_->gz.avail_out = static_cast<uInt>(out.size());
      deflate(&impl_->gz, Z_NO_FLUSH);
      Emit(std::string_view(out.data(), out.size() - impl_->gz.avail_out));
    } while (impl_->gz.avail_out == 0);
  }
  buffer_.clear();
}

// The buffer as one whole zstd frame. A file is a sequence of frames of about
// 1 MB, which every zstd decoder reads as one stream: compressing each in one
// call, from the buffer as it is, is ~20 % faster than streaming it through
// zstd's own window buffer, for 0.1 % more bytes (bench/README.md).
void EncodingWriter::CompressFrame() {
  impl_->frame.resize(ZSTD_compressBound(buffer_.size()));
  size_t n = ZSTD_compress2(impl_->zstd, impl_->frame.data(), impl_->frame.size(), buffer_.data(), buffer_.size());
  if (ZSTD_isError(n)) Fail(ErrorKind::kStaging, "zstd: {}", ZSTD_getErrorName(n));
  Emit(std::string_view(impl_->frame.data(), n));
  impl_->framed = true;
}

void EncodingWriter::Finish() {
  FlushBuffer();
  if (compression_ == Compression::kZstd) {
    if (!impl_->framed) CompressFrame();  // an empty file is still one (empty) frame
  } else if (compression_ == Compression::kGzip) {
    std::string out(1 << 16, '\0');
    impl_->gz.next_in = nullptr;
    impl_->gz.avail_in = 0;
    int r;
    do {
      impl_->gz.next_out = reinterpret_cast<Bytef*>(out.data());
      impl_->gz.avail_out = static_cast<uInt>(out.size());
      r = deflate(&impl_->gz, Z_FINISH);
      Emit(std::string_view(out.data(), out.size() - impl_->gz.avail_out));
    } while (r != Z_STREAM_END);
  }
  checksum_ = impl_->sum.Finish();
  out_->Commit();
}

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
    Fail(ErrorKind::kInternal, "SHA-256 initialisation failed");
}

Sha256::~Sha256() = default;

void Sha256::Update(std::string_view bytes) { EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()); }

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(impl_->ctx, digest, &len);
  return core::HexLower(digest, len);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return core::HexLower(digest, len);
}

struct DecodingReader::Impl {
  ZSTD_DCtx* zstd = nullptr;
  // Last ZSTD_decompressStream result: 0 exactly when a frame has been fully
  // decoded and flushed, so a stored object may only end when it is 0. Starts
  // non-zero: an empty object is not a zstd frame.
  size_t zstd_last = 1;
  // The previous call filled the caller's buffer mid-frame: zstd may still
  // hold decoded bytes although the input is used up.
  bool zstd_flush_pending = false;
  z_stream gz{};
  bool gz_init = false;
  bool gz_done = false;  // the gzip stream ended (its trailer was checked)
  ~Impl() {
    if (zstd) ZSTD_freeDCtx(zstd);
    if (gz_init) inflateEnd(&gz);
  }
};

DecodingReader::DecodingReader(std::unique_ptr<ObjectReader> stored, Compression compression,
                               std::string where, size_t input_size)
    : stored_(std::move(stored)),
      compression_(compression),
      where_(std::move(where)),
      impl_(std::make_unique<Impl>()),
      input_size_(std::max<size_t>(input_size, 1)) {
  if (compression_ == Compression::kNone) return;
  input_ = std::make_unique_for_overwrite<char[]>(input_size_);
  if (compression_ == Compression::kZstd) {
    impl_->zstd = ZSTD_createDCtx();
    if (!impl_->zstd) Fail(ErrorKind::kInternal, "zstd initialisation failed");
  } else {
    if (inflateInit2(&impl_->gz, 15 + 32) != Z_OK) Fail(ErrorKind::kInternal, "gzip initialisation failed");
    impl_->gz_init = true;
  }
}

DecodingReader::~DecodingReader() = default;

bool DecodingReader::RefillInput() {
  in_len_ = in_pos_ = 0;
  if (eof_) return false;
  in_len_ = stored_->Read(input_.get(), input_size_);
  stored_bytes_ += in_len_;
  if (in_len_ == 0) eof_ = true;
  return in_len_ > 0;
}

size_t DecodingReader::Read(char* buf, size_t size) {
  if (size == 0) return 0;
  switch (compression_) {
    case Compression::kNone: {
      size_t n = stored_->Read(buf, size);
      stored_bytes_ += n;
      return n;
    }
    case Compression::kZstd: return ReadZstd(buf, size);
    case Compression::kGzip: return ReadGzip(buf, size);
  }
  return 0;
}

size_t DecodingReader::ReadZstd(char* buf, size_t size) {
  for (;;) {
    if (in_pos_ == in_len_) RefillInput();
    bool has_input = in_pos_ < in_len_;
    if (!has_input && !impl_->zstd_flush_pending) {
      // The stored object ended: it must end exactly at a frame's end.
      if (impl_->zstd_last != 0) {
        Fail(ErrorKind::kStaging, "staged file {} is truncated (zstd frame incomplete)", where_);
      }
      return 0;
    }
    ZSTD_inBuffer in{input_.get(), in_len_, in_pos_};
    ZSTD_outBuffer out{buf, size, 0};
    size_t r = ZSTD_decompressStream(impl_->zstd, &out, &in);
    if (ZSTD_isError(r)) {
      Fail(ErrorKind::kStaging, "staged file {} is corrupt (zstd: {})", where_, ZSTD_getErrorName(r));
    }
    in_pos_ = in.pos;
    impl_->zstd_last = r;
    impl_->zstd_flush_pending = out.pos == out.size && r != 0;
    if (out.pos > 0) return out.pos;
  }
}

size_t DecodingReader::ReadGzip(char* buf, size_t size) {
  z_stream& z = impl_->gz;
  for (;;) {
    if (impl_->gz_done) {
      // One gzip member per file, as EncodingWriter writes: anything after it is damage.
      if (z.avail_in != 0 || RefillInput()) {
        Fail(ErrorKind::kStaging, "staged file {} has bytes after its gzip stream", where_);
      }
      return 0;
    }
    if (z.avail_in == 0 && RefillInput()) {
      z.next_in = reinterpret_cast<Bytef*>(input_.get());
      z.avail_in = static_cast<uInt>(in_len_);
    }
    bool has_input = z.avail_in != 0;
    size_t chunk = std::min<size_t>(size, 1u << 30);  // avail_out is 32-bit
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = static_cast<uInt>(chunk);
    int r = inflate(&z, Z_NO_FLUSH);
    size_t produced = chunk - z.avail_out;
    if (r == Z_STREAM_END) {
      impl_->gz_done = true;
    } else if (r != Z_OK && !(r == Z_BUF_ERROR && has_input)) {
      // Z_BUF_ERROR with no input left: the stream needs bytes the file does not have.
      Fail(ErrorKind::kStaging, "staged file {} is corrupt or truncated (gzip)", where_);
    }
    if (produced > 0) return produced;
  }
}

std::string Decompress(std::string_view stored, Compression compression, const std::string& where) {
  if (compression == Compression::kNone) return std::string(stored);
  DecodingReader reader(std::make_unique<MemoryReader>(stored), compression, where);
  std::string out;
  std::string buf(1 << 16, '\0');
  while (size_t n = reader.Read(buf.data(), buf.size())) out.append(buf.data(), n);
  return out;
}

}  // namespace wharf::staging
