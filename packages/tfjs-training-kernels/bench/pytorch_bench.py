"""PyTorch side of `pnpm bench`: training and inference images/s of the study's three models.

Prints one JSON object on stdout.
Usage: python3 pytorch_bench.py --models initial,new,resnet18 [--device cpu|cuda]
       python3 pytorch_bench.py --serve   (step server for bench.mjs's interleaved rounds: see serve())
On CUDA it measures plain fp32 (TF32 off for matmul and cuDNN), as tfjs's WebGPU backend computes,
and synchronises the device around every timed call.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Initial(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 10, 3, padding=1)
        self.conv2 = nn.Conv2d(10, 20, 3, padding=1)
        self.fc1 = nn.Linear(5120, 2000)
        self.fc2 = nn.Linear(2000, 200)

    def forward(self, x):
        x = F.avg_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class New(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 10, 3, padding=1)
        self.conv2 = nn.Conv2d(10, 20, 3, padding=1)
        self.conv3 = nn.Conv2d(20, 30, 3, padding=1)
        self.drop = nn.Dropout(0.2)
        self.fc1 = nn.Linear(1920, 1000)
        self.fc2 = nn.Linear(1000, 200)

    def forward(self, x):
        x = F.avg_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(self.drop(x), 1))))


class BasicBlock(nn.Module):
    """torchvision's ResNet basic block (two 3x3 convs, BN, identity or 1x1/2 projection)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ResNet18(nn.Module):
    """torchvision resnet18 layout (ImageNet stem) with a 200-class fc; no torchvision needed."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        blocks, cin = [], 64
        for cout, stride in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
            blocks.append(BasicBlock(cin, cout, stride))
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, 200)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        x = self.blocks(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def make(name):
    if name == "initial":
        return Initial()
    if name == "new":
        return New()
    if name == "resnet18":
        return ResNet18()
    raise ValueError(f"unknown model {name}")


def sync():
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def step_times(fn, steps, warmup):
    """Wall and process CPU seconds (all threads) of each of `steps` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    sync()
    wall, cpu = [], []
    for _ in range(steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        sync()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def median_time(fn, steps):
    """Median wall seconds and median process CPU seconds (all threads) of `steps` calls after a warm-up."""
    wall, cpu = step_times(fn, steps, 1)
    return statistics.median(wall), statistics.median(cpu)


def blas_name():
    """The BLAS library torch's process actually mapped (Debian: via update-alternatives)."""
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        return "unknown"
    for lib in ("openblas", "mkl", "blis", "atlas"):
        if lib in maps:
            return lib
    return "reference-or-unknown"


def gemm_gflops(n=2048, reps=5, device="cpu"):
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    wall, cpu = median_time(lambda: torch.mm(a, b), reps)
    return 2 * n**3 / wall / 1e9, 2 * n**3 / cpu / 1e9


class Runner:
    """One model's training and inference step on a fixed random batch, as the one-shot mode times it."""

    def __init__(self, name, batch, dev):
        torch.manual_seed(0)
        self.model = make(name).to(dev)
        self.x = torch.rand(batch, 3, 64, 64, device=dev)
        self.y = torch.randint(0, 200, (batch,), device=dev)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.001, momentum=0.9)

    def train(self):
        self.model.train()
        self.opt.zero_grad()
        F.cross_entropy(self.model(self.x), self.y).backward()
        self.opt.step()

    def infer(self):
        self.model.eval()
        with torch.no_grad():
            self.model(self.x)


def serve(batch):
    """Step server: prints one JSON line (versions, threads, BLAS, GEMM rate), then answers each JSON
    request line on stdin, `{"model": "new", "what": "train" | "infer", "steps": 5, "warmup": 3}`,
    with `{"wall": [s, ...], "cpu": [s, ...]}` (seconds per step). The model is built on its first
    request and kept until a request names another one. EOF on stdin ends it."""
    torch.set_num_threads(os.cpu_count() or 1)
    gflops, per_cpu = gemm_gflops()
    print(json.dumps({"torch": torch.__version__, "device": "cpu", "threads": torch.get_num_threads(), "blas": blas_name(),
                      "gemmGflops": gflops, "gemmGflopsPerCpuSec": per_cpu}), flush=True)
    name, runner = None, None
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req["model"] != name:
            name, runner = req["model"], None
            runner = Runner(name, batch, torch.device("cpu"))
        fn = runner.train if req["what"] == "train" else runner.infer
        wall, cpu = step_times(fn, int(req["steps"]), int(req.get("warmup", 0)))
        print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="initial,new,resnet18")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--serve", action="store_true", help="step server on stdin/stdout (cpu), for interleaved rounds")
    args = p.parse_args()
    if args.serve:
        serve(args.batch)
        return
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: torch.cuda.is_available() is False")
    dev = torch.device(args.device)
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {
        "torch": torch.__version__,
        "device": args.device,
        "threads": torch.get_num_threads(),
        "blas": blas_name(),
    }
    if args.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
        out["deviceName"] = torch.cuda.get_device_name(0)
        out["gemmGflops"], out["gemmGflopsPerCpuSec"] = gemm_gflops(4096, 10, dev)
    else:
        out["gemmGflops"], out["gemmGflopsPerCpuSec"] = gemm_gflops()
    out["models"] = {}
    for name in args.models.split(","):
        runner = Runner(name, args.batch, dev)
        steps = 3 if name == "resnet18" and args.device == "cpu" else args.steps
        t_train, c_train = median_time(runner.train, steps)
        t_infer, c_infer = median_time(runner.infer, steps)
        out["models"][name] = {
            "trainImagesPerSec": args.batch / t_train,
            "inferImagesPerSec": args.batch / t_infer,
            "trainImagesPerCpuSec": args.batch / c_train,
            "inferImagesPerCpuSec": args.batch / c_infer,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
