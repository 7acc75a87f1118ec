#include "staging/jsonl.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstring>
#include <chrono>
#include <unordered_map>

#include "core/error.hpp"
#include "core/text.hpp"

namespace wharf::staging {

void AppendJsonString(std::string_view s, std::string& out) {
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!JsonMustEscape(c)) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    char buf[6];
    out.append(buf, WriteJsonEscape(c, buf));
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string FormatUtcMicros(int64_t unix_micros) {
  using namespace std::chrono;
  sys_time<microseconds> tp{microseconds{unix_micros}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss hms{tp - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

const std::string& CachedUtcMicros(int64_t unix_micros) {
  // Every row of a transaction shares its commit time: format it once.
  thread_local int64_t cached_ts = INT64_MIN;
  thread_local std::string cached_text;
  if (unix_micros != cached_ts) {
    cached_text = FormatUtcMicros(unix_micros);
    cached_ts = unix_micros;
  }
  return cached_text;
}

bool ParseUtcMicros(std::string_view t, int64_t& unix_micros) {
  // Exactly the shape FormatUtcMicros writes.
  if (t.size() != 27 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
      t[19] != '.' || t[26] != 'Z')
    return false;
  auto num = [&](size_t pos, size_t len, int& v) {
    auto [p, ec] = std::from_chars(t.data() + pos, t.data() + pos + len, v);
    return ec == std::errc() && p == t.data() + pos + len;
  };
  int y, mo, d, h, mi, s, us;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
      !num(17, 2, s) || !num(20, 6, us))
    return false;
  using namespace std::chrono;
  sys_days day{year{y} / month{static_cast<unsigned>(mo)} / std::chrono::day{static_cast<unsigned>(d)}};
  unix_micros = duration_cast<microseconds>(day.time_since_epoch()).count() +
                ((h * 60LL + mi) * 60LL + s) * 1000000LL + us;
  return true;
}

namespace {
void AppendValues(const core::RelationSchema& schema, const std::vector<core::Datum>& values,
                  const std::vector<uint32_t>* skip, std::string& out, bool key_only = false) {
  out += '{';
  bool first = true;
  for (size_t i = 0; i < values.size() && i < schema.columns.size(); ++i) {
    if (key_only && !schema.columns[i].is_key) continue;
    if (skip) {
      bool skipped = false;
      for (uint32_t u : *skip) skipped |= (u == i);
      if (skipped) continue;
    }
    if (!first) out += ',';
    first = false;
    AppendJsonString(schema.columns[i].name, out);
    out += ':';
    if (values[i]) AppendJsonString(*values[i], out);
    else out += "null";
  }
  out += '}';
}
}  // namespace

void AppendDecimal(uint64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void AppendJsonOld(const core::RelationSchema& schema, const core::Change& c, std::string& out) {
  // An old key holds only the key columns, so a reader tells it from a full
  // old row (which holds every column).
  bool has_key = false;
  for (const auto& col : schema.columns) has_key |= col.is_key;
  AppendValues(schema, c.old, nullptr, out, c.old_kind == 'K' && has_key);
}

void AppendJsonUnchanged(const core::RelationSchema& schema, const core::Change& c, std::string& out) {
  out += '[';
  for (size_t i = 0; i < c.unchanged.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(schema.columns[c.unchanged[i]].name, out);
  }
  out += ']';
}

void AppendJsonHeadBeforeSeq(const core::Change& c, std::string& out) {
  out += R"({"op":")";
  out += static_cast<char>(c.op);
  out += R"(","lsn":)";
  AppendDecimal(c.lsn.value(), out);
  // A streamed row is written before its transaction's commit (and end LSN)
  // arrives; the manifest then carries the end LSN.
  if (c.end_lsn.IsValid()) {
    out += R"(,"end_lsn":)";
    AppendDecimal(c.end_lsn.value(), out);
  }
  out += R"(,"seq":)";
}

void AppendJsonHeadAfterSeq(const core::Change& c, std::string& out) {
  out += R"(,"xid":)";
  AppendDecimal(c.xid, out);
  out += R"(,"ts":")";
  out += CachedUtcMicros(c.ts);
  out += '"';
}

void EncodeJsonLine(const core::RelationSchema& schema, const core::Change& c, std::string& out) {
  // The hot path of capture: plain appends, no format parsing per line.
  AppendJsonHeadBeforeSeq(c, out);
  AppendDecimal(c.seq, out);
  AppendJsonHeadAfterSeq(c, out);
  if (c.op == core::Op::kInsert || c.op == core::Op::kUpdate || c.op == core::Op::kSnapshot) {
    out += ",\"row\":";
    AppendValues(schema, c.row, c.unchanged.empty() ? nullptr : &c.unchanged, out);
  }
  if (c.has_old) {
    out += ",\"old\":";
    AppendJsonOld(schema, c, out);
  }
  if (!c.unchanged.empty()) {
    out += ",\"unchanged\":";
    AppendJsonUnchanged(schema, c, out);
  }
  out += "}\n";
}

namespace {

// JSON string escapes (RFC 8259 section 7) to UTF-8.
bool ReadHex4(std::string_view s, size_t at, uint32_t& out) {
  if (at + 4 > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    uint32_t d;
    if (c >= '0' && c <= '9') d = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<uint32_t>(c - 'A' + 10);
    else return false;
    out = out * 16 + d;
  }
  return true;
}

// Unescapes the body of a JSON string (between its quotes) into `out`.
// Values are unescaped straight from the line buffer (not through simdjson's
// string buffer), so a 50 MB value is held once, not three times.
bool UnescapeJson(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const void* bs = std::memchr(s.data() + i, '\\', s.size() - i);
    size_t run_end = bs ? static_cast<size_t>(static_cast<const char*>(bs) - s.data()) : s.size();
    out.append(s.data() + i, run_end - i);
    if (!bs) break;
    i = run_end + 1;
    if (i >= s.size()) return false;
    switch (s[i++]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        uint32_t cp;
        if (!ReadHex4(s, i, cp)) return false;
        i += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (i + 2 > s.size() || s[i] != '\\' || s[i + 1] != 'u' || !ReadHex4(s, i + 2, lo) ||
              lo < 0xDC00 || lo > 0xDFFF)
            return false;
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        core::AppendUtf8(cp, out);
        break;
      }
      default: return false;
    }
  }
  return true;
}

// A string token as simdjson hands it out: the quotes, the body, maybe spaces.
bool StringTokenBody(std::string_view token, std::string_view& body) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r' ||
                            token.back() == '\n'))
    token.remove_suffix(1);
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
  body = token.substr(1, token.size() - 2);
  return true;
}

constexpr size_t kPadding = JsonLineParser::kPadding;
static_assert(kPadding >= simdjson::SIMDJSON_PADDING);
// A line longer than this leaves the parser and the buffer larger than usual;
// they are released after it so one huge row does not pin memory for the rest.
constexpr size_t kBigLine = 8u << 20;

using ColumnIndex = std::unordered_map<std::string_view, size_t>;

// Reads a {"column":"text"|null,...} object into `dst` (sized to the schema);
// `count` is how many columns it named. Returns why when malformed.
std::optional<std::string> ReadValueObject(simdjson::ondemand::value value,
                                           const std::vector<core::Column>& columns,
                                           const ColumnIndex& index, std::vector<core::Datum>& dst,
                                           size_t& count, std::vector<uint8_t>* seen) {
  count = 0;
  size_t expected = 0;  // columns usually come in schema order: try that before hashing
  for (auto col : value.get_object()) {
    std::string_view name = col.unescaped_key();
    size_t at;
    if (expected < columns.size() && columns[expected].name == name) {
      at = expected;
    } else {
      auto it = index.find(name);
      if (it == index.end()) return fmt::format("column '{}' is not in the file's schema", name);
      at = it->second;
    }
    expected = at + 1;
    auto v = col.value();
    ++count;
    if (seen) (*seen)[at] = 1;
    if (v.is_null()) {
      dst[at].reset();
      continue;
    }
    std::string_view body;
    if (!StringTokenBody(v.raw_json_token(), body))
      return fmt::format("the value of column '{}' is not a string or null", name);
    if (!dst[at]) dst[at].emplace();  // a reused Change keeps the string's buffer
    if (!UnescapeJson(body, *dst[at]))
      return fmt::format("the value of column '{}' has a bad escape", name);
  }
  return std::nullopt;
}

// Reads a ["column",...] array of unchanged TOAST columns into positions.
std::optional<std::string> ReadUnchanged(simdjson::ondemand::value value, const ColumnIndex& index,
                                         std::vector<uint32_t>& out) {
  for (auto name : value.get_array()) {
    auto it = index.find(std::string_view(name.get_string()));
    if (it == index.end()) return std::string("unchanged column not in the file's schema");
    out.push_back(static_cast<uint32_t>(it->second));
  }
  return std::nullopt;
}

}  // namespace

struct JsonLineParser::Impl {
  core::RelationSchema schema;  // owned: `index` points into its column names
  ColumnIndex index;
  std::vector<std::string> keys;  // per column: "name": as EncodeJsonLine writes it
  std::vector<uint8_t> seen;  // per column of the line being parsed: present in "row"
  std::string where;
  simdjson::ondemand::parser parser;

  Impl(const core::RelationSchema& s, std::string w) : schema(s), where(std::move(w)) {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      index[schema.columns[i].name] = i;
      keys.emplace_back();
      AppendJsonString(schema.columns[i].name, keys.back());
      keys.back() += ':';
    }
  }

  bool ParseCanonical(std::string_view line, core::Change& c);
  std::string last_ts_text;  // the last "ts" ParseCanonical read, and its value
  int64_t last_ts = 0;
};

// A line exactly as EncodeJsonLine writes it, with every column of `row` in
// schema order and no "old" or "unchanged" (all the rows of a full load and
// of inserts): decoded by matching its bytes, without a JSON parser, several
// times faster. Returns false at the first byte that differs from that shape,
// having decoded nothing final; the JSON parser then decodes (or refuses) the
// line, so both give the same result for every line.
bool JsonLineParser::Impl::ParseCanonical(std::string_view s, core::Change& c) {
  size_t i = 0;
  auto lit = [&](std::string_view t) {
    if (s.size() - i < t.size() || std::memcmp(s.data() + i, t.data(), t.size()) != 0) return false;
    i += t.size();
    return true;
  };
  // The same for a literal: a compare of known size compiles to a few loads.
  auto lit_c = [&]<size_t N>(const char (&t)[N]) {
    constexpr size_t n = N - 1;
    if (s.size() - i < n || std::memcmp(s.data() + i, t, n) != 0) return false;
    i += n;
    return true;
  };
  // A JSON number as the encoder writes one: digits, no leading zero, fits 64 bits.
  auto number = [&](uint64_t& v) {
    size_t begin = i;
    uint64_t x = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (x > (UINT64_MAX - 9) / 10) return false;
      x = x * 10 + static_cast<uint64_t>(s[i] - '0');
      ++i;
    }
    if (i == begin || (s[begin] == '0' && i - begin > 1)) return false;
    v = x;
    return true;
  };
  if (!lit_c(R"({"op":")") || i >= s.size()) return false;
  const char op = s[i++];
  if (op != 'I' && op != 'U' && op != 'D' && op != 'T' && op != 'R') return false;
  uint64_t lsn = 0, end_lsn = 0, seq = 0, xid = 0;
  int64_t ts = 0;
  if (!lit_c(R"(","lsn":)") || !number(lsn)) return false;
  const bool has_end = lit_c(R"(,"end_lsn":)");
  if (has_end && !number(end_lsn)) return false;
  if (!lit_c(R"(,"seq":)") || !number(seq) || !lit_c(R"(,"xid":)") || !number(xid) || !lit_c(R"(,"ts":")"))
    return false;
  if (s.size() - i < 28 || s[i + 27] != '"') return false;
  // Rows of a transaction (and every row of a snapshot) share one time.
  if (s.compare(i, 27, last_ts_text) == 0) {
    ts = last_ts;
  } else {
    if (!ParseUtcMicros(s.substr(i, 27), ts)) return false;
    last_ts_text.assign(s.substr(i, 27));
    last_ts = ts;
  }
  i += 28;
  const bool has_row = op == 'I' || op == 'U' || op == 'R';
  if (has_row) {
    if (!lit_c(R"(,"row":{)")) return false;
    c.row.resize(schema.columns.size());
    for (size_t k = 0; k < keys.size(); ++k) {
      if ((k > 0 && !lit_c(",")) || !lit(keys[k])) return false;
      if (lit_c("null")) {
        c.row[k].reset();
        continue;
      }
      if (!lit_c("\"")) return false;
      const size_t begin = i;
      bool escaped = false;
      for (;;) {
        if (i >= s.size()) return false;  // also past an escape at the very end
        i += JsonPlainPrefix(s.data() + i, s.size() - i);
        if (i >= s.size()) return false;
        const auto ch = static_cast<unsigned char>(s[i]);
        if (ch == '"') break;
        if (ch != '\\') return false;  // a raw control character
        escaped = true;
        i += 2;
      }
      std::string_view body = s.substr(begin, i - begin);
      ++i;
      if (!c.row[k]) c.row[k].emplace();
      if (escaped) {
        if (!UnescapeJson(body, *c.row[k])) return false;
      } else {
        c.row[k]->assign(body);
      }
    }
    if (!lit_c("}")) return false;
  }
  if (!lit_c("}") || i != s.size()) return false;
  if (!has_row) c.row.clear();
  c.op = static_cast<core::Op>(op);
  c.lsn = Lsn(lsn);
  c.end_lsn = has_end ? Lsn(end_lsn) : Lsn();
  c.seq = static_cast<uint32_t>(seq);
  c.xid = static_cast<uint32_t>(xid);
  c.ts = ts;
  return true;
}

JsonLineParser::JsonLineParser(const core::RelationSchema& schema, std::string where)
    : impl_(std::make_unique<Impl>(schema, std::move(where))) {}

JsonLineParser::~JsonLineParser() = default;

struct JsonLinesReader::Impl {
  JsonLineParser parser;
  ObjectReader& source;  // non-owning: the caller keeps it alive for the reader's life
  std::string where;
  size_t read_size;
  // buf[begin, end) holds bytes not yet decoded; scan is where the search for
  // the next '\n' resumes. Invariant: end + kPadding <= cap, so every line
  // inside [begin, end) has the padding simdjson reads past a document's end.
  std::unique_ptr<char[]> buf;
  size_t cap = 0;
  size_t begin = 0, end = 0, scan = 0;
  bool eof = false;

  Impl(const core::RelationSchema& s, ObjectReader& src, std::string w, size_t rs)
      : parser(s, w), source(src), where(std::move(w)), read_size(std::max<size_t>(rs, 1)) {}

  size_t NormalCap() const { return 2 * read_size + kPadding; }

  void Resize(size_t new_cap) {
    auto next = std::make_unique_for_overwrite<char[]>(new_cap);
    size_t pending = end - begin;
    if (pending) std::memcpy(next.get(), buf.get() + begin, pending);
    buf = std::move(next);
    cap = new_cap;
    scan -= begin;
    end = pending;
    begin = 0;
  }
};

JsonLinesReader::JsonLinesReader(const core::RelationSchema& schema, ObjectReader& source,
                                 std::string where, size_t read_size)
    : impl_(std::make_unique<Impl>(schema, source, std::move(where), read_size)) {}

JsonLinesReader::~JsonLinesReader() = default;

void JsonLinesReader::Refill() {
  Impl& m = *impl_;
  size_t pending = m.end - m.begin;
  if (m.cap > 2 * m.NormalCap() && pending <= m.read_size) {
    m.Resize(m.NormalCap());  // a long line is behind us: give its memory back
  } else if (m.begin > 0) {
    std::memmove(m.buf.get(), m.buf.get() + m.begin, pending);
    m.scan -= m.begin;
    m.end = pending;
    m.begin = 0;
  }
  if (m.cap < kPadding + m.end + m.read_size / 2 + 1) {
    // Inside a line longer than the buffer: grow by a quarter (at least one
    // read), so a long line costs O(length) copying and 1.25x its size.
    m.Resize(std::max(m.NormalCap(), m.end + std::max(m.read_size, m.end / 4) + kPadding));
  }
  size_t n = m.source.Read(m.buf.get() + m.end, m.cap - kPadding - m.end);
  if (n == 0) m.eof = true;
  m.end += n;
}

bool JsonLinesReader::Next(core::Change& change) {
  Impl& m = *impl_;
  for (;;) {
    const char* base = m.buf.get();
    const void* nl = m.end > m.scan ? std::memchr(base + m.scan, '\n', m.end - m.scan) : nullptr;
    if (nl) {
      size_t pos = static_cast<size_t>(static_cast<const char*>(nl) - base);
      std::string_view line(base + m.begin, pos - m.begin);
      size_t allocated = m.cap - m.begin;
      m.begin = m.scan = pos + 1;
      ++line_no_;
      line_bytes_ = line.size() + 1;
      m.parser.Parse(line, allocated, line_no_, change);
      return true;
    }
    m.scan = m.end;
    if (m.eof) {
      if (m.begin == m.end) return false;
      Fail(ErrorKind::kStaging, "staged file {} is truncated: line {} has no end", m.where,
           line_no_ + 1);
    }
    Refill();
  }
}

void JsonLineParser::Parse(std::string_view line, size_t allocated, uint64_t line_no,
                           core::Change& c) {
  Impl& m = *impl_;
  auto& schema = m.schema;
  auto& index = m.index;
  auto& seen = m.seen;
  auto& where = m.where;
  auto& parser = m.parser;
  auto fail = [&](const std::string& why) {
    Fail(ErrorKind::kStaging, "staged file {} line {} is malformed: {}", where, line_no, why);
  };
  // Reset field by field: the row's strings keep their buffers, so a reader
  // that reuses one Change (a bulk append) allocates nothing per value.
  c.op = core::Op::kInsert;
  c.lsn = Lsn();
  c.end_lsn = Lsn();
  c.seq = 0;
  c.xid = 0;
  c.ts = 0;
  c.old.clear();
  c.has_old = false;
  c.old_kind = 'K';
  c.unchanged.clear();
  if (m.ParseCanonical(line, c)) return;
  try {
    auto doc = parser.iterate(line.data(), line.size(), allocated);
    c.row.resize(schema.columns.size());
    seen.assign(schema.columns.size(), 0);
    size_t old_columns = 0;
    bool has_row = false;
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      auto value = field.value();
      if (key == "op") {
        std::string_view op = value.get_string();
        if (op.size() != 1 || std::string_view("IUDTR").find(op[0]) == std::string_view::npos)
          fail(fmt::format("unknown op '{}'", op));
        c.op = static_cast<core::Op>(op[0]);
      } else if (key == "lsn") {
        c.lsn = Lsn(value.get_uint64());
      } else if (key == "end_lsn") {
        c.end_lsn = Lsn(value.get_uint64());
      } else if (key == "seq") {
        c.seq = static_cast<uint32_t>(uint64_t(value.get_uint64()));
      } else if (key == "xid") {
        c.xid = static_cast<uint32_t>(uint64_t(value.get_uint64()));
      } else if (key == "ts") {
        if (!ParseUtcMicros(value.get_string(), c.ts)) fail("bad ts");
      } else if (key == "row" || key == "old") {
        bool is_row = key == "row";
        std::vector<core::Datum>& dst = is_row ? c.row : c.old;
        if (!is_row) {
          c.has_old = true;
          dst.assign(schema.columns.size(), std::nullopt);
        } else {
          has_row = true;
        }
        size_t count = 0;
        if (auto why = ReadValueObject(std::move(value), schema.columns, index, dst, count,
                                       is_row ? &seen : nullptr))
          fail(*why);
        if (!is_row) old_columns = count;
      } else if (key == "unchanged") {
        if (auto why = ReadUnchanged(std::move(value), index, c.unchanged)) fail(*why);
      }
    }
    if (!has_row) {
      c.row.clear();
    } else {
      for (size_t i = 0; i < seen.size(); ++i)
        if (!seen[i]) c.row[i].reset();  // absent: an unchanged TOAST value
    }
    if (c.has_old) c.old_kind = old_columns == schema.columns.size() ? 'O' : 'K';
  } catch (const simdjson::simdjson_error& e) {
    fail(e.what());
  }
  if (line.size() > kBigLine) parser = simdjson::ondemand::parser{};  // give a huge line's memory back
}

struct JsonExtrasDecoder::Impl {
  core::RelationSchema schema;  // owned: `index` points into its column names
  ColumnIndex index;
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded;
};

JsonExtrasDecoder::JsonExtrasDecoder(const core::RelationSchema& schema) : impl_(std::make_unique<Impl>()) {
  impl_->schema = schema;
  for (size_t i = 0; i < impl_->schema.columns.size(); ++i)
    impl_->index[impl_->schema.columns[i].name] = i;
}

JsonExtrasDecoder::~JsonExtrasDecoder() = default;

std::optional<std::string> JsonExtrasDecoder::Decode(std::optional<std::string_view> old_json,
                                                     std::optional<std::string_view> unchanged_json,
                                                     core::Change& c) {
  Impl& m = *impl_;
  c.has_old = false;
  c.old.clear();
  c.old_kind = 'K';
  c.unchanged.clear();
  try {
    if (old_json) {
      m.padded = simdjson::padded_string(*old_json);
      auto doc = m.parser.iterate(m.padded);
      c.has_old = true;
      c.old.assign(m.schema.columns.size(), std::nullopt);
      size_t count = 0;
      if (auto why = ReadValueObject(doc.get_value(), m.schema.columns, m.index, c.old, count, nullptr)) return why;
      c.old_kind = count == m.schema.columns.size() ? 'O' : 'K';
    }
    if (unchanged_json) {
      m.padded = simdjson::padded_string(*unchanged_json);
      auto doc = m.parser.iterate(m.padded);
      if (auto why = ReadUnchanged(doc.get_value(), m.index, c.unchanged)) return why;
    }
  } catch (const simdjson::simdjson_error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::vector<core::Change> DecodeJsonLines(const core::RelationSchema& schema, std::string_view text,
                                          const std::string& where) {
  MemoryReader source(text);
  JsonLinesReader reader(schema, source, where);
  std::vector<core::Change> out;
  core::Change c;
  while (reader.Next(c)) out.push_back(std::move(c));
  return out;
}

}  // namespace wharf::staging
