#include "staging/codec.hpp"

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "core/error.hpp"

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

namespace {
std::string Hex(const unsigned char* d, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += digits[d[i] >> 4];
    out += digits[d[i] & 15];
  }
  return out;
}
}  // namespace

struct EncodingWriter::Impl {
  EVP_MD_CTX* sha = EVP_MD_CTX_new();
  ZSTD_CCtx* zstd = nullptr;
  z_stream gz{};
  bool gz_init = false;
  ~Impl() {
    EVP_MD_CTX_free(sha);
    if (zstd) ZSTD_freeCCtx(zstd);
    if (gz_init) deflateEnd(&gz);
  }
};

EncodingWriter::EncodingWriter(std::unique_ptr<ObjectWriter> out, Compression compression)
    : out_(std::move(out)), compression_(compression), impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(impl_->sha, EVP_sha256(), nullptr);
  if (compression_ == Compression::kZstd) {
    impl_->zstd = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(impl_->zstd, ZSTD_c_compressionLevel, 1);
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
  EVP_DigestUpdate(impl_->sha, bytes.data(), bytes.size());
  stored_bytes_ += bytes.size();
  out_->Write(bytes);
}

void EncodingWriter::Write(std::string_view bytes) {
  raw_bytes_ += bytes.size();
  buffer_.append(bytes);
  if (buffer_.size() >= (1 << 20)) FlushBuffer();
}

void EncodingWriter::FlushBuffer() {
  if (buffer_.empty()) return;
  if (compression_ == Compression::kNone) {
    Emit(buffer_);
  } else if (compression_ == Compression::kZstd) {
    std::string out(ZSTD_CStreamOutSize(), '\0');
    ZSTD_inBuffer in{buffer_.data(), buffer_.size(), 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer o{out.data(), out.size(), 0};
      size_t r = ZSTD_compressStream2(impl_->zstd, &o, &in, ZSTD_e_continue);
      if (ZSTD_isError(r)) Fail(ErrorKind::kStaging, "zstd: {}", ZSTD_getErrorName(r));
      Emit(std::string_view(out.data(), o.pos));
    }
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

void EncodingWriter::Finish() {
  FlushBuffer();
  if (compression_ == Compression::kZstd) {
    std::string out(ZSTD_CStreamOutSize(), '\0');
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      ZSTD_outBuffer o{out.data(), out.size(), 0};
      size_t left = ZSTD_compressStream2(impl_->zstd, &o, &in, ZSTD_e_end);
      if (ZSTD_isError(left)) Fail(ErrorKind::kStaging, "zstd: {}", ZSTD_getErrorName(left));
      Emit(std::string_view(out.data(), o.pos));
      if (left == 0) break;
    }
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
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(impl_->sha, digest, &len);
  sha256_ = Hex(digest, len);
  out_->Commit();
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

std::string Decompress(std::string_view stored, Compression compression, const std::string& where) {
  if (compression == Compression::kNone) return std::string(stored);
  std::string out;
  if (compression == Compression::kZstd) {
    ZSTD_DCtx* d = ZSTD_createDCtx();
    std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> guard(d, ZSTD_freeDCtx);
    std::string buf(ZSTD_DStreamOutSize(), '\0');
    ZSTD_inBuffer in{stored.data(), stored.size(), 0};
    size_t last = 1;  // an empty file is not a zstd frame
    while (in.pos < in.size) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      last = ZSTD_decompressStream(d, &o, &in);
      if (ZSTD_isError(last)) {
        Fail(ErrorKind::kStaging, "staged file {} is corrupt (zstd: {})", where, ZSTD_getErrorName(last));
      }
      out.append(buf.data(), o.pos);
    }
    if (last != 0) Fail(ErrorKind::kStaging, "staged file {} is truncated (zstd frame incomplete)", where);
    return out;
  }
  z_stream z{};
  inflateInit2(&z, 15 + 32);
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stored.data()));
  z.avail_in = static_cast<uInt>(stored.size());
  std::string buf(1 << 16, '\0');
  int r = Z_OK;
  while (r != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    r = inflate(&z, Z_NO_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END) {
      Fail(ErrorKind::kStaging, "staged file {} is corrupt or truncated (gzip)", where);
    }
    out.append(buf.data(), buf.size() - z.avail_out);
  }
  if (z.avail_in != 0) Fail(ErrorKind::kStaging, "staged file {} has bytes after its gzip stream", where);
  return out;
}

}  // namespace wharf::staging
