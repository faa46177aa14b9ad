#include "program_predictor.h"

#include <cstring>

#include "sharnn_ops.h"

namespace shz::sharnn {

ProgramPredictor::ProgramPredictor(std::shared_ptr<const Model> model, ModelIdentity id, size_t batch,
                                   std::unique_ptr<StepExecutor> executor)
    : model_(std::move(model)), id_(std::move(id)), batch_(batch ? batch : 1), exec_(std::move(executor)) {
  program_ = step_program(*model_);
}

int ProgramPredictor::pmf_bits() const { return kPmfBits; }

void ProgramPredictor::set_head_adaptation(int shift) {
  exec_->set_head_adaptation(shift);
  program_ = step_program(*model_, shift != 0);
}

void ProgramPredictor::begin(size_t streams) {
  exec_->begin(streams);
  pmf_.assign(streams * 256, 0);
  fresh_.assign(streams, true);
}

void ProgramPredictor::reset(size_t slot) {
  exec_->reset(slot);
  fresh_[slot] = true;
}

void ProgramPredictor::predict(const size_t* slots, size_t n, uint32_t* pmfs) {
  fresh_ids_.clear();
  for (size_t i = 0; i < n; ++i)
    if (fresh_[slots[i]]) fresh_ids_.push_back(slots[i]);
  if (!fresh_ids_.empty()) {
    zeros_.assign(fresh_ids_.size(), 0);  // the implicit byte before a segment
    step(fresh_ids_.data(), fresh_ids_.size(), zeros_.data());
  }
  for (size_t i = 0; i < n; ++i) std::memcpy(pmfs + 256 * i, &pmf_[slots[i] * 256], 256 * sizeof(uint32_t));
}

void ProgramPredictor::update(const size_t* slots, size_t n, const uint8_t* bytes) {
  if (n) step(slots, n, bytes);
}

void ProgramPredictor::step(const size_t* slots, size_t k, const uint8_t* bytes) {
  pmf_ptr_.resize(k);
  for (size_t r = 0; r < k; ++r) pmf_ptr_[r] = &pmf_[slots[r] * 256];
  exec_->bind(slots, k, bytes, pmf_ptr_.data());
  exec_->run_all(program_);
  exec_->finish();
  for (size_t r = 0; r < k; ++r) fresh_[slots[r]] = false;  // only once their pmfs are there
}

}  // namespace shz::sharnn
