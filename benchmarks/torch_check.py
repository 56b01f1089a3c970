#!/usr/bin/python3
"""torch_check.py — torchvision's later networks, exported by PyTorch with
random (seeded) weights, against convscope's import of the ONNX file.

For each network: build it with torchvision (no download: random weights,
batch norms given random running statistics so they are not the identity),
run PyTorch on a seeded random input, export the ONNX file, and run
`convscope onnx-test` on it, which reports the largest absolute and
relative difference from PyTorch's output. The files (10 to 110 MB) go to
a temporary folder (or --keep DIR) and are not meant to be committed; the
small fixtures under tests/fixtures/torch are what CI checks.

    /usr/bin/python3 benchmarks/torch_check.py [--bin build/convscope] [--keep DIR] [NAME...]

Names: convnext_tiny_13, convnext_tiny_17, mobilenet_v3_large, efficientnet_b0,
lraspp_mobilenet_v3_large (all by default). Needs PyTorch with torchvision
and the onnx package: on Debian 12 `apt install python3-torch
python3-torchvision python3-onnx` (the python3 those install is
/usr/bin/python3).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnx
    import torch
    import torchvision
    from onnx import numpy_helper
except ImportError as e:
    sys.exit(f"torch_check.py: {e}; install PyTorch, torchvision and onnx "
             "(Debian 12: apt install python3-torch python3-torchvision python3-onnx) "
             "and run it with that python (/usr/bin/python3)")

SEED = 20261216
HERE = os.path.dirname(os.path.abspath(__file__))


def classifier(name):
    return lambda: getattr(torchvision.models, name)(weights=None)


def lraspp():
    from torchvision.models.segmentation import lraspp_mobilenet_v3_large
    return lraspp_mobilenet_v3_large(weights=None, weights_backbone=None)


class OutOnly(torch.nn.Module):
    """A segmentation model's dict output as its "out" tensor."""
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)["out"]


# name, builder, input (N, C, H, W), opset
NETS = [
    ("convnext_tiny_13", classifier("convnext_tiny"), (1, 3, 224, 224), 13),
    ("convnext_tiny_17", classifier("convnext_tiny"), (1, 3, 224, 224), 17),
    ("mobilenet_v3_large", classifier("mobilenet_v3_large"), (1, 3, 224, 224), 13),
    ("efficientnet_b0", classifier("efficientnet_b0"), (1, 3, 224, 224), 13),
    ("lraspp_mobilenet_v3_large", lambda: OutOnly(lraspp()), (1, 3, 224, 224), 13),
]


def randomize(net, g):
    """Batch norms: random running statistics and affine parameters; ConvNeXt's
    layer scales drawn near 1 (torchvision starts them at 1e-6, which would
    hide every block's branch)."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(c, generator=g) * 0.1)
            if hasattr(m, "layer_scale"):
                m.layer_scale.copy_(torch.rand(m.layer_scale.shape, generator=g) * 0.5 + 0.25)


def save_tensor(arr, path, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(arr), name).SerializeToString())


def export(name, build, shape, opset, root):
    torch.manual_seed(SEED)
    g = torch.Generator().manual_seed(SEED + 1)
    net = build()
    randomize(net, g)
    net.eval()
    x = torch.randn(*shape, generator=g)
    with torch.no_grad():
        y = net(x)
    d = os.path.join(root, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    path = os.path.join(d, "model.onnx")
    torch.onnx.export(net, x, path, opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    save_tensor(x.numpy(), os.path.join(d, "test_data_set_0", "input_0.pb"), "input")
    save_tensor(y.numpy(), os.path.join(d, "test_data_set_0", "output_0.pb"), "output")
    return d, os.path.getsize(path), float(y.abs().max())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "convscope"))
    ap.add_argument("--keep", help="write the models here (default: a temporary folder, removed)")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    nets = [n for n in NETS if not a.names or n[0] in a.names]
    if not nets:
        sys.exit("torch_check.py: no such network; names: " + ", ".join(n[0] for n in NETS))
    root = a.keep or tempfile.mkdtemp(prefix="convscope_torch_check_")
    torch.set_num_threads(1)
    failed = 0
    try:
        for name, build, shape, opset in nets:
            d, size, ymax = export(name, build, shape, opset, root)
            r = subprocess.run([a.bin, "onnx-test", d], capture_output=True, text=True)
            line = next((l for l in r.stdout.splitlines() if l.startswith(("PASS", "FAIL"))),
                        r.stdout.strip() or r.stderr.strip())
            verdict = line.split()[0] if line else "FAIL"
            detail = line.split("test_data_set_0", 1)[-1].strip()
            failed += verdict != "PASS" or r.returncode != 0
            print(f"{name:26s} opset {opset}  {size / 2**20:6.1f} MB  |y| max {ymax:9.3g}  "
                  f"{verdict} {detail}", flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
