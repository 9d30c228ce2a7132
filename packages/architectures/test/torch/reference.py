"""PyTorch side of the parity test (run with Debian's /usr/bin/python3 + python3-torch).

  reference.py make OUT_DIR
      For each case, builds the architecture in PyTorch (the paper code's small nets; ResNets with
      torchvision's layout, written out here because torchvision may be absent), randomises batch-norm
      statistics, and writes OUT_DIR/<case>.weights.safetensors (the state dict, including the I64
      num_batches_tracked counters) and OUT_DIR/<case>.io.safetensors (input NCHW, eval-mode logits).
  reference.py run DIR CASE...
      For each CASE, loads DIR/<case>.tfjs.safetensors (a state dict exported by tfjs) with
      strict=True, runs the "input" of DIR/<case>.io.safetensors and writes "logits" to
      DIR/<case>.tfjs-logits.safetensors.

safetensors is written and read by hand (struct + json + numpy): the safetensors module is not needed.
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype == torch.float32:
            dtype, arr = 'F32', t.numpy().astype('<f4')
        elif t.dtype == torch.int64:
            dtype, arr = 'I64', t.numpy().astype('<i8')
        else:
            raise ValueError(f'{name}: unsupported dtype {t.dtype}')
        blob = arr.tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [off, off + len(blob)]}
        off += len(blob)
        blobs.append(blob)
    head = json.dumps(header).encode('utf-8')
    head += b' ' * (-len(head) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        assert info['dtype'] == 'F32', f'{name}: {info["dtype"]}'
        b, e = info['data_offsets']
        arr = np.frombuffer(data[8 + n + b:8 + n + e], dtype='<f4').reshape(info['shape'])
        out[name] = torch.from_numpy(arr.copy())
    return out


class Initial(nn.Module):
    """The paper code's Initial Model (module names as in the notebook)."""

    def __init__(self, num_classes=200):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 10, kernel_size=3, padding=1)
        self.pool = nn.AvgPool2d(2, 2)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(20 * 16 * 16, 2000)
        self.fc2 = nn.Linear(2000, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 20 * 16 * 16)
        return self.fc2(F.relu(self.fc1(x)))


class New(nn.Module):
    """The New Model; variant 'paper' (Figure 11) or 'notebook' (the notebook's forward)."""

    def __init__(self, variant='paper', num_classes=200):
        super().__init__()
        self.variant = variant
        self.conv1 = nn.Conv2d(3, 10, kernel_size=3, padding=1)
        self.pool1 = nn.AvgPool2d(2, 2)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(20, 30, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(30 * 8 * 8, 1000)
        self.fc2 = nn.Linear(1000, num_classes)
        self.dropout = nn.Dropout(p=0.2)

    def forward(self, x):
        if self.variant == 'notebook':
            x = self.pool1(F.leaky_relu(self.conv1(x)))
            x = self.pool1(F.leaky_relu(self.conv2(x)))
            x = self.pool1(F.leaky_relu(self.conv3(x)))
            x = self.dropout(x.view(-1, 30 * 8 * 8))
            return F.leaky_relu(self.fc2(F.leaky_relu(self.fc1(x))))
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = self.pool2(F.relu(self.conv3(x)))
        x = self.dropout(torch.flatten(x, 1))
        return self.fc2(F.relu(self.fc1(x)))


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    """torchvision's ResNet with BasicBlocks; stem 'imagenet' (7x7/2 + max pool) or 'cifar' (3x3/1)."""

    def __init__(self, blocks, stem='imagenet', num_classes=200):
        super().__init__()
        if stem == 'imagenet':
            self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        else:
            self.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
            self.maxpool = nn.Identity()
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        inplanes = 64
        for i, (count, planes) in enumerate(zip(blocks, [64, 128, 256, 512])):
            layers = []
            for b in range(count):
                layers.append(BasicBlock(inplanes, planes, 2 if i > 0 and b == 0 else 1))
                inplanes = planes
            setattr(self, f'layer{i + 1}', nn.Sequential(*layers))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


CASES = {
    # name: (factory, batch, input size)
    'initial': (lambda: Initial(), 2, 64),
    'new': (lambda: New('paper'), 2, 64),
    'new-notebook': (lambda: New('notebook'), 2, 64),
    'resnet18': (lambda: ResNet([2, 2, 2, 2]), 2, 64),
    'resnet18-cifar': (lambda: ResNet([2, 2, 2, 2], stem='cifar'), 1, 32),
    'resnet34': (lambda: ResNet([3, 4, 6, 3]), 1, 64),
}


def randomise_batch_norm(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(n, generator=gen))
                m.bias.copy_(0.1 * torch.randn(n, generator=gen))
                m.running_mean.copy_(0.1 * torch.randn(n, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(n, generator=gen))
                m.num_batches_tracked.fill_(7)


def make(out_dir):
    torch.set_num_threads(1)
    for i, (name, (build, batch, size)) in enumerate(CASES.items()):
        torch.manual_seed(100 + i)
        model = build()
        gen = torch.Generator().manual_seed(200 + i)
        randomise_batch_norm(model, gen)
        model.eval()
        x = torch.rand(batch, 3, size, size, generator=gen)
        with torch.no_grad():
            logits = model(x)
        write_safetensors(f'{out_dir}/{name}.weights.safetensors', model.state_dict())
        write_safetensors(f'{out_dir}/{name}.io.safetensors', {'input': x, 'logits': logits})


def run(out_dir, names):
    torch.set_num_threads(1)
    for name in names:
        model = CASES[name][0]()
        model.load_state_dict(read_safetensors(f'{out_dir}/{name}.tfjs.safetensors'), strict=True)
        model.eval()
        with torch.no_grad():
            logits = model(read_safetensors(f'{out_dir}/{name}.io.safetensors')['input'])
        write_safetensors(f'{out_dir}/{name}.tfjs-logits.safetensors', {'logits': logits})


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    elif sys.argv[1] == 'run':
        run(sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit(__doc__)
