#pragma once
// The few pieces of S3's XML responses wharf reads (list results, upload
// ids, error codes). Not a general XML parser: S3's responses are flat,
// machine-generated and namespace-free in the elements read here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::staging::s3 {

// Text of the first <tag>...</tag> (entities decoded), or nullopt.
std::optional<std::string> XmlText(std::string_view xml, std::string_view tag);
// Texts of every <tag>...</tag> in order.
std::vector<std::string> XmlTexts(std::string_view xml, std::string_view tag);
std::string XmlDecode(std::string_view text);
std::string XmlEscape(std::string_view text);

struct ListPage {
  std::vector<std::string> keys;
  std::optional<std::string> continuation;  // set when the listing is truncated
};
ListPage ParseListObjectsV2(std::string_view xml);  // throws kProtocol when it is not a list result

}  // namespace wharf::staging::s3
