// Tests of core::SdNotify and core::WatchdogInterval against a real AF_UNIX
// datagram socket standing in for systemd: a path in /tmp and a name in the
// abstract namespace.
#include "core/sd_notify.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace wharf::core {
namespace {

// Sets or unsets an environment variable for one test and restores it.
class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvVar() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A bound datagram socket: what systemd listens on.
class Listener {
 public:
  // `name` starting with '@': abstract namespace; else a filesystem path.
  explicit Listener(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0) << std::strerror(errno);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    if (name_[0] == '@') addr.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size() +
                                      (name_[0] == '@' ? 0 : 1));
    if (name_[0] != '@') ::unlink(name_.c_str());
    int rc = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len);
    EXPECT_EQ(rc, 0) << name_ << ": " << std::strerror(errno);
  }
  ~Listener() {
    ::close(fd_);
    if (name_[0] != '@') ::unlink(name_.c_str());
  }
  // The next datagram, or nullopt after a deadline of 5 s.
  std::optional<std::string> Receive() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return std::nullopt;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }
  // True when nothing arrives within 100 ms.
  bool Quiet() {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 100) == 0;
  }

 private:
  std::string name_;
  int fd_ = -1;
};

std::string UniqueName(const char* prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "wharf-sdnotify-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

TEST(SdNotify, SendsToAPathSocket) {
  Listener decoy(UniqueName("/tmp/") + ".sock");
  std::string path = UniqueName("/tmp/");
  Listener real(path + ".sock");
  EnvVar env("NOTIFY_SOCKET", (path + ".sock").c_str());
  EXPECT_TRUE(SdNotify("READY=1"));
  EXPECT_EQ(real.Receive(), "READY=1");
  EXPECT_TRUE(SdNotify("STATUS=streaming shop: lag 184 bytes\nWATCHDOG=1"));
  EXPECT_EQ(real.Receive(), "STATUS=streaming shop: lag 184 bytes\nWATCHDOG=1");
  EXPECT_TRUE(SdNotify("WATCHDOG=1"));
  EXPECT_EQ(real.Receive(), "WATCHDOG=1");
  EXPECT_TRUE(decoy.Quiet());  // went to the socket named, not another
}

TEST(SdNotify, SendsToAnAbstractSocket) {
  std::string name = UniqueName("@");
  Listener systemd(name);
  EnvVar env("NOTIFY_SOCKET", name.c_str());
  EXPECT_TRUE(SdNotify("READY=1"));
  EXPECT_EQ(systemd.Receive(), "READY=1");
  EXPECT_TRUE(SdNotify("STOPPING=1"));
  EXPECT_EQ(systemd.Receive(), "STOPPING=1");
}

TEST(SdNotify, NoSocketIsANoOp) {
  {
    EnvVar env("NOTIFY_SOCKET", nullptr);
    EXPECT_FALSE(SdNotify("READY=1"));
  }
  {
    EnvVar env("NOTIFY_SOCKET", "");
    EXPECT_FALSE(SdNotify("READY=1"));
  }
  {
    EnvVar env("NOTIFY_SOCKET", "vsock:2:1234");  // not supported: no crash, no send
    EXPECT_FALSE(SdNotify("READY=1"));
  }
  {
    EnvVar env("NOTIFY_SOCKET", UniqueName("/tmp/nobody-listens-").c_str());
    EXPECT_FALSE(SdNotify("READY=1"));
  }
  {
    EnvVar env("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str());
    EXPECT_FALSE(SdNotify("READY=1"));
  }
}

TEST(WatchdogInterval, FromTheEnvironment) {
  std::string me = std::to_string(::getpid());
  {
    EnvVar usec("WATCHDOG_USEC", nullptr);
    EnvVar pid("WATCHDOG_PID", nullptr);
    EXPECT_EQ(WatchdogInterval(), std::nullopt);
  }
  {
    EnvVar usec("WATCHDOG_USEC", "30000000");
    EnvVar pid("WATCHDOG_PID", nullptr);
    EXPECT_EQ(WatchdogInterval(), std::chrono::seconds(30));
  }
  {
    EnvVar usec("WATCHDOG_USEC", "30000000");
    EnvVar pid("WATCHDOG_PID", me.c_str());
    EXPECT_EQ(WatchdogInterval(), std::chrono::seconds(30));
  }
  {
    EnvVar usec("WATCHDOG_USEC", "30000000");
    EnvVar pid("WATCHDOG_PID",
               std::to_string(::getpid() + 1).c_str());  // meant for another process
    EXPECT_EQ(WatchdogInterval(), std::nullopt);
  }
  for (const char* bad : {"", "0", "-5", "12abc", "abc", " 5", "99999999999999999999"}) {
    EnvVar usec("WATCHDOG_USEC", bad);
    EnvVar pid("WATCHDOG_PID", nullptr);
    EXPECT_EQ(WatchdogInterval(), std::nullopt) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace wharf::core
