#include "staging/format.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "pg/copy_text.hpp"
#include "staging/copy_transcode.hpp"
#include "staging/csv.hpp"
#include "staging/jsonl.hpp"
#include "staging/parquet.hpp"

namespace wharf::staging {

Format ParseFormat(const std::string& name) {
  if (name == "jsonl") return Format::kJsonl;
  if (name == "csv") return Format::kCsv;
  if (name == "parquet") return Format::kParquet;
  Fail(ErrorKind::kConfig, "staging format '{}' is not known; use jsonl, csv or parquet", name);
}

std::string FormatName(Format f) {
  switch (f) {
    case Format::kJsonl: return "jsonl";
    case Format::kCsv: return "csv";
    case Format::kParquet: return "parquet";
  }
  return "jsonl";
}

std::string FormatExtension(Format f, Compression c) {
  if (f == Format::kParquet) return "parquet";
  return FormatName(f) + CompressionExtension(c);
}

void FailChangeCount(const std::string& where, const std::string& found, uint64_t expected) {
  Fail(ErrorKind::kStaging,
       "staged file {} holds {} changes where its manifest says {}: it is truncated or corrupt. "
       "Restore the file, or resynchronise the source",
       where, found, expected);
}

size_t FileEncoder::AddCopyText(const core::Change& header, std::string_view copy_line) {
  // Everything but the row from `header`; the row's strings are reused.
  std::vector<core::Datum> row = std::move(parsed_.row);
  parsed_ = header;
  parsed_.row = std::move(row);
  pg::ParseCopyTextRow(copy_line, parsed_.row, columns_);
  return Add(parsed_);
}

namespace {

// jsonl and csv: text records, compressed as a whole by the staging codec.
class TextEncoder : public FileEncoder {
 public:
  TextEncoder(Format format, Compression compression, const core::RelationSchema& schema,
              std::unique_ptr<ObjectWriter> out, Effort effort)
      : FileEncoder(schema.columns.size()),
        format_(format),
        schema_(schema),
        writer_(std::move(out), compression, effort) {
    if (format_ == Format::kCsv) {
      EncodeCsvHeader(schema_, line_);
      writer_.Write(line_);
    }
  }
  size_t Add(const core::Change& change) override {
    line_.clear();
    if (format_ == Format::kCsv) EncodeCsvRecord(schema_, change, line_);
    else EncodeJsonLine(schema_, change, line_);
    writer_.Write(line_);
    return line_.size();
  }
  size_t AddCopyText(const core::Change& header, std::string_view copy_line) override {
    if (!CopyTranscodable(header)) return FileEncoder::AddCopyText(header, copy_line);
    // Encoded straight into the writer's buffer: the encoders append all of
    // the record or nothing, so a failure leaves the buffer as it was.
    std::string& buffer = writer_.buffer();
    const size_t before = buffer.size();
    if (format_ == Format::kCsv) {
      if (!csv_copy_) csv_copy_ = std::make_unique<CsvCopyEncoder>(schema_);
      csv_copy_->Encode(header, copy_line, buffer);
    } else {
      if (!json_copy_) json_copy_ = std::make_unique<JsonCopyEncoder>(schema_);
      json_copy_->Encode(header, copy_line, buffer);
    }
    const size_t added = buffer.size() - before;
    writer_.Appended(added);
    return added;
  }
  void Finish() override { writer_.Finish(); }
  uint64_t stored_bytes() const override { return writer_.stored_bytes(); }
  const std::string& checksum() const override { return writer_.checksum(); }

 private:
  Format format_;
  core::RelationSchema schema_;
  EncodingWriter writer_;
  std::string line_;
  std::unique_ptr<JsonCopyEncoder> json_copy_;  // made on the first AddCopyText
  std::unique_ptr<CsvCopyEncoder> csv_copy_;
};

class TextChangeReader : public ChangeReader {
 public:
  TextChangeReader(const ManifestFile& file, Format format, std::unique_ptr<ObjectReader> stored,
                   std::string where, size_t read_size)
      : expected_(file.rows),
        where_(where),
        decoded_(std::move(stored), ParseCompression(file.compression), where, read_size) {
    if (format == Format::kCsv) csv_ = std::make_unique<CsvReader>(file.relation, decoded_, where, read_size);
    else jsonl_ = std::make_unique<JsonLinesReader>(file.relation, decoded_, where, read_size);
  }
  bool Next(core::Change& change) override {
    bool more = csv_ ? csv_->Next(change) : jsonl_->Next(change);
    if (more) ++read_;
    if (more ? read_ > expected_ : read_ != expected_) {
      FailChangeCount(where_, more ? fmt::format("more than {}", expected_) : std::to_string(read_),
                      expected_);
    }
    return more;
  }
  uint64_t changes_read() const override { return read_; }
  uint64_t stored_bytes() const override { return decoded_.stored_bytes(); }

 private:
  uint64_t expected_;
  uint64_t read_ = 0;
  std::string where_;
  DecodingReader decoded_;
  std::unique_ptr<CsvReader> csv_;
  std::unique_ptr<JsonLinesReader> jsonl_;
};

}  // namespace

std::unique_ptr<FileEncoder> OpenEncoder(Format format, Compression compression,
                                         const core::RelationSchema& schema,
                                         std::unique_ptr<ObjectWriter> out, Effort effort) {
  // Parquet compresses inside the file, with its own codec settings.
  if (format == Format::kParquet) return OpenParquetEncoder(compression, schema, std::move(out));
  return std::make_unique<TextEncoder>(format, compression, schema, std::move(out), effort);
}

std::unique_ptr<ChangeReader> OpenChangeReader(const ManifestFile& file,
                                               std::unique_ptr<ObjectReader> stored,
                                               std::string where, size_t read_size) {
  Format format;
  try {
    format = ParseFormat(file.format);
  } catch (const Error&) {
    Fail(ErrorKind::kUnsupported,
         "staged file {} has format '{}', which this wharf does not read (jsonl, csv, parquet); "
         "load it with the wharf version that wrote it",
         where, file.format);
  }
  if (format == Format::kParquet) return OpenParquetReader(file, std::move(stored), std::move(where));
  return std::make_unique<TextChangeReader>(file, format, std::move(stored), std::move(where),
                                            read_size);
}

}  // namespace wharf::staging
