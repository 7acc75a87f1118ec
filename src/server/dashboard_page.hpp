#pragma once
// The dashboard page served at `/` (src/server/dashboard.html): one
// self-contained HTML document, no external resources, polling GET status.
// Serve it with Content-Type kDashboardContentType.
#include <string_view>

namespace wharf::server {

inline constexpr std::string_view kDashboardContentType = "text/html; charset=utf-8";

// The page, compiled into the binary (static storage: the view never dangles).
std::string_view DashboardHtml();

}  // namespace wharf::server
