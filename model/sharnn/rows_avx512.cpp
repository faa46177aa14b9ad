// rows_impl.h compiled for avx512 (flags in CMakeLists.txt).
#include "rows.h"
#include "sharnn_ops.h"

namespace shz::sharnn {
namespace rows_avx512 {
#include "rows_impl.h"
}  // namespace rows_avx512

const RowOps& row_ops_avx512() { return rows_avx512::kRowOps; }

}  // namespace shz::sharnn
