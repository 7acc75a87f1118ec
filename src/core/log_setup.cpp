#include "core/log_setup.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <string>

#include "core/error.hpp"
#include "core/redact.hpp"

namespace wharf::core {

namespace {

// Today's look (src/main.cpp before --log-format existed): local time, the
// level coloured on a terminal.
constexpr const char* kTextPattern = "%Y-%m-%d %H:%M:%S.%e %^%l%$ %v";

std::string_view View(spdlog::string_view_t s) { return {s.data(), s.size()}; }

void Append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

// Level names as log shippers expect them ("warn", not spdlog's "warning").
std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

// 2026-12-05T10:00:00.123Z: RFC 3339 in UTC, so lines from hosts in
// different zones sort and compare as they are.
void AppendUtcTime(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time) {
  using namespace std::chrono;
  auto since_epoch = time.time_since_epoch();
  auto secs = duration_cast<seconds>(since_epoch);
  auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
  if (millis < 0) {  // before 1970: keep the fraction positive
    secs -= seconds(1);
    millis += 1000;
  }
  std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  Append(dest, buf);
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one
// (a stray continuation byte, a truncated or overlong sequence, a surrogate).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  if (len == 2 && c < 0xC2) return 0;                          // overlong
  if (len == 3 && c == 0xE0 && byte(i + 1) < 0xA0) return 0;   // overlong
  if (len == 3 && c == 0xED && byte(i + 1) >= 0xA0) return 0;  // surrogate
  if (len == 4 &&
      (c > 0xF4 || (c == 0xF0 && byte(i + 1) < 0x90) || (c == 0xF4 && byte(i + 1) >= 0x90)))
    return 0;
  return len;
}

// The inside of a double-quoted string, JSON's escaping. Also used for
// logfmt values, whose readers (Go's strconv.Unquote, Loki) accept it. Bytes
// that are not UTF-8 (a raw value in an error message) become U+FFFD, so the
// line stays valid JSON.
void AppendQuoted(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.push_back('"');
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '"':
        Append(dest, "\\\"");
        ++i;
        continue;
      case '\\':
        Append(dest, "\\\\");
        ++i;
        continue;
      case '\n':
        Append(dest, "\\n");
        ++i;
        continue;
      case '\r':
        Append(dest, "\\r");
        ++i;
        continue;
      case '\t':
        Append(dest, "\\t");
        ++i;
        continue;
      default:
        break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      Append(dest, buf);
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      Append(dest, "\\ufffd");
      ++i;
      continue;
    }
    Append(dest, s.substr(i, len));
    i += len;
  }
  dest.push_back('"');
}

// logfmt writes a value bare when it can be read back bare.
void AppendLogfmtValue(spdlog::memory_buf_t& dest, std::string_view s) {
  bool bare = !s.empty();
  for (char c : s)
    if (static_cast<unsigned char>(c) <= ' ' || c == '=' || c == '"' || c == '\\' ||
        static_cast<unsigned char>(c) >= 0x7F)
      bare = false;
  if (bare) {
    Append(dest, s);
  } else {
    AppendQuoted(dest, s);
  }
}

class EventFormatter final : public spdlog::formatter {
 public:
  explicit EventFormatter(LogFormat format) : format_(format) {
    if (format_ == LogFormat::kText)
      text_ = std::make_unique<spdlog::pattern_formatter>(kTextPattern);
  }

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string message = RedactSecrets(View(msg.payload));
    if (format_ == LogFormat::kText) {
      spdlog::details::log_msg redacted = msg;
      redacted.payload = spdlog::string_view_t(message.data(), message.size());
      text_->format(redacted, dest);
      // A colour sink reads where the level sits from the message it passed in.
      msg.color_range_start = redacted.color_range_start;
      msg.color_range_end = redacted.color_range_end;
      return;
    }
    std::string_view logger = View(msg.logger_name);
    if (format_ == LogFormat::kKeyValue) {
      Append(dest, "ts=");
      AppendUtcTime(dest, msg.time);
      Append(dest, " level=");
      Append(dest, LevelName(msg.level));
      if (!logger.empty()) {
        Append(dest, " logger=");
        AppendLogfmtValue(dest, logger);
      }
      Append(dest, " msg=");
      AppendQuoted(dest, message);
    } else {
      Append(dest, "{\"ts\":\"");
      AppendUtcTime(dest, msg.time);
      Append(dest, "\",\"level\":\"");
      Append(dest, LevelName(msg.level));
      Append(dest, "\"");
      if (!logger.empty()) {
        Append(dest, ",\"logger\":");
        AppendQuoted(dest, logger);
      }
      Append(dest, ",\"msg\":");
      AppendQuoted(dest, message);
      dest.push_back('}');
    }
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<EventFormatter>(format_);
  }

 private:
  LogFormat format_;
  std::unique_ptr<spdlog::pattern_formatter> text_;  // kText only
};

}  // namespace

LogFormat ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "keyvalue" || name == "logfmt") return LogFormat::kKeyValue;
  if (name == "json") return LogFormat::kJson;
  Fail(ErrorKind::kConfig,
       "unknown log format '{}': choose text (for a terminal), keyvalue (logfmt: key=value, one "
       "line per event) "
       "or json (one JSON object per line)",
       name);
}

std::string_view LogFormatName(LogFormat format) {
  switch (format) {
    case LogFormat::kText:
      return "text";
    case LogFormat::kKeyValue:
      return "keyvalue";
    case LogFormat::kJson:
      return "json";
  }
  return "text";
}

std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format) {
  return std::make_unique<EventFormatter>(format);
}

void SetupLogging(LogFormat format, spdlog::level::level_enum level) {
  // spdlog::set_formatter gives every registered logger (the default one and
  // any named one) a clone, and so do spdlog's factories (stdout_color_mt...)
  // for loggers made later.
  spdlog::set_formatter(MakeLogFormatter(format));
  spdlog::set_level(level);
}

}  // namespace wharf::core
