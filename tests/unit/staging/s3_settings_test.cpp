// S3 URLs, endpoints, addressing and settings resolution (config over the
// AWS environment variables), and the XML pieces read from responses.
#include "staging/s3/s3_settings.hpp"

#include <gtest/gtest.h>

#include <map>

#include "core/error.hpp"
#include "staging/s3/s3_xml.hpp"

namespace wharf::staging::s3 {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
}

TEST(S3Url, BucketAndPrefix) {
  auto a = ParseS3Url("s3://bucket/some/prefix");
  EXPECT_EQ(a.bucket, "bucket");
  EXPECT_EQ(a.prefix, "some/prefix/");
  EXPECT_EQ(ParseS3Url("s3://bucket").prefix, "");
  EXPECT_EQ(ParseS3Url("s3://bucket/").prefix, "");
  EXPECT_EQ(ParseS3Url("s3://bucket/p/").prefix, "p/");
  EXPECT_THROW(ParseS3Url("s3:///prefix"), Error);
  EXPECT_THROW(ParseS3Url("file://x"), Error);
}

TEST(S3Endpoint, SchemeHostPort) {
  auto e = ParseEndpoint("http://127.0.0.1:9000");
  EXPECT_EQ(e.scheme, "http");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 9000);
  EXPECT_EQ(e.HostPort(), "127.0.0.1:9000");
  auto aws = ParseEndpoint("https://s3.eu-west-1.amazonaws.com/");
  EXPECT_EQ(aws.port, 0);
  EXPECT_EQ(aws.HostPort(), "s3.eu-west-1.amazonaws.com");
  EXPECT_THROW(ParseEndpoint("127.0.0.1:9000"), Error);
  EXPECT_THROW(ParseEndpoint("ftp://host"), Error);
  EXPECT_THROW(ParseEndpoint("http://host:notaport"), Error);
  try {
    ParseEndpoint("http://user:hunter2@host");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
}

TEST(S3Addressing, AutoIsVirtualOnAwsAndPathElsewhere) {
  auto aws = ParseEndpoint("https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(UsePathStyle("auto", aws, "my-bucket"));
  EXPECT_TRUE(UsePathStyle("auto", aws, "my.dotted.bucket"));  // no wildcard certificate for dots
  EXPECT_TRUE(UsePathStyle("auto", ParseEndpoint("http://127.0.0.1:9000"), "my-bucket"));
  EXPECT_TRUE(UsePathStyle("auto", ParseEndpoint("http://minio.internal:9000"), "my-bucket"));
  EXPECT_TRUE(UsePathStyle("path", aws, "my-bucket"));
  EXPECT_FALSE(UsePathStyle("virtual", ParseEndpoint("http://minio.internal:9000"), "my-bucket"));
}

TEST(S3Target, PathAndVirtualHosted) {
  Settings s;
  s.endpoint = ParseEndpoint("http://127.0.0.1:9000");
  s.path_style = true;
  auto t = MakeTarget(s, "b", "p/a b+c.json");
  EXPECT_EQ(t.host, "127.0.0.1:9000");
  EXPECT_EQ(t.encoded_path, "/b/p/a%20b%2Bc.json");
  EXPECT_EQ(t.Url(s, "x=1"), "http://127.0.0.1:9000/b/p/a%20b%2Bc.json?x=1");
  EXPECT_EQ(MakeTarget(s, "b", "").encoded_path, "/b");
  s.endpoint = ParseEndpoint("https://s3.us-east-1.amazonaws.com");
  s.path_style = false;
  t = MakeTarget(s, "b", "k");
  EXPECT_EQ(t.host, "b.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(t.encoded_path, "/k");
  EXPECT_EQ(MakeTarget(s, "b", "").encoded_path, "/");
}

TEST(S3Settings, EnvironmentFollowsAwsConventions) {
  core::S3Config cfg;
  auto s = ResolveSettings(cfg, ParseS3Url("s3://b/p"),
                           Env({{"AWS_ENDPOINT_URL", "http://generic:1"},
                                {"AWS_ENDPOINT_URL_S3", "http://s3specific:2"},
                                {"AWS_DEFAULT_REGION", "eu-central-1"},
                                {"AWS_ACCESS_KEY_ID", "AKID"},
                                {"AWS_SECRET_ACCESS_KEY", "SECRET"},
                                {"AWS_SESSION_TOKEN", "TOKEN"}}));
  EXPECT_EQ(s.endpoint.host, "s3specific");
  EXPECT_EQ(s.region, "eu-central-1");
  EXPECT_EQ(s.credentials.access_key_id, "AKID");
  EXPECT_EQ(s.credentials.secret_access_key, "SECRET");
  EXPECT_EQ(s.credentials.session_token, "TOKEN");
  EXPECT_TRUE(s.path_style);

  s = ResolveSettings(cfg, ParseS3Url("s3://bucket-name/p"),
                      Env({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "eu-central-1"},
                           {"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "SECRET"}}));
  EXPECT_EQ(s.region, "eu-west-1");
  EXPECT_EQ(s.endpoint.ToString(), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(s.path_style);
}

TEST(S3Settings, ConfigWinsOverEnvironment) {
  core::S3Config cfg;
  cfg.endpoint = "http://10.0.0.5:9000";
  cfg.region = "ap-south-1";
  cfg.access_key_id = "CFGKEY";
  cfg.secret_access_key = "CFGSECRET";
  cfg.addressing = "virtual";
  auto s = ResolveSettings(cfg, ParseS3Url("s3://b/p"),
                           Env({{"AWS_ENDPOINT_URL", "http://other:1"}, {"AWS_REGION", "us-west-2"},
                                {"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}}));
  EXPECT_EQ(s.endpoint.host, "10.0.0.5");
  EXPECT_EQ(s.region, "ap-south-1");
  EXPECT_EQ(s.credentials.access_key_id, "CFGKEY");
  EXPECT_EQ(s.credentials.secret_access_key, "CFGSECRET");
  EXPECT_FALSE(s.path_style);
}

TEST(S3Settings, MissingCredentialsSayWhatToSet) {
  core::S3Config cfg;
  cfg.access_key_id = "AKID";  // secret missing
  try {
    ResolveSettings(cfg, ParseS3Url("s3://b/p"), Env({}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(e.message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << e.message();
  }
  cfg.secret_access_key = "x";
  cfg.addressing = "sideways";
  EXPECT_THROW(ResolveSettings(cfg, ParseS3Url("s3://b/p"), Env({})), Error);
}

TEST(S3Xml, ListObjectsV2PageWithEscapedKeys) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>p/a&amp;b&lt;c&gt;.json</Key><Size>3</Size></Contents>
<Contents><Key>p/caf&#233;</Key><Size>4</Size></Contents>
<NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>)";
  auto page = ParseListObjectsV2(xml);
  ASSERT_EQ(page.keys.size(), 2u);
  EXPECT_EQ(page.keys[0], "p/a&b<c>.json");
  EXPECT_EQ(page.keys[1], "p/caf\xc3\xa9");
  EXPECT_EQ(page.continuation.value_or(""), "tok+/=");
}

TEST(S3Xml, LastPageAndErrors) {
  auto page = ParseListObjectsV2("<ListBucketResult><IsTruncated>false</IsTruncated><Contents/></ListBucketResult>");
  EXPECT_TRUE(page.keys.empty());
  EXPECT_FALSE(page.continuation);
  EXPECT_THROW(ParseListObjectsV2("<Error><Code>NoSuchBucket</Code></Error>"), Error);
  EXPECT_THROW(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"), Error);
  EXPECT_EQ(XmlText("<Error><Code>SlowDown</Code><Message>Reduce</Message></Error>", "Code").value_or(""),
            "SlowDown");
  EXPECT_FALSE(XmlText("<Error/>", "Code"));
  EXPECT_EQ(XmlEscape("\"a\"&<b>"), "&quot;a&quot;&amp;&lt;b&gt;");
}

}  // namespace
}  // namespace wharf::staging::s3
