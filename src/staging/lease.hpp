#pragma once
// One writer per source and staging prefix (DESIGN.md "One writer").
//
// Two processes capturing one source into one prefix would each recover the
// staged log at start (deleting files no manifest names yet: the other's
// open batch) and number batches on top of each other. Two loaders would race
// on retention. So before touching a staged file, a process takes its role's
// lease for the source:
//   <source>/lease/capture   held by wharf run and wharf capture
//   <source>/lease/load      held by wharf run, wharf load and wharf replay
// A split pipeline (wharf capture + wharf load) holds one each.
//
// The record inside names the holder (host, pid, since) so the process that
// is refused can say who to stop. How the lease is held is the store's
// business (ObjectStore::TakeLease): an flock on a local file, which the
// kernel releases when the holder dies however it dies; on S3 an object
// written with a conditional PUT, renewed every ttl/3 by its holder and taken
// over only once it has not been renewed for ttl, or at once when its holder
// is a process of this host that no longer exists.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace wharf::staging {

enum class LeaseRole { kCapture, kLoad };
const char* LeaseRoleName(LeaseRole role);
std::string LeasePath(const std::string& source, LeaseRole role);

struct LeaseRecord {
  std::string host;
  int64_t pid = 0;
  std::string token;  // random per taking: tells our own record from another's
  std::string role;
  std::string since;  // ISO time the lease was taken, for messages

  std::string ToJson() const;
  // nullopt for anything that is not a lease record (damaged, empty).
  static std::optional<LeaseRecord> Parse(const std::string& json);
  // A record for this process: host name, pid, a fresh random token.
  static LeaseRecord Mine(LeaseRole role);
  // "pid 123 on host db1 since 2026-12-05T05:00:00Z"
  std::string Describe() const;
};

// A held lease; released when destroyed.
class Lease {
 public:
  virtual ~Lease() = default;
  // True once the store says another process took the lease over (S3: not
  // renewed for ttl). The holder must stop writing: its files may be
  // recovered away by the new holder.
  virtual bool Lost() const = 0;
};

// Pure rules of taking an existing S3 lease over, given the server's clock.
struct LeaseView {
  LeaseRecord record;
  std::chrono::system_clock::time_point last_renewed;  // the object's Last-Modified
  std::chrono::system_clock::time_point now;           // the server's Date
};
enum class TakeOver { kRefuse, kExpired, kHolderGone, kOurs };
// `alive(pid)` tells whether a process of this host exists.
TakeOver DecideTakeOver(const LeaseView& view, const LeaseRecord& me, std::chrono::seconds ttl,
                        bool (*alive)(int64_t pid));
bool ProcessAlive(int64_t pid);

// How long an S3 lease lives without renewal: 30 s, or WHARF_LEASE_TTL_S
// (a hidden knob for tests).
std::chrono::seconds LeaseTtl();

// "... is held by pid 123 on host db1 since ...: stop that process first ..."
std::string LeaseHeldMessage(const std::string& where, const std::string& role, const std::string& holder);

}  // namespace wharf::staging
