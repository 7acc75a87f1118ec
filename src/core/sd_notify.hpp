#pragma once
// systemd's service notification protocol, without linking libsystemd
// (sd_notify(3)): a datagram of newline-separated KEY=VALUE assignments sent
// to the AF_UNIX socket named by $NOTIFY_SOCKET, which systemd sets for a
// Type=notify service. A path ("/run/systemd/notify") or, with a leading
// '@', a name in the abstract namespace.
//
//   READY=1          start-up finished (Type=notify waits for it)
//   STATUS=...       one line shown by `systemctl status`
//   WATCHDOG=1       liveness ping; needed at least every WatchdogInterval()
//   STOPPING=1       shutdown began
//   RELOADING=1, MAINPID=..., EXTEND_TIMEOUT_USEC=... (not used by wharf today)
#include <chrono>
#include <optional>
#include <string_view>

namespace wharf::core {

// Sends `state` to $NOTIFY_SOCKET. False (and nothing sent) when the variable
// is unset or empty (not run by systemd), names an unsupported socket kind
// (vsock:), or sending failed; notification is best effort and must never
// stop wharf. Thread-safe (one short-lived socket per call).
bool SdNotify(std::string_view state);

// How often systemd expects WATCHDOG=1 (WatchdogSec= in the unit), from
// $WATCHDOG_USEC; nullopt when unset, not a positive integer, or when
// $WATCHDOG_PID is set and names another process (the variables were meant
// for a parent or child). Ping at half this interval, as sd_watchdog_enabled(3)
// advises.
std::optional<std::chrono::microseconds> WatchdogInterval();

}  // namespace wharf::core
