#pragma once
// Frames captured from the real programs, kept as hex in the tests: turned
// back into bytes, and decoded with the checks every captured frame must pass
// (EC flags, the length announced equal to the bytes there, a body that decodes).
#include <gtest/gtest.h>

#include <span>
#include <string>

#include "ec/ec_packet.hpp"

namespace mulenet::ec::captured {

inline Bytes from_hex(const std::string& hex)
{
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

inline Packet decode(const std::string& hex)
{
  const Bytes frame = from_hex(hex);
  std::string error;
  const auto header = parse_frame_header(frame, error);
  EXPECT_TRUE(header) << error;
  if (!header) return {};
  EXPECT_EQ(header->length + kFrameHeaderSize, frame.size());
  Decoded d = decode_body(header->flags, std::span(frame).subspan(kFrameHeaderSize));
  EXPECT_TRUE(d.packet) << d.error;
  return d.packet.value_or(Packet{});
}

}  // namespace mulenet::ec::captured
