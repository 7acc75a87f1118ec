#include "staging/s3/s3_xml.hpp"

#include <cstdlib>

#include "core/error.hpp"
#include "core/text.hpp"

namespace wharf::staging::s3 {

namespace {

// Finds <tag> or <tag attr...> starting at `from`; returns the position after '>'.
size_t FindOpen(std::string_view xml, std::string_view tag, size_t from, size_t* close_at) {
  std::string open = "<" + std::string(tag);
  std::string close = "</" + std::string(tag) + ">";
  while (true) {
    size_t p = xml.find(open, from);
    if (p == std::string_view::npos) return p;
    size_t after = p + open.size();
    if (after < xml.size() && (xml[after] == '>' || xml[after] == ' ')) {
      size_t gt = xml.find('>', after);
      if (gt == std::string_view::npos) return std::string_view::npos;
      if (xml[gt - 1] == '/') {  // <tag/>: empty
        *close_at = gt + 1;
        return gt + 1;
      }
      size_t c = xml.find(close, gt + 1);
      if (c == std::string_view::npos) return std::string_view::npos;
      *close_at = c;
      return gt + 1;
    }
    from = after;
  }
}

// Inner texts of every <tag>...</tag>, undecoded.
std::vector<std::string_view> RawTexts(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  size_t from = 0, close = 0;
  for (;;) {
    size_t start = FindOpen(xml, tag, from, &close);
    if (start == std::string_view::npos) break;
    out.push_back(xml.substr(start, close - start));
    from = close;
  }
  return out;
}

}  // namespace

std::string XmlDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos) {
      out += text[i];
      continue;
    }
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (!ent.empty() && ent[0] == '#') {
      bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
      unsigned long cp = std::strtoul(std::string(ent.substr(hex ? 2 : 1)).c_str(), nullptr, hex ? 16 : 10);
      core::AppendUtf8(static_cast<uint32_t>(cp), out);
    } else {
      out += text.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::optional<std::string> XmlText(std::string_view xml, std::string_view tag) {
  size_t close = 0;
  size_t start = FindOpen(xml, tag, 0, &close);
  if (start == std::string_view::npos) return std::nullopt;
  return XmlDecode(xml.substr(start, close - start));
}

std::vector<std::string> XmlTexts(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  for (auto raw : RawTexts(xml, tag)) out.push_back(XmlDecode(raw));
  return out;
}

ListPage ParseListObjectsV2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    Fail(ErrorKind::kProtocol, "S3 list response is not a ListBucketResult: {}", xml.substr(0, 200));
  }
  ListPage page;
  // Keys live inside <Contents>; <Key> appears nowhere else in a V2 result.
  for (auto contents : RawTexts(xml, "Contents")) {
    if (auto key = XmlText(contents, "Key")) page.keys.push_back(*key);
  }
  if (XmlText(xml, "IsTruncated").value_or("false") == "true") {
    page.continuation = XmlText(xml, "NextContinuationToken");
    if (!page.continuation || page.continuation->empty()) {
      Fail(ErrorKind::kProtocol, "S3 list response is truncated but has no NextContinuationToken");
    }
  }
  return page;
}

}  // namespace wharf::staging::s3
