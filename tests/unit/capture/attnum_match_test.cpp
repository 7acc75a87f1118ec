// Tests of matching a pgoutput Relation message's columns to catalog attnums, including a
// catalog that has moved on (columns dropped, added or renamed after the message).
#include "capture/attnum_match.hpp"

#include <gtest/gtest.h>

namespace wharf::capture {
namespace {

pg::Attribute Attr(int32_t attnum, std::string name, bool dropped = false,
                   std::optional<std::string> missing = std::nullopt) {
  pg::Attribute a;
  a.attnum = attnum;
  a.name = dropped ? "........pg.dropped." + std::to_string(attnum) + "........" : std::move(name);
  a.dropped = dropped;
  a.missing = std::move(missing);
  return a;
}

core::RelationSchema Rel(std::vector<std::string> names) {
  core::RelationSchema r;
  r.oid = 1;
  for (auto& n : names) r.columns.push_back(core::Column{n, 25, -1, false});
  return r;
}

std::vector<int32_t> Attnums(const core::RelationSchema& r) {
  std::vector<int32_t> out;
  for (const auto& c : r.columns) out.push_back(c.attnum);
  return out;
}

TEST(AttnumMatch, SameShape) {
  auto r = Rel({"id", "a", "b"});
  AssignAttnums(r, {Attr(1, "id"), Attr(2, "a"), Attr(3, "b")}, nullptr);
  EXPECT_EQ(Attnums(r), (std::vector<int32_t>{1, 2, 3}));
}

TEST(AttnumMatch, DroppedBeforeTheMessageIsSkipped) {
  auto r = Rel({"id", "c"});
  AssignAttnums(r, {Attr(1, "id"), Attr(2, "", true), Attr(3, "c", false, "5")}, nullptr);
  EXPECT_EQ(Attnums(r), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(r.columns[1].missing, std::optional<std::string>("5"));
}

TEST(AttnumMatch, RenamedAfterTheMessageKeepsItsPlace) {
  auto r = Rel({"id", "a"});
  AssignAttnums(r, {Attr(1, "id"), Attr(2, "renamed")}, nullptr);
  EXPECT_EQ(Attnums(r), (std::vector<int32_t>{1, 2}));
}

TEST(AttnumMatch, DroppedAfterTheMessageIsThisColumn) {
  // The message still has b; the catalog has dropped it since and added c.
  auto r = Rel({"id", "b"});
  AssignAttnums(r, {Attr(1, "id"), Attr(2, "", true)}, nullptr);
  EXPECT_EQ(Attnums(r), (std::vector<int32_t>{1, 2}));
}

TEST(AttnumMatch, PreviousSchemaSettlesAmbiguity) {
  // b dropped since the message and c added: without history c would look like b.
  auto previous = Rel({"id", "b"});
  previous.columns[0].attnum = 1;
  previous.columns[1].attnum = 2;
  auto r = Rel({"id", "b"});
  AssignAttnums(r, {Attr(1, "id"), Attr(2, "", true), Attr(3, "c")}, &previous);
  EXPECT_EQ(Attnums(r), (std::vector<int32_t>{1, 2}));
}

TEST(AttnumMatch, AddedAfterTheMessageIsIgnoredAndGeneratedSkipped) {
  auto r = Rel({"id", "a"});
  auto gen = Attr(2, "g");
  gen.generated = true;
  AssignAttnums(r, {Attr(1, "id"), gen, Attr(3, "a"), Attr(4, "later")}, nullptr);
  EXPECT_EQ(Attnums(r), (std::vector<int32_t>{1, 3}));
}

TEST(AttnumMatch, MoreColumnsThanTheCatalogExplainsStayUnknown) {
  auto r = Rel({"id", "a"});
  AssignAttnums(r, {Attr(1, "id")}, nullptr);
  EXPECT_EQ(Attnums(r), (std::vector<int32_t>{1, 0}));
}

}  // namespace
}  // namespace wharf::capture
