#include "models/dbt/time_values.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace wharf::models::dbt {

using jinja::CallArgs;
using jinja::Dict;
using jinja::Value;

namespace {

Value TimeValue(const std::tm& tm, int micros, bool date_only) {
  std::string date = fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  std::string time = fmt::format("{:02}:{:02}:{:02}.{:06}", tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
  std::string printed = date_only ? date : date + " " + time;
  std::string iso = date_only ? date : date + "T" + time;
  Dict attrs{
      {"strftime", Value::MakeFunction("strftime", [tm](const CallArgs& args) {
         std::string format = args.positional.empty() ? "" : args.positional[0].Str();
         char buf[512];
         size_t n = std::strftime(buf, sizeof buf, format.c_str(), &tm);
         return Value(std::string(buf, n));
       })},
      {"isoformat", Value::MakeFunction("isoformat", [iso](const CallArgs&) { return Value(iso); })},
      {"date", Value::MakeFunction("date", [tm](const CallArgs&) { return TimeValue(tm, 0, true); })},
      {"year", Value(tm.tm_year + 1900)},
      {"month", Value(tm.tm_mon + 1)},
      {"day", Value(tm.tm_mday)},
  };
  if (!date_only) {
    attrs.Set("hour", Value(tm.tm_hour));
    attrs.Set("minute", Value(tm.tm_min));
    attrs.Set("second", Value(tm.tm_sec));
  }
  Value v = Value::MakeObject(std::move(attrs));
  v.AsObject().str = [printed] { return printed; };
  v.AsObject().type_name = date_only ? "date" : "datetime";
  return v;
}

}  // namespace

Value NowValue(bool date_only) {
  auto now = std::chrono::system_clock::now();
  int micros = static_cast<int>(
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000);
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return TimeValue(tm, date_only ? 0 : micros, date_only);
}

Value ModulesValue() {
  auto now = Value::MakeFunction("now", [](const CallArgs&) { return NowValue(false); });
  Value datetime = Value::MakeObject(Dict{{"now", now}, {"utcnow", now}});
  Value date = Value::MakeObject(Dict{{"today", Value::MakeFunction("today", [](const CallArgs&) { return NowValue(true); })}});
  return Value::MakeObject(Dict{{"datetime", Value::MakeObject(Dict{{"datetime", datetime}, {"date", date}})}});
}

}  // namespace wharf::models::dbt
