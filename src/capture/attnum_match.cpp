#include "capture/attnum_match.hpp"

#include <map>

namespace wharf::capture {

void AssignAttnums(core::RelationSchema& relation, const std::vector<pg::Attribute>& attributes,
                   const core::RelationSchema* previous) {
  std::vector<const pg::Attribute*> cands;
  for (const auto& a : attributes)
    if (!a.generated) cands.push_back(&a);
  std::map<std::string, int32_t> known;
  if (previous) {
    for (const auto& c : previous->columns)
      if (c.attnum != 0) known[c.name] = c.attnum;
  }
  auto alive_from = [&](size_t j) {
    size_t n = 0;
    for (; j < cands.size(); ++j) n += cands[j]->dropped ? 0 : 1;
    return n;
  };
  size_t j = 0;
  const size_t n = relation.columns.size();
  for (size_t i = 0; i < n; ++i) {
    auto& col = relation.columns[i];
    col.attnum = 0;
    col.missing.reset();
    size_t pick = cands.size();
    if (auto it = known.find(col.name); it != known.end()) {
      // The attnum it had when last staged, if that attribute is still ahead of us.
      for (size_t k = j; k < cands.size(); ++k)
        if (cands[k]->attnum == it->second) pick = k;
    }
    if (pick == cands.size() && j < cands.size()) {
      if (!cands[j]->dropped) {
        pick = j;  // alive and at or below the message's columns: it must be this one
      } else {
        // A dropped attribute here was either dropped before the message (skip it) or after
        // (it is this column). The next live one settles it when it has this column's name;
        // otherwise, if fewer live attributes remain than columns, this one is the dropped one.
        size_t next_alive = j;
        while (next_alive < cands.size() && cands[next_alive]->dropped) ++next_alive;
        if (next_alive < cands.size() && cands[next_alive]->name == col.name) pick = next_alive;
        else if (alive_from(j) < n - i) pick = j;
        else pick = next_alive;
      }
    }
    if (pick >= cands.size()) continue;  // more columns than the catalog explains: by name
    col.attnum = cands[pick]->attnum;
    col.missing = cands[pick]->missing;
    j = pick + 1;
  }
}

}  // namespace wharf::capture
