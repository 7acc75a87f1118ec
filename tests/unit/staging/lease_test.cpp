#include "staging/lease.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"
#include "staging/local_store.hpp"
#include "unit/support/temp_dir.hpp"

namespace wharf::staging {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

bool NeverAlive(int64_t) { return false; }
bool AlwaysAlive(int64_t) { return true; }

TEST(LeaseRecord, RoundTripsAndRefusesGarbage) {
  auto me = LeaseRecord::Mine(LeaseRole::kCapture);
  EXPECT_EQ(me.pid, ::getpid());
  EXPECT_EQ(me.role, "capture");
  EXPECT_EQ(me.token.size(), 24u);
  auto back = LeaseRecord::Parse(me.ToJson());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->host, me.host);
  EXPECT_EQ(back->pid, me.pid);
  EXPECT_EQ(back->token, me.token);
  EXPECT_EQ(back->since, me.since);
  EXPECT_NE(me.token, LeaseRecord::Mine(LeaseRole::kCapture).token);
  EXPECT_FALSE(LeaseRecord::Parse(""));
  EXPECT_FALSE(LeaseRecord::Parse("{\"host\": 3}"));
  EXPECT_FALSE(LeaseRecord::Parse("[1]"));
  EXPECT_EQ(LeasePath("shop", LeaseRole::kLoad), "shop/lease/load");
}

TEST(LeaseTakeOver, OnlyExpiredGoneOrOwnLeasesAreTaken) {
  LeaseRecord me{"hostA", 100, "tok-me", "capture", ""};
  auto now = Clock::now();
  LeaseView other{{"hostB", 7, "tok-b", "capture", ""}, now - 10s, now};
  EXPECT_EQ(DecideTakeOver(other, me, 30s, NeverAlive), TakeOver::kRefuse);  // another host: pid unknown
  other.last_renewed = now - 30s;
  EXPECT_EQ(DecideTakeOver(other, me, 30s, AlwaysAlive), TakeOver::kExpired);
  LeaseView local{{"hostA", 7, "tok-7", "capture", ""}, now - 1s, now};
  EXPECT_EQ(DecideTakeOver(local, me, 30s, AlwaysAlive), TakeOver::kRefuse);
  EXPECT_EQ(DecideTakeOver(local, me, 30s, NeverAlive), TakeOver::kHolderGone);
  LeaseView mine{{"hostA", 100, "tok-me", "capture", ""}, now, now};
  EXPECT_EQ(DecideTakeOver(mine, me, 30s, AlwaysAlive), TakeOver::kOurs);
  // Our pid but another token (an earlier process with the same pid): not ours, alive.
  LeaseView reused{{"hostA", 100, "tok-old", "capture", ""}, now, now};
  EXPECT_EQ(DecideTakeOver(reused, me, 30s, AlwaysAlive), TakeOver::kRefuse);
  EXPECT_TRUE(ProcessAlive(::getpid()));
  EXPECT_FALSE(ProcessAlive(0));
}

TEST(LocalLease, SecondTakerIsRefusedWithTheHoldersNameUntilReleased) {
  test::TempDir dir;
  LocalStore store(dir.path());
  auto first = store.TakeLease(LeasePath("shop", LeaseRole::kCapture), LeaseRecord::Mine(LeaseRole::kCapture));
  EXPECT_FALSE(first->Lost());
  try {
    store.TakeLease(LeasePath("shop", LeaseRole::kCapture), LeaseRecord::Mine(LeaseRole::kCapture));
    FAIL() << "a second capture lease was granted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBusy);
    EXPECT_NE(e.message().find("pid " + std::to_string(::getpid())), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("shop/lease/capture"), std::string::npos) << e.message();
  }
  // The other role and another source are separate leases.
  auto load = store.TakeLease(LeasePath("shop", LeaseRole::kLoad), LeaseRecord::Mine(LeaseRole::kLoad));
  auto other = store.TakeLease(LeasePath("crm", LeaseRole::kCapture), LeaseRecord::Mine(LeaseRole::kCapture));
  first.reset();
  EXPECT_NO_THROW(store.TakeLease(LeasePath("shop", LeaseRole::kCapture), LeaseRecord::Mine(LeaseRole::kCapture)));
}

TEST(LocalLease, AKilledHoldersLeaseIsFreeAtOnce) {
  test::TempDir dir;
  LocalStore store(dir.path());
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lease = store.TakeLease(LeasePath("shop", LeaseRole::kCapture), LeaseRecord::Mine(LeaseRole::kCapture));
    char c = 'x';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  EXPECT_THROW(store.TakeLease(LeasePath("shop", LeaseRole::kCapture), LeaseRecord::Mine(LeaseRole::kCapture)),
               Error);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_NO_THROW(store.TakeLease(LeasePath("shop", LeaseRole::kCapture), LeaseRecord::Mine(LeaseRole::kCapture)));
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
}  // namespace wharf::staging
