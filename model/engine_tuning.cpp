// The process's EngineTuning (include/shz/model.h): set by the caller, read when predictors
// are made.
#include <mutex>

#include "sharnn/kernels.h"
#include "shz/model.h"
#include "shz/shz.h"

namespace shz {
namespace {

std::mutex& tuning_mutex() {
  static std::mutex mu;
  return mu;
}

EngineTuning& tuning() {
  static EngineTuning t;
  return t;
}

}  // namespace

void engine_tuning_set(const EngineTuning& t) {
  sharnn::simd_parse(t.simd);  // throws for a level that is unknown or that this CPU lacks
  if (t.batch > 4096) throw Error(ErrorCode::kUsage, "batch " + std::to_string(t.batch) + " is over 4096");
  std::lock_guard<std::mutex> lock(tuning_mutex());
  tuning() = t;
}

EngineTuning engine_tuning() {
  std::lock_guard<std::mutex> lock(tuning_mutex());
  return tuning();
}

}  // namespace shz
