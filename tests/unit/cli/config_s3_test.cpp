// wharf.yaml's staging.s3, staging.poll_interval and server.listen.
#include <gtest/gtest.h>

#include <cstdlib>

#include "cli/config_loader.hpp"
#include "core/error.hpp"

namespace wharf::cli {
namespace {

const std::string kHead = "sources:\n  - name: app\n    dsn: postgres://h/db\n";

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseConfig(yaml, "w.yaml");
  } catch (const Error& e) {
    return e.message();
  }
  ADD_FAILURE() << "no error for\n" << yaml;
  return "";
}

TEST(ConfigS3, AllKeysWithInterpolation) {
  setenv("WHARF_TEST_S3_SECRET", "sekrit", 1);
  auto c = ParseConfig(kHead + R"(staging:
  url: s3://bucket/prefix
  poll_interval: 30s
  s3:
    endpoint: http://127.0.0.1:9000
    region: eu-west-1
    access_key_id: AKID
    secret_access_key: ${WHARF_TEST_S3_SECRET}
    session_token: tok
    addressing: path
server:
  listen: 0.0.0.0:9999
  token: ${WHARF_TEST_S3_SECRET}
)", "w.yaml");
  unsetenv("WHARF_TEST_S3_SECRET");
  EXPECT_EQ(c.staging.url, "s3://bucket/prefix");
  EXPECT_EQ(c.staging.poll_interval, std::chrono::seconds(30));
  EXPECT_EQ(c.staging.s3.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c.staging.s3.region, "eu-west-1");
  EXPECT_EQ(c.staging.s3.access_key_id, "AKID");
  EXPECT_EQ(c.staging.s3.secret_access_key, "sekrit");
  EXPECT_EQ(c.staging.s3.session_token, "tok");
  EXPECT_EQ(c.staging.s3.addressing, "path");
  EXPECT_EQ(c.server.listen, "0.0.0.0:9999");
}

TEST(ConfigS3, Defaults) {
  auto c = ParseConfig(kHead, "w.yaml");
  EXPECT_EQ(c.staging.s3.addressing, "auto");
  EXPECT_TRUE(c.staging.s3.endpoint.empty());
  EXPECT_EQ(c.staging.poll_interval, std::chrono::seconds(1));
  EXPECT_EQ(c.server.listen, "127.0.0.1:9187");
}

TEST(ConfigS3, ErrorsNamePositionAndSuggest) {
  std::string m = ErrorOf(kHead + "staging:\n  s3:\n    acess_key_id: x\n");
  EXPECT_NE(m.find("w.yaml:6:5"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean 'access_key_id'"), std::string::npos) << m;
  m = ErrorOf(kHead + "staging:\n  s3:\n    addressing: sideways\n");
  EXPECT_NE(m.find("auto, path or virtual"), std::string::npos) << m;
  m = ErrorOf(kHead + "staging:\n  poll_intervall: 1s\n");
  EXPECT_NE(m.find("did you mean 'poll_interval'"), std::string::npos) << m;
  m = ErrorOf(kHead + "server:\n  listen: 9187\n");
  EXPECT_NE(m.find("w.yaml:5:11"), std::string::npos) << m;
  EXPECT_NE(m.find("must be host:port"), std::string::npos) << m;
  EXPECT_EQ(ParseConfig(kHead + "server:\n  listen: \"off\"\n", "w.yaml").server.listen, "off");
  m = ErrorOf(kHead + "staging:\n  poll_interval: 1ms\n");
  EXPECT_NE(m.find("at least 10ms"), std::string::npos) << m;
}

}  // namespace
}  // namespace wharf::cli
