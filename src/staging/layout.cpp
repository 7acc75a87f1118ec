#include "staging/layout.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace wharf::staging {

std::string EncodePathSegment(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '_' || c == '-' || (c == '.' && !out.empty())) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string ManifestPrefix(const std::string& source) {
  return EncodePathSegment(source) + "/manifests/";
}

std::string ManifestPath(const std::string& source, uint64_t seq) {
  return fmt::format("{}{:020}.json", ManifestPrefix(source), seq);
}

std::optional<uint64_t> ManifestSeq(const std::string& path) {
  auto slash = path.rfind('/');
  std::string_view name = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  if (name.size() != 25 || name.substr(20) != ".json") return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + 20, v);
  if (ec != std::errc() || p != name.data() + 20) return std::nullopt;
  return v;
}

std::string DataPrefix(const std::string& source) { return EncodePathSegment(source) + "/data/"; }

std::string DataPath(const std::string& source, const core::TableName& table, int64_t unix_micros,
                     uint64_t seq, uint32_t part, const std::string& extension) {
  int64_t floor_secs = unix_micros / 1000000 - (unix_micros % 1000000 < 0 ? 1 : 0);
  std::time_t secs = static_cast<std::time_t>(floor_secs);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string file = part == 0 ? fmt::format("{:020}", seq) : fmt::format("{:020}_{}", seq, part);
  return fmt::format("{}{}/{}/{:04}/{:02}/{:02}/{}.{}", DataPrefix(source),
                     EncodePathSegment(table.schema), EncodePathSegment(table.name),
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, file, extension);
}

std::optional<uint64_t> DataFileSeq(const std::string& path) {
  auto slash = path.rfind('/');
  std::string_view name = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (ec != std::errc() || p == name.data()) return std::nullopt;
  return v;
}

std::string StatePath(const std::string& source, const std::string& name) {
  return EncodePathSegment(source) + "/state/" + name + ".json";
}

}  // namespace wharf::staging
