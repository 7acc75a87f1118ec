#include "server/prometheus.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"

namespace wharf::server {

namespace {

// wharf's own metric names: lowercase, so dashboards never meet two
// spellings of one name, and prefixed so they never collide with an
// exporter's.
bool ValidMetricName(std::string_view name) {
  if (name.size() <= 6 || name.substr(0, 6) != "wharf_") return false;
  for (char c : name.substr(6))
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// Prometheus' label name rule; names starting with "__" are reserved for
// Prometheus itself.
bool ValidLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// HELP text escapes backslash and newline only (a quote is literal there).
std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderLabels(std::string_view metric, const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& [key, value] = labels[i];
    if (!ValidLabelName(key))
      Fail(ErrorKind::kInternal,
           "metric {}: label name '{}' is not [a-zA-Z_][a-zA-Z0-9_]* (or starts with __)", metric,
           key);
    for (size_t j = 0; j < i; ++j)
      if (labels[j].first == key)
        Fail(ErrorKind::kInternal, "metric {}: label '{}' given twice", metric, key);
    if (i > 0) out += ',';
    out += key;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Integers (counts, bytes, LSN distances) print as integers: "1e+06" is
  // valid for Prometheus but not for people and scripts reading /metrics.
  // Up to 1e18 (exabytes of WAL) "%.0f" stays short and reads back exactly.
  if (value == std::floor(value) && std::fabs(value) < 1e18) {
    if (value == 0) return "0";  // not "-0"
    return fmt::format("{:.0f}", value);
  }
  return fmt::format("{}", value);  // shortest form that reads back to the same double
}

void MetricsText::Gauge(std::string_view name, std::string_view help, const Labels& labels,
                        double value) {
  Add("gauge", name, help, labels, value);
}

void MetricsText::Counter(std::string_view name, std::string_view help, const Labels& labels,
                          double value) {
  Add("counter", name, help, labels, value);
}

void MetricsText::Add(const char* type, std::string_view name, std::string_view help,
                      const Labels& labels, double value) {
  if (!ValidMetricName(name))
    Fail(ErrorKind::kInternal,
         "metric name '{}' does not match wharf_[a-z0-9_]+: rename it in the code", name);
  std::string rendered = RenderLabels(name, labels);  // may throw: before anything is added
  auto [it, added] = index_.try_emplace(std::string(name), families_.size());
  if (added) {
    families_.push_back(Family{std::string(name), std::string(help), type, {}, {}});
  }
  Family& family = families_[it->second];
  if (std::string_view(family.type) != type)
    Fail(ErrorKind::kInternal, "metric {} added as both {} and {}: one name has one type", name,
         family.type, type);
  if (family.help != help)
    Fail(ErrorKind::kInternal, "metric {} added with two help texts ('{}' and '{}'): use one", name,
         family.help, help);
  if (!family.label_sets.insert(rendered).second)
    Fail(ErrorKind::kInternal,
         "metric {} has two samples with labels {}: Prometheus rejects the whole scrape", name,
         rendered.empty() ? "{}" : rendered);
  family.samples.push_back(fmt::format("{}{} {}", name, rendered, FormatSampleValue(value)));
}

std::string MetricsText::Text() const {
  std::string out;
  for (const Family& family : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, EscapeHelp(family.help),
                       family.name, family.type);
    for (const std::string& sample : family.samples) {
      out += sample;
      out += '\n';
    }
  }
  return out;
}

}  // namespace wharf::server
