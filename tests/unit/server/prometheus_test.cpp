// Tests of server::MetricsText: the text is checked line by line against the
// rules of Prometheus' text format 0.0.4 (the ones its parser enforces) by a
// small parser here, and what that parser reads back must equal what was
// written.
#include "server/prometheus.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace wharf::server {
namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};
struct Parsed {
  std::map<std::string, std::string> help;  // unescaped
  std::map<std::string, std::string> type;
  std::vector<Sample> samples;
};

// Go's strconv.ParseFloat, as far as Prometheus exposition uses it.
double ParseValue(const std::string& text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  static const std::regex number(R"([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)");
  if (!std::regex_match(text, number)) throw std::runtime_error("not a float: '" + text + "'");
  return std::strtod(text.c_str(), nullptr);  // stod throws on subnormals; Go parses them
}

// Parses the exposition and enforces the format's rules; throws on the first
// violation with the offending line.
Parsed ParseExposition(const std::string& text) {
  Parsed out;
  if (!text.empty() && text.back() != '\n')
    throw std::runtime_error("text does not end in a newline");
  static const std::regex name_re(R"([a-zA-Z_:][a-zA-Z0-9_:]*)");
  static const std::regex type_re(R"(counter|gauge|histogram|summary|untyped)");
  std::set<std::string> finished;  // families whose samples are over: they may not come back
  std::set<std::string> series;
  std::string current;
  std::istringstream in(text);
  std::string line;
  auto enter = [&](const std::string& name) {
    if (name == current) return;
    if (finished.count(name)) throw std::runtime_error("family " + name + " split: " + line);
    if (!current.empty()) finished.insert(current);
    current = name;
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# ", 0) == 0) {
      std::istringstream words(line.substr(2));
      std::string kind, name;
      words >> kind >> name;
      if (kind != "HELP" && kind != "TYPE") continue;  // a plain comment
      if (!std::regex_match(name, name_re)) throw std::runtime_error("bad name: " + line);
      std::string rest = line.substr(2 + kind.size() + 1 + name.size());
      if (!rest.empty()) rest = rest.substr(1);
      enter(name);
      if (kind == "HELP") {
        if (out.help.count(name)) throw std::runtime_error("second HELP: " + line);
        std::string help;
        for (size_t i = 0; i < rest.size(); ++i) {
          if (rest[i] != '\\') {
            help += rest[i];
            continue;
          }
          if (++i == rest.size()) throw std::runtime_error("dangling backslash: " + line);
          if (rest[i] == '\\')
            help += '\\';
          else if (rest[i] == 'n')
            help += '\n';
          else
            throw std::runtime_error("bad escape in HELP: " + line);
        }
        out.help[name] = help;
      } else {
        if (out.type.count(name)) throw std::runtime_error("second TYPE: " + line);
        for (const auto& s : out.samples)
          if (s.name == name) throw std::runtime_error("TYPE after samples: " + line);
        if (!std::regex_match(rest, type_re)) throw std::runtime_error("bad type: " + line);
        out.type[name] = rest;
      }
      continue;
    }
    Sample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!std::regex_match(s.name, name_re)) throw std::runtime_error("bad sample name: " + line);
    std::string series_key = s.name;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        size_t eq = line.find('=', i);
        if (eq == std::string::npos) throw std::runtime_error("label without '=': " + line);
        std::string key = line.substr(i, eq - i);
        if (!std::regex_match(key, std::regex("[a-zA-Z_][a-zA-Z0-9_]*")))
          throw std::runtime_error("bad label name: " + line);
        i = eq + 1;
        if (i >= line.size() || line[i] != '"')
          throw std::runtime_error("label value not quoted: " + line);
        std::string value;
        for (++i;; ++i) {
          if (i >= line.size()) throw std::runtime_error("unterminated label value: " + line);
          char c = line[i];
          if (c == '"') break;
          if (c != '\\') {
            value += c;
            continue;
          }
          if (++i >= line.size()) throw std::runtime_error("dangling backslash: " + line);
          if (line[i] == '\\')
            value += '\\';
          else if (line[i] == '"')
            value += '"';
          else if (line[i] == 'n')
            value += '\n';
          else
            throw std::runtime_error("bad escape in label value: " + line);
        }
        ++i;
        if (!s.labels.emplace(key, value).second) throw std::runtime_error("label twice: " + line);
        series_key += "|" + key + "=" + value;
        if (i < line.size() && line[i] == ',') ++i;
      }
    }
    if (i >= line.size() || line[i] != ' ')
      throw std::runtime_error("no space before value: " + line);
    std::string value_text = line.substr(i + 1);
    if (value_text.find(' ') != std::string::npos)
      throw std::runtime_error("timestamp not expected: " + line);
    s.value = ParseValue(value_text);
    enter(s.name);
    if (!series.insert(series_key).second) throw std::runtime_error("duplicate series: " + line);
    out.samples.push_back(s);
  }
  return out;
}

TEST(Prometheus, FamiliesAreGroupedAcrossCalls) {
  MetricsText m;
  m.Gauge("wharf_lag_bytes", "WAL bytes not yet applied.", {{"source", "shop"}}, 184);
  m.Counter("wharf_changes_applied_total", "Changes applied.", {{"source", "shop"}}, 1000);
  m.Gauge("wharf_lag_bytes", "WAL bytes not yet applied.", {{"source", "crm"}}, 0);
  m.Gauge("wharf_up", "1 while running.", {}, 1);
  m.Counter("wharf_changes_applied_total", "Changes applied.", {{"source", "crm"}}, 7);
  EXPECT_EQ(m.Text(),
            "# HELP wharf_lag_bytes WAL bytes not yet applied.\n"
            "# TYPE wharf_lag_bytes gauge\n"
            "wharf_lag_bytes{source=\"shop\"} 184\n"
            "wharf_lag_bytes{source=\"crm\"} 0\n"
            "# HELP wharf_changes_applied_total Changes applied.\n"
            "# TYPE wharf_changes_applied_total counter\n"
            "wharf_changes_applied_total{source=\"shop\"} 1000\n"
            "wharf_changes_applied_total{source=\"crm\"} 7\n"
            "# HELP wharf_up 1 while running.\n"
            "# TYPE wharf_up gauge\n"
            "wharf_up 1\n");
  Parsed p = ParseExposition(m.Text());
  EXPECT_EQ(p.type["wharf_lag_bytes"], "gauge");
  EXPECT_EQ(p.type["wharf_changes_applied_total"], "counter");
  EXPECT_EQ(p.samples.size(), 5u);
}

TEST(Prometheus, LabelValuesAndHelpAreEscapedAndReadBack) {
  const std::string nasty = "a\\b\"c\nd{e}=f,g h";
  MetricsText m;
  m.Gauge("wharf_table_rows", "Rows in \"the\" warehouse\nper table \\ source.",
          {{"source", "shop"}, {"table", nasty}}, 12);
  m.Gauge("wharf_table_rows", "Rows in \"the\" warehouse\nper table \\ source.",
          {{"source", "shop"}, {"table", "public.orders"}}, 3);
  std::string text = m.Text();
  EXPECT_NE(text.find("table=\"a\\\\b\\\"c\\nd{e}=f,g h\""), std::string::npos) << text;
  // One line per sample: the newline inside the value never reaches the text.
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 4u);
  Parsed p = ParseExposition(text);
  EXPECT_EQ(p.help["wharf_table_rows"], "Rows in \"the\" warehouse\nper table \\ source.");
  ASSERT_EQ(p.samples.size(), 2u);
  EXPECT_EQ(p.samples[0].labels["table"], nasty);
  EXPECT_EQ(p.samples[0].labels["source"], "shop");
  EXPECT_EQ(p.samples[0].value, 12);
  EXPECT_EQ(p.samples[1].labels["table"], "public.orders");
}

TEST(Prometheus, ValuesAreWhatPrometheusParses) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(-0.0), "0");
  EXPECT_EQ(FormatSampleValue(1000000), "1000000");
  EXPECT_EQ(FormatSampleValue(123456789012345.0), "123456789012345");
  EXPECT_EQ(FormatSampleValue(-42), "-42");
  EXPECT_EQ(FormatSampleValue(0.8), "0.8");
  EXPECT_EQ(FormatSampleValue(52.3), "52.3");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  // Integers never use an exponent; other values read back exactly.
  for (double v : {1e6, 4294967296.0, 9007199254740993.0, 1e17}) {
    std::string s = FormatSampleValue(v);
    EXPECT_EQ(s.find_first_of("eE."), std::string::npos) << s;
    EXPECT_EQ(ParseValue(s), v) << s;
  }
  for (double v : {0.1 + 0.2, 1e-9, 1.5e300, -2.5, 1e20, 3.0e-320}) {
    EXPECT_EQ(ParseValue(FormatSampleValue(v)), v) << FormatSampleValue(v);
  }
  MetricsText m;
  m.Gauge("wharf_x", "x", {{"k", "nan"}}, std::nan(""));
  m.Gauge("wharf_x", "x", {{"k", "inf"}}, std::numeric_limits<double>::infinity());
  m.Gauge("wharf_x", "x", {{"k", "tiny"}}, 1e-9);
  Parsed p = ParseExposition(m.Text());
  ASSERT_EQ(p.samples.size(), 3u);
  EXPECT_TRUE(std::isnan(p.samples[0].value));
  EXPECT_TRUE(std::isinf(p.samples[1].value));
  EXPECT_EQ(p.samples[2].value, 1e-9);
}

TEST(Prometheus, EmptyIsValid) {
  MetricsText m;
  EXPECT_EQ(m.Text(), "");
  EXPECT_NO_THROW(ParseExposition(m.Text()));
}

void ExpectInternal(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning " << fragment;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInternal);
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.message();
  }
}

TEST(Prometheus, MisuseIsABug) {
  for (const char* name : {"lag_bytes", "wharf_", "wharf_Lag", "wharf_lag-bytes", "wharf_lag bytes",
                           "wharf:lag", "", "WHARF_lag", "xwharf_lag"}) {
    MetricsText m;
    ExpectInternal([&] { m.Gauge(name, "h", {}, 1); }, "wharf_[a-z0-9_]+");
  }
  MetricsText m;
  m.Gauge("wharf_a", "h", {{"source", "shop"}}, 1);
  ExpectInternal(
      [&] {
        m.Counter("wharf_a", "h", {{"source", "crm"}}, 1);
      },
      "both gauge and counter");
  ExpectInternal([&] { m.Gauge("wharf_a", "other", {{"source", "crm"}}, 1); }, "two help texts");
  ExpectInternal([&] { m.Gauge("wharf_a", "h", {{"source", "shop"}}, 2); }, "two samples");
  ExpectInternal([&] { m.Gauge("wharf_a", "h", {{"1x", "v"}}, 2); }, "label name");
  ExpectInternal([&] { m.Gauge("wharf_a", "h", {{"__name__", "v"}}, 2); }, "label name");
  ExpectInternal([&] { m.Gauge("wharf_a", "h", {{"k", "v"}, {"k", "w"}}, 2); }, "given twice");
  // Nothing half-added: the text is still valid and holds the one good sample.
  Parsed p = ParseExposition(m.Text());
  EXPECT_EQ(p.samples.size(), 1u);
}

TEST(Prometheus, ParserCatchesBrokenText) {
  // The checker itself must fail on what Prometheus refuses, or the tests above prove nothing.
  for (const char* bad :
       {"# TYPE wharf_a gauge\n# TYPE wharf_a gauge\n", "wharf_a 1\nwharf_b 1\nwharf_a 2\n",
        "wharf_a{k=\"v\"} 1\nwharf_a{k=\"v\"} 2\n", "wharf_a{k=\"a\\qb\"} 1\n", "wharf_a{k=v} 1\n",
        "wharf_a 1e\n", "wharf_a 1\n# TYPE wharf_a gauge\n", "wharf_a 1"}) {
    EXPECT_ANY_THROW(ParseExposition(bad)) << bad;
  }
}

}  // namespace
}  // namespace wharf::server
