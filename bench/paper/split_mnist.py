#!/usr/bin/env python3
"""Splits MNIST (the .gz files of ../shared/data/mnist) into two data owners'
folders, OUT/first/mnist and OUT/second/mnist, each holding half of the
training and of the test rows as uncompressed IDX files: the input of the
two-owner run in docs/RESULTS.md (sqt train --data-owner 1,2 --data-for
1=OUT/first --data-for 2=OUT/second).

usage: split_mnist.py [DATA_DIR] OUT
"""
import gzip
import os
import struct
import sys


def main() -> None:
    args = sys.argv[1:]
    if len(args) not in (1, 2):
        sys.exit(__doc__)
    src = os.path.join(args[0] if len(args) == 2 else "../shared/data", "mnist")
    out = args[-1]
    for prefix in ("train", "t10k"):
        images = gzip.open(os.path.join(src, f"{prefix}-images-idx3-ubyte.gz")).read()
        labels = gzip.open(os.path.join(src, f"{prefix}-labels-idx1-ubyte.gz")).read()
        magic, n, h, w = struct.unpack(">IIII", images[:16])
        label_magic, label_n = struct.unpack(">II", labels[:8])
        if n != label_n:
            sys.exit(f"{src}: {n} images but {label_n} labels")
        half = n // 2
        for name, (a, b) in (("first", (0, half)), ("second", (half, n))):
            folder = os.path.join(out, name, "mnist")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), "wb") as f:
                f.write(struct.pack(">IIII", magic, b - a, h, w) + images[16 + a * h * w : 16 + b * h * w])
            with open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
                f.write(struct.pack(">II", label_magic, b - a) + labels[8 + a : 8 + b])


if __name__ == "__main__":
    main()
