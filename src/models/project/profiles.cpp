// profiles.yml -> Profile, found where dbt looks for it, rendered as dbt's
// ProfileRenderer does (env_var() and --vars; no `target`, no project vars).
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "core/error.hpp"
#include "core/nearest.hpp"
#include "models/project/internal.hpp"

namespace fs = std::filesystem;

namespace wharf::models::project {

namespace {

using jinja::Dict;
using jinja::Value;

struct ProfilesFile {
  fs::path path;
  std::string display;  // for messages: "--profiles-dir", "$DBT_PROFILES_DIR", ...
};

// dbt's order: --profiles-dir, $DBT_PROFILES_DIR, the current directory when
// it holds a profiles.yml, then ~/.dbt. The first that applies is the one
// read (dbt does not fall through to the next when it lacks the profile).
std::optional<ProfilesFile> FindProfilesFile(const ProjectOptions& options) {
  if (options.profiles_dir)
    return ProfilesFile{*options.profiles_dir / "profiles.yml", "--profiles-dir"};
  if (const char* env = std::getenv("DBT_PROFILES_DIR"); env && *env)
    return ProfilesFile{fs::path(env) / "profiles.yml", "$DBT_PROFILES_DIR"};
  std::error_code ec;
  fs::path here = fs::current_path(ec) / "profiles.yml";
  if (!ec && fs::exists(here)) return ProfilesFile{here, "the current directory"};
  if (const char* home = std::getenv("HOME"); home && *home)
    return ProfilesFile{fs::path(home) / ".dbt" / "profiles.yml", "~/.dbt"};
  return std::nullopt;
}

std::vector<std::string> Keys(const YAML::Node& map, const char* skip = "") {
  std::vector<std::string> out;
  if (map.IsMap())
    for (const auto& kv : map)
      if (ScalarText(kv.first) != skip) out.push_back(ScalarText(kv.first));
  return out;
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

// Renders one output. A password that is not valid Jinja is kept as written
// (dbt's SecretRenderer does the same: passwords may contain "{{").
Dict RenderOutput(const YAML::Node& output, const std::string& file, const YamlRenderer& renderer) {
  if (!output.IsMap())
    Fail(ErrorKind::kConfig, "{}: an output must be a mapping (type:, ...)", Where(file, output));
  Dict out;
  for (const auto& kv : output) {
    std::string key = ScalarText(kv.first);
    try {
      out.Set(key, renderer.Render(kv.second, file));
    } catch (const Error&) {
      if (key != "password" && key != "pass") throw;
      out.Set(key, ToValue(kv.second));
    }
  }
  return out;
}

std::string TargetName(const YAML::Node& profile, const ProjectOptions& options,
                       const std::string& file, const YamlRenderer& renderer) {
  if (options.target) return *options.target;
  if (profile["target"]) return renderer.RenderScalar(profile["target"], file);
  return "default";  // dbt's name when the profile sets none
}

Profile ReadProfile(const std::string& name, const YAML::Node& profile, const std::string& file,
                    const ProjectOptions& options) {
  YamlRenderer renderer(options.cli_vars, {});
  if (!profile.IsMap() || !profile["outputs"].IsMap()) {
    Fail(ErrorKind::kConfig,
         "{}: profile '{}' needs an outputs: mapping of targets (dev: {{type: ...}})",
         Where(file, profile), name);
  }
  std::string target = TargetName(profile, options, file, renderer);
  const YAML::Node outputs = profile["outputs"];
  if (!outputs[target]) {
    auto names = Keys(outputs);
    auto near = core::Nearest(target, names, 3);
    Fail(ErrorKind::kConfig,
         "{}: profile '{}' has no target '{}'{}; its targets: {}. Pass --target or set target: in "
         "the profile",
         Where(file, outputs), name, target, near ? " (did you mean '" + *near + "'?)" : "",
         NameList(names));
  }
  Dict output = RenderOutput(outputs[target], file, renderer);
  return BuildProfile(name, target, output, Where(file, outputs[target]));
}

}  // namespace

Profile LoadProfile(const Project& project, const ProjectOptions& options) {
  auto found = FindProfilesFile(options);
  std::error_code ec;
  if (found && fs::exists(found->path, ec)) {
    const std::string file = found->path.string();
    const YAML::Node doc = LoadYamlFile(found->path, file);
    if (doc.IsMap() && doc[project.profile]) {
      Profile p = ReadProfile(project.profile, doc[project.profile], file, options);
      p.origin = file;
      return p;
    }
    if (!options.fallback_profile) {
      auto names = Keys(doc, "config");
      auto near = core::Nearest(project.profile, names, 3);
      Fail(ErrorKind::kConfig,
           "{} (from {}) has no profile '{}'{} (profiles there: {}); add it, or set profile: in "
           "dbt_project.yml",
           file, found->display, project.profile, near ? " (did you mean '" + *near + "'?)" : "",
           NameList(names));
    }
  }
  if (options.fallback_profile) return FallbackProfile(project, *options.fallback_profile);
  Fail(ErrorKind::kConfig,
       "no profiles.yml found for profile '{}' (looked in {}); create one, pass --profiles-dir or "
       "set DBT_PROFILES_DIR",
       project.profile,
       found ? found->path.string()
             : std::string("--profiles-dir, $DBT_PROFILES_DIR, . and ~/.dbt"));
}

}  // namespace wharf::models::project
