#include "eval_cmd.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "bench/runner.h"
#include "cli/file_io.h"
#include "cli/size_arg.h"
#include "cli/tool_exec.h"
#include "shz/shz.h"

namespace shz::cli {
namespace {

// The float model's bits on `file`, segmented as the archive is, from shz-train float-eval.
double float_bits(const EvalOptions& o, const std::string& file, uint64_t segment) {
  const std::string cmd = bench::shell_quote(train_tool_path()) + " float-eval --json --segment-size " +
                          std::to_string(segment) + " -T " + std::to_string(o.threads) + " " +
                          bench::shell_quote(o.checkpoint) + " " + bench::shell_quote(file);
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) throw Error(ErrorCode::kUsage, "cannot run shz-train");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
  const int rc = pclose(p.release());
  if (rc != 0 || out.empty()) throw Error(ErrorCode::kInput, "shz-train float-eval failed for " + file);
  return nlohmann::json::parse(out).at("float_bits").get<double>();
}

}  // namespace

int eval_run(const EvalOptions& o) {
  int status = 0;
  for (const std::string& file : o.files) {
    try {
      const std::vector<uint8_t> data = file_read_all(file);
      CompressOptions copt;
      copt.model = o.model;
      copt.threads = o.threads;
      copt.device = o.device;
      copt.engine = o.engine;
      if (!o.segment_size.empty()) copt.segment_size = size_arg_parse(o.segment_size, "--segment-size");
      const auto t0 = std::chrono::steady_clock::now();
      const ModelBits mb = model_bits(data.data(), data.size(), copt);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double n = double(data.size());
      const double bpb = mb.bpb();
      nlohmann::json j{{"file", file},
                       {"bytes", data.size()},
                       {"model", mb.model},
                       {"segment_size", mb.segment_size},
                       {"archive_bytes", mb.archive_bytes},
                       {"payload_bytes", mb.payload_bytes},
                       {"bpb", bpb},
                       {"compress_bytes_per_s", secs > 0 ? n / secs : 0.0}};
      std::string line;
      char msg[512];
      std::snprintf(msg, sizeof msg, "%s: %.0f bytes, model %s: %.4f bpb (payload %llu bytes, archive %zu), %.1f KB/s",
                    file.c_str(), n, mb.model.c_str(), bpb, (unsigned long long)mb.payload_bytes,
                    size_t(mb.archive_bytes), secs > 0 ? n / secs / 1000 : 0.0);
      line = msg;
      if (!o.checkpoint.empty() && n > 0) {
        const double fb = float_bits(o, file, mb.segment_size) / n;
        j["float_bpb"] = fb;
        j["int_over_float"] = bpb / fb - 1;
        std::snprintf(msg, sizeof msg, "; float %.4f bpb, integer %+.2f%%", fb, 100 * (bpb / fb - 1));
        line += msg;
      }
      std::printf("%s\n", o.json ? j.dump().c_str() : line.c_str());
    } catch (const Error& e) {
      std::fprintf(stderr, "shz: %s: %s\n", file.c_str(), e.what());
      if (status == 0) status = int(e.code());
    }
  }
  return status;
}

}  // namespace shz::cli
