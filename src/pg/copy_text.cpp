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
}  // namespace

void ParseCopyTextRow(std::string_view line, std::vector<std::optional<std::string>>& out,
                      size_t expected_columns) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  size_t field = 0;
  size_t i = 0;
  auto slot = [&]() -> std::optional<std::string>& {
    if (field >= out.size()) out.emplace_back();
    return out[field];
  };
  for (;;) {
    size_t end = line.find('\t', i);
    std::string_view raw = line.substr(i, end == std::string_view::npos ? line.size() - i : end - i);
    auto& dst = slot();
    if (raw == "\\N") {
      dst.reset();
    } else {
      if (!dst) dst.emplace();
      std::string& s = *dst;
      // The common case, a field without escapes, is one copy.
      const bool escaped = raw.find('\\') != std::string_view::npos;
      if (escaped) {
        s.clear();
        s.reserve(raw.size());
      } else {
        s.assign(raw);
      }
      for (size_t k = 0; escaped && k < raw.size(); ++k) {
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
    ++field;
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  out.resize(field);
  if (expected_columns && field != expected_columns) {
    Fail(ErrorKind::kProtocol, "COPY row has {} fields, expected {}", field, expected_columns);
  }
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
