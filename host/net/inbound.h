// The frames arriving from one peer, read without blocking by the party's
// one network thread (mesh.cc). Internal to host/net.
//
// A data frame goes straight into the buffer of the recv() that waits for
// it (decrypted in place, no copy). A frame nobody waits for yet goes into a
// queue of pooled buffers, except a large one (>= kHoldBackBytes): its
// header is read, its payload stays in the socket buffers until a recv()
// asks for it or the caller allows taking it (take_large), because
// buffering it would cost a copy of the whole frame. A recv() that arrives
// while a frame is being buffered takes what has arrived and the rest is
// read straight into its buffer.
//
// The queue is bounded: frames waiting for their recv() hold at most
// max_queued_bytes (payload plus a header's worth per frame), except that a
// frame is always taken when nothing waits, whatever its size (up to
// max_frame_bytes), so a protocol never stalls on one large frame. Beyond
// the bound this peer is not read (throttled(): its bytes stay in the
// socket and TCP slows the sender) until a recv() takes a frame. One pump()
// reads at most kFairShareBytes, so a peer that floods cannot keep the
// caller from the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>

#include "host/net/frame.h"
#include "host/net/stream.h"

namespace sqt::net {

class Inbound {
 public:
  static constexpr std::size_t kHoldBackBytes = std::size_t{1} << 20;
  static constexpr std::size_t kFairShareBytes = std::size_t{4} << 20;

  // `name` ("party 2 (host:port)") starts every error message.
  Inbound(Stream& stream, std::string name, std::uint64_t max_frame_bytes, std::size_t max_queued_bytes);

  // Reads what the stream has now, up to kFairShareBytes (never waits).
  // True when any byte arrived. NetError for a bad or truncated frame, a frame of the wrong
  // size for the waiting recv(), or the peer vanishing without BYE.
  bool pump(bool take_large);

  // The next frame has fully arrived and no recv() took it.
  bool has_queued() const { return !queue_.empty(); }
  // Moves the oldest queued frame into `out`; NetError when the sizes differ.
  void take_queued(std::span<std::byte> out);

  // A recv() waits for the next frame with this buffer (nothing queued);
  // filled() turns true once the frame is in it. NetError when a frame of
  // another size is already under way.
  void wait_into(std::span<std::byte> out);
  bool filled() const { return filled_; }
  void stop_waiting();  // the recv() returns (or gives up)

  // A large frame's payload waits in the socket for a recv() or take_large.
  bool holding_back() const { return stage_ == Stage::kPayload && dst_ == nullptr; }
  // The next frame waits in the socket until a recv() takes a queued one.
  bool throttled() const { return holding_back() && !fits_queue(); }
  // Bytes of frames taken from the socket that no recv() has taken yet
  // (the frame being buffered counts in full), and the most ever.
  std::size_t queued_bytes() const { return queued_bytes_; }
  std::size_t peak_queued_bytes() const { return peak_queued_bytes_; }
  // The session ends: frames nobody will take are dropped from now on, so
  // the peer's BYE can be read.
  void discard_queued();
  bool said_bye() const { return bye_; }
  // The reason of the peer's ABORT frame, once it has fully arrived.
  const std::optional<std::string>& abort_reason() const { return abort_reason_; }
  // steady_clock nanoseconds of the last byte from this peer.
  std::int64_t last_progress_ns() const { return last_progress_ns_; }
  void set_last_progress_ns(std::int64_t t) { last_progress_ns_ = t; }
  Stream& stream() { return stream_; }

 private:
  enum class Stage { kHeader, kPayload };

  void start_frame();                    // the header is complete
  void assign_payload(bool take_large);  // chooses where the payload goes
  void finish_frame();                   // the payload is complete
  std::string expected_size_error(std::uint64_t size, std::size_t expected) const;
  // The current frame may join the queue without passing the bound.
  bool fits_queue() const { return queue_.empty() || queued_bytes_ + charge() <= max_queued_bytes_; }
  std::size_t charge() const { return static_cast<std::size_t>(header_.length) + kFrameHeaderBytes; }
  void add_queued(std::size_t bytes);

  Stream& stream_;
  std::string name_;
  std::uint64_t max_frame_bytes_;
  std::size_t max_queued_bytes_;

  Stage stage_ = Stage::kHeader;
  FrameHeaderBytes header_bytes_{};
  FrameHeader header_{};
  std::size_t got_ = 0;       // bytes of the current header or payload
  std::byte* dst_ = nullptr;  // where the payload goes (null: not chosen)
  FrameBuffer buffering_;     // a frame no recv() waits for yet
  std::string abort_text_;

  std::span<std::byte> target_;  // the waiting recv()'s buffer
  bool waiting_ = false;
  bool filling_target_ = false;  // the current payload goes into target_
  bool filled_ = false;

  std::deque<FrameBuffer> queue_;
  std::size_t queued_bytes_ = 0;
  std::size_t peak_queued_bytes_ = 0;
  bool discarding_ = false;
  FramePool pool_;
  bool bye_ = false;
  std::optional<std::string> abort_reason_;
  std::int64_t last_progress_ns_ = 0;
};

}  // namespace sqt::net
