#pragma once
// How wharf's log lines look (`--log-format`). Every line passes through
// core::RedactSecrets, whatever the format.
//
//   text      2026-12-05 10:00:00.123 info applied batch 42   (local time; for people at a
//   terminal;
//             a multi-line message such as an Error's "what to do" stays multi-line)
//   keyvalue  ts=2026-12-05T10:00:00.123Z level=info logger=capture msg="applied batch 42"
//   json      {"ts":"2026-12-05T10:00:00.123Z","level":"info","logger":"capture","msg":"applied
//   batch 42"}
//
// keyvalue (logfmt) and json are for log shippers (journald, Loki, Vector):
// exactly one line per event, times in UTC, a newline inside a message
// escaped as \n, logger= only for named loggers. Levels are trace, debug,
// info, warn, error, critical.
#include <spdlog/common.h>
#include <spdlog/formatter.h>

#include <memory>
#include <string_view>

namespace wharf::core {

enum class LogFormat { kText, kKeyValue, kJson };

// "text", "keyvalue" (or "logfmt"), "json"; anything else is a kConfig error
// listing the choices.
LogFormat ParseLogFormat(std::string_view name);
std::string_view LogFormatName(LogFormat format);

// The formatter behind SetupLogging, for a sink of one's own (tests).
std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format);

// Installs the format on spdlog's default logger and every registered
// (named) logger, and sets the level. Call once at start, before threads log.
void SetupLogging(LogFormat format, spdlog::level::level_enum level);

}  // namespace wharf::core
