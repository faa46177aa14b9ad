// The built-in models, by name.
#include <memory>
#include <string>

#include "order2.h"
#include "shz/predictor.h"
#include "shz/shz.h"

namespace shz {

std::unique_ptr<Predictor> predictor_create(const std::string& name) {
  if (name == "order2") return std::make_unique<Order2Model>();
  throw Error(ErrorCode::kUsage, "unknown model '" + name + "' (built-in: " + predictor_builtin_names() + ")");
}

std::string predictor_builtin_names() { return "order2"; }

}  // namespace shz
