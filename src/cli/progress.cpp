#include "progress.h"

#include <cstdio>

namespace shz::cli {

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

ProgressLine::ProgressLine(bool enabled, std::string label, bool decoding)
    : enabled_(enabled), label_(std::move(label)), decoding_(decoding) {
  start_ = last_ = std::chrono::steady_clock::now();
}

void ProgressLine::update(const Progress& p) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double pct = p.total ? 100.0 * double(p.bytes_in) / double(p.total) : 100.0;
  const double speed = secs > 0 ? double(p.bytes_in) / secs : 0;
  char bpb[32] = "";
  if (p.bytes_finished)
    std::snprintf(bpb, sizeof bpb, ", %.3f bpb", 8.0 * double(p.bytes_coded) / double(p.bytes_finished));
  std::fprintf(stderr, "\r%s: %s %s / %s (%.0f%%), %s/s%s\033[K", label_.c_str(), decoding_ ? "decoded" : "read",
               human_bytes(double(p.bytes_in)).c_str(), human_bytes(double(p.total)).c_str(), pct,
               human_bytes(speed).c_str(), bpb);
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace shz::cli
