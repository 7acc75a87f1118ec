#include <gtest/gtest.h>

#include "cli/init_config.hpp"

namespace wharf::cli {
namespace {

TEST(InitConfig, ListsEveryTableWithItsKeyOrItsFix) {
  InitInput in;
  in.source_name = "shop";
  in.dsn = "postgres://wharf:${SHOP_PASSWORD}@db/shop";
  in.password_env = "SHOP_PASSWORD";
  in.generated_at = "2026-12-05";
  in.tables = {{"public", "orders", {"id"}, 'd', true},
               {"public", "Audit Log", {}, 'd', false},
               {"sales", "lines", {"order_id", "line_no"}, 'd', true},
               {"sales", "events", {}, 'f', true}};
  std::string text = InitConfigText(in);
  EXPECT_NE(text.find("  - name: shop\n"), std::string::npos) << text;
  EXPECT_NE(text.find("$SHOP_PASSWORD"), std::string::npos);
  EXPECT_NE(text.find("public.orders                            primary key (id)"), std::string::npos) << text;
  EXPECT_NE(text.find("primary key (order_id, line_no)"), std::string::npos);
  EXPECT_NE(text.find("NEEDS: ALTER TABLE public.\"Audit Log\" REPLICA IDENTITY FULL;"), std::string::npos) << text;
  EXPECT_NE(text.find("sales.events                             replica identity full"), std::string::npos) << text;
  EXPECT_NE(text.find("      - \"public.*\"   # 2 table(s)\n      - \"sales.*\"   # 2 table(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("4 table(s) found, 2 with a primary key, 1 that cannot be replicated"), std::string::npos);
}

TEST(InitConfig, AnEmptyDatabaseStillGetsAUsableGlob) {
  InitInput in{"db_1x", "postgres://h/1x", "", "today", {}};
  EXPECT_NE(InitConfigText(in).find("tables: [\"public.*\"]"), std::string::npos);
}

TEST(InitConfig, SourceNamesAreValidIdentifiers) {
  EXPECT_EQ(SourceNameFor("Shop-DB"), "shop_db");
  EXPECT_EQ(SourceNameFor("1x"), "db_1x");
  EXPECT_EQ(SourceNameFor(std::string(60, 'a')).size(), 40u);
}

}  // namespace
}  // namespace wharf::cli
