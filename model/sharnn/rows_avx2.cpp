// rows_impl.h compiled for avx2 (flags in CMakeLists.txt).
#include "rows.h"
#include "sharnn_ops.h"

namespace shz::sharnn {
namespace rows_avx2 {
#include "rows_impl.h"
}  // namespace rows_avx2

const RowOps& row_ops_avx2() { return rows_avx2::kRowOps; }

}  // namespace shz::sharnn
