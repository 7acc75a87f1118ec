#include "pg/copy_text.hpp"

#include "core/error.hpp"

namespace wharf::pg {

namespace {

void Unescape(std::string_view raw, std::string& s) {
  s.clear();
  s.reserve(raw.size());
  const char* p = raw.data();
  const char* end = p + raw.size();
  while (p < end) {
    char c = *p++;
    if (c != '\\') {
      s += c;
      continue;
    }
    if (p == end) FailCopyTextLoneBackslash();
    s += DecodeCopyTextEscape(p, end);
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

void CopyTextFields::CheckCount(size_t expected) const { CheckCopyTextFieldCount(count_, expected); }

void FailCopyTextLoneBackslash() { Fail(ErrorKind::kProtocol, "COPY row ends in a lone backslash"); }

void CheckCopyTextFieldCount(size_t fields, size_t expected) {
  if (expected && fields != expected) {
    Fail(ErrorKind::kProtocol, "COPY row has {} fields, expected {}", fields, expected);
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
