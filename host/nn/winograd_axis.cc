#include "host/nn/winograd_axis.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sqt::nn {
namespace {

using Int = __int128;

Int gcd_of(Int a, Int b) {
  a = a < 0 ? -a : a;
  b = b < 0 ? -b : b;
  while (b != 0) {
    const Int t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// An exact rational in lowest terms (den > 0). The constructions here stay
// below 2^60 in every numerator and denominator.
struct Rational {
  Int num = 0, den = 1;
  Rational(Int n = 0, Int d = 1) : num(d < 0 ? -n : n), den(d < 0 ? -d : d) {
    const Int c = gcd_of(num, den);
    if (c > 1) {
      num /= c;
      den /= c;
    }
  }
};
Rational operator*(const Rational& a, const Rational& b) { return {a.num * b.num, a.den * b.den}; }
Rational operator/(const Rational& a, const Rational& b) { return {a.num * b.den, a.den * b.num}; }
Rational operator+(const Rational& a, const Rational& b) {
  return {a.num * b.den + b.num * a.den, a.den * b.den};
}
Rational operator-(const Rational& a, const Rational& b) {
  return {a.num * b.den - b.num * a.den, a.den * b.den};
}

// The exponent of 2 in x != 0 (negative when 2 divides the denominator).
int two_adic(const Rational& x) {
  int v = 0;
  for (Int n = x.num; n % 2 == 0; n /= 2) ++v;
  for (Int d = x.den; d % 2 == 0; d /= 2) --v;
  return v;
}

Rational power_of_two(int e) { return e >= 0 ? Rational(Int{1} << e) : Rational(1, Int{1} << -e); }

// d^-1 mod 2^w for odd d (Newton's iteration doubles the correct low bits,
// starting from 3: d * d = 1 mod 8; six steps reach 192 bits).
template <RingElement T>
T inverse_of_odd(T d) {
  T x = d;
  for (int i = 0; i < 6; ++i) x *= T{2} - d * x;
  return x;
}

// x with an odd denominator as an element of Z_2^w (signed values wrap).
template <RingElement T>
T to_ring(const Rational& x) {
  if (x.den % 2 == 0) throw std::logic_error("winograd_axis: a coefficient is not a 2-adic integer");
  return static_cast<T>(static_cast<SignedOf<T>>(x.num)) * inverse_of_odd(static_cast<T>(x.den));
}

// The finite points in the order whose prefixes need the fewest powers of two.
const Rational kPoints[] = {0, 1, -1, 2, Rational(1, 2), -2, Rational(-1, 2), 3, -3, 4, -4};
constexpr int kFinitePoints = static_cast<int>(std::size(kPoints));

// Coefficients (ascending) of prod_{l < count, l != skip} (x - a_l).
std::vector<Rational> product_without(int count, int skip) {
  std::vector<Rational> c{Rational(1)};
  for (int l = 0; l < count; ++l) {
    if (l == skip) continue;
    std::vector<Rational> next(c.size() + 1);
    for (std::size_t t = 0; t < c.size(); ++t) {
      next[t + 1] = next[t + 1] + c[t];
      next[t] = next[t] - c[t] * kPoints[l];
    }
    c = std::move(next);
  }
  return c;
}

// Checks the identity on pseudo-random ring values: a wrong construction
// must never reach a training run.
template <RingElement T>
void verify(const WinogradAxis& axis) {
  const WinogradMatrices<T>& a = axis.in<T>();
  const int n = axis.points;
  using Ring = T;
  Ring state = 0x9e3779b97f4a7c15ULL;
  auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
  for (int trial = 0; trial < 3; ++trial) {
    std::vector<Ring> d(static_cast<std::size_t>(n)), w(static_cast<std::size_t>(axis.r));
    for (auto& v : d) v = next();
    for (auto& v : w) v = next();
    for (int o = 0; o < axis.m; ++o) {
      Ring direct = 0, fast = 0;
      for (int t = 0; t < axis.r; ++t) direct += d[o + t] * w[t];
      for (int p = 0; p < n; ++p) {
        Ring gw = 0, bd = 0;
        for (int t = 0; t < axis.r; ++t) gw += a.g[p * axis.r + t] * w[t];
        for (int t = 0; t < n; ++t) bd += a.bt[p * n + t] * d[t];
        fast += a.at[o * n + p] * gw * bd;
      }
      if (fast != (direct << axis.scale_bits))
        throw std::logic_error("winograd_axis: F(" + std::to_string(axis.m) + ", " + std::to_string(axis.r) +
                               ") does not reproduce the correlation");
    }
  }
}

}  // namespace

WinogradAxis winograd_axis(int r, int m) {
  if (r < 2 || m < 1 || m + r - 2 > kFinitePoints) {
    throw std::invalid_argument("winograd_axis: no F(" + std::to_string(m) + ", " + std::to_string(r) +
                                ") (needs r >= 2, m >= 1, m + r <= " + std::to_string(kFinitePoints + 2) +
                                ")");
  }
  const int n = m + r - 1, finite = n - 1;
  const auto un = static_cast<std::size_t>(n), ur = static_cast<std::size_t>(r);
  std::vector<Rational> at(static_cast<std::size_t>(m) * un), g(un * ur), bt(un * un);
  // Finite point a_j: A^T column (a_j^i), G row (a_j^k / prod_{l != j} (a_j -
  // a_l)), B^T row the coefficients of prod_{l != j} (x - a_l). Infinity:
  // the leading terms.
  for (int j = 0; j < finite; ++j) {
    Rational f(1);
    for (int l = 0; l < finite; ++l)
      if (l != j) f = f * (kPoints[j] - kPoints[l]);
    Rational power(1);
    for (int i = 0; i < std::max(m, r); ++i) {
      if (i < m) at[i * un + j] = power;
      if (i < r) g[j * ur + i] = power / f;
      power = power * kPoints[j];
    }
    const auto c = product_without(finite, j);
    std::copy(c.begin(), c.end(), bt.begin() + j * n);
  }
  at[(m - 1) * un + (un - 1)] = Rational(1);
  g[(un - 1) * ur + (ur - 1)] = Rational(1);
  const auto c = product_without(finite, -1);
  std::copy(c.begin(), c.end(), bt.begin() + (n - 1) * n);

  // Scale point j's A^T column and B^T row to integers with an odd entry;
  // its G row takes the inverse factors.
  auto clear_twos = [&](auto&& entry, int count, int j) {
    int low = INT_MAX;
    for (int k = 0; k < count; ++k)
      if (entry(k).num != 0) low = std::min(low, two_adic(entry(k)));
    const Rational s = power_of_two(-low);
    for (int k = 0; k < count; ++k) entry(k) = entry(k) * s;
    for (int k = 0; k < r; ++k) g[j * ur + k] = g[j * ur + k] / s;
  };
  for (int j = 0; j < n; ++j) {
    clear_twos([&](int i) -> Rational& { return at[i * un + j]; }, m, j);
    clear_twos([&](int t) -> Rational& { return bt[j * un + t]; }, n, j);
  }
  WinogradAxis a;
  a.r = r;
  a.m = m;
  a.points = n;
  for (const Rational& x : g)
    if (x.num != 0) a.scale_bits = std::max(a.scale_bits, -two_adic(x));
  auto fill = [&]<RingElement T>(WinogradMatrices<T>& z) {
    for (const Rational& x : at) z.at.push_back(to_ring<T>(x));
    for (const Rational& x : g) z.g.push_back(to_ring<T>(x * power_of_two(a.scale_bits)));
    for (const Rational& x : bt) z.bt.push_back(to_ring<T>(x));
  };
  fill(a.z64);
  fill(a.z128);
  verify<Ring64>(a);
  verify<Ring128>(a);
  return a;
}

}  // namespace sqt::nn
