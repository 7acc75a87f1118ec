#include "validate/diff.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "core/error.hpp"

namespace wharf::validate {

__int128 ParseSum(std::string_view text) {
  if (text.empty()) return 0;
  const bool negative = text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 38) Fail(ErrorKind::kInternal, "not a sum of hashes: {}", text);
  __int128 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') Fail(ErrorKind::kInternal, "not a sum of hashes: {}", text);
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

void AddSums(ChunkSums& into, const ChunkSums& part) {
  for (const auto& [chunk, sum] : part) {
    auto& s = into[chunk];
    s.rows += sum.rows;
    s.hash_sum += sum.hash_sum;
  }
}

std::vector<size_t> DifferingChunks(const ChunkSums& source, const ChunkSums& warehouse) {
  std::set<size_t> out;
  for (const auto& [chunk, sum] : source) {
    auto it = warehouse.find(chunk);
    if (it == warehouse.end() || !(it->second == sum)) out.insert(chunk);
  }
  for (const auto& [chunk, sum] : warehouse)
    if (!source.count(chunk)) out.insert(chunk);
  return {out.begin(), out.end()};
}

std::string KeyText(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  return out;
}

namespace {

// Parts joined so that no two keys give the same string.
std::string MatchKey(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += std::to_string(p.size()) + ":" + p + "|";
  return out;
}

Difference Make(DiffKind kind, std::string key) {
  Difference d;
  d.kind = kind;
  d.key = std::move(key);
  return d;
}

}  // namespace

KeyDiff DiffKeys(const std::vector<KeyHash>& source, const std::vector<KeyHash>& warehouse, Lsn snapshot) {
  KeyDiff out;
  std::unordered_map<std::string, const KeyHash*> src;
  for (const auto& k : source) src.emplace(MatchKey(k.key), &k);
  std::unordered_map<std::string, size_t> seen;  // warehouse rows per key
  std::set<std::string> changed;                 // keys the warehouse changed after the snapshot
  for (const auto& w : warehouse) {
    std::string m = MatchKey(w.key);
    if (w.lsn && *w.lsn > snapshot.value()) changed.insert(m);
    ++seen[m];
  }
  out.changed_after_snapshot = changed.size();
  for (const auto& k : source) {
    std::string m = MatchKey(k.key);
    if (changed.count(m)) continue;
    if (!seen.count(m)) out.differences.push_back(Make(DiffKind::kMissing, KeyText(k.key)));
  }
  std::set<std::string> reported;
  for (const auto& w : warehouse) {
    std::string m = MatchKey(w.key);
    if (changed.count(m) || !reported.insert(m).second) continue;
    auto it = src.find(m);
    if (seen[m] > 1) {
      Difference d = Make(DiffKind::kExtra, KeyText(w.key));
      d.duplicate = true;
      d.copies = seen[m] - (it == src.end() ? 0 : 1);
      out.differences.push_back(d);
    } else if (it == src.end()) {
      out.differences.push_back(Make(DiffKind::kExtra, KeyText(w.key)));
    } else if (it->second->hash != w.hash) {
      out.differences.push_back(Make(DiffKind::kDifferent, KeyText(w.key)));
    }
  }
  return out;
}

std::vector<Difference> DiffMultiset(const std::vector<RowCount>& source, const std::vector<RowCount>& warehouse) {
  std::map<int64_t, std::pair<int64_t, const RowCount*>> net;  // hash -> (source - warehouse, a row)
  for (const auto& r : source) {
    auto& n = net[r.hash];
    n.first += static_cast<int64_t>(r.count);
    n.second = &r;
  }
  for (const auto& r : warehouse) {
    auto& n = net[r.hash];
    n.first -= static_cast<int64_t>(r.count);
    if (!n.second) n.second = &r;
  }
  std::vector<Difference> out;
  for (const auto& [hash, n] : net) {
    if (n.first == 0) continue;
    Difference d = Make(n.first > 0 ? DiffKind::kMissing : DiffKind::kExtra, KeyText(n.second->values));
    d.copies = static_cast<uint64_t>(n.first > 0 ? n.first : -n.first);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> DifferingColumns(const std::vector<std::string>& names,
                                          const std::vector<std::optional<std::string>>& source,
                                          const std::vector<std::optional<std::string>>& warehouse) {
  std::vector<std::string> out;
  for (size_t i = 0; i < names.size() && i < source.size() && i < warehouse.size(); ++i)
    if (source[i] != warehouse[i]) out.push_back(names[i]);
  return out;
}

void Count(TableResult& table, const std::vector<Difference>& differences, size_t sample_limit) {
  for (const auto& d : differences) {
    uint64_t& counter = d.kind == DiffKind::kMissing ? table.missing
                        : d.kind == DiffKind::kExtra ? table.extra
                                                     : table.different;
    counter += d.copies;
    if (table.differences.size() < sample_limit) table.differences.push_back(d);
  }
}

}  // namespace wharf::validate
