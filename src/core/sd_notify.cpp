#include "core/sd_notify.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace wharf::core {

namespace {

std::optional<uint64_t> ParsePositive(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  std::string_view s(text);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0) return std::nullopt;
  return value;
}

// Closes the descriptor on every path out of SdNotify.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool SdNotify(std::string_view state) {
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (env == nullptr || *env == '\0') return false;
  std::string_view path(env);
  if (path[0] != '/' && path[0] != '@') {
    spdlog::debug(
        "NOTIFY_SOCKET={} is neither a path nor an abstract socket: not notifying systemd", path);
    return false;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() > sizeof(addr.sun_path) - (path[0] == '/' ? 1 : 0)) {
    spdlog::debug("NOTIFY_SOCKET is longer than a socket path can be: not notifying systemd");
    return false;
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  // Abstract namespace: the name starts with a NUL byte and is exactly the
  // bytes given (no terminator), so the address length must not include more.
  if (path[0] == '@') addr.sun_path[0] = '\0';
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());

  Fd sock{::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (sock.fd < 0) {
    spdlog::debug("cannot open a socket to notify systemd: {}", std::strerror(errno));
    return false;
  }
  ssize_t sent = ::sendto(sock.fd, state.data(), state.size(), MSG_NOSIGNAL,
                          reinterpret_cast<sockaddr*>(&addr), len);
  if (sent != static_cast<ssize_t>(state.size())) {
    spdlog::debug("cannot notify systemd at {}: {}", path,
                  sent < 0 ? std::strerror(errno) : "short write");
    return false;
  }
  return true;
}

std::optional<std::chrono::microseconds> WatchdogInterval() {
  auto usec = ParsePositive(std::getenv("WATCHDOG_USEC"));
  if (!usec || *usec > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  const char* pid_text = std::getenv("WATCHDOG_PID");
  if (pid_text != nullptr && *pid_text != '\0') {
    auto pid = ParsePositive(pid_text);
    if (!pid || *pid != static_cast<uint64_t>(::getpid())) return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec));
}

}  // namespace wharf::core
