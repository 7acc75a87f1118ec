// Tests of the COPY text-format row parser: NULL, escapes, field counts and output reuse.
#include "pg/copy_text.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace wharf::pg {
namespace {

using Fields = std::vector<std::optional<std::string>>;

Fields Parse(std::string_view line, size_t expected = 0) {
  Fields out;
  ParseCopyTextRow(line, out, expected);
  return out;
}

void ExpectProtocolError(std::string_view line, size_t expected = 0) {
  Fields out;
  try {
    ParseCopyTextRow(line, out, expected);
    ADD_FAILURE() << "no error for: " << line;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kProtocol) << e.what();
  }
}

TEST(CopyText, PlainFields) {
  EXPECT_EQ(Parse("1\thello\tworld\n"), (Fields{"1", "hello", "world"}));
  EXPECT_EQ(Parse("1\thello\tworld"), (Fields{"1", "hello", "world"}));
  EXPECT_EQ(Parse("single"), (Fields{"single"}));
}

TEST(CopyText, NullMarker) {
  EXPECT_EQ(Parse("\\N\tx\t\\N\n"), (Fields{std::nullopt, "x", std::nullopt}));
  EXPECT_EQ(Parse("\\N"), (Fields{std::nullopt}));
  // An escaped backslash followed by N is the two-character text \N, not NULL.
  EXPECT_EQ(Parse("\\\\N"), (Fields{"\\N"}));
  // \N only means NULL as the whole field.
  EXPECT_EQ(Parse("a\\N"), (Fields{"aN"}));
}

TEST(CopyText, EmptyFieldsAreEmptyStrings) {
  Fields f = Parse("\t\t\n");
  ASSERT_EQ(f.size(), 3u);
  for (const auto& v : f) {
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, "");
  }
  EXPECT_EQ(Parse(""), (Fields{""}));
  EXPECT_EQ(Parse("\n"), (Fields{""}));
  EXPECT_EQ(Parse("a\t"), (Fields{"a", ""}));
}

TEST(CopyText, BackslashEscapes) {
  EXPECT_EQ(Parse("a\\tb\\nc\\\\d\\re\\bf\\fg\\vh"),
            (Fields{std::string("a\tb\nc\\d\re\bf\fg\vh")}));
  EXPECT_EQ(Parse("\\t\t\\n"), (Fields{"\t", "\n"}));
  // Any other escaped character stands for itself.
  EXPECT_EQ(Parse("\\q\\.\\'"), (Fields{"q.'"}));
}

TEST(CopyText, OctalEscapes) {
  EXPECT_EQ(Parse("\\101\\102C"), (Fields{"ABC"}));
  EXPECT_EQ(Parse("\\1011"), (Fields{"A1"}));  // at most three digits
  EXPECT_EQ(Parse("\\7x"), (Fields{"\x07x"}));
  EXPECT_EQ(Parse("\\08"), (Fields{std::string(1, '\0') + "8"}));
  EXPECT_EQ(Parse("\\303\\251"), (Fields{"é"}));  // UTF-8 bytes
}

TEST(CopyText, HexEscapes) {
  EXPECT_EQ(Parse("\\x41\\x4a\\x4B"), (Fields{"AJK"}));
  EXPECT_EQ(Parse("\\x411"), (Fields{"A1"}));  // at most two digits
  EXPECT_EQ(Parse("\\x9g"), (Fields{"\tg"}));  // one digit
  EXPECT_EQ(Parse("\\xg"), (Fields{"xg"}));    // no digit: a plain x
  EXPECT_EQ(Parse("\\x"), (Fields{"x"}));
}

TEST(CopyText, FieldCountCheck) {
  EXPECT_EQ(Parse("1\t2\t3\n", 3).size(), 3u);
  ExpectProtocolError("1\t2\n", 3);
  ExpectProtocolError("1\t2\t3\t4\n", 3);
  try {
    Fields out;
    ParseCopyTextRow("1\t2", out, 5);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("2 fields"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("expected 5"), std::string::npos) << e.what();
  }
}

TEST(CopyText, LoneTrailingBackslashThrows) {
  ExpectProtocolError("abc\\");
  ExpectProtocolError("abc\\\n");
  ExpectProtocolError("a\\\tb");  // the backslash ends the first field
}

TEST(CopyText, OnlyOneTrailingNewlineIsStripped) {
  // A raw newline inside a field is not valid COPY output, but the parser must not drop data.
  EXPECT_EQ(Parse("a\n\n"), (Fields{"a\n"}));
}

TEST(CopyText, ReusesTheOutputVectorAcrossRows) {
  Fields out;
  ParseCopyTextRow("long value number one\t\\N\tthird\tfourth\n", out);
  ASSERT_EQ(out.size(), 4u);
  ParseCopyTextRow("x\ty\n", out);
  EXPECT_EQ(out, (Fields{"x", "y"}));
  ParseCopyTextRow("\\N\tz\t\\N\n", out);
  EXPECT_EQ(out, (Fields{std::nullopt, "z", std::nullopt}));
  ParseCopyTextRow("a\tb\tc\td\te\n", out);
  EXPECT_EQ(out, (Fields{"a", "b", "c", "d", "e"}));
  ParseCopyTextRow("\t\\N\n", out);
  EXPECT_EQ(out, (Fields{"", std::nullopt}));
  ParseCopyTextRow("short\n", out, 1);
  EXPECT_EQ(out, (Fields{"short"}));
}

}  // namespace
}  // namespace wharf::pg
