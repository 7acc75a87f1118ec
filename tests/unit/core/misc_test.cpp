// Tests of table-selection globs, LSN text form, DSN redaction and wharf::Error.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/lsn.hpp"
#include "pg/connection.hpp"

namespace wharf {
namespace {

TEST(Glob, ExactMatch) {
  EXPECT_TRUE(core::GlobMatch("public.orders", "public.orders"));
  EXPECT_FALSE(core::GlobMatch("public.orders", "public.orders2"));
  EXPECT_FALSE(core::GlobMatch("public.orders", "public.order"));
  EXPECT_FALSE(core::GlobMatch("public.orders", "Public.orders"));  // case-sensitive
  EXPECT_TRUE(core::GlobMatch("", ""));
  EXPECT_FALSE(core::GlobMatch("", "a"));
  EXPECT_FALSE(core::GlobMatch("a", ""));
}

TEST(Glob, Star) {
  EXPECT_TRUE(core::GlobMatch("public.*", "public.orders"));
  EXPECT_TRUE(core::GlobMatch("public.*", "public."));
  EXPECT_FALSE(core::GlobMatch("public.*", "sales.orders"));
  EXPECT_TRUE(core::GlobMatch("*", ""));
  EXPECT_TRUE(core::GlobMatch("*", "anything.at.all"));
  EXPECT_TRUE(core::GlobMatch("*.orders", "sales.orders"));
  EXPECT_FALSE(core::GlobMatch("*.orders", "sales.orders_old"));
  EXPECT_TRUE(core::GlobMatch("public.Order*", "public.Orders"));
  EXPECT_TRUE(core::GlobMatch("a*b*c", "aXXbYYbZZc"));
  EXPECT_FALSE(core::GlobMatch("a*b*c", "aXXbYYbZZ"));
  EXPECT_TRUE(core::GlobMatch("a**b", "ab"));
  EXPECT_TRUE(core::GlobMatch("*a*a*a*", "xaxaxax"));
  EXPECT_FALSE(core::GlobMatch("*a*a*a*a*", "xaxaxax"));
  // Backtracking: the first candidate for the star is not the right one.
  EXPECT_TRUE(core::GlobMatch("*ab", "aaab"));
  EXPECT_TRUE(core::GlobMatch("s.*_log", "s.a_log_b_log"));
}

TEST(Glob, QuestionMark) {
  EXPECT_TRUE(core::GlobMatch("t?", "t1"));
  EXPECT_FALSE(core::GlobMatch("t?", "t"));
  EXPECT_FALSE(core::GlobMatch("t?", "t12"));
  EXPECT_TRUE(core::GlobMatch("?*", "x"));
  EXPECT_FALSE(core::GlobMatch("?*", ""));
  EXPECT_TRUE(core::GlobMatch("public.t??_*", "public.t01_x"));
}

TEST(Glob, LongInputsStayFast) {
  std::string text(5000, 'a');
  EXPECT_FALSE(core::GlobMatch("*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(core::GlobMatch("*a*a*a*a*a*a*", text));
}

TEST(Glob, TableSelected) {
  std::vector<std::string> inc = {"public.*", "sales.orders"};
  std::vector<std::string> exc = {"public.tmp_*", "public.secret"};
  EXPECT_TRUE(core::TableSelected(inc, exc, "public", "users"));
  EXPECT_TRUE(core::TableSelected(inc, exc, "sales", "orders"));
  EXPECT_FALSE(core::TableSelected(inc, exc, "sales", "customers"));
  EXPECT_FALSE(core::TableSelected(inc, exc, "public", "tmp_import"));
  EXPECT_FALSE(core::TableSelected(inc, exc, "public", "secret"));
  EXPECT_TRUE(core::TableSelected(inc, exc, "public", "secrets"));
  EXPECT_FALSE(core::TableSelected({}, {}, "public", "users"));
  EXPECT_TRUE(core::TableSelected({"*"}, {}, "weird schema", "Tbl"));
  EXPECT_FALSE(core::TableSelected({"*"}, {"*"}, "public", "users"));
}

TEST(Lsn, ParseAndToStringRoundTrip) {
  auto lsn = Lsn::Parse("16/B374D848");
  ASSERT_TRUE(lsn.has_value());
  EXPECT_EQ(lsn->value(), 0x16B374D848ull);
  EXPECT_EQ(lsn->ToString(), "16/B374D848");
  auto zero = Lsn::Parse("0/0");
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(zero->value(), 0u);
  EXPECT_FALSE(zero->IsValid());
  EXPECT_EQ(zero->ToString(), "0/0");
  for (uint64_t v : {uint64_t{1}, uint64_t{0xFFFFFFFF}, uint64_t{0x100000000}, UINT64_MAX,
                     uint64_t{0xABCDEF0123456789}}) {
    std::string s = Lsn(v).ToString();
    auto back = Lsn::Parse(s);
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(back->value(), v) << s;
  }
  EXPECT_EQ(Lsn(UINT64_MAX).ToString(), "FFFFFFFF/FFFFFFFF");
  EXPECT_EQ(Lsn(0x100000000).ToString(), "1/0");
}

TEST(Lsn, ParseAcceptsLowercaseAndLeadingZeros) {
  EXPECT_EQ(Lsn::Parse("16/b374d848"), Lsn(0x16B374D848ull));
  EXPECT_EQ(Lsn::Parse("00000016/0000000A"), Lsn(0x160000000Aull));
}

TEST(Lsn, ParseRejectsInvalidText) {
  for (const char* text : {"", "1", "/1", "1/", "/", "g/1", "1/g", "123456789/1", "1/123456789",
                           "1//1", "1/1/1", " 1/1", "1/1 ", "-1/1", "0x1/1", "+1/1", "1.0/1"}) {
    EXPECT_FALSE(Lsn::Parse(text).has_value()) << "'" << text << "'";
  }
}

TEST(Lsn, Ordering) {
  EXPECT_LT(*Lsn::Parse("0/FFFFFFFF"), *Lsn::Parse("1/0"));
  EXPECT_LT(Lsn(1), Lsn(2));
  EXPECT_EQ(Lsn(5), Lsn(5));
  EXPECT_TRUE(Lsn(1).IsValid());
}

void ExpectRedacted(const std::string& dsn, const std::string& secret) {
  std::string r = pg::RedactDsn(dsn);
  EXPECT_EQ(r.find(secret), std::string::npos) << dsn << " -> " << r;
  EXPECT_NE(r.find("***"), std::string::npos) << dsn << " -> " << r;
}

TEST(RedactDsn, UrlPassword) {
  EXPECT_EQ(pg::RedactDsn("postgres://u:secret@h/db"), "postgres://u:***@h/db");
  EXPECT_EQ(pg::RedactDsn("postgresql://wharf:p%40ss@db.example.com:5432/app?sslmode=require"),
            "postgresql://wharf:***@db.example.com:5432/app?sslmode=require");
  ExpectRedacted("postgres://:onlypw@h/db", "onlypw");
  ExpectRedacted("postgres://u:pa:ss/wo@rd@h/db", "pa:ss");
}

TEST(RedactDsn, KeyValuePassword) {
  EXPECT_EQ(pg::RedactDsn("host=h password=secret dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(pg::RedactDsn("host=h password='se cret' dbname=d"), "host=h password=*** dbname=d");
  ExpectRedacted("password = secret host=h", "secret");
  ExpectRedacted("host=h password='it\\'s secret'", "secret");
  ExpectRedacted("host=h password=secret", "secret");
  ExpectRedacted("sslpassword=keypw host=h", "keypw");
}

TEST(RedactDsn, QueryPassword) {
  ExpectRedacted("postgres://h/db?password=secret", "secret");
  ExpectRedacted("postgres://h/db?sslmode=require&password=secret", "secret");
  EXPECT_EQ(pg::RedactDsn("postgres://h/db?sslmode=require&password=secret"),
            "postgres://h/db?sslmode=require&password=***");
}

TEST(RedactDsn, NoPasswordIsUnchanged) {
  for (const char* dsn : {"postgres://u@h/db", "postgres://h:5432/db", "postgres://u@h:5432/db",
                          "postgresql://h/db?sslmode=require", "host=h user=u dbname=d port=5432",
                          "dbname=app", "", "postgres:///db?host=/var/run/postgresql"}) {
    EXPECT_EQ(pg::RedactDsn(dsn), dsn);
  }
}

TEST(Error, KindMessageAndWhat) {
  Error e(ErrorKind::kStaging, "file x is corrupt");
  EXPECT_EQ(e.kind(), ErrorKind::kStaging);
  EXPECT_EQ(e.message(), "file x is corrupt");
  EXPECT_TRUE(e.context().empty());
  EXPECT_EQ(e.Describe(), "file x is corrupt");
  EXPECT_STREQ(e.what(), "file x is corrupt");
  EXPECT_STREQ(ErrorKindName(ErrorKind::kStaging), "staging");
  EXPECT_STREQ(ErrorKindName(ErrorKind::kConfig), "config");
  EXPECT_STREQ(ErrorKindName(ErrorKind::kInternal), "internal");
}

TEST(Error, AddContextChainsInnermostFirst) {
  Error e(ErrorKind::kSource, "relation missing");
  Error& same = e.AddContext("loading batch 7");
  EXPECT_EQ(&same, &e);
  e.AddContext("running source main");
  EXPECT_EQ(e.context(), std::vector<std::string>({"loading batch 7", "running source main"}));
  EXPECT_EQ(e.message(), "relation missing");
  const std::string want = "relation missing\n  while loading batch 7\n  while running source main";
  EXPECT_EQ(e.Describe(), want);
  EXPECT_EQ(std::string(e.what()), want);
}

TEST(Error, ContextSurvivesRethrow) {
  try {
    try {
      Fail(ErrorKind::kWarehouse, "table {} is locked ({} tries)", "t", 3);
    } catch (Error& e) {
      throw e.AddContext("applying batch 2");
    }
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kWarehouse);
    EXPECT_EQ(e.message(), "table t is locked (3 tries)");
    EXPECT_EQ(std::string(e.what()), "table t is locked (3 tries)\n  while applying batch 2");
    return;
  }
  FAIL() << "not rethrown";
}

}  // namespace
}  // namespace wharf
