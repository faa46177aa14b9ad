// The CLI's frame-level commands and arguments: --part K/N and --range START:LENGTH, and
// `shz join`, which puts the parts of compress --part together.
#include "cli/frames_cmd.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/file_io.h"
#include "cli/size_arg.h"
#include "shz/shz.h"

namespace shz::cli {

// --part K/N: 1 <= K <= N.
std::pair<unsigned, unsigned> part_parse(const std::string& text) {
  unsigned k = 0, n = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%u/%u%c", &k, &n, &extra) != 2 || k < 1 || k > n || n > 1000000)
    throw Error(ErrorCode::kUsage, "--part: expected K/N with 1 <= K <= N, got '" + text + "'");
  return {k, n};
}

// `shz join PART... -o OUT`: the parts' frames in order under one seek index.
int join_run(const std::vector<std::string>& files, const std::string& out, bool force, int verbosity) {
  try {
    if (files.empty()) throw Error(ErrorCode::kUsage, "join: no parts given");
    if (out.empty()) throw Error(ErrorCode::kUsage, "join: say where the joined archive goes (-o FILE or -c)");
    if (out == "-" && isatty(1) && !force)
      throw Error(ErrorCode::kUsage, "refusing to write compressed data to a terminal (use -o, redirect, or -f)");
    std::vector<std::pair<ReadAtFn, uint64_t>> parts;
    std::vector<std::unique_ptr<InputFile>> open;
    for (const std::string& in : files) {
      if (out != "-" && same_file(in, out)) throw Error(ErrorCode::kUsage, in + ": output would overwrite a part");
      open.push_back(std::make_unique<InputFile>(in));
      if (!S_ISREG(open.back()->st.st_mode)) throw Error(ErrorCode::kUsage, in + ": join needs files, not pipes");
      parts.emplace_back(file_reader_at(open.back()->f, in), uint64_t(open.back()->st.st_size));
    }
    OutputFile file(out, force, nullptr);
    uint64_t written = 0;
    streams_join(parts, [&](const uint8_t* p, size_t n) {
      written += n;
      file.write(p, n);
    });
    file.commit();
    if (verbosity >= (out == "-" ? 2 : 1))
      std::fprintf(stderr, "joined %zu part(s): %llu bytes%s\n", parts.size(), (unsigned long long)written,
                   out == "-" ? "" : (" -> " + out).c_str());
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "shz: %s\n", e.what());
    return int(e.code());
  }
}

// START:LENGTH (sizes as --segment-size takes them; LENGTH may be left out: to the end).
std::pair<uint64_t, uint64_t> range_parse(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) throw Error(ErrorCode::kUsage, "--range: expected START:LENGTH, got '" + text + "'");
  const std::string a = text.substr(0, colon), b = text.substr(colon + 1);
  const uint64_t start = a == "0" ? 0 : size_arg_parse(a, "--range START");
  const uint64_t length = b.empty() ? UINT64_MAX : b == "0" ? 0 : size_arg_parse(b, "--range LENGTH");
  return {start, length};
}

}  // namespace shz::cli
