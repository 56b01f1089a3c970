"""The zoo networks benchmarked against PyTorch, built to match convscope's
builders layer for layer (checked by comparing parameter counts).

torchvision provides VGG-16, ResNet-18, ResNet-50, DenseNet-121, MobileNetV2
and SqueezeNet 1.1 as convscope builds them. AlexNet and GoogLeNet are the papers' versions
(AlexNet: 227x227, two groups, LRN; GoogLeNet: LRN, true 5x5 branches, no
batch norm), which torchvision does not ship, so they are written here.
"""
import torch
import torch.nn as nn


class AlexNetPaper(nn.Module):
    def __init__(self):
        super().__init__()
        lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(inplace=True), lrn(), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(inplace=True), lrn(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        r = lambda: nn.ReLU(inplace=True)
        self.b1 = nn.Sequential(nn.Conv2d(cin, c1, 1), r())
        self.b2 = nn.Sequential(nn.Conv2d(cin, c3r, 1), r(), nn.Conv2d(c3r, c3, 3, padding=1), r())
        self.b3 = nn.Sequential(nn.Conv2d(cin, c5r, 1), r(), nn.Conv2d(c5r, c5, 5, padding=2), r())
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, padding=1, ceil_mode=True),
                                nn.Conv2d(cin, pp, 1), r())

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


class GoogLeNetPaper(nn.Module):
    def __init__(self):
        super().__init__()
        r = lambda: nn.ReLU(inplace=True)
        lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3), r(), nn.MaxPool2d(3, 2, ceil_mode=True), lrn(),
            nn.Conv2d(64, 64, 1), r(), nn.Conv2d(64, 192, 3, padding=1), r(), lrn(),
            nn.MaxPool2d(3, 2, ceil_mode=True))
        self.body = nn.Sequential(
            Inception(192, 64, 96, 128, 16, 32, 32), Inception(256, 128, 128, 192, 32, 96, 64),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Inception(480, 192, 96, 208, 16, 48, 64), Inception(512, 160, 112, 224, 24, 64, 64),
            Inception(512, 128, 128, 256, 24, 64, 64), Inception(512, 112, 144, 288, 32, 64, 64),
            Inception(528, 256, 160, 320, 32, 128, 128), nn.MaxPool2d(3, 2, ceil_mode=True),
            Inception(832, 256, 160, 320, 32, 128, 128), Inception(832, 384, 192, 384, 48, 128, 128))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.4),
                                  nn.Linear(1024, 1000))

    def forward(self, x):
        return self.head(self.body(self.stem(x)))


def build(name):
    """(module, input shape) for a zoo name."""
    if name == "alexnet":
        return AlexNetPaper(), (3, 227, 227)
    if name == "googlenet":
        return GoogLeNetPaper(), (3, 224, 224)
    import torchvision.models as tvm
    ctor = {"vgg16": tvm.vgg16, "resnet18": tvm.resnet18, "resnet50": tvm.resnet50,
            "densenet121": tvm.densenet121, "mobilenet_v2": tvm.mobilenet_v2,
            "squeezenet1_1": tvm.squeezenet1_1}[name]
    return ctor(), (3, 224, 224)
