#include "staging/copy_transcode.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "pg/copy_text.hpp"
#include "staging/csv.hpp"
#include "staging/jsonl.hpp"

namespace wharf::staging {

namespace {


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
  // One pass over the line, writing through a pointer into room made ahead
  // for the worst case of the next at most kChunk input bytes: each becomes at
  // most 6 (\u00XX) and a field adds its name and at most 4 (quotes, null).
  // Chunks keep that room small for a line with a huge value.
  constexpr size_t kChunk = 4096;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const size_t mark = out.size();
  char* w = out.data() + mark;
  // Only what is needed: `out` may be a large buffer that this row only
  // appends to (EncodingWriter::buffer), and resize writes every new byte;
  // the string's own capacity growth keeps reallocations rare.
  auto room = [&](size_t bytes) {
    size_t pos = static_cast<size_t>(w - out.data());
    if (pos + bytes > out.size()) {
      out.resize(pos + bytes);
      w = out.data() + pos;
    }
  };
  const char* p = line.data();
  const char* const end = p + line.size();
  auto next_chunk = [&] { return p + std::min<size_t>(static_cast<size_t>(end - p), kChunk); };
  size_t field = 0;
  try {
    room(1);
    *w++ = '{';
    for (;;) {
      // A field past the schema's is read (a malformed one is the error
      // ParseCopyTextRow reports first) but not kept.
      const bool keep = field < names.size();
      const char* chunk_end = next_chunk();
      room((keep ? names[field].size() : 0) + 8 + 6 * static_cast<size_t>(chunk_end - p));
      const size_t field_start = static_cast<size_t>(w - out.data());
      if (keep) {
        std::memcpy(w, names[field].data(), names[field].size());
        w += names[field].size();
      }
      if (end - p >= 2 && p[0] == '\\' && p[1] == 'N' && (end - p == 2 || p[2] == '\t')) {
        std::memcpy(w, "null", 4);
        w += 4;
        p += 2;
      } else {
        *w++ = '"';
        while (p < end) {
          if (p >= chunk_end) {
            chunk_end = next_chunk();
            room(2 + 6 * static_cast<size_t>(chunk_end - p));
          }
          // A plain run at once (the room above covers chunk_end - p bytes six times).
          if (size_t run = JsonPlainPrefix(p, static_cast<size_t>(chunk_end - p))) {
            std::memcpy(w, p, run);
            w += run;
            p += run;
            continue;
          }
          unsigned char c = static_cast<unsigned char>(*p);
          if (c == '\t') break;
          ++p;
          if (c == '\\') {
            if (p == end || *p == '\t') pg::FailCopyTextLoneBackslash();
            // Up to 3 bytes past chunk_end: the escape's backslash had room for 6.
            c = static_cast<unsigned char>(pg::DecodeCopyTextEscape(p, end));
            if (!JsonMustEscape(c)) {
              *w++ = static_cast<char>(c);
              continue;
            }
          }
          w = WriteJsonEscape(c, w);
        }
        *w++ = '"';
      }
      if (!keep) w = out.data() + field_start;
      ++field;
      if (p == end) break;
      ++p;  // the tab
    }
    pg::CheckCopyTextFieldCount(field, names.size());
    room(1);
    *w++ = '}';
  } catch (...) {
    out.resize(mark);
    throw;
  }
  out.resize(static_cast<size_t>(w - out.data()));
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
    AppendDecimal(header.seq, out);
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
    AppendDecimal(header.seq, out);
    out += after_seq_;
  });
}

}  // namespace wharf::staging
