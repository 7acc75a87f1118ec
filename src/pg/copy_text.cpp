#include "pg/copy_text.hpp"

#include "core/error.hpp"

namespace wharf::pg {

namespace {
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void Unescape(std::string_view raw, std::string& s) {
  s.clear();
  s.reserve(raw.size());
  for (size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (c != '\\') {
      s += c;
      continue;
    }
    if (++k >= raw.size()) Fail(ErrorKind::kProtocol, "COPY row ends in a lone backslash");
    char e = raw[k];
    switch (e) {
      case 'b': s += '\b'; break;
      case 'f': s += '\f'; break;
      case 'n': s += '\n'; break;
      case 'r': s += '\r'; break;
      case 't': s += '\t'; break;
      case 'v': s += '\v'; break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && k + 1 < raw.size() && HexDigit(raw[k + 1]) >= 0) {
          v = v * 16 + HexDigit(raw[++k]);
          ++n;
        }
        if (n == 0) s += 'x';
        else s += static_cast<char>(v);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0', n = 1;
          while (n < 3 && k + 1 < raw.size() && raw[k + 1] >= '0' && raw[k + 1] <= '7') {
            v = v * 8 + (raw[++k] - '0');
            ++n;
          }
          s += static_cast<char>(v);
        } else {
          s += e;  // \\ and any other escaped character stand for themselves
        }
    }
  }
}

}  // namespace

CopyTextFields::CopyTextFields(std::string_view line) : line_(line) {
  if (!line_.empty() && line_.back() == '\n') line_.remove_suffix(1);
}

bool CopyTextFields::Next() {
  if (done_) return false;
  size_t end = line_.find('\t', pos_);
  if (end == std::string_view::npos) {
    end = line_.size();
    done_ = true;
  }
  std::string_view raw = line_.substr(pos_, end - pos_);
  pos_ = end + 1;
  ++count_;
  null_ = raw == "\\N";
  if (null_) {
    value_ = {};
  } else if (raw.find('\\') == std::string_view::npos) {
    value_ = raw;  // the common case: no escapes, no copy
  } else {
    Unescape(raw, unescaped_);
    value_ = unescaped_;
  }
  return true;
}

void CopyTextFields::CheckCount(size_t expected) const {
  if (expected && count_ != expected) {
    Fail(ErrorKind::kProtocol, "COPY row has {} fields, expected {}", count_, expected);
  }
}

void ParseCopyTextRow(std::string_view line, std::vector<std::optional<std::string>>& out,
                      size_t expected_columns) {
  CopyTextFields fields(line);
  size_t field = 0;
  while (fields.Next()) {
    if (field >= out.size()) out.emplace_back();
    auto& dst = out[field++];
    if (fields.null()) dst.reset();
    else if (dst) dst->assign(fields.value());
    else dst.emplace(fields.value());
  }
  out.resize(field);
  fields.CheckCount(expected_columns);
}

void AppendCopyTextField(std::string& out, const std::optional<std::string>& value) {
  if (!value) {
    out += "\\N";
    return;
  }
  const std::string& v = *value;
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char esc = 0;
    switch (v[i]) {
      case '\\': esc = '\\'; break;
      case '\t': esc = 't'; break;
      case '\n': esc = 'n'; break;
      case '\r': esc = 'r'; break;
      default: continue;
    }
    out.append(v, start, i - start);
    out += '\\';
    out += esc;
    start = i + 1;
  }
  out.append(v, start, v.size() - start);
}

}  // namespace wharf::pg
