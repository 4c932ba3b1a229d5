#!/usr/bin/env python3
"""Seeds of fuzz/corpus/devicetree that reach the decompression budget's limits (docs/fwkit.md):
the first byte picks the uImage compression (even: none, the lzma-loader search; odd: lzma).

  seed-budget-ratio-loader   a loader with an LZMA-alone stream of 2 MiB of zeros: the ratio cap
  seed-budget-ratio-lzma     the same stream as an lzma payload
  seed-budget-candidates     20 small streams of 8 KiB of zeros: the bound on candidate streams
"""
import lzma
import os

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "devicetree")


def alone(n):
    return lzma.compress(bytes(n), format=lzma.FORMAT_ALONE,
                         filters=[{"id": lzma.FILTER_LZMA1, "dict_size": 1 << 20}])


loader = bytes(0xE1 + i % 16 for i in range(64))  # no plausible LZMA header
seeds = {
    "seed-budget-ratio-loader": b"\x00" + loader + alone(2 << 20),
    "seed-budget-ratio-lzma": b"\x01" + alone(2 << 20),
    "seed-budget-candidates": b"\x00" + loader + alone(8192) * 20,
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
