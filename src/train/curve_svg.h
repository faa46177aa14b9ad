// The training curve as a small standalone SVG: bits per byte against training bytes seen.
#pragma once

#include <string>
#include <vector>

namespace shz::train {

struct CurvePoint {
  double bytes = 0;
  double train_bpb = 0;  // mean over the steps since the previous point
  double valid_bpb = 0;  // <= 0 when not evaluated at this point
};

std::string curve_svg(const std::vector<CurvePoint>& pts, const std::string& title);

}  // namespace shz::train
