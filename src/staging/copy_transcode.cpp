#include "staging/copy_transcode.hpp"

#include <charconv>

#include "pg/copy_text.hpp"
#include "staging/csv.hpp"
#include "staging/jsonl.hpp"

namespace wharf::staging {

namespace {

void AppendNumber(uint64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Whether two headers format to the same text around seq.
bool SameHeader(const core::Change& a, const core::Change& b) {
  return a.op == b.op && a.lsn == b.lsn && a.end_lsn == b.end_lsn && a.xid == b.xid && a.ts == b.ts;
}

void KeepHeader(const core::Change& header, core::Change& key) {
  key.op = header.op;
  key.lsn = header.lsn;
  key.end_lsn = header.end_lsn;
  key.xid = header.xid;
  key.ts = header.ts;
}

// Runs `write` appending to `out`, leaving `out` as it was if it throws.
template <class Write>
void AppendAllOrNothing(std::string& out, Write&& write) {
  size_t mark = out.size();
  try {
    write();
  } catch (...) {
    out.resize(mark);
    throw;
  }
}

}  // namespace

bool CopyTranscodable(const core::Change& header) {
  bool has_row = header.op == core::Op::kInsert || header.op == core::Op::kUpdate ||
                 header.op == core::Op::kSnapshot;
  return has_row && !header.has_old && header.unchanged.empty();
}

std::vector<std::string> JsonNameFragments(const core::RelationSchema& schema) {
  std::vector<std::string> names;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    std::string f = i ? "," : "";
    AppendJsonString(schema.columns[i].name, f);
    f += ':';
    names.push_back(std::move(f));
  }
  return names;
}

void AppendCopyTextAsJsonObject(const std::vector<std::string>& names, std::string_view line,
                                std::string& out) {
  AppendAllOrNothing(out, [&] {
    out += '{';
    pg::CopyTextFields fields(line);
    while (fields.Next()) {
      size_t i = fields.count() - 1;
      // Fields past the schema's are still read (a malformed one is the
      // error ParseCopyTextRow reports first), but not written.
      if (i >= names.size()) continue;
      out += names[i];
      if (fields.null()) out += "null";
      else AppendJsonString(fields.value(), out);
    }
    fields.CheckCount(names.size());
    out += '}';
  });
}

JsonCopyEncoder::JsonCopyEncoder(const core::RelationSchema& schema)
    : names_(JsonNameFragments(schema)) {}

void JsonCopyEncoder::Encode(const core::Change& header, std::string_view line, std::string& out) {
  if (!cached_ || !SameHeader(header, key_)) {
    before_seq_.clear();
    AppendJsonHeadBeforeSeq(header, before_seq_);
    after_seq_.clear();
    AppendJsonHeadAfterSeq(header, after_seq_);
    after_seq_ += ",\"row\":";
    KeepHeader(header, key_);
    cached_ = true;
  }
  AppendAllOrNothing(out, [&] {
    out += before_seq_;
    AppendNumber(header.seq, out);
    out += after_seq_;
    AppendCopyTextAsJsonObject(names_, line, out);
    out += "}\n";
  });
}

CsvCopyEncoder::CsvCopyEncoder(const core::RelationSchema& schema) : schema_(schema) {}

void CsvCopyEncoder::Encode(const core::Change& header, std::string_view line, std::string& out) {
  if (!cached_ || !SameHeader(header, key_)) {
    head_.clear();
    AppendCsvHead(header, head_);
    before_seq_.clear();
    AppendCsvTailBeforeSeq(header, before_seq_);
    after_seq_.clear();
    AppendCsvTailAfterSeq(schema_, header, after_seq_);
    KeepHeader(header, key_);
    cached_ = true;
  }
  AppendAllOrNothing(out, [&] {
    out += head_;
    pg::CopyTextFields fields(line);
    const size_t columns = schema_.columns.size();
    while (fields.Next()) {
      if (fields.count() > columns) continue;  // an error below, once every field is read
      out += ',';
      if (fields.null()) out += kCsvNull;
      else AppendCsvField(fields.value(), out);
    }
    fields.CheckCount(columns);
    out += before_seq_;
    AppendNumber(header.seq, out);
    out += after_seq_;
  });
}

}  // namespace wharf::staging
