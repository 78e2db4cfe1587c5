#!/usr/bin/python3
"""Checks an ONNX model with onnx.checker and runs it on the MNIST test set.

usage: onnx_reference.py MODEL.onnx MNIST_DIR [LIMIT]

The evaluator below is an independent float64 implementation of the ONNX
ops (numpy only; onnx 1.12 has no reference runtime), fed raw pixel values
0..255 in NCHW as an ONNX user would. Prints "correct N of M".
Exit status 77: python3-onnx or numpy is not installed (the test skips).
"""
import gzip
import os
import sys

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
except ImportError as e:
    print(f"onnx_reference.py: {e} (install python3-onnx)")
    sys.exit(77)


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def windows(x, k, stride):
    """[N, C, Ho, Wo, k, k] views of x [N, C, H, W]."""
    v = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
    return v[:, :, ::stride, ::stride]


def conv(x, w, b, a):
    assert a.get("group", 1) == 1 and list(a.get("dilations", [1, 1])) == [1, 1]
    p = list(a.get("pads", [0, 0, 0, 0]))
    x = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])))
    s = a.get("strides", [1, 1])
    assert s[0] == s[1] and w.shape[2] == w.shape[3]
    win = windows(x, w.shape[2], s[0])
    y = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # [N, Ho, Wo, O]
    y = y.transpose(0, 3, 1, 2)
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def maxpool(x, a):
    k, s = a["kernel_shape"], a.get("strides", [1, 1])
    assert k[0] == k[1] and s[0] == s[1] and not any(a.get("pads", []))
    return windows(x, k[0], s[0]).max(axis=(4, 5))


def avgpool(x, a):
    k, s = a["kernel_shape"], a.get("strides", [1, 1])
    assert k[0] == k[1] and s[0] == s[1] and not any(a.get("pads", []))
    return windows(x, k[0], s[0]).mean(axis=(4, 5))


def gemm(x, w, b, a):
    if a.get("transA", 0):
        x = x.T
    if a.get("transB", 0):
        w = w.T
    y = a.get("alpha", 1.0) * (x @ w)
    return y if b is None else y + a.get("beta", 1.0) * b


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def run(model, pixels):
    g = model.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    for t in g.initializer:
        if t.data_type == onnx.TensorProto.INT64:
            env[t.name] = numpy_helper.to_array(t)
    inputs = [i.name for i in g.input if i.name not in env]
    env[inputs[0]] = pixels
    for n in g.node:
        a = attrs(n)
        x = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Mul":
            y = x[0] * x[1]
        elif op == "Add":
            y = x[0] + x[1]
        elif op == "Sub":
            y = x[0] - x[1]
        elif op == "Div":
            y = x[0] / x[1]
        elif op == "Conv":
            y = conv(x[0], x[1], x[2] if len(x) > 2 else None, a)
        elif op == "MaxPool":
            y = maxpool(x[0], a)
        elif op == "AveragePool":
            y = avgpool(x[0], a)
        elif op == "Relu":
            y = np.maximum(x[0], 0)
        elif op == "Flatten":
            y = x[0].reshape(x[0].shape[0], -1)
        elif op == "Transpose":
            y = x[0].transpose(a["perm"])
        elif op == "Reshape":
            y = x[0].reshape(x[0].shape[0], -1)
        elif op == "Gemm":
            y = gemm(x[0], x[1], x[2] if len(x) > 2 else None, a)
        elif op == "MatMul":
            y = x[0] @ x[1]
        elif op == "Softmax":
            y = softmax(x[0], a.get("axis", -1))
        elif op in ("Identity", "Dropout"):
            y = x[0]
        else:
            raise SystemExit(f"onnx_reference.py: op {op} not in this evaluator")
        env[n.output[0]] = y
    return env[g.output[0].name]


def read_idx(mnist_dir, name):
    path = os.path.join(mnist_dir, name)
    data = gzip.open(path + ".gz").read() if os.path.exists(path + ".gz") else open(path, "rb").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    model = onnx.load(sys.argv[1])
    onnx.checker.check_model(model, full_check=True)  # full_check: shape inference too
    images = read_idx(sys.argv[2], "t10k-images-idx3-ubyte").astype(np.float64)
    labels = read_idx(sys.argv[2], "t10k-labels-idx1-ubyte")
    if len(sys.argv) > 3:
        images, labels = images[: int(sys.argv[3])], labels[: int(sys.argv[3])]
    correct = 0
    for start in range(0, len(labels), 500):
        batch = images[start:start + 500, None, :, :]  # NCHW, raw pixel values 0..255
        probs = run(model, batch)
        assert np.allclose(probs.sum(axis=1), 1.0)
        correct += int((probs.argmax(axis=1) == labels[start:start + 500]).sum())
    print(f"correct {correct} of {len(labels)}")


main()
