// Bits into GR without daBits: t + 1 parties each hold a bit per element
// (an opener's part of a GF(16) bit, or a dealer's random bit); one king
// round sums them into [S], S in [0, t + 1], and a polynomial of degree
// t + 1 over Z_2^64 maps S to S mod 2, their XOR.
//
// S mod 2 = (1 - (-1)^S) / 2 = sum_{k=1..S} (-1)^(k+1) 2^(k-1) C(S, k), and
// 2^(k-1) / k! is a 2-adic integer (k! holds at most k - 1 factors 2), so
// the polynomial has coefficients in Z_2^64 and is exact for 0 <= S <= m.
#include <algorithm>
#include <string>

#include "host/core/error.h"
#include "host/mpc/shamir/shamir.h"

namespace sqt::mpc {

namespace {

// The inverse of an odd v mod 2^64 (Newton: each step doubles the bits).
Ring odd_inverse(Ring v) {
  Ring x = v;  // correct to 3 bits for odd v
  for (int i = 0; i < 5; ++i) x *= 2 - v * x;
  return x;
}

}  // namespace

std::vector<Ring> parity_polynomial(int m) {
  if (m < 1 || m > 62)
    throw ShapeError("parity_polynomial: degree " + std::to_string(m) + " is outside [1, 62]");
  std::vector<Ring> out(static_cast<std::size_t>(m) + 1, 0);
  // falling[j]: coefficient of S^j in S (S - 1) ... (S - k + 1)
  std::vector<Ring> falling = {1};
  Ring odd = 1;
  int twos = 0;  // k! = 2^twos * odd
  for (int k = 1; k <= m; ++k) {
    std::vector<Ring> next(falling.size() + 1, 0);
    for (std::size_t j = 0; j < falling.size(); ++j) {
      next[j + 1] += falling[j];
      next[j] -= falling[j] * static_cast<Ring>(k - 1);
    }
    falling = std::move(next);
    int v = k;
    while (v % 2 == 0) {
      v /= 2;
      ++twos;
    }
    odd *= static_cast<Ring>(v);
    // (-1)^(k+1) 2^(k-1) / k!
    Ring c = (Ring{1} << (k - 1 - twos)) * odd_inverse(odd);
    if (k % 2 == 0) c = Ring{0} - c;
    for (std::size_t j = 0; j < falling.size(); ++j) out[j] += c * falling[j];
  }
  return out;
}

// a(S) = sum_{k <= h} a_k S^k + S^h sum_{k > h} a_k S^(k-h) with h =
// ceil(m / 2): the powers up to h (each level multiplies the highest power
// so far by the lower ones, doubling the reach), then one product.
// Products: ceil(m / 2), ceil(log2 m) deep.
Shamir::Share Shamir::parity_of_sum(RingVec u, int m) {
  const std::size_t n = u.size();
  const auto coeff = parity_polynomial(m);
  const int h = (m + 1) / 2;
  std::vector<Share> powers(static_cast<std::size_t>(h) + 1);
  powers[1] = reduce(std::move(u));
  for (int have = 1; have < h;) {
    const int top = std::min(2 * have, h);
    const auto count = static_cast<std::size_t>(top - have);
    if (count == 1) {  // one product: no concatenated copies of the operands
      powers[static_cast<std::size_t>(top)] = mul(powers[static_cast<std::size_t>(have)], powers[1]);
      have = top;
      continue;
    }
    Share a = Share::uninitialized(count * n), b = Share::uninitialized(count * n);
    for (int e = have + 1; e <= top; ++e) {
      const auto q = static_cast<std::size_t>(e - have - 1);
      assign_slice(a, q * n, powers[static_cast<std::size_t>(have)]);
      assign_slice(b, q * n, powers[static_cast<std::size_t>(e - have)]);
    }
    const Share prod = mul(a, b);
    for (int e = have + 1; e <= top; ++e)
      powers[static_cast<std::size_t>(e)] = block_of(prod, static_cast<std::size_t>(e - have - 1) * n, n);
    have = top;
  }
  // out += c * [S^e] over the terms (e, c)
  auto combine = [&](Share& out, int from, int to, int shift) {
    for (int k = from; k <= to; ++k) {
      const Ring c = coeff[static_cast<std::size_t>(k)];
      const Share& p = powers[static_cast<std::size_t>(k - shift)];
      for (int j = 0; j < 4; ++j)
        for (std::size_t i = 0; i < n; ++i) out.part[j][i] += c * p.part[j][i];
    }
  };
  Share out(n), high(m > h ? n : 0);
  combine(out, 1, h, 0);
  if (m > h) combine(high, h + 1, m, h);
  // Only S^h is read from here on: the lower powers go before the product.
  for (int k = 1; k < h; ++k) powers[static_cast<std::size_t>(k)] = Share(0);
  if (m > h) out = add(std::move(out), mul(powers[static_cast<std::size_t>(h)], high));
  return out;
}

}  // namespace sqt::mpc
