// The shz command line: a thin layer over include/shz/shz.h with zstd/xz manners.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/bench_cmd.h"
#include "cli/eval_cmd.h"
#include "cli/file_io.h"
#include "cli/frames_cmd.h"
#include "cli/mode_args.h"
#include "cli/progress.h"
#include "cli/size_arg.h"
#include "cli/tool_exec.h"
#include "shz/shz.h"
#include "util/bytes.h"
#include "util/env_tuning.h"

namespace shz::cli {
namespace {

struct Options {
  std::vector<std::string> files;
  std::string output;
  bool to_stdout = false;
  bool force = false;
  bool keep = false;  // the default anyway; accepted for zstd compatibility
  bool remove = false;
  int quiet = 0;
  int verbose = 0;
  unsigned threads = 0;
  std::string model;  // compress: default "default"; decompress: a model file, if needed
  bool embed_model = false;
  bool model_only = false;
  bool no_match = false;
  bool no_mix = false;
  bool no_lzma = false;
  int level = -1;  // -1: kDefaultLevel; 0: the formats before context mixing
  bool best = false;
  std::string segment_size, lane_size, frame_size;
  std::string range;  // decompress --range START:LENGTH
  std::string part;   // compress --part K/N
  std::string device = "cpu";
  EngineTuning engine;  // from the environment (SHZ_SIMD, SHZ_BATCH, SHZ_CUDA_*)
};

const char* const kExitCodes =
    "Without a subcommand, as zstd and xz: shz FILE compresses; -d decompresses, -t tests,\n"
    "-l describes (shz -dc FILE.shz writes to standard output).\n\n"
    "Exit codes: 0 success; 1 bad usage; 2 bad input (missing file, not an archive, corrupt or\n"
    "truncated data); 3 the archive needs a model this shz lacks; 4 cannot write the output;\n"
    "130 interrupted. With several files, shz goes on after a failure and exits with the first\n"
    "failure's code.";

int verbosity(const Options& o) { return 1 - o.quiet + o.verbose; }

void say(const Options& o, int level, const std::string& line) {
  if (verbosity(o) >= level) std::fprintf(stderr, "%s\n", line.c_str());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// How `shz info` describes an archive's model file: built into this shz or not.
std::string model_file_kind(uint64_t hash) {
  const std::shared_ptr<const LoadedModel> d = default_model();
  if (d && d->id.hash == hash) return "model file; this shz's default model";
  if (builtin_model_with_hash(hash)) return "model file; built into this shz, an older default model";
  return "model file";
}

std::string display_name(const std::string& path) { return path == "-" ? "stdin" : path; }

bool has_suffix(const std::string& s, const std::string& suf) {
  return s.size() > suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// Where the output of `in` goes: "-" for stdout.
std::string output_path(const Options& o, const std::string& in, bool compressing) {
  if (o.to_stdout) return "-";
  if (!o.output.empty()) return o.output;
  if (in == "-") return "-";
  if (compressing && !o.part.empty()) {
    const auto [k, n] = part_parse(o.part);
    return in + ".part" + std::to_string(k) + "-of-" + std::to_string(n) + ".shz";
  }
  if (compressing) return in + ".shz";
  if (!has_suffix(in, ".shz")) throw Error(ErrorCode::kUsage, in + ": unknown suffix (expected .shz); use -o or -c");
  return in.substr(0, in.size() - 4);
}

void check_paths(const Options& o, const std::string& in, const std::string& out) {
  if (out != "-" && in != "-" && same_file(in, out))
    throw Error(ErrorCode::kUsage, in + ": output would overwrite the input");
  // A device read with a name made from its own (shz /dev/sda) would put FILE.shz beside it
  // in /dev, as xz and zstd refuse to; -c or -o says where the data should go. A FIFO is
  // data passing through and keeps the usual name.
  struct stat st;
  if (in != "-" && !o.to_stdout && o.output.empty() && stat(in.c_str(), &st) == 0 && !S_ISREG(st.st_mode) &&
      !S_ISFIFO(st.st_mode) && !S_ISDIR(st.st_mode))
    throw Error(ErrorCode::kInput, in + ": not a regular file (use -c or -o to read it)");
}

// --rm: removes `in`, whose status when it was opened was `read`, once the output is safe.
void remove_input(const Options& o, const std::string& in, const OutputFile& out, const struct stat& read) {
  if (!o.remove || in == "-") return;
  if (!out.keeps_data()) {
    say(o, 1, "shz: " + in + ": kept (--rm), as the output is not a regular file");
    return;
  }
  if (!file_still_is(in, read)) {
    say(o, 1, "shz: " + in + ": kept (--rm): it is no longer the file that was read");
    return;
  }
  if (unlink(in.c_str()) != 0) say(o, 1, "shz: " + in + ": could not remove input");
}

// Speed for the summary line: MiB/s, or KiB/s below 1 MiB/s (neural models run at tens of
// KiB/s, where "0.06 MiB/s" would say little).
std::string speed_text(double bytes, double secs) {
  const double rate = secs > 0 ? bytes / secs : 0.0;
  char buf[32];
  if (rate >= 1048576.0) std::snprintf(buf, sizeof buf, "%.2f MiB/s", rate / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.1f KiB/s", rate / 1024.0);
  return buf;
}

// A model given with -m when compressing: a file that cannot be read or is not a model is
// bad input (exit 2), like any other input; exit 3 is for archives that need a model.
std::shared_ptr<const LoadedModel> model_given(const std::string& name, const std::string& device) {
  try {
    return model_load(name, device);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kModel) throw Error(ErrorCode::kInput, e.what());
    throw;
  }
}

// "N of up to S bytes", then how many segments each method coded, in the order the encoder
// prefers them (for info, and for compress -v).
std::string segments_summary(const ArchiveInfo& info) {
  size_t by_method[7] = {0, 0, 0, 0, 0, 0, 0};
  for (const SegmentInfo& s : info.segments) ++by_method[size_t(s.method)];
  std::string out = std::to_string(info.segments.size()) + " of up to " + std::to_string(info.segment_size) + " bytes";
  if (by_method[0] != info.segments.size()) {
    const struct {
      SegmentMethod m;
      const char* what;
    } kinds[] = {{SegmentMethod::kCmModel, "by context mixing with the model"},
                 {SegmentMethod::kCm, "by context mixing without the model (it did not pay there)"},
                 {SegmentMethod::kModelMix, "by the model with the match model and the mixing stage"},
                 {SegmentMethod::kModelMatch, "by the model with the match model"},
                 {SegmentMethod::kModel, "by the model alone"},
                 {SegmentMethod::kLzma, "by LZMA2 (smaller there)"},
                 {SegmentMethod::kStored, "stored (nothing shrank them)"}};
    const char* sep = ": ";
    for (const auto& k : kinds)
      if (by_method[size_t(k.m)]) {
        out += sep + std::to_string(by_method[size_t(k.m)]) + " " + k.what;
        sep = ", ";
      }
  }
  return out;
}

void compress_one(const Options& o, const std::string& in) {
  if (in != "-" && has_suffix(in, ".shz")) throw Error(ErrorCode::kUsage, in + ": already has .shz suffix (ignored)");
  const std::string out = output_path(o, in, true);
  if (out == "-" && isatty(1) && !o.force)
    throw Error(ErrorCode::kUsage, "refusing to write compressed data to a terminal (use -o, redirect, or -f)");
  check_paths(o, in, out);

  CompressOptions copt;
  copt.model = o.model.empty() ? kDefaultModelName : o.model;
  copt.embed_model = o.embed_model;
  copt.lzma_fallback = !o.model_only && !o.no_lzma;
  copt.match_model = !o.model_only && !o.no_match;
  copt.mix_stage = !o.no_mix;
  const bool legacy = o.model_only || o.no_match || o.no_mix;
  if (legacy && (o.level > 0 || o.best))
    throw Error(ErrorCode::kUsage, "a level (-1..-9) cannot be combined with --model-only, --no-match or --no-mix");
  copt.level = legacy ? 0 : o.best ? kMaxLevel : o.level >= 0 ? o.level : kDefaultLevel;
  if (!o.lane_size.empty()) copt.lane_size = size_arg_parse(o.lane_size, "--lane-size");
  copt.threads = o.threads;
  copt.device = o.device;
  copt.engine = o.engine;
  const std::shared_ptr<const LoadedModel> given = model_given(copt.model, copt.device);  // fail before any work
  if (verbosity(o) >= 2) say(o, 2, "model: " + given->description);
  if (!o.segment_size.empty()) copt.segment_size = size_arg_parse(o.segment_size, "--segment-size");
  if (!o.frame_size.empty()) copt.frame_size = size_arg_parse(o.frame_size, "--frame-size");
  const auto t0 = std::chrono::steady_clock::now();
  const InputFile input(in);
  FILE* const f = input.f;
  const struct stat& st = input.st;
  // --part K/N: this part's whole frames only (shz join puts the parts together).
  uint64_t part_left = UINT64_MAX;
  if (!o.part.empty()) {
    if (!S_ISREG(st.st_mode)) throw Error(ErrorCode::kUsage, "--part needs a file, not a pipe");
    const auto [k, n] = part_parse(o.part);
    const ByteRange r = part_range(uint64_t(st.st_size), copt.frame_size, k, n);
    if (fseeko(f, off_t(r.start), SEEK_SET) != 0)
      throw Error(ErrorCode::kInput, display_name(in) + ": cannot seek: " + std::string(strerror(errno)));
    part_left = r.length;
    say(o, 2, "part " + o.part + ": bytes " + std::to_string(r.start) + " to " + std::to_string(r.start + r.length));
  }
  ProgressLine line(verbosity(o) >= 1 && isatty(2), display_name(in), false);
  copt.progress = [&](const Progress& p) { line.update(p); };
  std::vector<std::string> notes;
  copt.note = [&](const std::string& n) { notes.push_back(n); };
  ArchiveInfo coded;  // every frame's segments, for -vv
  size_t frames = 0;
  if (verbosity(o) >= 2)
    copt.frame_done = [&](const ArchiveInfo& a) {
      if (frames++ == 0) coded = a;
      else coded.segments.insert(coded.segments.end(), a.segments.begin(), a.segments.end());
    };
  OutputFile file(out, o.force, in == "-" ? nullptr : &st);  // before the work: fail fast on -f
  uint64_t read = 0, written = 0;
  const ReadFn source = file_reader(f, display_name(in));
  try {
    // Streamed: one frame of input in memory at a time, each frame written when coded.
    compress([&](uint8_t* buf, size_t n) {
      const size_t k = source(buf, size_t(std::min<uint64_t>(n, part_left - read)));
      read += k;
      return k;
    }, [&](const uint8_t* p, size_t n) {
      written += n;
      file.write(p, n);
    }, copt);
  } catch (...) {
    line.clear();
    throw;
  }
  line.clear();
  file.commit();
  remove_input(o, in, file, st);
  const double secs = seconds_since(t0);
  char msg[512];
  std::snprintf(msg, sizeof msg, "%s: %llu -> %llu bytes (%.2f%%, %.3f bpb), %s%s%s",
                display_name(in).c_str(), (unsigned long long)read, (unsigned long long)written,
                read == 0 ? 0.0 : 100.0 * double(written) / double(read),
                read == 0 ? 0.0 : 8.0 * double(written) / double(read),
                speed_text(double(read), secs).c_str(), out == "-" ? "" : " -> ",
                out == "-" ? "" : out.c_str());
  // A filter (to standard output) is quiet, as gzip, xz and zstd are, unless -v.
  say(o, out == "-" ? 2 : 1, msg);
  if (verbosity(o) >= 2)
    say(o, 2, (frames > 1 ? std::to_string(frames) + " frames, segments: " : std::string("segments: ")) +
                  segments_summary(coded));
  for (const std::string& n : notes) say(o, 3, n);
}

void decompress_one(const Options& o, const std::string& in, bool test_only) {
  if (in == "-" && isatty(0) && !o.force)
    throw Error(ErrorCode::kUsage, "refusing to read compressed data from a terminal (use a file or redirect)");
  // Every -m is checked, even where the archive turns out not to need it: a name that is
  // not a model is a mistake the user should hear of.
  if (!o.model.empty()) model_given(o.model, o.device);
  const std::string out = test_only ? std::string() : output_path(o, in, false);
  if (!test_only) check_paths(o, in, out);
  const InputFile input(in);
  FILE* const f = input.f;
  const struct stat& st = input.st;
  const auto t0 = std::chrono::steady_clock::now();
  ProgressLine line(verbosity(o) >= 1 && isatty(2), display_name(in), true);
  DecompressOptions dopt;
  dopt.threads = o.threads;
  dopt.model = o.model;
  dopt.device = o.device;
  dopt.engine = o.engine;
  dopt.progress = [&](const Progress& p) { line.update(p); };
  uint64_t produced = 0;
  std::unique_ptr<OutputFile> file;
  if (!test_only) file = std::make_unique<OutputFile>(out, o.force, in == "-" ? nullptr : &st);
  WriteFn sink = [&](const uint8_t* p, size_t n) {
    produced += n;
    if (file) file->write(p, n);
  };
  try {
    if (o.range.empty()) {
      decompress(file_reader(f, display_name(in)), sink, dopt);
    } else {
      // Only the frames that hold the range are decoded: the input must be seekable.
      if (!S_ISREG(st.st_mode))
        throw Error(ErrorCode::kUsage, "--range needs a seekable input (a file, not a pipe)");
      const auto [start, length] = range_parse(o.range);
      decompress_range(file_reader_at(f, display_name(in)), uint64_t(st.st_size), start, length, sink, dopt);
    }
  } catch (...) {
    line.clear();
    throw;
  }
  line.clear();
  if (file) file->commit();
  if (file) remove_input(o, in, *file, st);
  const double secs = seconds_since(t0);
  char msg[512];
  std::snprintf(msg, sizeof msg, "%s: %s%llu bytes, %s%s%s", display_name(in).c_str(),
                test_only ? "OK, " : "", (unsigned long long)produced,
                speed_text(double(produced), secs).c_str(), out.empty() || out == "-" ? "" : " -> ",
                out.empty() || out == "-" ? "" : out.c_str());
  say(o, out == "-" ? 2 : 1, msg);
}

// `shz info` of a stream of several frames: totals, then one line per frame.
void stream_info_print(const Options& o, const std::string& in, const StreamInfo& s) {
  ArchiveInfo all = s.frames[0];  // segments of every frame, for the summary
  unsigned version = 0;
  for (size_t k = 0; k < s.frames.size(); ++k) {
    version = std::max(version, s.frames[k].version);
    if (k) all.segments.insert(all.segments.end(), s.frames[k].segments.begin(), s.frames[k].segments.end());
  }
  const double n = double(s.original_size());
  std::printf("%s\n", display_name(in).c_str());
  std::printf("  frames          %zu (%s)\n", s.frames.size(),
              s.index_size() ? ("seek index: " + std::to_string(s.index_size()) + " bytes").c_str()
                             : "concatenated, no seek index");
  std::printf("  format version  %u (newest of the frames)\n", version);
  std::printf("  model           %s (xxh64 %s)%s\n", all.model.name.c_str(), hex(all.model.hash).c_str(),
              std::all_of(s.frames.begin(), s.frames.end(), [&](const ArchiveInfo& f) { return f.model.hash == all.model.hash; })
                  ? ""
                  : " in the first frame; others differ (-v)");
  std::printf("  original size   %llu bytes (%s)\n", (unsigned long long)s.original_size(), human_bytes(n).c_str());
  std::printf("  archive size    %llu bytes\n", (unsigned long long)s.stream_size);
  if (n > 0)
    std::printf("  ratio           %.2f%%, %.4f bits per byte\n", 100.0 * double(s.stream_size) / n,
                8.0 * double(s.stream_size) / n);
  std::printf("  segments        %s\n", segments_summary(all).c_str());
  if (verbosity(o) >= 2) {
    std::printf("  %8s %14s %12s %12s %8s  %-16s  %s\n", "frame", "at byte", "original", "archive", "bpb", "xxh64", "model");
    for (size_t k = 0; k < s.frames.size(); ++k) {
      const ArchiveInfo& f = s.frames[k];
      std::printf("  %8zu %14llu %12llu %12llu %8.4f  %-16s  %s\n", k, (unsigned long long)s.frame_offsets[k],
                  (unsigned long long)f.original_size, (unsigned long long)f.archive_size(),
                  f.original_size ? 8.0 * double(f.archive_size()) / double(f.original_size) : 0.0,
                  hex(f.content_hash).c_str(), f.model.name.c_str());
    }
  }
}

void info_one(const Options& o, const std::string& in) {
  if (in == "-" && isatty(0) && !o.force)
    throw Error(ErrorCode::kUsage, "refusing to read compressed data from a terminal (use a file or redirect)");
  StreamInfo stream;
  {
    const InputFile input(in);
    stream = stream_read_info(file_reader(input.f, display_name(in)));
  }
  if (stream.frames.size() > 1) return stream_info_print(o, in, stream);
  const ArchiveInfo& info = stream.frames[0];
  const double n = double(info.original_size);
  std::printf("%s\n", display_name(in).c_str());
  std::printf("  format version  %u\n", info.version);
  std::printf("  model           %s (%s, xxh64 %s)%s\n", info.model.name.c_str(),
              info.model_is_builtin ? "built-in" : model_file_kind(info.model.hash).c_str(),
              hex(info.model.hash).c_str(),
              archive_needs_model(info) || info.segments.empty() ? "" : "; no segment uses it: decodes without it");
  std::printf("  original size   %llu bytes (%s)\n", (unsigned long long)info.original_size,
              human_bytes(n).c_str());
  if (info.model_embedded)
    std::printf("  archive size    %llu bytes (header and table %llu, embedded model %llu, payload %llu)\n",
                (unsigned long long)info.archive_size(), (unsigned long long)info.header_size,
                (unsigned long long)info.model_size, (unsigned long long)info.payload_size());
  else
    std::printf("  archive size    %llu bytes (header and table %llu, payload %llu; model not included)\n",
                (unsigned long long)info.archive_size(), (unsigned long long)info.header_size,
                (unsigned long long)info.payload_size());
  if (info.original_size)
    std::printf("  ratio           %.2f%%, %.4f bits per byte (payload alone %.4f)\n",
                100.0 * double(info.archive_size()) / n, 8.0 * double(info.archive_size()) / n,
                8.0 * double(info.payload_size()) / n);
  if (info.model_embedded)
    std::printf("  without model   %llu bytes, %.4f bits per byte\n",
                (unsigned long long)(info.archive_size() - info.model_size),
                n > 0 ? 8.0 * double(info.archive_size() - info.model_size) / n : 0.0);
  std::printf("  segments        %s", segments_summary(info).c_str());
  std::printf("\n");
  std::printf("  content xxh64   %s\n", hex(info.content_hash).c_str());
  if (verbosity(o) >= 2) {
    std::printf("  %8s %12s %12s %8s  %-16s  %s\n", "segment", "original", "coded", "bpb", "xxh64", "method");
    for (size_t i = 0; i < info.segments.size(); ++i) {
      const SegmentInfo& s = info.segments[i];
      std::printf("  %8zu %12llu %12llu %8.4f  %-16s  %s\n", i, (unsigned long long)s.original_size,
                  (unsigned long long)s.coded_size, 8.0 * double(s.coded_size) / double(s.original_size),
                  hex(s.hash).c_str(), segment_method_name(s.method));
    }
  }
}

enum class Mode { kCompress, kDecompress, kTest, kInfo };

int run(const Options& o, Mode mode) {
  std::vector<std::string> files = o.files;
  if (files.empty()) files.push_back("-");
  if (!o.output.empty() && files.size() > 1) {
    std::fprintf(stderr, "shz: -o takes one input file, %zu given\n", files.size());
    return int(ErrorCode::kUsage);
  }
  int status = 0;
  for (const std::string& in : files) {
    try {
      switch (mode) {
        case Mode::kCompress: compress_one(o, in); break;
        case Mode::kDecompress: decompress_one(o, in, false); break;
        case Mode::kTest: decompress_one(o, in, true); break;
        case Mode::kInfo: info_one(o, in); break;
      }
    } catch (const Error& e) {
      std::string what = e.what();
      // The library names no flag; the CLI says which one helps.
      if (e.code() == ErrorCode::kModel && mode != Mode::kCompress && o.model.empty() &&
          what.find("needs model file") != std::string::npos)
        what += "; give it with --model FILE";
      // Errors from the library do not know the file name; add it unless already there.
      const std::string name = display_name(in);
      const bool named = what.compare(0, name.size(), name) == 0;
      std::fprintf(stderr, "shz: %s%s\n", named ? "" : (name + ": ").c_str(), what.c_str());
      if (status == 0) status = int(e.code());
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "shz: %s: out of memory\n", display_name(in).c_str());
      if (status == 0) status = int(ErrorCode::kInput);
    } catch (const std::exception& e) {
      // Anything else (a library's own exception) is still one line, not an abort, and
      // unwinding removes the partial output.
      std::fprintf(stderr, "shz: %s: %s\n", display_name(in).c_str(), e.what());
      if (status == 0) status = int(ErrorCode::kInput);
    }
  }
  return status;
}

void add_common(CLI::App* cmd, Options& o, bool writes) {
  cmd->add_option("files", o.files, "Input files ('-' or none: standard input)");
  if (writes) {
    cmd->add_option("-o,--output", o.output, "Write to this file (one input only)");
    cmd->add_flag("-c,--stdout", o.to_stdout, "Write to standard output");
    cmd->add_flag("-k,--keep", o.keep, "Keep the input files (default)");
    cmd->add_flag("--rm", o.remove, "Remove each input file after success");
  }
  cmd->add_flag("-f,--force", o.force, "Overwrite existing outputs; allow terminal input/output");
  cmd->add_flag("-q,--quiet", o.quiet, "Print less (repeatable)");
  cmd->add_flag("-v,--verbose", o.verbose, "Print more (repeatable)");
  cmd->add_option("-T,--threads", o.threads, "Worker threads (0: one per core; never changes the archive)")
      ->check(CLI::Range(0u, 1024u));
}

}  // namespace
}  // namespace shz::cli

int main(int argc, char** argv) {
  using namespace shz::cli;
  // Training and export run in shz-train (LibTorch), never linked into shz itself.
  if (argc >= 2 && (std::string(argv[1]) == "train" || std::string(argv[1]) == "export")) train_tool_exec(argc, argv);
  signals_install();
  Options o;
  try {
    o.engine = shz::engine_tuning_from_env();  // SHZ_SIMD, SHZ_BATCH, SHZ_CUDA_*: speed only, never the archive
  } catch (const shz::Error& e) {
    std::fprintf(stderr, "shz: %s\n", e.what());
    return int(shz::ErrorCode::kUsage);
  }
  CLI::App app{"shz: lossless compression with a neural byte model and an arithmetic coder"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", std::string("shz ") + shz::version_string());

  CLI::App* comp = app.add_subcommand("compress", "Compress files to FILE.shz");
  add_common(comp, o, true);
  comp->add_option("-m,--model", o.model,
                   "Model: 'default' (the built-in SHA-RNN, the default), a built-in name (" +
                       shz::predictor_builtin_names() + ", or an older default model's, e.g. shz-small-v1) or a model file");
  comp->add_flag("--embed-model", o.embed_model, "Store the model file in the archive");
  comp->add_option("-#,--level", o.level,
                   "Level 1 (fastest) to 9 (strongest), also as -1 .. -9; default " + std::to_string(shz::kDefaultLevel) +
                       ". Context mixing with the model as one input (formats 6-7); levels differ in contexts, memory "
                       "and block size, never in what a decoder needs. 0 (-0): the format before context mixing "
                       "(format 5: the model per 64 KiB segment, the match model and the mixing stage), faster and larger")
      ->check(CLI::Range(0, shz::kMaxLevel));
  comp->add_flag("--best", o.best, "The strongest level (-9)");
  comp->add_option("--lane-size", o.lane_size,
                   "Bytes per lane, lanes of a block stepping the model as one batch (default: the level's, "
                   "2 to 8 lanes of at least 32 KiB; smaller lanes make bigger batches, e.g. for GPUs)");
  comp->add_flag("--model-only", o.model_only,
                 "Code every segment with the model alone (or store it): no match model, no mixing, no LZMA2, so the size "
                 "measures the model");
  comp->add_flag("--no-match", o.no_match,
                 "Do not refine the model with the match model, nor mix (format 3 archives)");
  comp->add_flag("--no-mix", o.no_mix,
                 "Do not code through the mixing stage (format 4 archives: model and match model only)");
  comp->add_flag("--no-lzma", o.no_lzma,
                 "No LZMA2 fallback: every segment decodes without the bytes before it");
  comp->add_option("--segment-size", o.segment_size,
                   "Bytes per independent segment, e.g. 256K, 1M (default: the model's, 64 KiB for SHA-RNN models, "
                   "doubled, up to twice, while the input still makes 32 segments; without this option an input of up "
                   "to 8 MiB that LZMA2 codes smaller as a whole becomes one segment)");
  comp->add_option("--frame-size", o.frame_size,
                   "Cut inputs longer than this into frames, each a complete archive, with a seek index at the end "
                   "(default 64M: larger inputs are compressed in bounded memory; smaller frames make --range "
                   "decode less)");
  comp->add_option("--part", o.part,
                   "K/N: compress only part K of N of FILE (whole frames, see --frame-size) into "
                   "FILE.partK-of-N.shz, for many machines at once; shz join puts the parts together as one run "
                   "would have written them");
  CLI::App* dec = app.add_subcommand("decompress", "Decompress FILE.shz to FILE");
  add_common(dec, o, true);
  dec->add_option("--range", o.range,
                  "Decode only original bytes START:LENGTH (e.g. 1G:64M; LENGTH left out: to the end), decoding only "
                  "the frames that hold them (needs a file, not a pipe)");
  dec->add_option("-m,--model", o.model, "Model file, for archives made with one and not embedding it");
  CLI::App* test = app.add_subcommand("test", "Check that archives decode and their checksums match");
  add_common(test, o, false);
  test->add_option("-m,--model", o.model, "Model file, for archives made with one and not embedding it");
  const CLI::IsMember device_names({"cpu", "cuda", "auto"});
  for (CLI::App* c : {comp, dec, test})
    c->add_option("--device", o.device,
                  "Where SHA-RNN models run: cpu (default), cuda, or auto (CUDA when a GPU is usable); "
                  "never changes the output")
        ->capture_default_str()
        ->check(device_names);
  CLI::App* join = app.add_subcommand("join", "Join the parts of compress --part (in order) into one archive");
  join->add_option("files", o.files, "Part archives, in order")->required();
  join->add_option("-o,--output", o.output, "Write the joined archive here");
  join->add_flag("-c,--stdout", o.to_stdout, "Write to standard output");
  join->add_flag("-f,--force", o.force, "Overwrite an existing output");
  join->add_flag("-q,--quiet", o.quiet, "Print less");
  join->add_flag("-v,--verbose", o.verbose, "Print more");
  CLI::App* info = app.add_subcommand("info", "Describe archives (-v: every segment)");
  add_common(info, o, false);
  BenchOptions bo;
  CLI::App* bench = app.add_subcommand("bench", "Compare shz with zstd, xz, bzip2, bzip3, brotli, zpaq, 7z on files");
  bench->add_option("paths", bo.paths, "Files or directories");
  bench->add_option("--replot", bo.replot, "Redraw the reports from the --json files of earlier runs (several: merged)");
  bench->add_option("--reference", bo.reference,
                    "With --replot: a TSV of published sizes (file, compressor, bytes), shown as rows of their own");
  bench->add_option("-m,--model", bo.models, "shz model to include (repeatable; default: the built-in default model)");
  bench->add_option("--levels", bo.levels, "shz levels, each a row, e.g. 1,6,9 (default: the default level)")
      ->delimiter(',')
      ->check(CLI::Range(0, shz::kMaxLevel));
  bench->add_option("--runs", bo.runs, "Measured runs after one warm-up (median reported; a first run over 5 s counts)")->check(CLI::Range(1, 100));
  bench->add_option("-T,--threads", bo.threads, "shz worker threads (0: one per core)");
  bench->add_option("--csv", bo.csv, "Write CSV here ('-': stdout)");
  bench->add_option("--json", bo.json, "Write JSON here ('-': stdout)");
  bench->add_option("--svg", bo.svg, "Write a plot of bits per byte against compression speed");
  bench->add_option("--md", bo.md, "Write Markdown tables (sizes per file; speed and memory per compressor) here");
  bench->add_flag("!--no-external", bo.external, "Skip command-line compressors");

  EvalOptions eo;
  eo.engine = o.engine;
  CLI::App* eval = app.add_subcommand("eval", "Bits per byte of a model on files (real archives, kept in memory)");
  eval->add_option("files", eo.files, "Files")->required();
  eval->add_option("-m,--model", eo.model, "Model: 'default', a built-in name or a model file")->capture_default_str();
  eval->add_option("--checkpoint", eo.checkpoint, "shz-train checkpoint: also print the float model's bpb");
  eval->add_option("--segment-size", eo.segment_size, "Bytes per segment (default: the model's choice)");
  eval->add_option("-T,--threads", eo.threads, "Worker threads (0: one per core)");
  eval->add_flag("--json", eo.json, "One JSON object per file");
  eval->add_option("--device", eo.device, "cpu, cuda or auto")
      ->capture_default_str()
      ->check(device_names);
  app.add_subcommand("train", "Train a SHA-RNN (runs shz-train train; see shz train --help)");
  app.add_subcommand("export", "Quantise a checkpoint into a model file (runs shz-train export)");

  // `shz FILE`, `shz -d FILE`... as zstd and xz take them: into the subcommand form first.
  std::vector<std::string> args;
  try {
    std::vector<std::string> names;
    for (const CLI::App* c : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(c->get_name());
    std::vector<std::string> given(argv + 1, argv + argc);
    // Installed links, as unzstd and zstdcat: unshz decompresses, shzcat to standard output.
    const std::string self = argv[0];
    const std::string base = self.substr(self.find_last_of('/') + 1);
    if (base == "unshz" || base == "shzcat") given.insert(given.begin(), base == "unshz" ? "-d" : "-dc");
    args = mode_args(given, names);
  } catch (const shz::Error& e) {
    std::fprintf(stderr, "shz: %s\n", e.what());
    return int(shz::ErrorCode::kUsage);
  }
  std::vector<char*> cargs{argv[0]};
  for (std::string& a : args) cargs.push_back(a.data());
  try {
    app.parse(int(cargs.size()), cargs.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "shz: %s (see shz --help)\n", e.what());
    return int(shz::ErrorCode::kUsage);
  }
  if (o.remove && o.to_stdout) {
    std::fprintf(stderr, "shz: --rm cannot be used with -c\n");
    return int(shz::ErrorCode::kUsage);
  }
  if (!o.part.empty() && o.remove) {
    std::fprintf(stderr, "shz: --rm cannot be used with --part\n");
    return int(shz::ErrorCode::kUsage);
  }
  if (join->parsed()) return join_run(o.files, o.to_stdout ? "-" : o.output, o.force, verbosity(o));
  if (bench->parsed()) return bench_run(bo);
  if (eval->parsed()) return eval_run(eo);
  if (comp->parsed()) return run(o, Mode::kCompress);
  if (dec->parsed()) return run(o, Mode::kDecompress);
  if (test->parsed()) return run(o, Mode::kTest);
  return run(o, Mode::kInfo);
}
