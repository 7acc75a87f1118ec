// Tests of core::RedactSecrets and core::RegisterSecret: every kind of secret
// a log line or status page can carry is masked, and nothing else changes.
#include "core/redact.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace wharf::core {
namespace {

class Redact : public ::testing::Test {
 protected:
  void SetUp() override { ClearRegisteredSecretsForTesting(); }
  void TearDown() override { ClearRegisteredSecretsForTesting(); }
};

void ExpectMasked(const std::string& text, const std::string& secret) {
  std::string r = RedactSecrets(text);
  EXPECT_EQ(r.find(secret), std::string::npos) << text << " -> " << r;
  EXPECT_NE(r.find("***"), std::string::npos) << text << " -> " << r;
}

TEST_F(Redact, PostgresUris) {
  EXPECT_EQ(RedactSecrets("cannot connect to postgres://wharf:s3cr3t@db:5432/shop: refused"),
            "cannot connect to postgres://wharf:***@db:5432/shop: refused");
  EXPECT_EQ(RedactSecrets("postgresql://u:p%40ss@h/db?sslmode=require"),
            "postgresql://u:***@h/db?sslmode=require");
  EXPECT_EQ(RedactSecrets("dsn=\"postgres://u:pw@h/db\" ok"), "dsn=\"postgres://u:***@h/db\" ok");
  ExpectMasked("postgres://:onlypw@h/db", "onlypw");
  ExpectMasked("postgres://u:pa:ss/wo@rd@h/db", "pa:ss");
  // Two URLs on one line, each masked on its own.
  EXPECT_EQ(RedactSecrets("a postgres://u:x1@h1/a b postgres://v:y2@h2/b"),
            "a postgres://u:***@h1/a b postgres://v:***@h2/b");
}

TEST_F(Redact, OtherUrlsWithUserinfo) {
  EXPECT_EQ(RedactSecrets("s3://AKIAXXX:wJalrXUtn@bucket/prefix"),
            "s3://AKIAXXX:***@bucket/prefix");
  EXPECT_EQ(RedactSecrets("GET https://user:hunter22@example.com/x"),
            "GET https://user:***@example.com/x");
  EXPECT_EQ(RedactSecrets("http+unix://u:pw1@sock"), "http+unix://u:***@sock");
}

TEST_F(Redact, UrlsWithoutPasswordAreUnchanged) {
  for (const char* text : {"postgres://u@h/db", "postgres://h:5432/db", "postgres://u@h:5432/db",
                           "postgres:///db?host=/var/run/pg", "listening on http://127.0.0.1:9187/",
                           "s3://bucket/prefix/shop", "see https://h:443/path and a@b.c",
                           "file://./wharf-stage", "postgres://u:@h/db"}) {
    EXPECT_EQ(RedactSecrets(text), text);
  }
}

TEST_F(Redact, KeywordDsns) {
  EXPECT_EQ(RedactSecrets("host=h password=secret dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(RedactSecrets("host=h password='se cret' dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(RedactSecrets("host=h sslpassword=keypw dbname=d"), "host=h sslpassword=*** dbname=d");
  EXPECT_EQ(RedactSecrets("PASSWORD = secret host=h"), "PASSWORD = *** host=h");
  ExpectMasked("host=h password='it\\'s secret'", "secret");
  ExpectMasked("host=h password='unterminated secret", "secret");
  EXPECT_EQ(RedactSecrets("host=h user=u dbname=d port=5432"), "host=h user=u dbname=d port=5432");
  // Prose about passwords keeps its words.
  EXPECT_EQ(RedactSecrets("password authentication failed for user \"wharf\""),
            "password authentication failed for user \"wharf\"");
}

TEST_F(Redact, QueryStrings) {
  EXPECT_EQ(RedactSecrets("postgres://h/db?sslmode=require&password=secret&application_name=x"),
            "postgres://h/db?sslmode=require&password=***&application_name=x");
  EXPECT_EQ(
      RedactSecrets(
          "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abcdef0123&x=1 HTTP/1.1"),
      "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=***&x=1 HTTP/1.1");
  EXPECT_EQ(RedactSecrets("https://h/k?Signature=abc%2Fdef&Expires=1"),
            "https://h/k?Signature=***&Expires=1");
  EXPECT_EQ(RedactSecrets("?X-Amz-Security-Token=FQoGZX#frag"), "?X-Amz-Security-Token=***#frag");
  EXPECT_EQ(RedactSecrets("<a href=\"/x?token=abc\">"), "<a href=\"/x?token=***\">");
}

TEST_F(Redact, AwsKeysAndEnvironmentLines) {
  EXPECT_EQ(RedactSecrets("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG AWS_REGION=eu-west-1"),
            "AWS_SECRET_ACCESS_KEY=*** AWS_REGION=eu-west-1");
  EXPECT_EQ(RedactSecrets("aws_secret_access_key = wJalrXUtnFEMI"), "aws_secret_access_key = ***");
  EXPECT_EQ(RedactSecrets("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(RedactSecrets("WHARF_TOKEN=abc123xyz"), "WHARF_TOKEN=***");
  EXPECT_EQ(RedactSecrets("PGPASSWORD=pw123"), "PGPASSWORD=***");
  EXPECT_EQ(RedactSecrets("client_secret: hush1"), "client_secret: ***");
  EXPECT_EQ(RedactSecrets("DD_API_KEY=abc123 x-api-key: k2 apikey=k3"), "DD_API_KEY=*** x-api-key: *** apikey=***");
}

TEST_F(Redact, AuthorizationAndBearer) {
  EXPECT_EQ(RedactSecrets(
                "Authorization: AWS4-HMAC-SHA256 Credential=AKIA/2026/s3, Signature=abc\nHost: h"),
            "Authorization: ***\nHost: h");
  EXPECT_EQ(RedactSecrets("{\"Authorization\": \"Basic dTpw\", \"x\": 1}"),
            "{\"Authorization\": \"***\", \"x\": 1}");
  EXPECT_EQ(RedactSecrets("sent Bearer eyJhbGciOi.J9.xyz= to h"), "sent Bearer *** to h");
  EXPECT_EQ(RedactSecrets("bearer AbC123"), "bearer ***");
  // An English sentence about bearer tokens keeps its words.
  EXPECT_EQ(RedactSecrets("server.listen needs a bearer token"),
            "server.listen needs a bearer token");
  EXPECT_EQ(RedactSecrets("the authorization failed"), "the authorization failed");
}

TEST_F(Redact, TokensInJsonAndYaml) {
  EXPECT_EQ(RedactSecrets("{\"token\": \"abc\\\"def\", \"n\": 1}"),
            "{\"token\": \"***\", \"n\": 1}");
  EXPECT_EQ(RedactSecrets("{\"token\":\"abc\"}"), "{\"token\":\"***\"}");
  EXPECT_EQ(RedactSecrets("{\"token\":12345,\"n\":1}"), "{\"token\":***,\"n\":1}");
  EXPECT_EQ(RedactSecrets("  token: s3cr3t-value"), "  token: ***");
  EXPECT_EQ(RedactSecrets("token: ${WHARF_TOKEN}"), "token: ***");
  EXPECT_EQ(RedactSecrets("{\"tokens\": 5}"), "{\"tokens\": 5}");
}

TEST_F(Redact, OrdinaryLinesAreUnchanged) {
  for (const char* text :
       {"", "applied batch 42 to shop.orders (1000 rows)", "lag 0/16B3748: 184 bytes", "a=b c:d",
        "while loading batch 42 into shop.orders: duplicate key", "tokenizer ready",
        "secrets are kept elsewhere", "ünïcödé \x01\xff bytes"}) {
    EXPECT_EQ(RedactSecrets(text), text);
  }
}

TEST_F(Redact, RegisteredSecretsAreMaskedAnywhere) {
  EXPECT_EQ(RedactSecrets("value Zq9-long-token here"), "value Zq9-long-token here");
  RegisterSecret("Zq9-long-token");
  RegisterSecret("abc");  // too short: ignored
  EXPECT_EQ(RedactSecrets("value Zq9-long-token here, again:Zq9-long-token"),
            "value *** here, again:***");
  EXPECT_EQ(RedactSecrets("abc"), "abc");
  // The percent-encoded form a password takes inside a URL.
  RegisterSecret("p@ss:word");
  EXPECT_EQ(RedactSecrets("dsn host=h dbname=p%40ss%3Aword x"), "dsn host=h dbname=*** x");
  // A secret containing another is masked whole.
  RegisterSecret("word-and-more");
  EXPECT_EQ(RedactSecrets("[word-and-more]"), "[***]");
}

TEST_F(Redact, RegisterIsThreadSafe) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int k = 0; k < 200; ++k) {
        RegisterSecret("secret-" + std::to_string(t) + "-" + std::to_string(k));
        std::string r =
            RedactSecrets("x secret-" + std::to_string(t) + "-" + std::to_string(k) + " y");
        EXPECT_EQ(r, "x *** y");
      }
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace wharf::core
