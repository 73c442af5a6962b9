"""Write a loss-landscape snapshot (format v1) for a small PyTorch MLP, with numpy only.

Usage: python write_snapshot.py OUT.json   (torch is used when installed; else random weights)
Only the contract's fields are written; the lab derives the rest (task, input and output sizes).
"""
import json, sys
import numpy as np

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 2)).astype(np.float32)
y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)  # two classes: the quadrants
try:  # nn.Linear keeps weight [out, in]; the snapshot's Dense kernels are [in, out]
    import torch
    torch.manual_seed(0)  # the same file on every run
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    params = [sd["0.weight"].T, sd["0.bias"], sd["2.weight"].T, sd["2.bias"]]
except ImportError:
    params = [rng.normal(size=(2, 8)), np.zeros(8), rng.normal(size=(8, 2)), np.zeros(2)]
params = [np.ascontiguousarray(p, dtype=np.float32) for p in params]

def metrics(p):  # tanh hidden layer, logits; mean cross-entropy and accuracy
    z = np.tanh(X @ p[0] + p[1]) @ p[2] + p[3]
    logp = z - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)) - z.max(1, keepdims=True)
    return -logp[np.arange(len(y)), y].mean(), (z.argmax(1) == y).mean()

def direction(seed):  # filter-normalized: each column of a kernel scaled to theta's column norm
    r = np.random.default_rng(seed)
    d = [r.normal(size=p.shape).astype(np.float32) if p.ndim == 2 else np.zeros_like(p) for p in params]
    return [di * (np.linalg.norm(p, axis=0) / np.linalg.norm(di, axis=0)) if p.ndim == 2 else di for di, p in zip(d, params)]

dx, dy, xs = direction(1), direction(2), np.linspace(-1, 1, 11)
grid = [metrics([p + a * u + b * v for p, u, v in zip(params, dx, dy)]) for b in xs for a in xs]
flat = lambda ps: np.concatenate([p.ravel() for p in ps]).astype(np.float32).tolist()
names = ["dense_0/kernel", "dense_0/bias", "dense_1/kernel", "dense_1/bias"]
snapshot = {
    "format": "loss-landscape-snapshot", "version": 1, "createdAt": "2026-12-06T12:00:00Z",
    "producer": {"name": "write_snapshot.py", "version": "1", "backend": "numpy"}, "config": {},
    "model": {"architecture": {"kind": "mlp", "inputSize": 2, "hiddenSizes": [8], "outputSize": 2, "activation": "tanh"},
              "loss": "cross-entropy", "layout": [{"name": n, "shape": list(p.shape)} for n, p in zip(names, params)],
              "parameters": flat(params)},
    "data": {"name": "quadrants", "classes": 2, "train": {"x": X.ravel().tolist(), "y": y.tolist(), "count": len(y)}},
    "directions": [{"label": k, "method": "random", "normalization": "filter", "bias": "zero", "seed": s, "values": flat(d)}
                   for k, s, d in (("x", 1, dx), ("y", 2, dy))],
    "grid": {"axes": [{"label": k, "min": -1, "max": 1, "count": 11} for k in "xy"]},
    "surfaces": {"train_loss": [float(l) for l, _ in grid], "train_accuracy": [float(a) for _, a in grid]},
}
json.dump(snapshot, open(sys.argv[1], "w"))
