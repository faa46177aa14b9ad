// Starting a training run from an exported model file: the inverse of the quantisation, so a
// model whose float checkpoint is gone can still be trained further (`shz train --init`).
#pragma once

#include <string>

#include "net.h"

namespace shz::train {

// Sets every parameter of `net` from the integer model file at `path`, dequantised. The
// network's configuration must match the file's hyperparameters (throws otherwise). Folded
// factors are unfolded onto one side: the query/key scales qs, ks become 0 (sigmoid 1/2) with
// their product moved into ln_q, and Merity's value gate is rebuilt from its collapsed value
// with a zero weight. Returns a one-line summary for the log.
std::string init_from_model(ShaRnnNet& net, const std::string& path);

}  // namespace shz::train
