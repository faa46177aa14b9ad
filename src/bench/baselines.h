// Classical compressors for `shz bench`: zstd and xz through their libraries, in process,
// and other compressors through their command-line tools when installed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shz::bench {

// One compressor under test. Library codecs compress and decompress buffers in process;
// command codecs run shell commands in a scratch directory, where {in} and {out} stand for
// the input and output file (compressing: original -> archive; decompressing: back).
struct Codec {
  std::string name;   // e.g. "zstd -19"
  std::string kind;   // "library" or "command"
  std::string compress_cmd, decompress_cmd;
  std::string library_id;  // "zstd-19", "zstd-22-long27", "xz-9e"
  std::string version;     // library version, or the tool's name
};

// The library baselines (always available).
std::vector<Codec> library_codecs();

// The command-line baselines, each with whether it was found on PATH.
struct ExternalCodec {
  Codec codec;
  bool found = false;
  std::string missing;  // e.g. "zpaq not installed (apt-get install zpaq)"
};
std::vector<ExternalCodec> external_codecs();

// In-process codec calls; throw std::runtime_error on failure.
std::vector<uint8_t> library_compress(const std::string& id, const std::vector<uint8_t>& in);
std::vector<uint8_t> library_decompress(const std::string& id, const std::vector<uint8_t>& in, size_t original_size);

}  // namespace shz::bench
