#include "server/s3_notify.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <string>

#include "core/error.hpp"

namespace wharf::server {

namespace {

using nlohmann::json;

std::vector<ObjectEvent> FromRecords(const json& doc) {
  const json& records = doc.at("Records");
  if (!records.is_array()) Fail(ErrorKind::kProtocol, "\"Records\" must be an array");
  std::vector<ObjectEvent> out;
  for (size_t i = 0; i < records.size(); ++i) {
    const json& r = records[i];
    try {
      ObjectEvent e;
      e.name = r.at("eventName").get<std::string>();
      e.bucket = r.at("s3").at("bucket").at("name").get<std::string>();
      e.key = DecodeEventKey(r.at("s3").at("object").at("key").get<std::string>());
      out.push_back(std::move(e));
    } catch (const json::exception&) {
      Fail(ErrorKind::kProtocol, "record {} lacks eventName, s3.bucket.name or s3.object.key (strings)", i);
    }
  }
  return out;
}

}  // namespace

std::string DecodeEventKey(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < key.size() && std::isxdigit(static_cast<unsigned char>(key[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(key[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(key.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<ObjectEvent> ParseS3Events(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    Fail(ErrorKind::kProtocol, "the body is not a JSON object; expected an S3 event notification "
         "({{\"Records\":[{{\"eventName\":...,\"s3\":{{\"bucket\":{{\"name\":...}},\"object\":{{\"key\":...}}}}}}]}})");
  }
  // SNS delivers the S3 event as a JSON string in "Message".
  if (doc.contains("Type") && doc.contains("Message") && doc["Message"].is_string()) {
    return ParseS3Events(doc["Message"].get<std::string>());
  }
  // S3 sends a test event when a notification is configured; it names no object.
  if (doc.contains("Event") && doc["Event"] == "s3:TestEvent") return {};
  if (!doc.contains("Records")) {
    Fail(ErrorKind::kProtocol, "the JSON has no \"Records\" array; expected an S3 or MinIO event notification");
  }
  return FromRecords(doc);
}

bool WakesLoader(const ObjectEvent& e, const std::string& bucket, const std::string& prefix) {
  // MinIO names events "s3:ObjectCreated:Put", S3 "ObjectCreated:Put".
  std::string_view name = e.name;
  if (name.rfind("s3:", 0) == 0) name.remove_prefix(3);
  if (name.rfind("ObjectCreated:", 0) != 0 || e.bucket != bucket || e.key.rfind(prefix, 0) != 0) return false;
  std::string_view rest = std::string_view(e.key).substr(prefix.size());
  auto slash = rest.find('/');
  return slash != std::string_view::npos && rest.substr(slash).rfind("/manifests/", 0) == 0;
}

}  // namespace wharf::server
