#pragma once
// S3 event notifications (the JSON S3 and MinIO POST to a webhook, also when
// wrapped in an SNS envelope) reduced to what wakes a loader: which objects
// were created. Pure: body in, events out.
//   {"Records":[{"eventName":"ObjectCreated:Put",
//                "s3":{"bucket":{"name":"b"},"object":{"key":"p/src/manifests/...json","size":12}}}]}
// MinIO sends the same Records (eventName "s3:ObjectCreated:Put") plus its
// own top-level EventName and Key. Keys arrive URL-encoded ('+' for space), as S3 sends them.
#include <string>
#include <string_view>
#include <vector>

namespace wharf::server {

struct ObjectEvent {
  std::string name;    // e.g. ObjectCreated:Put
  std::string bucket;
  std::string key;     // decoded
};

// Throws kProtocol with a message saying what is wrong with the body.
std::vector<ObjectEvent> ParseS3Events(std::string_view body);

// True for a created manifest (<prefix><source>/manifests/...) in `bucket`:
// a manifest commits a batch, so data files landing first wake nobody.
// `prefix` is "" or ends in '/'.
bool WakesLoader(const ObjectEvent& e, const std::string& bucket, const std::string& prefix);

std::string DecodeEventKey(std::string_view key);

}  // namespace wharf::server
