#!/usr/bin/python3
"""Forward latency of convscope against PyTorch CPU on the same machine, in
one run: batch 1, the same number of threads, torch.no_grad(), median of N
runs after warm-up, on alexnet, vgg16, googlenet, resnet50, densenet121 and
mobilenet_v2. Prints a table and the geometric mean of the ratios.

    GLIBC_TUNABLES=glibc.malloc.hugetlb=1 /usr/bin/python3 benchmarks/vs_pytorch.py \
        [--bin build/convscope] [--threads 2] [--runs 20] [--models a,b,...]

Needs Debian's python3-torch and python3-torchvision (use /usr/bin/python3).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MODELS = ["alexnet", "vgg16", "googlenet", "resnet50", "densenet121", "mobilenet_v2"]


def convscope(binary, name, threads, runs):
    out = subprocess.run([binary, "bench", name, "--threads", str(threads), "--runs", str(runs),
                          "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["median_ms"]


def convscope_params(binary, name):
    out = subprocess.run([binary, "summary", name, "--json"], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)["total"]["params"]


def pytorch(name, threads, runs):
    import torch
    import torch_models
    torch.set_num_threads(threads)
    model, shape = torch_models.build(name)
    model.eval()
    params = sum(p.numel() for p in model.parameters())
    x = torch.randn(1, *shape)
    times = []
    with torch.no_grad():
        for _ in range(3):
            model(x)
        for _ in range(runs):
            t0 = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), params


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--bin", default=os.path.join(root, "build", "convscope"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--models", default=",".join(MODELS))
    a = ap.parse_args()
    if "glibc.malloc.hugetlb=1" not in os.environ.get("GLIBC_TUNABLES", ""):
        print("note: PyTorch's best case here needs GLIBC_TUNABLES=glibc.malloc.hugetlb=1",
              file=sys.stderr)
    print(f"threads {a.threads}, batch 1, median of {a.runs} runs after warm-up")
    print(f"{'model':<14}{'params':>13}{'convscope ms':>14}{'pytorch ms':>12}{'ratio':>8}")
    ratios = []
    for name in a.models.split(","):
        ours = convscope(a.bin, name, a.threads, a.runs)
        theirs, tparams = pytorch(name, a.threads, a.runs)
        cparams = convscope_params(a.bin, name)
        same = "" if cparams == tparams else f"  (params differ: pytorch {tparams:,})"
        r = ours / theirs
        ratios.append(r)
        print(f"{name:<14}{cparams:>13,}{ours:>14.2f}{theirs:>12.2f}{r:>8.2f}{same}", flush=True)
    gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"geometric mean ratio (convscope / pytorch): {gm:.2f}")


if __name__ == "__main__":
    main()
