// Tests of server::DashboardHtml: the embedded page is the committed
// dashboard.html (scripts/embed-dashboard.sh was run after the last edit),
// self-contained, and carries the ids the headless check relies on.
#include "server/dashboard_page.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace wharf::server {
namespace {

TEST(DashboardPage, IsACompleteDocument) {
  std::string_view html = DashboardHtml();
  EXPECT_EQ(html.substr(0, 15), "<!doctype html>");
  EXPECT_NE(html.find("</html>"), std::string_view::npos);
  for (const char* id :
       {"id=\"health\"", "id=\"tables\"", "id=\"lag-chart\"", "id=\"throughput-chart\"",
        "id=\"errors\"", "id=\"validation\"", "id=\"models\""}) {
    EXPECT_NE(html.find(id), std::string_view::npos) << id;
  }
}

TEST(DashboardPage, LoadsNothingFromElsewhere) {
  std::string_view html = DashboardHtml();
  // It must work offline: no scripts, styles, fonts or images from a URL.
  for (const char* ref :
       {"<script src", "<link rel=\"stylesheet\"", "@import", "url(", "https://"}) {
    EXPECT_EQ(html.find(ref), std::string_view::npos) << ref;
  }
  // The one http:// is SVG's namespace name, an identifier that is never fetched.
  for (size_t at = html.find("http://"); at != std::string_view::npos;
       at = html.find("http://", at + 1)) {
    EXPECT_EQ(html.substr(at, 26), "http://www.w3.org/2000/svg") << html.substr(at, 40);
  }
  EXPECT_NE(html.find("fetch(\"status\""), std::string_view::npos);
}

TEST(DashboardPage, EmbeddedCopyMatchesTheSource) {
  // This file sits at tests/unit/server/; the page at src/server/.
  std::filesystem::path page = std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." /
                               "src" / "server" / "dashboard.html";
  std::ifstream in(page, std::ios::binary);
  if (!in) GTEST_SKIP() << "source tree not found at " << page;
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_TRUE(text.str() == DashboardHtml())
      << "src/server/dashboard_html.inc is out of date: run scripts/embed-dashboard.sh";
}

}  // namespace
}  // namespace wharf::server
