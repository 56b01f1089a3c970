#!/usr/bin/python3
"""Training throughput of convscope against PyTorch CPU on the same machine, in
one run: LeNet-5 (tanh, average pooling, 61,706 parameters) on the 60,000
Fashion-MNIST training images padded to 32x32, batch 64, SGD with momentum 0.9
and weight decay 5e-4, the same number of threads. One epoch each; images per
second of the training loop (forward, loss, backward, update), data already in
memory on both sides. Prints a table.

    GLIBC_TUNABLES=glibc.malloc.hugetlb=1 /usr/bin/python3 benchmarks/train_vs_pytorch.py \
        [--bin build/convscope] [--threads 1,2] [--epochs 1]

Needs Debian's python3-torch and python3-numpy (use /usr/bin/python3) and
dataset-fashion-mnist.
"""
import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time

FASHION = "/usr/share/datasets/fashion-mnist"


def convscope(binary, threads, epochs):
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([binary, "train", "lenet5", "--data", "fashion", "--epochs",
                              str(epochs), "--batch", "64", "--optimizer", "sgd", "--threads",
                              str(threads), "--out", os.path.join(d, "w.safetensors")],
                             check=True, capture_output=True, text=True).stdout
    rates = [float(m) for m in re.findall(r"([0-9.]+) img/s", out)]
    if not rates:
        sys.exit("convscope printed no img/s:\n" + out)
    return max(rates)


def load_fashion():
    import numpy as np
    with gzip.open(os.path.join(FASHION, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(FASHION, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    padded = np.zeros((images.shape[0], 1, 32, 32), np.float32)
    padded[:, :, 2:30, 2:30] = images / np.float32(255.0)
    return padded, labels.astype(np.int64)


def pytorch(threads, epochs, images, labels):
    import torch
    import torch.nn as nn
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
        nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))
    assert sum(p.numel() for p in net.parameters()) == 61706
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    x_all, y_all = torch.from_numpy(images), torch.from_numpy(labels)
    n, batch, best = x_all.shape[0], 64, 0.0
    for _ in range(epochs):
        order = torch.randperm(n)
        t0, seen = time.perf_counter(), 0
        for b in range(n // batch):
            idx = order[b * batch:(b + 1) * batch]
            x, y = x_all[idx], y_all[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            seen += batch
        best = max(best, seen / (time.perf_counter() - t0))
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                  "convscope"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--epochs", type=int, default=1)
    a = ap.parse_args()
    images, labels = load_fashion()
    print("LeNet-5, Fashion-MNIST (60,000 images), batch 64, SGD: training images per second")
    print("| threads | convscope | PyTorch | convscope / PyTorch |")
    print("|---|---|---|---|")
    for t in [int(v) for v in a.threads.split(",")]:
        c = convscope(a.bin, t, a.epochs)
        p = pytorch(t, a.epochs, images, labels)
        print(f"| {t} | {c:,.0f} | {p:,.0f} | {c / p:.2f} |", flush=True)


if __name__ == "__main__":
    main()
