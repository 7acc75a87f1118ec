// S3Store::TakeLease: a lease object written with conditional PUTs (AWS S3
// enforces If-None-Match and If-Match on PutObject since 2024), so of two
// processes racing for it exactly one wins, and the holder's renewal fails
// the moment someone else took it over.
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "staging/s3/s3_store.hpp"

namespace wharf::staging::s3 {

namespace {

using Clock = std::chrono::system_clock;

// An HTTP date ("Sat, 05 Dec 2026 05:00:00 GMT"); nullopt if unreadable.
std::optional<Clock::time_point> ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end) return std::nullopt;
  return Clock::from_time_t(timegm(&tm));
}

class S3Lease : public Lease {
 public:
  // `client` must outlive the lease (the store owns both).
  S3Lease(Client& client, std::string key, std::string etag, std::string body, std::chrono::seconds ttl)
      : client_(client), key_(std::move(key)), etag_(std::move(etag)), body_(std::move(body)), ttl_(ttl) {
    renewer_ = std::thread([this] { Renew(); });
  }
  ~S3Lease() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    renewer_.join();
    if (lost_) return;
    // Released on a clean exit, so the next process need not wait for ttl.
    // Only our own record is removed: renewal just proved it was ours, and
    // nobody may take a lease over before it expires.
    try {
      auto r = client_.Send({"GET", key_, {}, {}, {}}, {404});
      if (r.status != 404 && r.Header("etag") == etag_) client_.Send({"DELETE", key_, {}, {}, {}}, {404});
    } catch (const std::exception& e) {
      spdlog::warn("staging: could not release the lease {}: {}; the next process takes it over after {} s",
                   client_.Where(key_), e.what(), ttl_.count());
    }
  }
  S3Lease(const S3Lease&) = delete;
  S3Lease& operator=(const S3Lease&) = delete;

  bool Lost() const override { return lost_; }

 private:
  void Renew() {
    auto last_renewed = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, ttl_ / 3, [&] { return stop_; });
      if (stop_) break;
      lock.unlock();
      try {
        auto r = client_.Send({"PUT", key_, {}, {{"if-match", etag_}}, body_}, {404, 412});
        if (r.status == 404 || r.status == 412) {
          spdlog::error("staging: the lease {} was taken over by another process (not renewed for {} s); "
                        "this process stops writing",
                        client_.Where(key_), ttl_.count());
          lost_ = true;
          return;
        }
        etag_ = r.Header("etag");
        last_renewed = std::chrono::steady_clock::now();
      } catch (const std::exception& e) {
        spdlog::warn("staging: renewing the lease {} failed: {}", client_.Where(key_), e.what());
        if (std::chrono::steady_clock::now() - last_renewed >= ttl_) {
          spdlog::error("staging: the lease {} was not renewed for {} s: another process may take it over; "
                        "this process stops writing",
                        client_.Where(key_), ttl_.count());
          lost_ = true;
          return;
        }
      }
      lock.lock();
    }
  }

  Client& client_;
  std::string key_;
  std::string etag_;  // of our last write; only the renewer thread changes it once running
  std::string body_;
  std::chrono::seconds ttl_;
  std::atomic<bool> lost_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread renewer_;
};

}  // namespace

std::unique_ptr<Lease> S3Store::TakeLease(const std::string& path, const LeaseRecord& me) {
  const std::string key = Key(path);
  const std::string body = me.ToJson();
  const auto ttl = LeaseTtl();
  // A few rounds: the holder may release or renew between our PUT and GET.
  for (int round = 0; round < 5; ++round) {
    auto put = client_->Send({"PUT", key, {}, {{"if-none-match", "*"}}, body}, {412});
    if (put.status != 412) return std::make_unique<S3Lease>(*client_, key, put.Header("etag"), body, ttl);
    auto got = client_->Send({"GET", key, {}, {}, {}}, {404});
    if (got.status == 404) continue;  // released in between
    auto record = LeaseRecord::Parse(got.body);
    auto now = ParseHttpDate(got.Header("date")).value_or(Clock::now());
    auto renewed = ParseHttpDate(got.Header("last-modified")).value_or(now);
    TakeOver decision = TakeOver::kExpired;  // an unreadable record is nobody's
    if (record) decision = DecideTakeOver({*record, renewed, now}, me, ttl, ProcessAlive);
    if (decision == TakeOver::kRefuse) {
      auto left = std::chrono::duration_cast<std::chrono::seconds>(ttl - (now - renewed)).count();
      Fail(ErrorKind::kBusy, "{}\n  If that process is gone, its lease expires {} s after its last renewal ({} s from now)",
           LeaseHeldMessage(client_->Where(key), me.role, record->Describe()), ttl.count(), left);
    }
    if (record && decision != TakeOver::kOurs) {
      spdlog::warn("staging: taking over the lease {} from {}: {}", client_->Where(key), record->Describe(),
                   decision == TakeOver::kExpired ? "not renewed for " + std::to_string(ttl.count()) + " s"
                                                  : "that process no longer exists");
    }
    auto take = client_->Send({"PUT", key, {}, {{"if-match", got.Header("etag")}}, body}, {404, 412});
    if (take.status == 200) return std::make_unique<S3Lease>(*client_, key, take.Header("etag"), body, ttl);
    // Someone else was quicker: look again.
  }
  Fail(ErrorKind::kBusy, "could not take the lease {}: other processes keep taking it; stop them first",
       client_->Where(key));
}

}  // namespace wharf::staging::s3
