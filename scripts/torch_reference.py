"""Bridge Lab's training step in PyTorch, for `npm run bench` and scripts/gpu-bench.sh.

The same shape as src/engine/model/retriever.ts with atomic IDs: one embedding table for
words and item IDs (tied with the output), a post-norm transformer encoder, a one-step ID
decoder (a start token attending to itself, cross-attention to the encoder, an FFN), item
logits = decoder state x item embeddings + bias, softmax cross-entropy, Adam (eps 1e-7).
Random tokens and targets: it times the arithmetic, not learning.

  python3 scripts/torch_reference.py --items 2000 --words 1000 --seq 8 --batch 256 --dim 64
Prints one JSON line: backend, shape, threads, loss, msPerStep, examplesPerSecond.
"""
import argparse
import json
import time

import torch
from torch import nn


class Retriever(nn.Module):
    def __init__(self, items, words, dim, heads, layers):
        super().__init__()
        self.items = items
        self.table = nn.Embedding(items + words + 1, dim)  # item IDs first, then words, then the start token
        self.pos = nn.Parameter(torch.randn(64, dim) * 0.02)
        enc = nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(enc, layers, enable_nested_tensor=False)
        self.self_attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.cross = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ffn = nn.Sequential(nn.Linear(dim, 4 * dim), nn.ReLU(), nn.Linear(4 * dim, dim))
        self.norms = nn.ModuleList([nn.LayerNorm(dim) for _ in range(3)])
        self.bias = nn.Parameter(torch.zeros(items))
        self.start = items + words

    def forward(self, tokens, pad):
        h = self.encoder(self.table(tokens) + self.pos[: tokens.shape[1]], src_key_padding_mask=pad)
        q = self.table.weight[self.start].expand(tokens.shape[0], 1, -1)
        q = self.norms[0](q + self.self_attn(q, q, q, need_weights=False)[0])
        q = self.norms[1](q + self.cross(q, h, h, key_padding_mask=pad, need_weights=False)[0])
        q = self.norms[2](q + self.ffn(q))
        return q[:, 0] @ self.table.weight[: self.items].T + self.bias


def main():
    p = argparse.ArgumentParser()
    for name, default in [("items", 2000), ("words", 1000), ("seq", 8), ("batch", 256), ("dim", 64),
                          ("heads", 2), ("layers", 1), ("steps", 30), ("warmup", 5), ("threads", 2)]:
        p.add_argument(f"--{name}", type=int, default=default)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dev = a.device
    model = Retriever(a.items, a.words, a.dim, a.heads, a.layers).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, eps=1e-7)
    tokens = torch.randint(0, a.items + a.words, (a.batch, a.seq), device=dev)
    pad = torch.zeros(a.batch, a.seq, dtype=torch.bool, device=dev)
    pad[:, a.seq // 2 + 1:] = torch.rand(a.batch, a.seq - a.seq // 2 - 1, device=dev) < 0.3  # some padding, never all
    target = torch.randint(0, a.items, (a.batch,), device=dev)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(tokens, pad), target)
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    if dev == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    last = loss.item()  # waits for the device
    ms = (time.perf_counter() - t0) / a.steps * 1000
    print(json.dumps({"backend": f"torch-{dev}", "model": "encoder + one-step ID decoder", "items": a.items, "words": a.words,
                      "seq": a.seq, "batch": a.batch, "dim": a.dim, "threads": torch.get_num_threads(), "loss": round(last, 4),
                      "msPerStep": round(ms, 3), "examplesPerSecond": round(a.batch / ms * 1000, 1)}))


if __name__ == "__main__":
    main()
