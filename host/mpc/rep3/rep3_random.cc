// Rep3::random_int: jointly drawn uniform integers (secret initial weights).
#include <string>

#include "host/core/error.h"
#include "host/mpc/rep3/rep3.h"

namespace sqt::mpc {

// Component j is AES-CTR output of K_{j-1} (held by parties j and j-1) cut
// to `bits` bits, so the parties get a replicated sharing of X = c_0 + c_1 +
// c_2 in [0, 3 2^bits) without a message. Every party misses one uniform
// component, so U = X mod 2^bits is uniform and independent of its view. The
// wrap count [X >= 2^bits] + [X >= 2^(bits+1)] comes from one ltz of both
// differences (inside the fixed-point range for bits <= k - 2):
// U = X - 2^(bits+1) + 2^bits ([X < 2^bits] + [X < 2^(bits+1)]).
template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::random_int(std::size_t n, int bits) {
  if (bits < 1 || bits > fixed_.k - 2) {
    throw ShapeError("rep3 random_int: " + std::to_string(bits) +
                     " bits is outside [1, k - 2 = " + std::to_string(fixed_.k - 2) + "]");
  }
  next_op();
  const Ring mask = (Ring{1} << bits) - 1;
  Share x(n);
  fill_prev(kS0, x.part[0]);  // component i, from K_{i-1}
  fill_next(kS0, x.part[1]);  // component i + 1, from K_i
  for (int c = 0; c < 2; ++c)
    for (auto& v : x.part[c]) v &= mask;
  // [X - 2^bits, X - 2^(bits+1)] in one comparison call.
  Share both(2 * n);
  const int slot = party_ == 0 ? 0 : party_ == 2 ? 1 : -1;  // where component 0 lives
  for (int c = 0; c < 2; ++c) {
    for (std::size_t e = 0; e < n; ++e) {
      const Ring public_part = c == slot ? Ring{1} << bits : 0;
      both.part[c][e] = x.part[c][e] - public_part;
      both.part[c][n + e] = x.part[c][e] - 2 * public_part;
    }
  }
  const Share lt = ltz(both);
  Share u(n);
  for (int c = 0; c < 2; ++c) {
    const Ring shift = c == slot ? Ring{1} << (bits + 1) : 0;
    for (std::size_t e = 0; e < n; ++e)
      u.part[c][e] = x.part[c][e] - shift + ((lt.part[c][e] + lt.part[c][n + e]) << bits);
  }
  return u;
}

template Rep3T<Ring>::Share Rep3T<Ring>::random_int(std::size_t, int);
template Rep3T<Ring128>::Share Rep3T<Ring128>::random_int(std::size_t, int);

}  // namespace sqt::mpc
