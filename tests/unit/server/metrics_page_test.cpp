// /metrics renders the status document: every fact with a number, nothing
// invented for facts that are not known yet.
#include <gtest/gtest.h>

#include "server/metrics_page.hpp"

namespace wharf::server {
namespace {

using json = nlohmann::json;

json Status() {
  return {{"healthy", true},
          {"uptime_seconds", 12.5},
          {"rejects", 2},
          {"sources",
           {{{"name", "shop"},
             {"slot", "wharf_shop"},
             {"lag_bytes", 184},
             {"lag_seconds", 0.8},
             {"changes_per_second", 52.5},
             {"staged_batches", 10},
             {"applied_batches", 9},
             {"pending_batches", 1},
             {"capture_paused", false},
             {"retained_wal_bytes", 123456},
             {"safe_wal_bytes", nullptr},
             {"applied_rows_by_table", {{"public.orders", {{"I", 5}, {"U", 2}}}}},
             {"tables",
              {{{"table", "public.orders"}, {"phase", "streaming"}, {"warehouse_rows", 1000}},
               {{"table", "public.big"}, {"phase", "copying"}, {"rows_copied", 10}, {"estimated_rows", 100},
                {"warehouse_rows", nullptr}}}}}}},
          {"validation",
           {{"finished_at_unix", 1796467469.5},
            {"tables", {{{"source", "shop"}, {"table", "public.orders"}, {"equal", false}, {"differences", 3}}}}}},
          {"models", {{"status", "success"}, {"errors", 0}}},
          {"log_counts", {{"error", 4}, {"warning", 1}}}};
}

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(MetricsPage, EveryKnownFactIsASample) {
  std::string text = MetricsPage(Status());
  EXPECT_TRUE(Has(text, "wharf_up 1")) << text;
  EXPECT_TRUE(Has(text, "wharf_replication_lag_bytes{source=\"shop\"} 184")) << text;
  EXPECT_TRUE(Has(text, "wharf_replication_lag_seconds{source=\"shop\"} 0.8")) << text;
  EXPECT_TRUE(Has(text, "wharf_changes_per_second{source=\"shop\"} 52.5")) << text;
  EXPECT_TRUE(Has(text, "wharf_batches_applied{source=\"shop\"} 9")) << text;
  EXPECT_TRUE(Has(text, "wharf_slot_retained_wal_bytes{source=\"shop\",slot=\"wharf_shop\"} 123456")) << text;
  EXPECT_TRUE(Has(text, "wharf_rows_applied_total{source=\"shop\",table=\"public.orders\",op=\"U\"} 2")) << text;
  EXPECT_TRUE(Has(text, "wharf_table_rows{source=\"shop\",table=\"public.orders\"} 1000")) << text;
  EXPECT_TRUE(Has(text, "wharf_table_phase{source=\"shop\",table=\"public.big\",phase=\"copying\"} 1")) << text;
  EXPECT_TRUE(Has(text, "wharf_table_rows_copied{source=\"shop\",table=\"public.big\"} 10")) << text;
  EXPECT_TRUE(Has(text, "wharf_rejects 2")) << text;
  EXPECT_TRUE(Has(text, "wharf_validation_equal{source=\"shop\",table=\"public.orders\"} 0")) << text;
  EXPECT_TRUE(Has(text, "wharf_validation_differences{source=\"shop\",table=\"public.orders\"} 3")) << text;
  EXPECT_TRUE(Has(text, "wharf_models_last_run_success 1")) << text;
  EXPECT_TRUE(Has(text, "wharf_log_messages_total{level=\"error\"} 4")) << text;
  EXPECT_TRUE(Has(text, "# TYPE wharf_rows_applied_total counter")) << text;
}

TEST(MetricsPage, UnknownFactsAreLeftOutNotZero) {
  std::string text = MetricsPage(Status());
  EXPECT_EQ(text.find("wharf_slot_safe_wal_bytes{"), std::string::npos) << text;
  EXPECT_EQ(text.find("wharf_table_rows{source=\"shop\",table=\"public.big\"}"), std::string::npos) << text;
  json bare = {{"sources", {{{"name", "shop"}, {"lag_bytes", nullptr}}}}};
  std::string t2 = MetricsPage(bare);
  EXPECT_EQ(t2.find("wharf_replication_lag_bytes{"), std::string::npos) << t2;
  EXPECT_TRUE(Has(t2, "wharf_healthy 0")) << t2;
}

}  // namespace
}  // namespace wharf::server
