#include "staging/fresh_cache.hpp"

#include <algorithm>
#include <chrono>

#include "core/error.hpp"

namespace wharf::staging {

namespace {
// How often a waiting reader asks the cache whether to give up: a stop
// signal is noticed within this.
constexpr auto kWaitSlice = std::chrono::milliseconds(50);
}  // namespace

FreshText::~FreshText() {
  if (cache_ && reserved_) cache_->Release(reserved_);
}

bool FreshText::Add(std::string_view line) {
  const bool newline = line.empty() || line.back() != '\n';
  const size_t size = line.size() + (newline ? 1 : 0);
  // A block never grows past what was reserved for it, so the account is the
  // memory: a line that does not fit starts the next block.
  if (!current_ || current_->size() + size > block_limit_) {
    const size_t block = std::max(kBlockBytes, size);
    if (cache_ && !cache_->Reserve(block)) return false;
    reserved_ += block;
    block_limit_ = block;
    std::string next;
    next.reserve(block);
    std::lock_guard lock(mu_);
    if (current_) {
      // The block just filled is whole: readers may have it.
      complete_ = blocks_.size();
      rows_public_ = rows_written_;
      changed_.notify_all();
    }
    current_ = &blocks_.emplace_back(std::move(next));
  }
  *current_ += line;
  if (newline) *current_ += '\n';
  ++rows_written_;
  return true;
}

void FreshText::Publish(State state) {
  std::lock_guard lock(mu_);
  if (state_ == State::kAbandoned || state_ == State::kCommitted) return;
  if (state != State::kAbandoned) {
    complete_ = blocks_.size();
    rows_public_ = rows_written_;
  }
  state_ = state;
  changed_.notify_all();
}

void FreshText::Seal() { Publish(State::kSealed); }

void FreshText::Abandon() { Publish(State::kAbandoned); }

void FreshText::MarkCommitted() { Publish(State::kCommitted); }

template <typename Ready>
void FreshText::Wait(std::unique_lock<std::mutex>& lock, Ready ready) const {
  while (!ready()) {
    if (cache_ && cache_->cancelled()) {
      Fail(ErrorKind::kStaging, "stopped waiting for the rows of a file being staged: wharf is stopping");
    }
    changed_.wait_for(lock, kWaitSlice);
  }
}

std::optional<std::string_view> FreshText::Block(size_t i) const {
  std::unique_lock lock(mu_);
  Wait(lock, [&] { return i < complete_ || state_ != State::kWriting; });
  if (state_ == State::kAbandoned) {
    Fail(ErrorKind::kStaging, "the rows of a file being staged were abandoned by their writer");
  }
  if (i >= complete_) return std::nullopt;
  return std::string_view(blocks_[i]);
}

bool FreshText::WaitRows(uint64_t rows) const {
  std::unique_lock lock(mu_);
  Wait(lock, [&] { return rows_public_ >= rows || state_ != State::kWriting; });
  return rows_public_ >= rows && state_ != State::kAbandoned;
}

bool FreshText::WaitCommitted() const {
  std::unique_lock lock(mu_);
  Wait(lock, [&] { return state_ == State::kCommitted || state_ == State::kAbandoned; });
  return state_ == State::kCommitted;
}

uint64_t FreshText::rows() const {
  std::lock_guard lock(mu_);
  return rows_public_;
}

size_t FreshText::blocks() const {
  std::lock_guard lock(mu_);
  return complete_;
}

FreshText::State FreshText::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

FreshCache::~FreshCache() {
  // The texts release their share into this cache as they go: before its members do.
  auto entries = std::move(entries_);
  entries.clear();
  auto streams = std::move(streams_);
  streams.clear();
}

void FreshCache::SetHooks(std::function<void()> on_announce, std::function<bool()> cancelled) {
  on_announce_ = std::move(on_announce);
  cancelled_ = std::move(cancelled);
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

void FreshCache::Offer(const std::string& path, std::shared_ptr<FreshText> text) {
  if (!text) return;
  std::shared_ptr<const FreshText> replaced;  // released after the lock: its destructor takes it
  {
    std::lock_guard lock(mu_);
    auto& slot = entries_[path];
    replaced = std::move(slot);
    slot = text;
  }
  // Only once it is in the cache: a loader that streamed it, woken by this,
  // takes it from there to free it.
  text->MarkCommitted();
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

void FreshCache::Announce(FreshStream stream) {
  {
    std::lock_guard lock(mu_);
    streams_.try_emplace({stream.source, stream.seq}, std::move(stream));
  }
  if (on_announce_) on_announce_();
}

std::optional<FreshStream> FreshCache::TakeStream(const std::string& source, uint64_t seq) {
  std::lock_guard lock(mu_);
  auto it = streams_.find({source, seq});
  if (it == streams_.end()) return std::nullopt;
  FreshStream s = std::move(it->second);
  streams_.erase(it);
  return s;
}

size_t FreshCache::used_bytes() const {
  std::lock_guard lock(mu_);
  return used_;
}

size_t FreshCache::kept() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

size_t FreshCache::announced() const {
  std::lock_guard lock(mu_);
  return streams_.size();
}

}  // namespace wharf::staging
