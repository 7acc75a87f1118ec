#include "server/dashboard_page.hpp"

namespace wharf::server {

std::string_view DashboardHtml() {
  // dashboard_html.inc is dashboard.html as a raw string literal, written by
  // scripts/embed-dashboard.sh (and committed) so the build needs no step of
  // its own; tests/unit/server/dashboard_page_test.cpp fails when the two differ.
  static constexpr std::string_view kHtml =
#include "server/dashboard_html.inc"
      ;
  return kHtml;
}

}  // namespace wharf::server
