// rows_impl.h compiled for scalar (flags in CMakeLists.txt).
#include "rows.h"
#include "sharnn_ops.h"

namespace shz::sharnn {
namespace rows_scalar {
#include "rows_impl.h"
}  // namespace rows_scalar

const RowOps& row_ops_scalar() { return rows_scalar::kRowOps; }

}  // namespace shz::sharnn

namespace shz::sharnn {

const RowOps& row_ops(SimdLevel level) {
  switch (level) {
    case SimdLevel::kAvx512Vnni: return row_ops_avx512();
    case SimdLevel::kAvx2: return row_ops_avx2();
    case SimdLevel::kScalar: break;
  }
  return row_ops_scalar();
}

}  // namespace shz::sharnn
