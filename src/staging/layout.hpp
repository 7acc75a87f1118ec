#pragma once
// Staged object paths (DESIGN.md "Staged batches"), relative to the store root:
//   <source>/data/<schema>/<table>/<yyyy>/<mm>/<dd>/<batch seq>[_<part>].<ext>
//   <source>/manifests/<batch seq, 20 digits>.json
//   <source>/state/<name>.json
// Schema and table names are percent-encoded outside [A-Za-z0-9_.-] so any
// identifier maps to one safe path segment.
#include <cstdint>
#include <optional>
#include <string>

#include "core/relation.hpp"

namespace wharf::staging {

std::string EncodePathSegment(const std::string& name);

std::string ManifestPrefix(const std::string& source);
std::string ManifestPath(const std::string& source, uint64_t seq);
// Seq of a manifest path, or nullopt when the path is not a manifest.
std::optional<uint64_t> ManifestSeq(const std::string& path);

std::string DataPrefix(const std::string& source);
std::string DataPath(const std::string& source, const core::TableName& table, int64_t unix_micros,
                     uint64_t seq, uint32_t part, const std::string& extension);
// Batch seq of a data file path (from its file name), or nullopt.
std::optional<uint64_t> DataFileSeq(const std::string& path);

std::string StatePath(const std::string& source, const std::string& name);

}  // namespace wharf::staging
