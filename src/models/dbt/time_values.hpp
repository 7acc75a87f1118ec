#pragma once
// Python's datetime as far as dbt templates use it: run_started_at, and
// modules.datetime.datetime.now()/utcnow(), modules.datetime.date.today(),
// each with strftime(), isoformat(), date(), year, month, day, hour, minute,
// second, printing as Python prints them. Times are UTC.
#include "models/jinja/value.hpp"

namespace wharf::models::dbt {

jinja::Value NowValue(bool date_only);
// `modules`: {datetime: {datetime: {now, utcnow}, date: {today}}}.
jinja::Value ModulesValue();

}  // namespace wharf::models::dbt
