"""The paper's notebook loop (train_model in the authors' tiny-imagenet.ipynb) in plain PyTorch,
timed per epoch, for examples/reproduce-paper/bench/epoch.mjs. Our own code after its protocol:
ImageFolder + ToTensor, DataLoader(batch_size=100, shuffle=True), SGD(lr=0.001, momentum=0.9,
weight_decay=l2), loss = CE + l1 * sum(p.abs().sum() for p in model.parameters()), then a val pass.

Two data variants: 'jpeg' decodes each JPEG every epoch (PIL, as ImageFolder does), 'memory'
decodes once into one uint8 tensor (the fastest plain PyTorch). The models are the PyTorch
reference of packages/trainer/bench/pytorch_bench.py (imported, 200 outputs).

    python3 epoch_pytorch.py --data <dir>/tiny-imagenet-200 --models initial,new,resnet18 --out r.json
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "packages", "trainer", "bench"))
from pytorch_bench import make  # noqa: E402


def image_folder(root):
    """(paths, labels) of train/<wnid>/images/*.JPEG, labels by sorted wnid (ImageFolder's order)."""
    wnids = sorted(os.listdir(os.path.join(root, "train")))
    paths, labels = [], []
    for k, wnid in enumerate(wnids):
        d = os.path.join(root, "train", wnid, "images")
        for f in sorted(os.listdir(d)):
            paths.append(os.path.join(d, f))
            labels.append(k)
    return wnids, paths, labels


def val_set(root, wnids):
    index = {w: k for k, w in enumerate(wnids)}
    paths, labels = [], []
    with open(os.path.join(root, "val", "val_annotations.txt")) as f:
        for line in f:
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1] in index:
                paths.append(os.path.join(root, "val", "images", parts[0]))
                labels.append(index[parts[1]])
    return paths, labels


def to_tensor(path):
    """ToTensor of an RGB image: CHW float32 in [0, 1]."""
    a = np.array(Image.open(path).convert("RGB"), dtype=np.uint8)
    return torch.from_numpy(a).permute(2, 0, 1).float().div_(255)


def batches(n, batch, shuffle, gen):
    order = torch.randperm(n, generator=gen) if shuffle else torch.arange(n)
    for i in range(0, n, batch):
        yield order[i:i + batch]


def epoch(model, opt, l1, train, val, variant, gen):
    t0 = time.perf_counter()
    model.train()
    xs, ys = train
    for idx in batches(len(ys), 100, True, gen):
        if variant == "jpeg":
            x = torch.stack([to_tensor(xs[i]) for i in idx.tolist()])
        else:
            x = xs[idx].float().div_(255)
        y = ys[idx]
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss = loss + l1 * sum(p.abs().sum() for p in model.parameters())
        loss.backward()
        opt.step()
    train_s = time.perf_counter() - t0
    model.eval()
    vx, vy = val
    with torch.no_grad():
        for idx in batches(len(vy), 100, False, gen):
            if variant == "jpeg":
                x = torch.stack([to_tensor(vx[i]) for i in idx.tolist()])
            else:
                x = vx[idx].float().div_(255)
            F.cross_entropy(model(x), vy[idx])
    return time.perf_counter() - t0, train_s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--models", default="initial,new,resnet18")
    ap.add_argument("--out", required=True)
    ap.add_argument("--l1", type=float, default=1e-4)
    ap.add_argument("--l2", type=float, default=1e-4)
    a = ap.parse_args()
    wnids, paths, labels = image_folder(a.data)
    vpaths, vlabels = val_set(a.data, wnids)
    ys, vys = torch.tensor(labels), torch.tensor(vlabels)
    t0 = time.perf_counter()
    mem = torch.stack([to_tensor(p).mul_(255).round_().to(torch.uint8) for p in paths])
    vmem = torch.stack([to_tensor(p).mul_(255).round_().to(torch.uint8) for p in vpaths])
    decode_s = time.perf_counter() - t0
    results = []
    for name in a.models.split(","):
        row = {"model": name}
        for variant in ("memory", "jpeg"):
            torch.manual_seed(1)
            gen = torch.Generator().manual_seed(1)
            model = make(name)
            opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9, weight_decay=a.l2)
            train = (paths, ys) if variant == "jpeg" else (mem, ys)
            val = (vpaths, vys) if variant == "jpeg" else (vmem, vys)
            epoch(model, opt, a.l1, train, val, variant, gen)
            secs, train_s = epoch(model, opt, a.l1, train, val, variant, gen)
            row[variant] = {"epochSeconds": secs, "trainImagesPerSecond": len(labels) / train_s}
            print(f"pytorch {name} {variant}: epoch 2 {secs:.1f} s ({len(labels) / train_s:.0f} train img/s)", flush=True)
        results.append(row)
    doc = {"torch": torch.__version__, "threads": torch.get_num_threads(), "decodeOnceSeconds": decode_s, "results": results}
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
