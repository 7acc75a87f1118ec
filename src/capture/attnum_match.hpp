#pragma once
// Which pg_attribute.attnum each column of a pgoutput Relation message is.
//
// The message names columns but carries no attnum, and it describes the table
// as of its place in the WAL, while the catalog can only be read as of now.
// Both list columns in attnum order, attnums are never reused, and dropped
// columns stay in the catalog (nameless, flagged): so the message's columns
// are a subsequence of the catalog's non-generated attributes, in which every
// attribute still alive with an attnum at or below the last matched one must
// appear. Pure: unit-tested over vectors.
#include <vector>

#include "core/relation.hpp"
#include "pg/catalog.hpp"

namespace wharf::capture {

// Sets attnum (and missing, the constant ADD COLUMN default) on every column of `relation` from
// `attributes` (pg::ReadAttributes of the same table). `previous` (may be null) is the schema
// last staged for the table: a column it names keeps its attnum, which settles the rare
// ambiguous cases (a column dropped after the message was written). A column that cannot be
// placed keeps attnum 0 and is matched by name in the warehouse.
void AssignAttnums(core::RelationSchema& relation, const std::vector<pg::Attribute>& attributes,
                   const core::RelationSchema* previous);

}  // namespace wharf::capture
