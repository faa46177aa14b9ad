// The progress line: on stderr, only when stderr is a terminal, at most 5 updates a second.
#pragma once

#include <chrono>
#include <string>

#include "shz/shz.h"

namespace shz::cli {

class ProgressLine {
 public:
  ProgressLine(bool enabled, std::string label, bool decoding);
  void update(const Progress& p);  // rate-limited
  void clear();                    // erases the line before other output

 private:
  bool enabled_;
  std::string label_;
  bool decoding_;
  std::chrono::steady_clock::time_point start_, last_;
  bool shown_ = false;
};

// "12.3 MiB" style size.
std::string human_bytes(double bytes);

}  // namespace shz::cli
