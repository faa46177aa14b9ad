// libFuzzer target: a model file (as embedded in an archive or given with --model) either
// loads or throws shz::Error; a model that loads must then run: its checks at load time are
// all that stands between a hostile file and the engine's unchecked inner loops.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "shz/model.h"
#include "shz/shz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<const shz::LoadedModel> m;
  try {
    m = shz::model_load_bytes(std::vector<uint8_t>(data, data + size), "fuzz input");
  } catch (const shz::Error&) {
    return 0;
  }
  std::unique_ptr<shz::Predictor> p = m->make();
  p->begin(2);
  const size_t slots[2] = {0, 1};
  p->reset(0);
  p->reset(1);
  std::vector<uint32_t> pmfs(512);
  const uint8_t bytes[2] = {'a', 0xff};
  for (int t = 0; t < 4; ++t) {
    p->predict(slots, 2, pmfs.data());
    p->update(slots, 2, bytes);
  }
  return 0;
}
