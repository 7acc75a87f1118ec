#pragma once
// Prometheus text exposition format 0.0.4 (what `GET /metrics` serves):
//
//   # HELP wharf_lag_bytes WAL bytes between the source and the last applied batch.
//   # TYPE wharf_lag_bytes gauge
//   wharf_lag_bytes{source="shop"} 184
//
// A family (one metric name) gets one HELP and one TYPE line and all its
// samples together, even when its samples are added in several calls and
// interleaved with other families; Prometheus rejects a scrape that repeats
// a TYPE line or splits a family. Families keep the order they were first
// added in. Misuse (a name outside wharf_[a-z0-9_]+, one name as gauge and
// counter, two samples with the same labels) is a bug in wharf: kInternal.
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace wharf::server {

// The Content-Type for a reply carrying MetricsText::Text().
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Label name and value, in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricsText {
 public:
  // A value that can go up and down (lag, rows, a phase as 0/1).
  void Gauge(std::string_view name, std::string_view help, const Labels& labels, double value);
  // A value that only goes up while the process runs (changes applied);
  // by convention its name ends in _total.
  void Counter(std::string_view name, std::string_view help, const Labels& labels, double value);

  // The exposition: every family, each ending in a newline.
  std::string Text() const;

 private:
  struct Family {
    std::string name;
    std::string help;
    const char* type;
    std::vector<std::string> samples;  // "name{labels} value"
    std::unordered_set<std::string>
        label_sets;  // rendered "{...}" of each sample: refuses duplicates
  };
  void Add(const char* type, std::string_view name, std::string_view help, const Labels& labels,
           double value);

  std::vector<Family> families_;
  std::unordered_map<std::string, size_t> index_;  // name -> families_ position
};

// Helpers of the format, exposed for tests and for other writers.
// `a\"b\\c\nd`: backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);
// A sample value as Prometheus parses it: integers without exponent or
// fraction ("1000", "-3"), other finite values in shortest round-trip form
// ("0.8", "1.5e+300"), and "NaN", "+Inf", "-Inf".
std::string FormatSampleValue(double value);

}  // namespace wharf::server
