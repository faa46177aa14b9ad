// Float model (shz-train float-eval --dump-probs) against the integer engine running the
// exported model file, position by position on the same text and segments. Prints the
// figures; exits 1 when a bound is broken:
//   gap:   integer bits / float bits - 1  (the 1% budget)
//   agree: share of positions where both put the same byte first
//   kl:    mean KL(float || integer) in bits per byte, the expected extra code length if the
//          float model were the truth; within the gap's budget for text near 2-4 bpb
// Usage: model_agreement MODEL TEXT PROBS.f32 SEGMENT MAX_GAP MIN_AGREE MAX_KL
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "shz/model.h"
#include "shz/shz.h"

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: model_agreement MODEL TEXT PROBS.f32 SEGMENT MAX_GAP MIN_AGREE MAX_KL\n");
    return 2;
  }
  std::ifstream tf(argv[2], std::ios::binary), pf(argv[3], std::ios::binary);
  const std::vector<uint8_t> text((std::istreambuf_iterator<char>(tf)), std::istreambuf_iterator<char>());
  std::vector<float> probs(text.size() * 256);
  pf.read(reinterpret_cast<char*>(probs.data()), std::streamsize(probs.size() * sizeof(float)));
  if (!pf || text.empty()) {
    std::fprintf(stderr, "model_agreement: cannot read the text or its %zu float distributions\n", text.size());
    return 2;
  }
  const size_t segment = std::strtoull(argv[4], nullptr, 10);
  const double max_gap = std::atof(argv[5]), min_agree = std::atof(argv[6]), max_kl = std::atof(argv[7]);
  auto model = shz::model_load(argv[1]);
  auto pred = model->make();
  pred->begin(1);
  std::vector<uint32_t> pmf(256);
  const size_t slot = 0;
  double int_bits = 0, float_bits = 0, kl = 0;
  size_t agree = 0;
  for (size_t t = 0; t < text.size(); ++t) {
    if (t % segment == 0) pred->reset(0);
    pred->predict(&slot, 1, pmf.data());
    const float* p = &probs[t * 256];
    int_bits -= std::log2(pmf[text[t]] / 65536.0);
    float_bits -= std::log2(std::max(1e-30, double(p[text[t]])));
    int fa = 0, ia = 0;
    for (int s = 0; s < 256; ++s) {
      if (p[s] > p[fa]) fa = s;
      if (pmf[size_t(s)] > pmf[size_t(ia)]) ia = s;
      if (p[s] > 0) kl += double(p[s]) * std::log2(double(p[s]) / (pmf[size_t(s)] / 65536.0));
    }
    agree += fa == ia;
    pred->update(&slot, 1, &text[t]);
  }
  const double n = double(text.size());
  const double gap = int_bits / float_bits - 1, agree_share = double(agree) / n, mean_kl = kl / n;
  std::printf("%zu bytes: float %.4f bpb, integer %.4f bpb (%+.3f%%), argmax agreement %.2f%%, mean KL %.5f bits\n",
              text.size(), float_bits / n, int_bits / n, 100 * gap, 100 * agree_share, mean_kl);
  bool ok = true;
  if (gap > max_gap) std::printf("FAIL: integer/float gap %.4f > %.4f\n", gap, max_gap), ok = false;
  if (agree_share < min_agree) std::printf("FAIL: argmax agreement %.4f < %.4f\n", agree_share, min_agree), ok = false;
  if (mean_kl > max_kl) std::printf("FAIL: mean KL %.5f > %.5f\n", mean_kl, max_kl), ok = false;
  return ok ? 0 : 1;
}
