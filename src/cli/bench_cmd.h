// `shz bench`: shz beside zstd, xz and other compressors on the user's files.
#pragma once

#include <string>
#include <vector>

namespace shz::cli {

struct BenchOptions {
  std::vector<std::string> paths;   // files or directories
  std::vector<std::string> models;  // shz models to include (default: the default model)
  std::vector<int> levels;          // shz levels, each a row (default: the default level)
  int runs = 3;                     // measured runs after one warm-up
  unsigned threads = 0;
  std::string csv, json, svg, md;   // output files ("-" = stdout for csv/json/md)
  bool external = true;             // include command-line compressors found on PATH
  std::vector<std::string> replot;  // JSONs of earlier runs: redraw the reports from them, measure nothing
  std::string reference;            // TSV of published sizes (file, compressor, bytes): rows of their own
};

// Runs the benchmark; returns the exit code (2 when a round trip failed or no input).
int bench_run(const BenchOptions& o);

}  // namespace shz::cli
