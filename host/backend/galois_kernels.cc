// The Galois-ring kernels of Backend (backend.h) on the host's Highway
// kernels, shared by every backend.
#include "host/backend/backend.h"
#include "simd/galois.h"

namespace sqt::backend {

void Backend::gr_mul(const Ring* const a[4], const Ring* const b[4], Ring* const out[4], std::size_t n) {
  simd::gr_mul(a, b, out, n);
}

void Backend::gr_mul_const_add(const Ring* const a[4], const Ring c[4], Ring* const acc[4], std::size_t n) {
  simd::gr_mul_const_add(a, c, acc, n);
}

void Backend::gr_coef0_mul_add(const Ring* const a[4], const Ring* const b[4], Ring* acc, std::size_t n) {
  simd::gr_coef0_mul_add(a, b, acc, n);
}

}  // namespace sqt::backend
