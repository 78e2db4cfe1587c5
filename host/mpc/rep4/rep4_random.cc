// Rep4::random_int: jointly drawn uniform integers (secret initial weights).
#include <string>

#include "host/core/error.h"
#include "host/mpc/rep4/rep4.h"

namespace sqt::mpc {

// Component j is PRG output of the key of all but party j, cut to `bits`
// bits: X = x_0 + x_1 + x_2 + x_3 lies in [0, 2^(bits+2)) without a message,
// and every party misses one uniform component, so U = X mod 2^bits is
// uniform and independent of its view. The wrap count floor(X / 2^bits) =
// 3 - sum_j [X - j 2^bits < 0] (j = 1, 2, 3) comes from one comparison of
// 3n values in the signed (bits + 3)-bit range.
Rep4::Share Rep4::random_int(std::size_t n, int bits) {
  if (bits < 1 || bits > fixed_.k - 2) {
    throw ShapeError("rep4 random_int: " + std::to_string(bits) +
                     " bits is outside [1, k - 2 = " + std::to_string(fixed_.k - 2) + "]");
  }
  next_op();
  const unsigned sub = next_sub();
  const Ring mask = (Ring{1} << bits) - 1;
  Share x(n);
  for (int c = 0; c < 4; ++c) {
    if (c == party_) continue;
    prg(triple_key(c), sub, comp(x, c));
    for (auto& v : comp(x, c)) v &= mask;
  }
  Share shifted(3 * n);
  for (int c = 0; c < 4; ++c) {
    if (c == party_) continue;
    for (int j = 1; j <= 3; ++j) {
      const Ring public_part = c == 0 ? static_cast<Ring>(j) << bits : 0;  // constants live in component 0
      for (std::size_t e = 0; e < n; ++e) comp(shifted, c)[(j - 1) * n + e] = comp(x, c)[e] - public_part;
    }
  }
  const Share lt = b2a(ltz_bits(shifted, bits + 3), 3 * n);
  Share u = x;
  for (int c = 0; c < 4; ++c) {
    if (c == party_) continue;
    const Ring wraps = c == 0 ? Ring{3} << bits : 0;
    for (std::size_t e = 0; e < n; ++e) {
      const Ring below = comp(lt, c)[e] + comp(lt, c)[n + e] + comp(lt, c)[2 * n + e];
      comp(u, c)[e] = comp(x, c)[e] - wraps + (below << bits);
    }
  }
  return u;
}

}  // namespace sqt::mpc
