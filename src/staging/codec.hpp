#pragma once
// Compression of staged files (none | gzip | zstd) and the checksum of the
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

// The checksum of a staged file's stored bytes, as a manifest records it:
// "<algo>:<lowercase hex>". It only detects corruption and truncation (whoever
// can rewrite a file can rewrite its manifest too), so new files use XXH3-128,
// ~11x the throughput of SHA-256 on a CPU without SHA instructions
// (bench/checksum_bench); sha256 is still verified, for batches staged before
// (manifest key "sha256", bare hex).
enum class ChecksumAlgo { kXxh128, kSha256 };

std::string ChecksumAlgoName(ChecksumAlgo a);  // "xxh128", "sha256"
// The algorithm a recorded checksum names. Throws kStaging naming `where`
// when it is none this wharf knows (a newer wharf staged the file).
ChecksumAlgo ChecksumAlgoOf(std::string_view recorded, const std::string& where);

// Incremental checksum of bytes streamed through it, in any piece sizes.
class Checksum {
 public:
  explicit Checksum(ChecksumAlgo algo = ChecksumAlgo::kXxh128);
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;
  void Update(std::string_view bytes);
  std::string Finish();  // "<algo>:<hex>"; ends the checksum, call once
  ChecksumAlgo algo() const { return algo_; }

 private:
  struct Impl;
  ChecksumAlgo algo_;
  std::unique_ptr<Impl> impl_;
};

// The checksum of `bytes` in one call ("<algo>:<hex>").
std::string ChecksumOf(std::string_view bytes, ChecksumAlgo algo = ChecksumAlgo::kXxh128);

// Compresses what is written, checksums the compressed bytes, forwards them to
// an ObjectWriter. Finish() flushes, commits the object and returns its size.
// How hard the compressor works. kBulk is for rows written once and read once
// soon after (the first full load's batches): zstd level -2 compresses JSON
// lines ~50 % faster than level 1 (1,090 against 720 MB/s here) into ~1.6x
// the bytes (4.2x smaller than raw against 6.7x). gzip uses level 1 either way.
enum class Effort { kDefault, kBulk };

class EncodingWriter {
 public:
  EncodingWriter(std::unique_ptr<ObjectWriter> out, Compression compression,
                 Effort effort = Effort::kDefault);
  ~EncodingWriter();
  EncodingWriter(const EncodingWriter&) = delete;
  EncodingWriter& operator=(const EncodingWriter&) = delete;

  void Write(std::string_view bytes);
  void Finish();  // after this, stored_bytes() and checksum() are final
  uint64_t stored_bytes() const { return stored_bytes_; }
  // For an encoder that appends a record straight to the buffer, sparing a
  // copy: append to buffer(), then call Appended with how many bytes.
  std::string& buffer() { return buffer_; }
  void Appended(size_t bytes);
  uint64_t raw_bytes() const { return raw_bytes_; }
  const std::string& checksum() const { return checksum_; }  // xxh128, "<algo>:<hex>"

 private:
  struct Impl;
  void Emit(std::string_view bytes);
  void FlushBuffer();
  void CompressFrame();

  std::unique_ptr<ObjectWriter> out_;
  Compression compression_;
  std::unique_ptr<Impl> impl_;
  std::string buffer_;  // raw bytes waiting for compression
  uint64_t stored_bytes_ = 0;
  uint64_t raw_bytes_ = 0;
  std::string checksum_;
};

// Incremental SHA-256, bare hex (S3 request signing; Checksum for staged files).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  std::string HexDigest();  // ends the hash; call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view bytes);

// Reads a stored object decompressed, a piece at a time: memory stays at the
// codec's window plus `input_size`, however large the object. Throws kStaging
// naming `where` when the stored bytes are corrupt, end before their
// compressed stream does (truncated), or go on after it.
class DecodingReader;

// Passes an object's bytes through while checksumming them (with the
// algorithm its manifest entry names), so a file can be checked against its
// manifest in the same pass that reads it. The tally is shared: a consumer may
// destroy the reader (Parquet's copies the object to a temporary file and lets
// it go) before the caller reads the result.
class HashingReader : public ObjectReader {
 public:
  struct Tally {
    explicit Tally(ChecksumAlgo algo) : sum(algo) {}
    Checksum sum;
    uint64_t bytes = 0;
  };
  HashingReader(std::unique_ptr<ObjectReader> inner, ChecksumAlgo algo)
      : inner_(std::move(inner)), tally_(std::make_shared<Tally>(algo)) {}
  size_t Read(char* buf, size_t size) override {
    size_t n = inner_->Read(buf, size);
    tally_->sum.Update(std::string_view(buf, n));
    tally_->bytes += n;
    return n;
  }
  std::shared_ptr<Tally> tally() const { return tally_; }

 private:
  std::unique_ptr<ObjectReader> inner_;
  std::shared_ptr<Tally> tally_;
};

class DecodingReader : public ObjectReader {
 public:
  DecodingReader(std::unique_ptr<ObjectReader> stored, Compression compression, std::string where,
                 size_t input_size = 1 << 20);
  ~DecodingReader() override;
  DecodingReader(const DecodingReader&) = delete;
  DecodingReader& operator=(const DecodingReader&) = delete;

  size_t Read(char* buf, size_t size) override;
  // Stored (compressed) bytes read so far; the object's size once Read returned 0.
  uint64_t stored_bytes() const { return stored_bytes_; }

 private:
  struct Impl;
  bool RefillInput();  // false at the end of the stored object
  size_t ReadZstd(char* buf, size_t size);
  size_t ReadGzip(char* buf, size_t size);

  std::unique_ptr<ObjectReader> stored_;
  Compression compression_;
  std::string where_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<char[]> input_;
  size_t input_size_;
  size_t in_len_ = 0;  // valid bytes in input_
  size_t in_pos_ = 0;  // next unconsumed byte of input_ (zstd; gzip tracks its own)
  bool eof_ = false;   // the stored object has no more bytes
  uint64_t stored_bytes_ = 0;
};

// Decompresses a whole stored object. Throws kStaging naming `where` when corrupt.
std::string Decompress(std::string_view stored, Compression compression, const std::string& where);

}  // namespace wharf::staging
