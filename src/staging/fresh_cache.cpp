#include "staging/fresh_cache.hpp"

namespace wharf::staging {

void FreshText::Add(std::string_view line) {
  if (blocks.empty() || blocks.back().size() >= kBlockBytes) {
    blocks.emplace_back();
    blocks.back().reserve(kBlockBytes + 256);
  }
  std::string& b = blocks.back();
  const size_t before = b.size();
  b += line;
  if (line.empty() || line.back() != '\n') b += '\n';
  bytes += b.size() - before;
  ++rows;
}

void FreshCache::Offer(const std::string& path, std::shared_ptr<const FreshText> text) {
  if (!text || text->bytes > budget_) return;
  std::lock_guard lock(mu_);
  while (!entries_.empty() && held_ + text->bytes > budget_) {
    held_ -= entries_.front().second->bytes;
    entries_.pop_front();
  }
  held_ += text->bytes;
  entries_.emplace_back(path, std::move(text));
}

std::shared_ptr<const FreshText> FreshCache::Take(const std::string& path) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first != path) continue;
    auto text = std::move(it->second);
    held_ -= text->bytes;
    entries_.erase(it);
    return text;
  }
  return nullptr;
}

size_t FreshCache::held_bytes() const {
  std::lock_guard lock(mu_);
  return held_;
}

}  // namespace wharf::staging
