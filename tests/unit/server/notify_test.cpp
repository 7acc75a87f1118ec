// S3 event notifications (S3, MinIO and SNS-wrapped shapes) and server.listen parsing.
#include <gtest/gtest.h>
#include <httplib.h>

#include "core/error.hpp"
#include "server/http_server.hpp"
#include "server/s3_notify.hpp"

namespace wharf::server {
namespace {

TEST(S3Notify, S3Shape) {
  auto events = ParseS3Events(R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",
    "eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"wharf"},
    "object":{"key":"prod/src/manifests/00000000000000000007.json","size":812}}}]})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "ObjectCreated:Put");
  EXPECT_EQ(events[0].bucket, "wharf");
  EXPECT_EQ(events[0].key, "prod/src/manifests/00000000000000000007.json");
  EXPECT_TRUE(WakesLoader(events[0], "wharf", "prod/"));
  EXPECT_FALSE(WakesLoader(events[0], "wharf", "staging/"));
  EXPECT_FALSE(WakesLoader(events[0], "other", "prod/"));
  EXPECT_FALSE(WakesLoader(events[0], "wharf", ""));  // "prod" is not a source's manifests
  events[0].key = "prod/src/data/public/t/2026/11/26/7.jsonl.zst";
  EXPECT_FALSE(WakesLoader(events[0], "wharf", "prod/"));  // data files land before their manifest
  events[0].key = "src/manifests/00000000000000000007.json";
  EXPECT_TRUE(WakesLoader(events[0], "wharf", ""));
}

TEST(S3Notify, MinioShapeAndEncodedKeys) {
  auto events = ParseS3Events(R"({"EventName":"s3:ObjectCreated:CompleteMultipartUpload",
    "Key":"wharf/p/a b","Records":[{"eventName":"s3:ObjectCreated:CompleteMultipartUpload",
    "s3":{"bucket":{"name":"wharf"},"object":{"key":"p%2Fa+b%25/manifests/1.json","size":1}}}]})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "p/a b%/manifests/1.json");
  EXPECT_TRUE(WakesLoader(events[0], "wharf", "p/"));
}

TEST(S3Notify, RemovalsDoNotWake) {
  auto events = ParseS3Events(R"({"Records":[{"eventName":"ObjectRemoved:Delete",
    "s3":{"bucket":{"name":"b"},"object":{"key":"p/s/manifests/1.json"}}}]})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(WakesLoader(events[0], "b", "p/"));
}

TEST(S3Notify, SnsEnvelopeAndTestEvent) {
  auto events = ParseS3Events(R"({"Type":"Notification","MessageId":"1","TopicArn":"arn:aws:sns:x",
    "Message":"{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}"})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "k");
  EXPECT_TRUE(ParseS3Events(R"({"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"})").empty());
}

TEST(S3Notify, MalformedBodiesSayWhatIsWrong) {
  auto message = [](const std::string& body) {
    try {
      ParseS3Events(body);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kProtocol);
      return e.message();
    }
    ADD_FAILURE() << "accepted " << body;
    return std::string();
  };
  EXPECT_NE(message("not json").find("not a JSON object"), std::string::npos);
  EXPECT_NE(message("[1,2]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(message(R"({"foo":1})").find("no \"Records\""), std::string::npos);
  EXPECT_NE(message(R"({"Records":{}})").find("must be an array"), std::string::npos);
  EXPECT_NE(message(R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{}}]})").find("record 0"),
            std::string::npos);
}

TEST(Listen, HostPort) {
  auto a = ParseListen("127.0.0.1:9187");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9187);
  EXPECT_EQ(ParseListen(":0").host, "127.0.0.1");
  EXPECT_EQ(ParseListen("[::1]:80").host, "::1");
  EXPECT_THROW(ParseListen("9187"), Error);
  EXPECT_THROW(ParseListen("host:http"), Error);
  EXPECT_THROW(ParseListen("host:70000"), Error);
}

}  // namespace
}  // namespace wharf::server

namespace wharf::server {
namespace {

TEST(HttpServer, ServesPostsAndRefusesABusyPort) {
  HttpServer a(ParseListen("127.0.0.1:0"));
  std::string seen;
  a.Post("/echo", [&](const std::string& body) {
    seen = body;
    return Reply{201, "{\"ok\":true}"};
  });
  a.Start();
  ASSERT_GT(a.port(), 0);
  httplib::Client client("127.0.0.1", a.port());
  auto r = client.Post("/echo", "hello", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"ok\":true}");
  EXPECT_EQ(seen, "hello");

  HttpServer b(ParseListen("127.0.0.1:" + std::to_string(a.port())));
  try {
    b.Start();
    FAIL() << "bound a busy port";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(e.message().find("cannot listen on 127.0.0.1:" + std::to_string(a.port())), std::string::npos)
        << e.message();
  }
}

}  // namespace
}  // namespace wharf::server
