#include "lzma_segment.h"

#include <lzma.h>

#include <algorithm>

namespace shz {
namespace {

constexpr uint64_t kDictMin = 4096;  // LZMA_DICT_SIZE_MIN
constexpr uint64_t kDictMax = uint64_t(8) << 20;
// xz's default level: on 64 KiB segments (measured without the history) -9e gains nothing
// over it (0.1% larger on the bundled texts) and is 1.2x slower.
constexpr uint32_t kPreset = 6;

// One LZMA2 filter chain; `opt` and the history must outlive its use.
// The preset only steers the encoder's search; the decoder needs the dictionary size alone
// (LZMA2 chunks carry lc/lp/pb), so every preset decodes the same way.
void chain(lzma_options_lzma& opt, const uint8_t* history, size_t history_size, uint64_t length,
           lzma_filter (&f)[2], uint32_t preset = kPreset) {
  lzma_lzma_preset(&opt, preset);
  opt.dict_size = lzma_segment_dict(history_size, length);
  opt.preset_dict = history_size ? history : nullptr;
  opt.preset_dict_size = uint32_t(history_size);  // <= kLzmaHistory <= dict_size: all of it is used
  f[0] = {LZMA_FILTER_LZMA2, &opt};
  f[1] = {LZMA_VLI_UNKNOWN, nullptr};
}

}  // namespace

uint32_t lzma_segment_dict(uint64_t history, uint64_t length) {
  return uint32_t(std::clamp(history + length, kDictMin, kDictMax));
}

bool lzma_segment_encode(const uint8_t* history, size_t history_size, const uint8_t* data, size_t size, size_t limit,
                         std::vector<uint8_t>& out, bool extreme) {
  if (size == 0 || limit <= 1 || history_size > kLzmaHistory) return false;
  lzma_options_lzma opt;
  lzma_filter f[2];
  chain(opt, history, history_size, size, f, extreme ? kPreset | LZMA_PRESET_EXTREME : kPreset);
  out.resize(limit - 1);  // only a strictly shorter result is of use
  size_t pos = 0;
  if (lzma_raw_buffer_encode(f, nullptr, data, size, out.data(), &pos, out.size()) != LZMA_OK) return false;
  out.resize(pos);
  return true;
}

bool lzma_segment_decode(const uint8_t* history, size_t history_size, const uint8_t* payload, size_t n, size_t size,
                         std::vector<uint8_t>& out) {
  if (history_size > kLzmaHistory) return false;
  lzma_options_lzma opt;
  lzma_filter f[2];
  chain(opt, history, history_size, size, f);
  lzma_stream s = LZMA_STREAM_INIT;
  if (lzma_raw_decoder(&s, f) != LZMA_OK) return false;
  out.clear();
  s.next_in = payload;
  s.avail_in = n;
  // The output grows as it is decoded (never sized from the header alone), one step at a
  // time, one byte beyond `size` so that a stream that would run longer is caught.
  constexpr size_t kStep = size_t(1) << 20;
  lzma_ret r = LZMA_OK;
  while (r == LZMA_OK && out.size() <= size) {
    const size_t old = out.size();
    out.resize(std::min(old + kStep, size + 1));
    s.next_out = out.data() + old;
    s.avail_out = out.size() - old;
    r = lzma_code(&s, LZMA_FINISH);
    out.resize(out.size() - s.avail_out);
    if (r == LZMA_OK && s.avail_out > 0) r = LZMA_DATA_ERROR;  // input ended mid-stream
  }
  const bool whole = s.avail_in == 0;
  lzma_end(&s);
  // The stream must reach its end marker, fill the segment exactly and end with the payload.
  return r == LZMA_STREAM_END && whole && out.size() == size;
}

}  // namespace shz
