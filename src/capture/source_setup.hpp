#pragma once
// Prepares a source for capture: checks the server can do logical
// replication, selects tables by the configured globs, refuses tables that
// cannot be replicated correctly, and keeps the publication's table list in
// step with the selection.
#include <vector>

#include "core/config.hpp"
#include "pg/catalog.hpp"
#include "pg/connection.hpp"
#include "staging/state_store.hpp"

namespace wharf::capture {

// Throws kSource with the fix when wal_level, the server version or
// privileges do not allow logical replication.
void CheckServer(pg::Connection& conn, const core::SourceConfig& source);

// Tables selected by the source's include/exclude globs: those that can be
// replicated, and those held back for want of a usable replica identity
// (each with the ALTER TABLE that fixes it). Throws kConfig when nothing
// matches, and kUnsupported when every match is held back.
struct Selection {
  std::vector<pg::TableInfo> tables;
  std::vector<staging::HeldTable> held;
};
Selection SelectTables(pg::Connection& conn, const core::SourceConfig& source);
// At start: every name in `tables` without a wildcard must exist (a typo
// would otherwise leave a table out silently). Throws kConfig naming the
// nearest existing table.
void CheckTableNames(pg::Connection& conn, const core::SourceConfig& source);

// Creates the publication if missing and adds selected tables it lacks (never
// a table without a usable replica identity). Tables in the publication that
// are no longer selected are left alone: removing them is the user's call.
// Tables in the publication that the globs do not select (added by hand):
// they are replicated too. Only tables with a usable replica identity.
std::vector<pg::TableInfo> ExtraPublishedTables(pg::Connection& conn, const core::SourceConfig& source,
                                                const std::vector<pg::TableInfo>& selected);

// Leaf partitions ("schema.table") of a partitioned table that hold rows.
std::vector<std::string> LeafPartitions(pg::Connection& conn, uint32_t root_oid);

void EnsurePublication(pg::Connection& conn, const core::SourceConfig& source,
                       const std::vector<pg::TableInfo>& tables);

}  // namespace wharf::capture
