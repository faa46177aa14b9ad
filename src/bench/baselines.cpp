#include "baselines.h"

#include <lzma.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace shz::bench {
namespace {

bool on_path(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    const size_t end = std::min(p.find(':', start), p.size());
    const std::string dir = p.substr(start, end - start);
    if (!dir.empty() && access((dir + "/" + tool).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::vector<uint8_t> zstd_compress(const std::vector<uint8_t>& in, int level, int window_log) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
  if (window_log) {
    ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, 1);
    ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
  }
  std::vector<uint8_t> out(ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress2(c, out.data(), out.size(), in.data(), in.size());
  ZSTD_freeCCtx(c);
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

std::vector<uint8_t> zstd_decompress(const std::vector<uint8_t>& in, size_t size) {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 31);  // --long=27 frames need a large window
  std::vector<uint8_t> out(size);
  const size_t n = ZSTD_decompressDCtx(d, out.data(), out.size(), in.data(), in.size());
  ZSTD_freeDCtx(d);
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

std::vector<uint8_t> xz_compress(const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out(lzma_stream_buffer_bound(in.size()));
  size_t pos = 0;
  const lzma_ret r = lzma_easy_buffer_encode(9 | LZMA_PRESET_EXTREME, LZMA_CHECK_CRC64, nullptr, in.data(),
                                             in.size(), out.data(), &pos, out.size());
  if (r != LZMA_OK) throw std::runtime_error("xz: encoder error " + std::to_string(int(r)));
  out.resize(pos);
  return out;
}

std::vector<uint8_t> xz_decompress(const std::vector<uint8_t>& in, size_t size) {
  std::vector<uint8_t> out(size);
  uint64_t memlimit = UINT64_MAX;
  size_t in_pos = 0, out_pos = 0;
  const lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, nullptr, in.data(), &in_pos, in.size(), out.data(),
                                               &out_pos, out.size());
  if (r != LZMA_OK) throw std::runtime_error("xz: decoder error " + std::to_string(int(r)));
  out.resize(out_pos);
  return out;
}

}  // namespace

std::vector<Codec> library_codecs() {
  const std::string zv = std::string("libzstd ") + ZSTD_versionString();
  const std::string xv = std::string("liblzma ") + lzma_version_string();
  return {
      {"zstd -19", "library", "", "", "zstd-19", zv},
      {"zstd --ultra -22 --long=27", "library", "", "", "zstd-22-long27", zv},
      {"xz -9e", "library", "", "", "xz-9e", xv},
  };
}

std::vector<ExternalCodec> external_codecs() {
  struct Spec {
    const char* name;
    std::vector<const char*> tools;  // first one found is used
    const char* package;
    const char* c;  // {tool} is the tool found
    const char* d;
  };
  // zpaq and 7-Zip keep file names inside their archives, so they work on a file named `data`
  // in the scratch directory.
  const std::vector<Spec> specs = {
      {"bzip2 -9", {"bzip2"}, "bzip2", "{tool} -9 -c {in} > {out}", "{tool} -d -c {in} > {out}"},
      {"bzip3", {"bzip3"}, "bzip3", "{tool} -e -c {in} > {out}", "{tool} -d -c {in} > {out}"},
      {"brotli -q 11", {"brotli"}, "brotli", "{tool} -q 11 -c {in} > {out}", "{tool} -d -c {in} > {out}"},
      {"zpaq -m5", {"zpaq"}, "zpaq", "cp {in} data && {tool} add c.zpaq data -m5 >/dev/null 2>&1 && mv c.zpaq {out}",
       "rm -rf x && cp {in} c.zpaq && {tool} extract c.zpaq data -to x/data >/dev/null 2>&1 && mv x/data {out}"},
      {"7z PPMd -mx9", {"7zz", "7z"}, "7zip",
       "cp {in} data && {tool} a -t7z -m0=PPMd -mx=9 c.7z data >/dev/null && mv c.7z {out}",
       "cp {in} c.7z && {tool} e -so c.7z > {out} 2>/dev/null"},
  };
  std::vector<ExternalCodec> out;
  for (const Spec& s : specs) {
    ExternalCodec e;
    std::string tool;
    for (const char* t : s.tools)
      if (tool.empty() && on_path(t)) tool = t;
    e.found = !tool.empty();
    auto fill = [&](std::string cmd) {
      for (size_t at; (at = cmd.find("{tool}")) != std::string::npos;) cmd.replace(at, 6, tool);
      return cmd;
    };
    e.codec = Codec{s.name, "command", fill(s.c), fill(s.d), "", tool};
    if (!e.found) e.missing = std::string(s.tools[0]) + " not installed (apt-get install " + s.package + ")";
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<uint8_t> library_compress(const std::string& id, const std::vector<uint8_t>& in) {
  if (id == "zstd-19") return zstd_compress(in, 19, 0);
  if (id == "zstd-22-long27") return zstd_compress(in, 22, 27);
  if (id == "xz-9e") return xz_compress(in);
  throw std::runtime_error("unknown library codec " + id);
}

std::vector<uint8_t> library_decompress(const std::string& id, const std::vector<uint8_t>& in, size_t size) {
  if (id == "xz-9e") return xz_decompress(in, size);
  return zstd_decompress(in, size);
}

}  // namespace shz::bench
