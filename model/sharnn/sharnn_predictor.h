// The SHA-RNN on the CPU: the model's op list (step_program.h) run by CpuExecutor at one SIMD
// level, behind the Predictor interface (program_predictor.h).
#pragma once

#include <memory>

#include "kernels.h"
#include "program_predictor.h"

namespace shz::sharnn {

class ShaRnnPredictor final : public ProgramPredictor {
 public:
  ShaRnnPredictor(std::shared_ptr<const Model> model, ModelIdentity id, SimdLevel level, size_t batch = 16);
};

}  // namespace shz::sharnn
