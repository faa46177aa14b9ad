#include "curve_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace shz::train {

namespace {
std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}
}  // namespace

std::string curve_svg(const std::vector<CurvePoint>& pts, const std::string& title) {
  const double W = 720, H = 420, l = 70, r = 20, t = 40, b = 55;
  double xmax = 1, ymin = 1e9, ymax = 0;
  for (const CurvePoint& p : pts) {
    xmax = std::max(xmax, p.bytes);
    for (double y : {p.train_bpb, p.valid_bpb})
      if (y > 0) ymin = std::min(ymin, y), ymax = std::max(ymax, y);
  }
  if (ymax <= 0) ymin = 0, ymax = 8;
  ymin = std::floor(ymin * 4) / 4;
  ymax = std::max(ymin + 0.25, std::ceil(ymax * 4) / 4);
  const double mb = xmax / 1e6;
  auto X = [&](double bytes) { return l + (W - l - r) * bytes / xmax; };
  auto Y = [&](double bpb) { return t + (H - t - b) * (ymax - bpb) / (ymax - ymin); };
  std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='" + fmt("%.0f", W) + "' height='" + fmt("%.0f", H) +
                  "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  s += "<text x='" + fmt("%.0f", W / 2) + "' y='22' text-anchor='middle' font-size='14'>" + title + "</text>\n";
  // Grid and tick labels: bpb every 0.25 (or 0.5 when the range is wide), bytes in 5 steps.
  const double ystep = (ymax - ymin) > 3 ? 0.5 : 0.25;
  for (double y = ymin; y <= ymax + 1e-9; y += ystep) {
    s += "<line x1='" + fmt("%.1f", l) + "' x2='" + fmt("%.1f", W - r) + "' y1='" + fmt("%.1f", Y(y)) + "' y2='" +
         fmt("%.1f", Y(y)) + "' stroke='#ddd'/>\n";
    s += "<text x='" + fmt("%.1f", l - 6) + "' y='" + fmt("%.1f", Y(y) + 4) + "' text-anchor='end'>" + fmt("%.2f", y) + "</text>\n";
  }
  for (int i = 0; i <= 5; ++i) {
    const double xb = xmax * i / 5;
    s += "<line x1='" + fmt("%.1f", X(xb)) + "' x2='" + fmt("%.1f", X(xb)) + "' y1='" + fmt("%.1f", t) + "' y2='" +
         fmt("%.1f", H - b) + "' stroke='#eee'/>\n";
    s += "<text x='" + fmt("%.1f", X(xb)) + "' y='" + fmt("%.1f", H - b + 16) + "' text-anchor='middle'>" +
         fmt(mb >= 10 ? "%.0f" : "%.1f", xb / 1e6) + "</text>\n";
  }
  s += "<text x='" + fmt("%.0f", (l + W - r) / 2) + "' y='" + fmt("%.0f", H - 15) +
       "' text-anchor='middle'>training bytes seen (millions)</text>\n";
  s += "<text transform='translate(18," + fmt("%.0f", (t + H - b) / 2) +
       ") rotate(-90)' text-anchor='middle'>bits per byte</text>\n";
  auto series = [&](bool valid, const char* colour, const char* label, double ly) {
    std::string path;
    for (const CurvePoint& p : pts) {
      const double y = valid ? p.valid_bpb : p.train_bpb;
      if (y <= 0) continue;
      path += (path.empty() ? "M" : " L") + fmt("%.1f", X(p.bytes)) + "," + fmt("%.1f", Y(std::max(ymin, std::min(ymax, y))));
      if (valid)
        s += "<circle cx='" + fmt("%.1f", X(p.bytes)) + "' cy='" + fmt("%.1f", Y(y)) + "' r='3' fill='" + colour + "'/>\n";
    }
    if (!path.empty())
      s += "<path d='" + path + "' fill='none' stroke='" + colour + "' stroke-width='" + (valid ? "2" : "1") + "'/>\n";
    s += "<line x1='" + fmt("%.0f", W - r - 150) + "' x2='" + fmt("%.0f", W - r - 125) + "' y1='" + fmt("%.0f", ly) +
         "' y2='" + fmt("%.0f", ly) + "' stroke='" + colour + "' stroke-width='2'/>\n<text x='" +
         fmt("%.0f", W - r - 120) + "' y='" + fmt("%.0f", ly + 4) + "'>" + label + "</text>\n";
  };
  series(false, "#999", "train (running mean)", t + 15);
  series(true, "#1f5fbf", "validation", t + 33);
  s += "</svg>\n";
  return s;
}

}  // namespace shz::train
