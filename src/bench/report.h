// Presenting benchmark results: an aligned table, CSV, JSON and an SVG plot of bits per byte
// against compression speed.
#pragma once

#include <string>
#include <vector>

#include "runner.h"

namespace shz::bench {

struct Machine {
  std::string cpu;   // model name
  unsigned cores = 0;
  std::string simd;  // best level shz uses here
};

Machine machine_describe();
// "CPU, N cores, SIMD level", as tables name a machine.
std::string machine_name(const Machine& m);

// Results saved by report_json, read back (throws nlohmann::json::exception when malformed).
std::vector<Result> results_from_json(const std::string& text, Machine* m);

std::string report_table(const std::vector<Result>& results);
std::string report_csv(const std::vector<Result>& results);
// Markdown for docs: sizes (bytes and bits per byte) with a row per file and a column per
// compressor, a total row; then a row per compressor with its total, speeds (total bytes over
// total seconds, both ways) and peak memory. The machine is named above the tables (each
// machine with the compressors timed on it, when rows come from more than one).
std::string report_markdown(const Machine& m, const std::vector<Result>& results);
std::string report_json(const Machine& m, const std::vector<Result>& results, const std::vector<std::string>& skipped);
// A self-contained SVG: one point per compressor per corpus; x = compression MB/s (log
// scale), y = bits per byte; a legend names the compressors and the corpora's markers.
std::string report_svg(const Machine& m, const std::vector<Result>& results);

}  // namespace shz::bench
