// SigV4 against AWS's published examples: the S3 "GET Object" example of
// sig-v4-header-based-auth (with every intermediate value AWS lists) and the
// Signature Version 4 test suite's get-vanilla-query-order-key-case.
#include "staging/s3/sigv4.hpp"

#include <gtest/gtest.h>

namespace wharf::staging::s3 {
namespace {

const char* kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SignInput AwsGetObjectExample() {
  SignInput in;
  in.method = "GET";
  in.encoded_path = "/test.txt";
  in.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                {"Range", "bytes=0-9"},
                {"x-amz-content-sha256", kEmptySha},
                {"x-amz-date", "20130524T000000Z"}};
  in.payload_hash = kEmptySha;
  in.amz_date = "20130524T000000Z";
  in.region = "us-east-1";
  return in;
}

TEST(SigV4, AwsGetObjectExampleCanonicalRequest) {
  EXPECT_EQ(CanonicalRequest(AwsGetObjectExample()),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4, AwsGetObjectExampleStringToSign) {
  EXPECT_EQ(StringToSign(AwsGetObjectExample()),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

TEST(SigV4, AwsGetObjectExampleAuthorization) {
  Credentials creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(Signature(AwsGetObjectExample(), creds.secret_access_key),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(Authorization(AwsGetObjectExample(), creds),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, TestSuiteQueryOrderKeyCase) {
  SignInput in;
  in.method = "GET";
  in.encoded_path = "/";
  in.query = {{"Param2", "value2"}, {"Param1", "value1"}};
  in.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  in.payload_hash = kEmptySha;
  in.amz_date = "20150830T123600Z";
  in.region = "us-east-1";
  in.service = "service";
  EXPECT_EQ(Signature(in, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4, ChangingAnySignedPartChangesTheSignature) {
  const std::string secret = "secret";
  std::string base = Signature(AwsGetObjectExample(), secret);
  auto in = AwsGetObjectExample();
  in.encoded_path = "/test.txu";
  EXPECT_NE(Signature(in, secret), base);
  in = AwsGetObjectExample();
  in.region = "eu-west-1";
  EXPECT_NE(Signature(in, secret), base);
  in = AwsGetObjectExample();
  in.query = {{"a", ""}};
  EXPECT_NE(Signature(in, secret), base);
}

TEST(SigV4, UriEncode) {
  EXPECT_EQ(UriEncode("a b+c/d~e_f.g-h", false), "a%20b%2Bc%2Fd~e_f.g-h");
  EXPECT_EQ(UriEncode("a b+c/d", true), "a%20b%2Bc/d");
  EXPECT_EQ(UriEncode("\xc3\xa9*=&", false), "%C3%A9%2A%3D%26");
}

TEST(SigV4, CanonicalQuerySortsEncodesAndKeepsEmptyValues) {
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQuery({{"prefix", "a b/"}, {"list-type", "2"}, {"continuation-token", "x=="}}),
            "continuation-token=x%3D%3D&list-type=2&prefix=a%20b%2F");
}

TEST(SigV4, HeaderValuesAreTrimmedAndNamesLowered) {
  SignInput in = AwsGetObjectExample();
  in.headers.push_back({"X-Amz-Meta-Note", "  two   spaces  "});
  EXPECT_NE(CanonicalRequest(in).find("\nx-amz-meta-note:two spaces\n"), std::string::npos);
}

}  // namespace
}  // namespace wharf::staging::s3
