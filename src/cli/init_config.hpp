#pragma once
// `wharf init`: a starter wharf.yaml written from what the source database
// holds. The text is built here, purely, from the tables found; the command
// (init_cmd.cpp) reads the catalog and writes the file.
#include <string>
#include <vector>

namespace wharf::cli {

struct InitTable {
  std::string schema, name;
  std::vector<std::string> key;  // primary key columns; empty: none
  char replica_identity = 'd';   // pg_class.relreplident
  bool replicable = false;       // pgoutput can identify its rows (TableInfo::ReplicableIdentity)
};

struct InitInput {
  std::string source_name;  // lowercase letters, digits, _
  std::string dsn;          // as written into the file (the password replaced by ${...} when there was one)
  std::string password_env; // the variable holding it; "" when the DSN had no password
  std::string generated_at;
  std::vector<InitTable> tables;
};

// The configuration text, with comments: every table found, its key or what
// it needs (REPLICA IDENTITY FULL), one include glob per schema.
std::string InitConfigText(const InitInput& input);
// A source name from a database name: lower case, [a-z0-9_], not starting with a digit, at most 40.
std::string SourceNameFor(const std::string& database);

}  // namespace wharf::cli
