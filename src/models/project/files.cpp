// Finding a project's files, and the {% snapshot %} / {% docs %} blocks in them.
#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "core/error.hpp"
#include "models/project/internal.hpp"

namespace fs = std::filesystem;

namespace wharf::models::project {

namespace {

bool HasExtension(const std::string& name, const std::vector<std::string>& extensions) {
  return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& ext) {
    return name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  });
}

int LineAt(std::string_view text, size_t pos) {
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

}  // namespace

std::vector<std::string> FilesUnder(const fs::path& root, const std::string& dir,
                                    const std::vector<std::string>& extensions) {
  fs::path base = root / dir;
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return {};
  std::vector<std::string> out;
  auto options = fs::directory_options::follow_directory_symlink;
  for (auto it = fs::recursive_directory_iterator(base, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), base, ec).generic_string();
    if (HasExtension(rel, extensions)) out.push_back(rel);
  }
  if (ec) Fail(ErrorKind::kConfig, "{}: cannot list the folder: {}", base.string(), ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string JoinPath(const std::string& dir, const std::string& rel) {
  return (fs::path(dir) / rel).lexically_normal().generic_string();
}

std::vector<std::string> Folders(const std::string& rel) {
  std::vector<std::string> out;
  for (const auto& part : fs::path(rel).parent_path()) {
    std::string s = part.generic_string();
    if (!s.empty() && s != ".") out.push_back(s);
  }
  return out;
}

std::string Stem(const std::string& rel) { return fs::path(rel).stem().string(); }

// dbt finds these blocks with its Jinja block lexer; a regex over the tags is
// enough here because the body is kept verbatim (not parsed).
std::vector<Block> ExtractBlocks(std::string_view text, std::string_view tag,
                                 const std::string& file) {
  std::regex tags(fmt::format(
      R"(\{{%-?\s*({0})\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}}|\{{%-?\s*(end{0})\s*-?%\}})", tag));
  std::vector<Block> out;
  std::optional<Block> open;
  size_t body_start = 0;
  auto begin = std::cregex_iterator(text.data(), text.data() + text.size(), tags);
  for (auto it = begin; it != std::cregex_iterator(); ++it) {
    const auto& m = *it;
    size_t pos = static_cast<size_t>(m.position(0));
    if (m[1].matched) {
      if (open) {
        Fail(ErrorKind::kConfig,
             "{}:{}: a {{% {} %}} block opens inside '{}' (line {}); close it with {{% end{} %}} "
             "first",
             file, LineAt(text, pos), tag, open->name, open->line, tag);
      }
      open = Block{m[2].str(), "", LineAt(text, pos)};
      body_start = pos + static_cast<size_t>(m.length(0));
    } else {
      if (!open)
        Fail(ErrorKind::kConfig, "{}:{}: {{% end{} %}} without an opening {{% {} name %}}", file,
             LineAt(text, pos), tag, tag);
      open->body = std::string(text.substr(body_start, pos - body_start));
      out.push_back(std::move(*open));
      open.reset();
    }
  }
  if (open) {
    Fail(ErrorKind::kConfig, "{}:{}: {{% {} {} %}} is never closed; add {{% end{} %}}", file,
         open->line, tag, open->name, tag);
  }
  return out;
}

}  // namespace wharf::models::project
