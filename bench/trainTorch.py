"""The PyTorch peer of bench/train.ts: the same LeNet-5 (conv 5x5x6 same, max-pool 2, conv 5x5x16
valid, max-pool 2, dense 120-84-10, ReLU), softmax cross-entropy, SGD with momentum and L2 weight
decay on the conv and dense kernels (not the biases, as the trainer), batch 64, on one CPU thread. Prints one JSON line: {"torch": version, "msPerStep": [...]}. Inputs are uniform in [0, 1)
and labels uniform in 0..9: the data do not change the arithmetic."""
import json
import sys
import time

import torch
from torch import nn

steps, warmup, batch, lr, momentum, wd = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))
torch.set_num_threads(1)
torch.manual_seed(1)
net = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
    nn.Flatten(),
    nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
)
kernels = [p for n, p in net.named_parameters() if n.endswith('weight')]
biases = [p for n, p in net.named_parameters() if n.endswith('bias')]
opt = torch.optim.SGD([{'params': kernels, 'weight_decay': wd}, {'params': biases, 'weight_decay': 0}], lr=lr, momentum=momentum)
loss_fn = nn.CrossEntropyLoss()
xs = [torch.rand(batch, 1, 28, 28) for _ in range(8)]
ys = [torch.randint(0, 10, (batch,)) for _ in range(8)]
times = []
for s in range(warmup + steps):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = loss_fn(net(xs[s % 8]), ys[s % 8])
    loss.backward()
    opt.step()
    loss.item()
    if s >= warmup:
        times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"torch": torch.__version__, "msPerStep": times}))
