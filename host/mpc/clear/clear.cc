#include "host/mpc/clear/clear.h"

#include <algorithm>
#include <string>

#include "host/core/error.h"

namespace sqt::mpc {
namespace {

void require_same_size(std::size_t a, std::size_t b, const char* op) {
  if (a != b) {
    throw ShapeError(std::string("clear protocol: ") + op + " operands differ in length (" +
                     std::to_string(a) + " vs " + std::to_string(b) + ")");
  }
}

// rep3's shifts (check_trunc_bits there): the emulator accepts no shift the
// secure protocol refuses.
void require_trunc_bits(int bits, int max_bits) {
  if (bits < 1 || bits > max_bits) {
    throw ShapeError("clear trunc: shift of " + std::to_string(bits) + " bits is outside [1, " +
                     std::to_string(max_bits) + "]");
  }
}

// The number of values outside the signed range of width `bits`.
template <RingElement R>
std::uint64_t count_outside(std::span<const R> v, int bits) {
  if (bits >= ring_bits<R>) return 0;
  std::uint64_t n = 0;
  for (const R x : v) n += in_exact_range(x, bits) ? 0 : 1;
  return n;
}

}  // namespace

template <RingElement R>
void ClearT<R>::set_exact_bits(ExactBits e) {
  auto check = [](int w, const char* what) {
    if (w < 2 || w > ring_bits<R>) {
      throw ConfigError(std::string("clear protocol: exact range of ") + what + " of " + std::to_string(w) +
                        " bits is outside [2, " + std::to_string(ring_bits<R>) + "]");
    }
  };
  check(e.ltz, "ltz");
  check(e.bit_decompose, "bit_decompose");
  check(e.trunc, "trunc");
  exact_ = e;
}

template <RingElement R>
ClearT<R>::ClearT(backend::Backend& backend, FixedParams fixed, TruncMode mode, std::uint64_t seed)
    : backend_(&backend), fixed_(fixed), mode_(mode) {
  reseed(seed);
}

template <RingElement R>
void ClearT<R>::reseed(std::uint64_t seed) {
  // The 64-bit seed fills the low half of the AES key; the high half is a
  // fixed tag so this stream never coincides with another use of the seed.
  for (int i = 0; i < 8; ++i) seed_[i] = static_cast<std::uint8_t>(seed >> (8 * i));
  const char tag[8] = {'c', 'l', 'r', 't', 'r', 'n', 'c', '1'};
  for (int i = 0; i < 8; ++i) seed_[8 + i] = static_cast<std::uint8_t>(tag[i]);
  counter_ = 0;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::input(int owner, std::span<const Ring> values, std::size_t n) {
  if (values.size() != n) {
    throw ShapeError("clear protocol: input from party " + std::to_string(owner) + " has " +
                     std::to_string(values.size()) + " values, expected " + std::to_string(n));
  }
  Share s;
  s.part[0].assign(values.begin(), values.end());
  return s;
}

template <RingElement R>
typename ClearT<R>::InputRows ClearT<R>::input_rows(int owner, RowSourceOf<R> source, std::size_t rows,
                                                    std::size_t row_len) {
  if (!source)
    throw ShapeError("clear protocol: input_rows from party " + std::to_string(owner) + " has no rows");
  return {std::move(source), rows, row_len};
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::gather_rows(const InputRows& table,
                                                 std::span<const std::uint32_t> idx) const {
  check_row_indices(idx, table.rows, "clear protocol:");
  Share s = Share::uninitialized(idx.size() * table.row_len);
  table.source(idx, s.part[0].data());
  return s;
}

template <RingElement R>
std::vector<R> ClearT<R>::reveal_to(int /*to*/, const Share& x) {
  return {x.part[0].begin(), x.part[0].end()};
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::random_int(std::size_t n, int bits) {
  if (bits < 1 || bits > fixed_.k - 2) {
    throw ShapeError("clear protocol: random_int of " + std::to_string(bits) +
                     " bits is outside [1, k - 2 = " + std::to_string(fixed_.k - 2) + "]");
  }
  Share s(n);
  next_random(s.part[0]);
  const Ring mask = (Ring{1} << bits) - 1;
  for (auto& v : s.part[0]) v &= mask;
  return s;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::add(Share x, const Share& y) {
  require_same_size(x.size(), y.size(), "add");
  Ring* a = x.part[0].data();  // in place: x is ours
  const Ring* b = y.part[0].data();
  for (std::size_t i = 0; i < x.size(); ++i) a[i] += b[i];
  return x;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::sub(Share x, const Share& y) {
  require_same_size(x.size(), y.size(), "sub");
  Ring* a = x.part[0].data();  // in place: x is ours
  const Ring* b = y.part[0].data();
  for (std::size_t i = 0; i < x.size(); ++i) a[i] -= b[i];
  return x;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::neg(Share x) {
  Ring* a = x.part[0].data();  // in place: x is ours
  for (std::size_t i = 0; i < x.size(); ++i) a[i] = Ring{0} - a[i];
  return x;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::add_public(Share x, std::span<const Ring> c) {
  require_same_size(x.size(), c.size(), "add_public");
  Ring* a = x.part[0].data();  // in place: x is ours
  for (std::size_t i = 0; i < x.size(); ++i) a[i] += c[i];
  return x;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::add_public(Share x, Ring c) {
  Ring* a = x.part[0].data();  // in place: x is ours
  for (std::size_t i = 0; i < x.size(); ++i) a[i] += c;
  return x;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::mul_public(Share x, std::span<const Ring> c) {
  require_same_size(x.size(), c.size(), "mul_public");
  Ring* a = x.part[0].data();  // in place: x is ours
  for (std::size_t i = 0; i < x.size(); ++i) a[i] *= c[i];
  return x;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::mul_public(Share x, Ring c) {
  Ring* a = x.part[0].data();  // in place: x is ours
  for (std::size_t i = 0; i < x.size(); ++i) a[i] *= c;
  return x;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::mul(const Share& x, const Share& y) {
  require_same_size(x.size(), y.size(), "mul");
  Share out(x.size());
  const Ring* a = x.part[0].data();
  const Ring* b = y.part[0].data();
  Ring* o = out.part[0].data();
  for (std::size_t i = 0; i < x.size(); ++i) o[i] = a[i] * b[i];
  return out;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                                            const Share& a, const Share& b) {
  if (a.size() != m * k || b.size() != k * n) {
    throw ShapeError("clear protocol: matmul " + std::to_string(m) + "x" + std::to_string(k) + " by " +
                     std::to_string(k) + "x" + std::to_string(n) + " got operands of " +
                     std::to_string(a.size()) + " and " + std::to_string(b.size()) + " elements");
  }
  Share out(m * n);
  backend_->gemm(ta, tb, m, n, k, a.part[0].data(), b.part[0].data(), out.part[0].data(), false);
  return out;
}

template <RingElement R>
void ClearT<R>::next_random(std::span<Ring> out) {
  backend_->prg_fill(seed_, counter_, out);
  counter_ += (out.size() + 1) / 2;  // two 64-bit words per AES block
}

template <RingElement R>
void ClearT<R>::trunc_in_place(std::span<Ring> v, int bits) {
  require_trunc_bits(bits, kMaxTruncBits);
  Ring* x = v.data();
  const std::size_t n = v.size();
  // Counted before the shift: the contract's range is the input's.
  if (discarded_depth_ == 0) violations_.trunc += count_outside<R>(v, exact_.trunc);
  if (mode_ == TruncMode::kExact) {
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<R>(static_cast<SignedOf<R>>(x[i]) >> bits);
    return;
  }
  // Stochastic rounding: adding a uniform r < 2^bits to the dropped bits
  // carries into the kept part with probability (x mod 2^bits) / 2^bits.
  RingVecOf<R> r(n);
  next_random(r);
  const Ring low = (Ring{1} << bits) - 1;
  const Ring* rr = r.data();
  for (std::size_t i = 0; i < n; ++i) {
    const Ring carry = ((x[i] & low) + (rr[i] & low)) >> bits;
    x[i] = static_cast<R>(static_cast<SignedOf<R>>(x[i]) >> bits) + carry;
  }
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::trunc(const Share& x, int bits) {
  Share out = x;
  trunc_in_place(out.part[0], bits);
  return out;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::ltz(const Share& x) {
  // Bit w-1 of x: [x < 0] inside the range, what rep3's k-bit adder gives
  // outside it.
  if (discarded_depth_ == 0) violations_.ltz += count_outside<R>(x.part[0], exact_.ltz);
  Share out(x.size());
  const Ring* a = x.part[0].data();
  Ring* o = out.part[0].data();
  const int top = std::min(exact_.ltz, ring_bits<R>) - 1;
  for (std::size_t i = 0; i < x.size(); ++i) o[i] = (a[i] >> top) & 1;
  return out;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::mul_trunc(const Share& x, const Share& y, int bits) {
  Share out = mul(x, y);
  trunc_in_place(out.part[0], bits);
  return out;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::matmul_trunc(Trans ta, Trans tb, std::size_t m, std::size_t n,
                                                  std::size_t k, const Share& a, const Share& b, int bits) {
  Share out = matmul(ta, tb, m, n, k, a, b);
  trunc_in_place(out.part[0], bits);
  return out;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::matmuls_trunc(std::span<const MatmulTerm<Share>> terms, int bits) {
  const std::size_t total = matmul_terms_total(terms, "clear");
  // Every shift checked before any work, as rep3 does.
  const std::vector<TruncRun> runs = matmul_term_runs(terms, bits);
  for (const auto& r : runs) require_trunc_bits(r.bits, kMaxTruncBits);
  Share out(total);
  std::size_t at = 0;
  for (const auto& t : terms) {
    Ring* dst = out.part[0].data() + at;
    if (t.a != nullptr) {
      const Share product = blocked_matmul(*this, t);
      if (t.map)
        t.map(product.part[0].data(), dst);
      else
        std::copy(product.part[0].begin(), product.part[0].end(), dst);
    }
    if (t.addend != nullptr)
      for (std::size_t e = 0; e < t.out_n; ++e) dst[e] += t.addend->part[0][e];
    at += t.out_n;
  }
  at = 0;
  for (const auto& r : runs) {
    trunc_in_place(std::span<R>(out.part[0]).subspan(at, r.count), r.bits);
    at += r.count;
  }
  return out;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::select(const Share& bit, const Share& a, const Share& b) {
  require_same_size(bit.size(), a.size(), "select");
  require_same_size(a.size(), b.size(), "select");
  Share out(a.size());
  const Ring* c = bit.part[0].data();
  const Ring* x = a.part[0].data();
  const Ring* y = b.part[0].data();
  Ring* o = out.part[0].data();
  for (std::size_t i = 0; i < a.size(); ++i) o[i] = y[i] + c[i] * (x[i] - y[i]);
  return out;
}

template <RingElement R>
typename ClearT<R>::Bits ClearT<R>::bit_and(const Bits& x, const Bits& y) {
  require_same_size(x.size(), y.size(), "bit_and");
  Bits out(x.size());
  const std::uint64_t* a = x.part[0].data();
  const std::uint64_t* b = y.part[0].data();
  std::uint64_t* o = out.part[0].data();
  for (std::size_t i = 0; i < x.size(); ++i) o[i] = a[i] & b[i];
  return out;
}

template <RingElement R>
typename ClearT<R>::Bits ClearT<R>::bit_xor(const Bits& x, const Bits& y) {
  require_same_size(x.size(), y.size(), "bit_xor");
  Bits out(x.size());
  const std::uint64_t* a = x.part[0].data();
  const std::uint64_t* b = y.part[0].data();
  std::uint64_t* o = out.part[0].data();
  for (std::size_t i = 0; i < x.size(); ++i) o[i] = a[i] ^ b[i];
  return out;
}

template <RingElement R>
typename ClearT<R>::Bits ClearT<R>::bit_not(const Bits& x) {
  Bits out(x.size());
  const std::uint64_t* a = x.part[0].data();
  std::uint64_t* o = out.part[0].data();
  for (std::size_t i = 0; i < x.size(); ++i) o[i] = ~a[i];
  return out;
}

template <RingElement R>
std::vector<typename ClearT<R>::Bits> ClearT<R>::bit_decompose(const Share& x, int bits) {
  if (bits < 1 || bits > ring_bits<R>) {
    throw ConfigError("clear protocol: bit_decompose of " + std::to_string(bits) + " bits is outside [1, " +
                      std::to_string(ring_bits<R>) + "]");
  }
  if (discarded_depth_ == 0) violations_.bit_decompose += count_outside<R>(x.part[0], exact_.bit_decompose);
  const std::size_t n = x.size();
  const std::size_t words = (n + 63) / 64;
  std::vector<Bits> planes(static_cast<std::size_t>(bits), Bits(words));
  const Ring* v = x.part[0].data();
  for (std::size_t w = 0; w < words; ++w) {
    const std::size_t base = w * 64;
    const std::size_t count = n - base < 64 ? n - base : 64;
    for (int j = 0; j < bits; ++j) {
      std::uint64_t word = 0;
      for (std::size_t e = 0; e < count; ++e) word |= static_cast<std::uint64_t>((v[base + e] >> j) & 1) << e;
      planes[static_cast<std::size_t>(j)].part[0][w] = word;
    }
  }
  return planes;
}

template <RingElement R>
typename ClearT<R>::Share ClearT<R>::b2a(const Bits& bits, std::size_t n) {
  if (n > bits.size() * 64) {
    throw ShapeError("clear protocol: b2a of " + std::to_string(n) + " elements from " +
                     std::to_string(bits.size()) + " words");
  }
  Share out(n);
  const std::uint64_t* w = bits.part[0].data();
  R* o = out.part[0].data();
  for (std::size_t e = 0; e < n; ++e) o[e] = (w[e / 64] >> (e % 64)) & 1;
  return out;
}

template class ClearT<Ring>;
template class ClearT<Ring128>;

}  // namespace sqt::mpc
