#pragma once
// Loads wharf.yaml: ${ENV} interpolation, defaults, and errors that name the
// file, line and column, with the nearest valid key for a misspelt one.
#include <string>

#include "core/config.hpp"

namespace wharf::cli {

core::Config LoadConfig(const std::string& path);
// Parses the same text (for tests); `path` is used in messages and for base_dir.
core::Config ParseConfig(const std::string& text, const std::string& path);

// "64MB", "1GiB", "512k", "1000" -> bytes. Throws kConfig.
uint64_t ParseSize(const std::string& text, const std::string& where);
// "1s", "200ms", "2m" -> milliseconds. Throws kConfig.
std::chrono::milliseconds ParseDuration(const std::string& text, const std::string& where);
// ${NAME} and ${NAME:-default} replaced from the environment. Throws kConfig
// for an unset variable without a default.
std::string Interpolate(const std::string& text, const std::string& where);

}  // namespace wharf::cli
