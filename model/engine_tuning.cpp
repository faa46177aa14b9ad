// EngineTuning's check (include/shz/model.h): what a context accepts before any predictor
// is made with it.
#include "sharnn/kernels.h"
#include "shz/model.h"
#include "shz/shz.h"

namespace shz {

void engine_tuning_check(const EngineTuning& t) {
  sharnn::simd_parse(t.simd);  // throws for a level that is unknown or that this CPU lacks
  if (t.batch > 4096) throw Error(ErrorCode::kUsage, "batch " + std::to_string(t.batch) + " is over 4096");
}

}  // namespace shz
