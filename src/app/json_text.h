// JSON text with numbers as people write them: 114.38, not Boost.JSON's 1.1438E2 (both are valid
// JSON; spreadsheets, GIS tools and readers of logs prefer the first).
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace gongzhi {

std::string JsonText(const boost::json::value& v);

// Appends `s` as a JSON string (quoted and escaped as Boost.JSON does) to `out`.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace gongzhi
