#include "staging/csv.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "core/error.hpp"
#include "staging/jsonl.hpp"

namespace wharf::staging {

namespace {

// Field names after the table's columns.
constexpr const char* kTrailer[] = {"_wharf_lsn", "_wharf_end_lsn", "_wharf_seq",
                                    "_wharf_xid", "_wharf_old",     "_wharf_unchanged"};
constexpr size_t kLeading = 2;  // Op, commit time
constexpr size_t kTrailing = sizeof(kTrailer) / sizeof(kTrailer[0]);

}  // namespace

void AppendCsvField(std::string_view v, std::string& out) {
  // A plain loop: find_first_of searches the set once per character.
  bool quote = v.empty() || v == kCsvNull;
  for (size_t i = 0; i < v.size() && !quote; ++i)
    quote = v[i] == ',' || v[i] == '"' || v[i] == '\r' || v[i] == '\n';
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '"') continue;
    out.append(v.data() + run, i + 1 - run);
    out += '"';
    run = i + 1;
  }
  out.append(v.data() + run, v.size() - run);
  out += '"';
}

namespace {

void AppendDatum(const core::Datum& d, std::string& out) {
  if (d) AppendCsvField(*d, out);
  else out += kCsvNull;
}

}  // namespace

std::vector<std::string> CsvHeader(const core::RelationSchema& schema) {
  std::vector<std::string> h = {"Op", "_wharf_commit_ts"};
  for (const auto& c : schema.columns) h.push_back(c.name);
  for (const char* t : kTrailer) h.push_back(t);
  return h;
}

void EncodeCsvHeader(const core::RelationSchema& schema, std::string& out) {
  auto h = CsvHeader(schema);
  for (size_t i = 0; i < h.size(); ++i) {
    if (i) out += ',';
    AppendCsvField(h[i], out);
  }
  out += '\n';
}

std::string FormatCsvTimestamp(int64_t unix_micros) {
  std::string s = FormatUtcMicros(unix_micros);  // 2026-11-26T17:48:08.123456Z
  s[10] = ' ';
  s.pop_back();
  return s;
}

bool ParseCsvTimestamp(std::string_view text, int64_t& unix_micros) {
  if (text.size() != 26 || text[10] != ' ') return false;
  char iso[27];
  std::memcpy(iso, text.data(), 26);
  iso[10] = 'T';
  iso[26] = 'Z';
  return ParseUtcMicros(std::string_view(iso, 27), unix_micros);
}

void AppendCsvHead(const core::Change& c, std::string& out) {
  out += static_cast<char>(c.op);
  out += ',';
  const std::string& iso = CachedUtcMicros(c.ts);  // 2026-11-26T17:48:08.123456Z
  out.append(iso, 0, 10);
  out += ' ';
  out.append(iso, 11, iso.size() - 12);
}

void AppendCsvTailBeforeSeq(const core::Change& c, std::string& out) {
  out += ',';
  AppendDecimal(c.lsn.value(), out);
  out += ',';
  AppendDecimal(c.end_lsn.value(), out);
  out += ',';
}

void AppendCsvTailAfterSeq(const core::RelationSchema& schema, const core::Change& c,
                           std::string& out) {
  out += ',';
  AppendDecimal(c.xid, out);
  out += ',';
  std::string json;
  if (c.has_old) {
    AppendJsonOld(schema, c, json);
    AppendCsvField(json, out);
  } else {
    out += kCsvNull;
  }
  out += ',';
  if (!c.unchanged.empty()) {
    json.clear();
    AppendJsonUnchanged(schema, c, json);
    AppendCsvField(json, out);
  } else {
    out += kCsvNull;
  }
  out += '\n';
}

void EncodeCsvRecord(const core::RelationSchema& schema, const core::Change& c, std::string& out) {
  AppendCsvHead(c, out);
  const bool has_row = c.op == core::Op::kInsert || c.op == core::Op::kUpdate ||
                       c.op == core::Op::kSnapshot;
  // A delete shows its old key (or old row) in the table's columns, as DMS does.
  const std::vector<core::Datum>* values = has_row ? &c.row : (c.has_old ? &c.old : nullptr);
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    out += ',';
    bool unchanged = false;
    if (has_row)
      for (uint32_t u : c.unchanged) unchanged |= (u == i);
    if (values && i < values->size() && !unchanged) AppendDatum((*values)[i], out);
    else out += kCsvNull;
  }
  AppendCsvTailBeforeSeq(c, out);
  AppendDecimal(c.seq, out);
  AppendCsvTailAfterSeq(schema, c, out);
}

// ---- reading

struct CsvReader::Impl {
  core::RelationSchema schema;
  ObjectReader& source;  // non-owning: the caller keeps it alive for the reader's life
  std::string where;
  JsonExtrasDecoder extras;
  std::unique_ptr<char[]> buf;
  size_t read_size;
  size_t pos = 0, len = 0;
  bool eof = false;
  uint64_t record_no = 0;  // records started, header included (for messages)
  uint64_t data_records = 0;
  bool header_done = false;
  // The record being decoded: its fields and whether each was quoted.
  std::vector<std::string> fields;
  std::vector<bool> quoted;
  size_t used = 0;  // fields[0, used) belong to the current record

  Impl(const core::RelationSchema& s, ObjectReader& src, std::string w, size_t rs)
      : schema(s), source(src), where(std::move(w)), extras(schema),
        buf(std::make_unique_for_overwrite<char[]>(std::max<size_t>(rs, 1))),
        read_size(std::max<size_t>(rs, 1)) {}

  [[noreturn]] void Malformed(const std::string& why) {
    Fail(ErrorKind::kStaging,
         "staged file {} record {} is malformed: {}; restore the file, or resynchronise the source",
         where, record_no, why);
  }

  bool Fill() {
    if (eof) return false;
    len = source.Read(buf.get(), read_size);
    pos = 0;
    if (len == 0) eof = true;
    return len > 0;
  }

  std::string& NewField(bool is_quoted) {
    if (used == fields.size()) {
      fields.emplace_back();
      quoted.push_back(false);
    }
    fields[used].clear();
    quoted[used] = is_quoted;
    return fields[used++];
  }

  // Reads one record's fields; false at a clean end of the stream.
  bool ReadRecord();
  void Decode(core::Change& c);
};

bool CsvReader::Impl::ReadRecord() {
  used = 0;
  if (pos == len && !Fill()) return false;
  ++record_no;
  enum { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kCr } state = kFieldStart;
  std::string* field = nullptr;
  for (;;) {
    if (pos == len && !Fill()) {
      Fail(ErrorKind::kStaging,
           "staged file {} is truncated: record {} has no end; restore the file, or "
           "resynchronise the source",
           where, record_no);
    }
    const char* p = buf.get() + pos;
    const char* end = buf.get() + len;
    switch (state) {
      case kFieldStart:
        if (*p == '"') {
          field = &NewField(true);
          state = kQuoted;
          ++pos;
          continue;
        }
        field = &NewField(false);
        state = kUnquoted;
        [[fallthrough]];
      case kUnquoted: {
        const char* q = p;
        while (q < end && *q != ',' && *q != '\n' && *q != '\r' && *q != '"') ++q;
        field->append(p, q);
        pos = static_cast<size_t>(q - buf.get());
        if (q == end) continue;
        ++pos;
        if (*q == ',') state = kFieldStart;
        else if (*q == '\n') return true;
        else if (*q == '\r') state = kCr;
        else Malformed("a quote inside an unquoted field");
        continue;
      }
      case kQuoted: {
        const void* q = std::memchr(p, '"', static_cast<size_t>(end - p));
        const char* stop = q ? static_cast<const char*>(q) : end;
        field->append(p, stop);
        pos = static_cast<size_t>(stop - buf.get());
        if (q) {
          ++pos;
          state = kQuoteInQuoted;
        }
        continue;
      }
      case kQuoteInQuoted:
        ++pos;
        if (*p == '"') {
          *field += '"';
          state = kQuoted;
        } else if (*p == ',') {
          state = kFieldStart;
        } else if (*p == '\n') {
          return true;
        } else if (*p == '\r') {
          state = kCr;
        } else {
          Malformed("text after a quoted field's closing quote");
        }
        continue;
      case kCr:
        ++pos;
        if (*p != '\n') Malformed("a carriage return outside quotes not followed by a line feed");
        return true;
    }
  }
}

void CsvReader::Impl::Decode(core::Change& c) {
  const size_t ncols = schema.columns.size();
  if (used != kLeading + ncols + kTrailing)
    Malformed(fmt::format("{} fields, the file's schema has {}", used, kLeading + ncols + kTrailing));
  auto is_null = [&](size_t i) { return !quoted[i] && fields[i] == kCsvNull; };
  auto number = [&](size_t i, auto& v, const char* what) {
    const std::string& f = fields[i];
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (quoted[i] || ec != std::errc() || p != f.data() + f.size() || f.empty())
      Malformed(fmt::format("{} '{}' is not a number", what, f));
  };
  c = core::Change{};
  if (fields[0].size() != 1 || std::string_view("IUDTR").find(fields[0][0]) == std::string_view::npos)
    Malformed(fmt::format("unknown op '{}'", fields[0]));
  c.op = static_cast<core::Op>(fields[0][0]);
  if (!ParseCsvTimestamp(fields[1], c.ts)) Malformed(fmt::format("bad commit time '{}'", fields[1]));
  const size_t t = kLeading + ncols;
  uint64_t lsn = 0, end_lsn = 0;
  number(t, lsn, "_wharf_lsn");
  number(t + 1, end_lsn, "_wharf_end_lsn");
  number(t + 2, c.seq, "_wharf_seq");
  number(t + 3, c.xid, "_wharf_xid");
  c.lsn = Lsn(lsn);
  c.end_lsn = Lsn(end_lsn);
  std::optional<std::string_view> old_json, unchanged_json;
  if (!is_null(t + 4)) old_json = fields[t + 4];
  if (!is_null(t + 5)) unchanged_json = fields[t + 5];
  if (auto why = extras.Decode(old_json, unchanged_json, c)) Malformed(*why);
  if (c.op == core::Op::kInsert || c.op == core::Op::kUpdate || c.op == core::Op::kSnapshot) {
    c.row.resize(ncols);
    for (size_t i = 0; i < ncols; ++i) {
      if (is_null(kLeading + i)) c.row[i].reset();
      else c.row[i] = std::move(fields[kLeading + i]);
    }
    for (uint32_t u : c.unchanged) c.row[u].reset();
  }
}

CsvReader::CsvReader(const core::RelationSchema& schema, ObjectReader& source, std::string where,
                     size_t read_size)
    : impl_(std::make_unique<Impl>(schema, source, std::move(where), read_size)) {}

CsvReader::~CsvReader() = default;

uint64_t CsvReader::records() const { return impl_->data_records; }

bool CsvReader::Next(core::Change& change) {
  Impl& m = *impl_;
  if (!m.header_done) {
    if (!m.ReadRecord()) {
      Fail(ErrorKind::kStaging,
           "staged file {} is truncated: it has no header line; restore the file, or "
           "resynchronise the source",
           m.where);
    }
    auto expected = CsvHeader(m.schema);
    bool same = m.used == expected.size();
    for (size_t i = 0; same && i < expected.size(); ++i) same = m.fields[i] == expected[i];
    if (!same) {
      m.Malformed(fmt::format("its header does not name the columns of {} the manifest records",
                              m.schema.table.ToString()));
    }
    m.header_done = true;
  }
  if (!m.ReadRecord()) return false;
  m.Decode(change);
  ++m.data_records;
  return true;
}

}  // namespace wharf::staging
