#include "sharnn_predictor.h"

#include "cpu_executor.h"

namespace shz::sharnn {

ShaRnnPredictor::ShaRnnPredictor(std::shared_ptr<const Model> model, ModelIdentity id, SimdLevel level, size_t batch)
    : ProgramPredictor(model, std::move(id), batch, std::make_unique<CpuExecutor>(model, level)) {}

}  // namespace shz::sharnn
