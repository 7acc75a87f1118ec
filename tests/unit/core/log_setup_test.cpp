// Tests of core::SetupLogging and the log formats: one line per event,
// escaping, UTC times, levels, and secrets redacted in every format.
#include "core/log_setup.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/redact.hpp"

namespace wharf::core {
namespace {

// Swaps spdlog's default logger for one writing into a string, and puts the
// original back (with the text format) afterwards.
class LogSetup : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("", sink));
  }
  void TearDown() override {
    spdlog::set_default_logger(previous_);
    SetupLogging(LogFormat::kText, spdlog::level::info);
    ClearRegisteredSecretsForTesting();
  }
  std::vector<std::string> Lines() {
    std::vector<std::string> lines;
    std::string text = out_.str();
    EXPECT_TRUE(text.empty() || text.back() == '\n') << text;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

const std::string kMultiLine =
    "cannot connect to postgres://wharf:hunter2@db/shop: refused\n  check the dsn in "
    "\"wharf.yaml\"\tand retry";

TEST_F(LogSetup, JsonIsOneObjectPerLine) {
  SetupLogging(LogFormat::kJson, spdlog::level::info);
  spdlog::info("applied batch {} to {}", 42, "shop.orders");
  spdlog::error("{}", kMultiLine);
  spdlog::debug("not shown at info");
  spdlog::warn("bytes \x01 and \xff and ünïcödé");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u) << out_.str();
  std::vector<nlohmann::json> events;
  for (const auto& line : lines)
    events.push_back(nlohmann::json::parse(line));  // throws if not valid JSON
  EXPECT_EQ(events[0]["level"], "info");
  EXPECT_EQ(events[0]["msg"], "applied batch 42 to shop.orders");
  EXPECT_FALSE(events[0].contains("logger"));  // the default logger has no name
  EXPECT_TRUE(std::regex_match(events[0]["ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << events[0]["ts"];
  EXPECT_EQ(events[1]["level"], "error");
  EXPECT_EQ(events[1]["msg"],
            "cannot connect to postgres://wharf:***@db/shop: refused\n  check the dsn in "
            "\"wharf.yaml\"\tand retry");
  EXPECT_EQ(lines[1].find("hunter2"), std::string::npos);
  EXPECT_EQ(events[2]["level"], "warn");
  EXPECT_EQ(events[2]["msg"], "bytes \x01 and \xEF\xBF\xBD and ünïcödé");
  EXPECT_NE(lines[2].find("\\u0001"), std::string::npos) << lines[2];
}

TEST_F(LogSetup, KeyValueIsOneLinePerEvent) {
  SetupLogging(LogFormat::kKeyValue, spdlog::level::debug);
  spdlog::debug("plain");
  spdlog::error("{}", kMultiLine);
  spdlog::critical("quote \" and backslash \\ end");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u) << out_.str();
  std::regex line_re(R"re(ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=(\w+) msg="(.*)")re");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[0], m, line_re)) << lines[0];
  EXPECT_EQ(m[1], "debug");
  EXPECT_EQ(m[2], "plain");
  ASSERT_TRUE(std::regex_match(lines[1], m, line_re)) << lines[1];
  EXPECT_EQ(m[1], "error");
  EXPECT_EQ(m[2],
            "cannot connect to postgres://wharf:***@db/shop: refused\\n  check the dsn in "
            "\\\"wharf.yaml\\\"\\tand "
            "retry");
  ASSERT_TRUE(std::regex_match(lines[2], m, line_re)) << lines[2];
  EXPECT_EQ(m[1], "critical");
  EXPECT_EQ(m[2], "quote \\\" and backslash \\\\ end");
}

TEST_F(LogSetup, NamedLoggersCarryTheirName) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
  auto named = std::make_shared<spdlog::logger>("capture", sink);
  spdlog::register_logger(named);
  SetupLogging(LogFormat::kKeyValue, spdlog::level::info);
  named->info("slot ready");
  SetupLogging(LogFormat::kJson, spdlog::level::info);
  named->info("slot ready");
  spdlog::drop("capture");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u) << out_.str();
  EXPECT_NE(lines[0].find(" level=info logger=capture msg=\"slot ready\""), std::string::npos)
      << lines[0];
  EXPECT_EQ(nlohmann::json::parse(lines[1])["logger"], "capture");
}

TEST_F(LogSetup, TextKeepsTodaysLookAndRedacts) {
  SetupLogging(LogFormat::kText, spdlog::level::info);
  spdlog::info("listening on {}", "http://127.0.0.1:9187/");
  spdlog::warn("using password=secret1 for host=h");
  RegisterSecret("tok-abcdef");
  spdlog::info("header was tok-abcdef");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u) << out_.str();
  std::regex text_re(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (\w+) (.*))");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[0], m, text_re)) << lines[0];
  EXPECT_EQ(m[1], "info");
  EXPECT_EQ(m[2], "listening on http://127.0.0.1:9187/");
  ASSERT_TRUE(std::regex_match(lines[1], m, text_re)) << lines[1];
  EXPECT_EQ(m[1], "warning");  // spdlog's own name, as before
  EXPECT_EQ(m[2], "using password=*** for host=h");
  ASSERT_TRUE(std::regex_match(lines[2], m, text_re)) << lines[2];
  EXPECT_EQ(m[2], "header was ***");
}

TEST_F(LogSetup, LevelIsApplied) {
  SetupLogging(LogFormat::kJson, spdlog::level::warn);
  spdlog::info("hidden");
  spdlog::warn("shown");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "shown");
}

TEST(LogFormat, ParseAndName) {
  EXPECT_EQ(ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(ParseLogFormat("keyvalue"), LogFormat::kKeyValue);
  EXPECT_EQ(ParseLogFormat("logfmt"), LogFormat::kKeyValue);
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  for (auto f : {LogFormat::kText, LogFormat::kKeyValue, LogFormat::kJson})
    EXPECT_EQ(ParseLogFormat(LogFormatName(f)), f);
  for (const char* bad : {"", "JSON", "yaml", "text "}) {
    try {
      ParseLogFormat(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConfig);
      for (const char* choice : {"text", "keyvalue", "json"})
        EXPECT_NE(e.message().find(choice), std::string::npos) << e.message();
    }
  }
}

}  // namespace
}  // namespace wharf::core
