#include "host/mpc/rep4/round.h"

#include <cstring>
#include <string>

#include "host/core/error.h"

namespace sqt::mpc::rep4 {
namespace {

std::size_t width_of(int bits) { return static_cast<std::size_t>((bits + 7) / 8); }

// The low `w` bytes of each value, little endian.
void pack_narrow(std::span<const Ring> v, std::size_t w, std::byte* out) {
  for (std::size_t e = 0; e < v.size(); ++e) {
    const Ring x = v[e];
    for (std::size_t b = 0; b < w; ++b) out[e * w + b] = static_cast<std::byte>(x >> (8 * b));
  }
}

void unpack_narrow(const std::byte* in, std::size_t w, std::span<Ring> v) {
  for (std::size_t e = 0; e < v.size(); ++e) {
    Ring x = 0;
    for (std::size_t b = 0; b < w; ++b) x |= static_cast<Ring>(in[e * w + b]) << (8 * b);
    v[e] = x;
  }
}

}  // namespace

std::size_t Wire::bytes(std::size_t n) const {
  if (runs.empty()) return n * sizeof(Ring);
  std::size_t total = 0, count = 0;
  for (const auto& r : runs) {
    total += r.count * width_of(r.bits);
    count += r.count;
  }
  if (count != n) {
    throw ShapeError("rep4: a message of " + std::to_string(n) + " values with runs covering " +
                     std::to_string(count));
  }
  return total;
}

int Round::add(int sender, int hasher, int receiver, std::span<const Ring> values, std::size_t n,
               const Wire& wire) {
  if (me_ != sender && me_ != hasher && me_ != receiver) return -1;
  Msg m;
  m.sender = sender;
  m.hasher = hasher;
  m.receiver = receiver;
  m.n = n;
  m.wire = wire;
  if (me_ != receiver) {
    if (values.size() != n) {
      throw ShapeError("rep4: a message of " + std::to_string(n) + " values given " +
                       std::to_string(values.size()));
    }
    if (wire.runs.empty()) {
      m.out = std::as_bytes(values);
    } else {
      m.packed.resize(wire.bytes(n));
      std::size_t at = 0, pos = 0;
      for (const auto& r : wire.runs) {
        pack_narrow(values.subspan(at, r.count), width_of(r.bits), m.packed.data() + pos);
        at += r.count;
        pos += r.count * width_of(r.bits);
      }
      m.out = m.packed;
    }
  }
  msgs_.push_back(std::move(m));
  return me_ == receiver ? static_cast<int>(msgs_.size() - 1) : -1;
}

std::span<std::byte> Round::in_bytes(Msg& m) {
  if (m.wire.runs.empty()) {
    m.in.resize(m.n);
    return std::as_writable_bytes(std::span<Ring>(m.in));
  }
  m.in_bytes.resize(m.wire.bytes(m.n));
  return m.in_bytes;
}

void Round::unpack(Msg& m) {
  if (m.wire.runs.empty()) return;
  m.in.resize(m.n);
  std::size_t at = 0, pos = 0;
  for (const auto& r : m.wire.runs) {
    unpack_narrow(m.in_bytes.data() + pos, width_of(r.bits), std::span<Ring>(m.in).subspan(at, r.count));
    at += r.count;
    pos += r.count * width_of(r.bits);
  }
}

void Round::run() {
  checker_.mark_pending();
  for (auto& m : msgs_) {
    if (me_ == m.sender) checker_.send(check_, m.receiver, m.out);
    if (me_ == m.hasher) checker_.hash_as_hasher(check_, m.receiver, m.sender, m.out);
  }
  for (auto& m : msgs_) {
    if (me_ != m.receiver) continue;
    const auto bytes = in_bytes(m);
    checker_.recv(check_, m.sender, bytes);
    checker_.hash_as_receiver(check_, m.sender, m.hasher, bytes);
    unpack(m);
  }
}

}  // namespace sqt::mpc::rep4
