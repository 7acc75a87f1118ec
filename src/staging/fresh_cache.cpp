#include "staging/fresh_cache.hpp"

#include <algorithm>

namespace wharf::staging {

FreshText::~FreshText() {
  if (cache_ && reserved_) cache_->Release(reserved_);
}

bool FreshText::Add(std::string_view line) {
  const bool newline = line.empty() || line.back() != '\n';
  const size_t size = line.size() + (newline ? 1 : 0);
  // A block never grows past what was reserved for it, so the account is the
  // memory: a line that does not fit starts the next block.
  if (blocks.empty() || blocks.back().size() + size > block_limit_) {
    const size_t block = std::max(kBlockBytes, size);
    if (cache_ && !cache_->Reserve(block)) return false;
    reserved_ += block;
    block_limit_ = block;
    blocks.emplace_back();
    blocks.back().reserve(block);
  }
  std::string& b = blocks.back();
  b += line;
  if (newline) b += '\n';
  ++rows;
  return true;
}

FreshCache::~FreshCache() {
  // The texts release their share into this cache as they go: before its members do.
  auto entries = std::move(entries_);
  entries.clear();
}

bool FreshCache::Reserve(size_t bytes) {
  std::lock_guard lock(mu_);
  if (used_ + bytes > budget_) return false;
  used_ += bytes;
  return true;
}

void FreshCache::Release(size_t bytes) {
  std::lock_guard lock(mu_);
  used_ -= std::min(used_, bytes);
}

void FreshCache::Offer(const std::string& path, std::shared_ptr<const FreshText> text) {
  if (!text) return;
  std::shared_ptr<const FreshText> replaced;  // released after the lock: its destructor takes it
  std::lock_guard lock(mu_);
  auto& slot = entries_[path];
  replaced = std::move(slot);
  slot = std::move(text);
}

std::shared_ptr<const FreshText> FreshCache::Take(const std::string& path) {
  std::shared_ptr<const FreshText> text;
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(path); it != entries_.end()) {
    text = std::move(it->second);
    entries_.erase(it);
  }
  return text;  // its share of the budget goes when the loader drops it
}

size_t FreshCache::used_bytes() const {
  std::lock_guard lock(mu_);
  return used_;
}

size_t FreshCache::kept() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace wharf::staging
