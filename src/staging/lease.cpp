#include "staging/lease.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "staging/layout.hpp"

namespace wharf::staging {

const char* LeaseRoleName(LeaseRole role) { return role == LeaseRole::kCapture ? "capture" : "load"; }

std::string LeasePath(const std::string& source, LeaseRole role) {
  return EncodePathSegment(source) + "/lease/" + LeaseRoleName(role);
}

std::string LeaseRecord::ToJson() const {
  return nlohmann::json{{"host", host}, {"pid", pid}, {"token", token}, {"role", role}, {"since", since}}.dump();
}

std::optional<LeaseRecord> LeaseRecord::Parse(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("host") || !j.contains("pid")) return std::nullopt;
  try {
    LeaseRecord r;
    r.host = j.at("host").get<std::string>();
    r.pid = j.at("pid").get<int64_t>();
    r.token = j.value("token", "");
    r.role = j.value("role", "");
    r.since = j.value("since", "");
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

LeaseRecord LeaseRecord::Mine(LeaseRole role) {
  LeaseRecord r;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  r.host = host;
  r.pid = ::getpid();
  std::random_device rd;
  r.token = fmt::format("{:08x}{:08x}{:08x}", rd(), rd(), rd());
  r.role = LeaseRoleName(role);
  r.since = core::UtcNow("%Y-%m-%dT%H:%M:%SZ");
  return r;
}

std::string LeaseRecord::Describe() const {
  return fmt::format("pid {} on host {}{}", pid, host, since.empty() ? "" : " since " + since);
}

TakeOver DecideTakeOver(const LeaseView& view, const LeaseRecord& me, std::chrono::seconds ttl,
                        bool (*alive)(int64_t pid)) {
  if (!view.record.token.empty() && view.record.token == me.token) return TakeOver::kOurs;
  if (view.now - view.last_renewed >= ttl) return TakeOver::kExpired;
  if (view.record.host == me.host && view.record.pid != me.pid && !alive(view.record.pid)) {
    return TakeOver::kHolderGone;
  }
  return TakeOver::kRefuse;
}

bool ProcessAlive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::chrono::seconds LeaseTtl() {
  if (const char* v = std::getenv("WHARF_LEASE_TTL_S")) {
    long s = std::strtol(v, nullptr, 10);
    if (s > 0) return std::chrono::seconds(s);
  }
  return std::chrono::seconds(30);
}

std::string LeaseHeldMessage(const std::string& where, const std::string& role, const std::string& holder) {
  return fmt::format(
      "another wharf process is the {} of this source: {} is held by {}.\n"
      "  Only one process may {} a source's staged batches. Stop that process first (or let it "
      "finish), or give this one another staging.url; nothing was changed",
      role, where, holder, role == "load" ? "load" : "write");
}

}  // namespace wharf::staging
