#include "size_arg.h"

#include "shz/shz.h"

namespace shz::cli {

uint64_t size_arg_parse(const std::string& text, const std::string& option) {
  const Error bad(ErrorCode::kUsage, option + ": '" + text + "' is not a size (examples: 65536, 64K, 1M, 1MiB)");
  size_t i = 0;
  uint64_t v = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (v > (uint64_t(1) << 62) / 10) throw bad;
    v = v * 10 + uint64_t(text[i] - '0');
  }
  if (i == 0) throw bad;
  std::string unit = text.substr(i);
  int shift = 0;
  if (!unit.empty()) {
    switch (unit[0]) {
      case 'K': case 'k': shift = 10; break;
      case 'M': case 'm': shift = 20; break;
      case 'G': case 'g': shift = 30; break;
      default: throw bad;
    }
    unit = unit.substr(1);
    if (!unit.empty() && unit != "iB" && unit != "B" && unit != "i") throw bad;
  }
  if (v == 0 || v > (uint64_t(1) << (62 - shift))) throw bad;
  return v << shift;
}

}  // namespace shz::cli
