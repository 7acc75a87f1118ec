#include "staging/jsonl.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <chrono>
#include <unordered_map>

#include "core/error.hpp"

namespace wharf::staging {

void AppendJsonString(std::string_view s, std::string& out) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
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

void EncodeJsonLine(const core::RelationSchema& schema, const core::Change& c, std::string& out) {
  fmt::format_to(std::back_inserter(out), R"({{"op":"{}","lsn":{},)", static_cast<char>(c.op),
                 c.lsn.value());
  // A streamed row is written before its transaction's commit (and end LSN)
  // arrives; the manifest then carries the end LSN.
  if (c.end_lsn.IsValid()) fmt::format_to(std::back_inserter(out), R"("end_lsn":{},)", c.end_lsn.value());
  fmt::format_to(std::back_inserter(out), R"("seq":{},"xid":{},"ts":")", c.seq, c.xid);
  out += FormatUtcMicros(c.ts);
  out += '"';
  if (c.op == core::Op::kInsert || c.op == core::Op::kUpdate || c.op == core::Op::kSnapshot) {
    out += ",\"row\":";
    AppendValues(schema, c.row, c.unchanged.empty() ? nullptr : &c.unchanged, out);
  }
  if (c.has_old) {
    // An old key holds only the key columns, so a reader tells it from a full
    // old row (which holds every column).
    out += ",\"old\":";
    AppendValues(schema, c.old, nullptr, out, c.old_kind == 'K' && !schema.KeyIndexes().empty());
  }
  if (!c.unchanged.empty()) {
    out += ",\"unchanged\":[";
    for (size_t i = 0; i < c.unchanged.size(); ++i) {
      if (i) out += ',';
      AppendJsonString(schema.columns[c.unchanged[i]].name, out);
    }
    out += ']';
  }
  out += "}\n";
}

std::vector<core::Change> DecodeJsonLines(const core::RelationSchema& schema, std::string_view text,
                                          const std::string& where) {
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < schema.columns.size(); ++i) index[schema.columns[i].name] = i;
  std::vector<core::Change> out;
  simdjson::ondemand::parser parser;
  simdjson::padded_string line_buf;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      Fail(ErrorKind::kStaging, "staged file {} is truncated: line {} has no end", where, line_no + 1);
    }
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line_buf.size() < line.size()) line_buf = simdjson::padded_string(line.size() * 2);
    std::memcpy(line_buf.data(), line.data(), line.size());
    auto fail = [&](const std::string& why) {
      Fail(ErrorKind::kStaging, "staged file {} line {} is malformed: {}", where, line_no, why);
    };
    try {
      auto doc = parser.iterate(line_buf.data(), line.size(), line_buf.size() + simdjson::SIMDJSON_PADDING);
      core::Change c;
      c.row.assign(schema.columns.size(), std::nullopt);
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
            old_columns = 0;
          } else {
            has_row = true;
          }
          for (auto col : value.get_object()) {
            std::string_view name = col.unescaped_key();
            auto it = index.find(name);
            if (it == index.end()) fail(fmt::format("column '{}' is not in the file's schema", name));
            auto v = col.value();
            if (!is_row) ++old_columns;
            if (v.is_null()) dst[it->second].reset();
            else dst[it->second] = std::string(std::string_view(v.get_string()));
          }
        } else if (key == "unchanged") {
          for (auto name : value.get_array()) {
            auto it = index.find(std::string_view(name.get_string()));
            if (it == index.end()) fail("unchanged column not in the file's schema");
            c.unchanged.push_back(static_cast<uint32_t>(it->second));
          }
        }
      }
      if (!has_row) c.row.clear();
      if (c.has_old) c.old_kind = old_columns == schema.columns.size() ? 'O' : 'K';
      out.push_back(std::move(c));
    } catch (const simdjson::simdjson_error& e) {
      fail(e.what());
    }
  }
  return out;
}

}  // namespace wharf::staging
