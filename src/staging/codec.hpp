#pragma once
// Compression of staged files (none | gzip | zstd) and the SHA-256 of the
// stored bytes that manifests record and the loader verifies.
#include <memory>
#include <string>
#include <string_view>

#include "staging/object_store.hpp"

namespace wharf::staging {

enum class Compression { kNone, kGzip, kZstd };

Compression ParseCompression(const std::string& name);  // throws kConfig
std::string CompressionName(Compression c);
std::string CompressionExtension(Compression c);  // "", ".gz", ".zst"

// Compresses what is written, hashes the compressed bytes, forwards them to
// an ObjectWriter. Finish() flushes, commits the object and returns its size.
class EncodingWriter {
 public:
  EncodingWriter(std::unique_ptr<ObjectWriter> out, Compression compression);
  ~EncodingWriter();
  EncodingWriter(const EncodingWriter&) = delete;
  EncodingWriter& operator=(const EncodingWriter&) = delete;

  void Write(std::string_view bytes);
  void Finish();  // after this, stored_bytes() and sha256_hex() are final
  uint64_t stored_bytes() const { return stored_bytes_; }
  uint64_t raw_bytes() const { return raw_bytes_; }
  const std::string& sha256_hex() const { return sha256_; }

 private:
  struct Impl;
  void Emit(std::string_view bytes);
  void FlushBuffer();

  std::unique_ptr<ObjectWriter> out_;
  Compression compression_;
  std::unique_ptr<Impl> impl_;
  std::string buffer_;  // raw bytes waiting for compression
  uint64_t stored_bytes_ = 0;
  uint64_t raw_bytes_ = 0;
  std::string sha256_;
};

std::string Sha256Hex(std::string_view bytes);
// Decompresses a whole stored object. Throws kStaging naming `where` when corrupt.
std::string Decompress(std::string_view stored, Compression compression, const std::string& where);

}  // namespace wharf::staging
