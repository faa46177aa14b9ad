#include "x86_filter.h"

#include <lzma.h>

#include <stdexcept>

namespace shz {
namespace {

// data through `chain` (a raw encoder or decoder) into out, which the caller sized to hold
// the whole result; out is cut to what was produced.
void run(const lzma_filter* chain, bool encoder, const uint8_t* data, size_t size, std::vector<uint8_t>& out) {
  lzma_stream s = LZMA_STREAM_INIT;
  if ((encoder ? lzma_raw_encoder(&s, chain) : lzma_raw_decoder(&s, chain)) != LZMA_OK)
    throw std::runtime_error("x86 filter: liblzma could not start");
  s.next_in = data;
  s.avail_in = size;
  size_t done = 0;
  lzma_ret r = LZMA_OK;
  while (r == LZMA_OK) {
    if (done == out.size()) out.resize(out.size() * 2 + 4096);
    s.next_out = out.data() + done;
    s.avail_out = out.size() - done;
    r = lzma_code(&s, LZMA_FINISH);
    done = out.size() - s.avail_out;
  }
  lzma_end(&s);
  if (r != LZMA_STREAM_END) throw std::runtime_error("x86 filter: liblzma failed");
  out.resize(done);
}

// LZMA2 at xz's fastest preset: only a carrier for the filter's bytes.
struct Chains {
  lzma_options_lzma lzma;
  lzma_filter plain[2], filtered[3];
  Chains() {
    lzma_lzma_preset(&lzma, 0);
    plain[0] = {LZMA_FILTER_LZMA2, &lzma};
    plain[1] = {LZMA_VLI_UNKNOWN, nullptr};
    filtered[0] = {LZMA_FILTER_X86, nullptr};  // start offset 0
    filtered[1] = {LZMA_FILTER_LZMA2, &lzma};
    filtered[2] = {LZMA_VLI_UNKNOWN, nullptr};
  }
};


// Packs data with the encoder chain `in`, then unpacks with the decoder chain `out_chain`.
void through(const lzma_filter* in, const lzma_filter* out_chain, const uint8_t* data, size_t size,
             std::vector<uint8_t>& out) {
  std::vector<uint8_t> packed(size / 2 + 4096);
  run(in, true, data, size, packed);
  out.resize(size + 4096);
  run(out_chain, false, packed.data(), packed.size(), out);
}

}  // namespace

bool x86_filter_looks_useful(const uint8_t* data, size_t size) {
  if (size < 4096) return false;
  size_t calls = 0;
  for (size_t i = 0; i + 5 <= size; ++i)
    if ((data[i] == 0xE8 || data[i] == 0xE9) && (data[i + 4] == 0x00 || data[i + 4] == 0xFF)) {
      ++calls;
      i += 4;
    }
  // Compiled x86-64 code has a call or jump every 30-60 bytes; text and most other data
  // have almost none. One per 256 bytes keeps code mixed with data.
  return calls * 256 >= size;
}

// Filter: [x86, LZMA2] then undo LZMA2 alone: what LZMA2 carried is the filtered bytes.
void x86_filter_encode(const uint8_t* data, size_t size, std::vector<uint8_t>& out) {
  Chains c;
  through(c.filtered, c.plain, data, size, out);
}

// Restore: LZMA2 alone, then undo [x86, LZMA2]: the filter's decoder restores the bytes.
void x86_filter_decode(const uint8_t* data, size_t size, std::vector<uint8_t>& out) {
  Chains c;
  through(c.plain, c.filtered, data, size, out);
}

}  // namespace shz
