#!/usr/bin/python3
"""Forward latency of convscope against PyTorch CPU on the same machine, in
one run: batch 1, the same number of threads, torch.no_grad(), median of N
runs after warm-up, on resnet18, resnet50, vgg16, densenet121, mobilenet_v2,
squeezenet1_1 and googlenet (and alexnet, not in the geometric mean), then
LeNet-5 training on Fashion-MNIST (batch 64, SGD, images per second; see
train_vs_pytorch.py). Prints a table and the geometric mean of the seven
ratios, and writes the table as markdown, with the date (UTC), the CPU, the
threads, OPENBLAS_CORETYPE and PyTorch's version, to benchmarks/RESULTS.md
(and, with --readme, between <!-- bench:begin --> and <!-- bench:end --> in
the README).

    GLIBC_TUNABLES=glibc.malloc.hugetlb=1 /usr/bin/python3 benchmarks/vs_pytorch.py \\
        [--bin build/convscope] [--threads 2] [--runs 20] [--models a,b,...] [--quick] \\
        [--no-train] [--out benchmarks/RESULTS.md] [--readme [README.md]] [--json FILE]

Needs Debian's python3-torch, python3-torchvision and python3-numpy (use
/usr/bin/python3) and, for training, dataset-fashion-mnist; installs
nothing:

    apt-get install python3-torch python3-torchvision python3-numpy

--from-json FILE writes the table from results saved by --json, measuring
nothing (no PyTorch needed).
"""
import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

# The networks the geometric mean is over, then the extras shown beside them.
SEVEN = ["resnet18", "resnet50", "vgg16", "densenet121", "mobilenet_v2", "squeezenet1_1", "googlenet"]
EXTRA = ["alexnet"]
MODELS = SEVEN + EXTRA
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
INSTALL = "apt-get install python3-torch python3-torchvision python3-numpy"


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


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine(threads, runs, torch_version):
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": threads,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "unset"),
        "glibc_tunables": os.environ.get("GLIBC_TUNABLES", ""),
        "torch": torch_version,
        "runs": runs,
    }


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def summary(res):
    """The seven's ratios measured and their geometric mean (None when none was)."""
    ratios = [r["convscope_ms"] / r["pytorch_ms"] for r in res["forward"] if r["model"] in SEVEN]
    return len(ratios), (geomean(ratios) if ratios else None)


def table(res):
    """The results as markdown: what was measured where, the forward table,
    the training line."""
    m = res["machine"]
    tun = f", `GLIBC_TUNABLES={m['glibc_tunables']}`" if m["glibc_tunables"] else ""
    lines = [
        "<!-- written by benchmarks/vs_pytorch.py; edits here are overwritten -->",
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores seen), {m['threads']} threads, "
        f"OPENBLAS_CORETYPE={m['openblas_coretype']}, PyTorch {m['torch']}{tun}: batch 1, "
        f"median of {m['runs']} runs after warm-up. Forward: a ratio below 1 means convscope "
        "takes less time.",
        "",
        "| network | params | convscope ms | PyTorch ms | convscope / PyTorch |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in res["forward"]:
        name = r["model"] if r["model"] in SEVEN else f"{r['model']} (not in the mean)"
        differ = "" if r["params"] == r["pytorch_params"] else f" (PyTorch: {r['pytorch_params']:,})"
        lines.append(f"| {name} | {r['params']:,}{differ} | {r['convscope_ms']:.1f} | "
                     f"{r['pytorch_ms']:.1f} | {r['convscope_ms'] / r['pytorch_ms']:.2f} |")
    n, gm = summary(res)
    if gm is not None:
        of = "the seven" if n == len(SEVEN) else f"{n} of the seven"
        lines.append(f"| **geometric mean** ({of}) | | | | **{gm:.2f}** |")
    t = res.get("train")
    if t:
        lines += [
            "",
            f"Training LeNet-5 on Fashion-MNIST (60,000 images, batch 64, SGD, {t['threads']} threads, "
            f"best of {t['epochs']} epoch{'s' if t['epochs'] != 1 else ''}): a ratio above 1 means "
            "convscope trains faster.",
            "",
            "| training | convscope images/s | PyTorch images/s | convscope / PyTorch |",
            "|---|---:|---:|---:|",
            f"| LeNet-5, Fashion-MNIST | {t['convscope_ips']:,.0f} | {t['pytorch_ips']:,.0f} | "
            f"{t['convscope_ips'] / t['pytorch_ips']:.2f} |",
        ]
    return "\n".join(lines) + "\n"


def write_atomic(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def between_markers(text, body):
    """text with what lies between BEGIN and END replaced by body; ValueError
    unless each marker is there once, BEGIN first."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"needs one {BEGIN} line and one {END} line after it")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return head + BEGIN + "\n" + body + END + tail


def check_results(res):
    """Results read back from a file: the fields the table reads, positive
    numbers (ValueError otherwise)."""
    def pos(v, what):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0 or not math.isfinite(v):
            raise ValueError(f"{what}: not a positive number")
    m = res.get("machine")
    if not isinstance(m, dict):
        raise ValueError("no machine")
    for k in ("date", "cpu", "openblas_coretype", "torch"):
        if not isinstance(m.get(k), str):
            raise ValueError(f"machine.{k}: not a string")
    m.setdefault("glibc_tunables", "")
    for k in ("cores", "threads", "runs"):
        pos(m.get(k), f"machine.{k}")
    if not isinstance(res.get("forward"), list):
        raise ValueError("no forward results")
    for r in res["forward"]:
        if not isinstance(r, dict) or not isinstance(r.get("model"), str):
            raise ValueError("a forward result without a model")
        for k in ("params", "pytorch_params", "convscope_ms", "pytorch_ms"):
            pos(r.get(k), f"{r['model']}.{k}")
    t = res.get("train")
    if t is not None:
        if not isinstance(t, dict):
            raise ValueError("train: not an object")
        for k in ("threads", "epochs", "convscope_ips", "pytorch_ips"):
            pos(t.get(k), f"train.{k}")


def measure(a, models):
    import torch
    res = {"machine": machine(a.threads, a.runs, torch.__version__), "forward": []}
    print(f"threads {a.threads}, batch 1, median of {a.runs} runs after warm-up")
    print(f"{'model':<14}{'params':>13}{'convscope ms':>14}{'pytorch ms':>12}{'ratio':>8}")
    for name in models:
        ours = convscope(a.bin, name, a.threads, a.runs)
        theirs, tparams = pytorch(name, a.threads, a.runs)
        cparams = convscope_params(a.bin, name)
        same = "" if cparams == tparams else f"  (params differ: pytorch {tparams:,})"
        res["forward"].append({"model": name, "params": cparams, "pytorch_params": tparams,
                               "convscope_ms": ours, "pytorch_ms": theirs})
        print(f"{name:<14}{cparams:>13,}{ours:>14.2f}{theirs:>12.2f}{ours / theirs:>8.2f}{same}",
              flush=True)
    n, gm = summary(res)
    if gm is not None:
        print(f"geometric mean ratio (convscope / pytorch) over {n} of the seven: {gm:.2f}")
    if not a.no_train:
        import train_vs_pytorch as tv
        images, labels = tv.load_fashion()
        c = tv.convscope(a.bin, a.threads, a.epochs)
        p = tv.pytorch(a.threads, a.epochs, images, labels)
        res["train"] = {"threads": a.threads, "epochs": a.epochs, "convscope_ips": c, "pytorch_ips": p}
        print(f"training LeNet-5, Fashion-MNIST, batch 64, {a.threads} threads: convscope {c:,.0f} "
              f"images/s, PyTorch {p:,.0f}: {c / p:.2f}", flush=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "convscope"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=1, help="training epochs, the best one counts (default 1)")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--quick", action="store_true",
                    help="3 runs a network and one epoch: checks the script, measures little")
    ap.add_argument("--no-train", action="store_true", help="the forward passes only")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"),
                    help="the markdown table (default benchmarks/RESULTS.md)")
    ap.add_argument("--readme", nargs="?", const=os.path.join(ROOT, "README.md"),
                    help=f"also write the table between {BEGIN} and {END} in this file (default README.md)")
    ap.add_argument("--json", help="also save the results measured, for --from-json")
    ap.add_argument("--from-json", help="write the table from saved results, measuring nothing")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.epochs = 3, 1
    if a.threads < 1 or a.runs < 1 or a.epochs < 1:
        sys.exit("vs_pytorch: --threads, --runs and --epochs must be at least 1")
    models = [m for m in a.models.split(",") if m]
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        sys.exit(f"vs_pytorch: --models: unknown {','.join(unknown) or '(none given)'}; "
                 f"known: {','.join(MODELS)}")

    if a.from_json:
        try:
            with open(a.from_json) as f:
                res = json.load(f)
            check_results(res)
        except (OSError, ValueError, AttributeError, TypeError) as e:
            sys.exit(f"vs_pytorch: {a.from_json}: {e}")
    else:
        try:
            import torch  # noqa: F401
            import torchvision  # noqa: F401
            import numpy  # noqa: F401
        except ImportError as e:
            print(f"vs_pytorch: PyTorch is not installed for {sys.executable} ({e}); this script "
                  f"installs nothing. On Debian: {INSTALL}, then run it with /usr/bin/python3.",
                  file=sys.stderr)
            sys.exit(2)
        if not os.access(a.bin, os.X_OK):
            sys.exit(f"vs_pytorch: {a.bin}: no convscope binary (build it, or give --bin)")
        if "glibc.malloc.hugetlb=1" not in os.environ.get("GLIBC_TUNABLES", ""):
            print("note: PyTorch's best case here needs GLIBC_TUNABLES=glibc.malloc.hugetlb=1",
                  file=sys.stderr)
        res = measure(a, models)
        if a.json:
            write_atomic(a.json, json.dumps(res, indent=1) + "\n")

    md = table(res)
    write_atomic(a.out, "# convscope against PyTorch (CPU)\n\n" + md)
    print(f"wrote {a.out}")
    if a.readme:
        try:
            with open(a.readme) as f:
                text = f.read()
            text = between_markers(text, md)
        except (OSError, ValueError) as e:
            sys.exit(f"vs_pytorch: {a.readme}: {e}")
        write_atomic(a.readme, text)
        print(f"wrote the table into {a.readme}")


if __name__ == "__main__":
    main()
