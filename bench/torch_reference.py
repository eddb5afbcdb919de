"""PyTorch reference implementations of dmil's joint baseline and DMIL Phase A.

Same architectures, widths, batch size, epochs, optimiser (Adam, lr 1e-3) and
losses as dmil's defaults (vignettes/method.Rmd section 3; dmil_control()), float32, on
the CPU with a given number of threads. Used by bench/run.sh to compare
training speed; prints one JSON line with the timing.

    /usr/bin/python3 bench/torch_reference.py --model joint --n 4000 --d 16 \\
        --hidden 64 --batch 64 --classes 2 --epochs 5 --threads 1
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Sequential):
    def __init__(self, d, hidden, depth):
        layers = []
        for i in range(depth):
            layers += [nn.Linear(d if i == 0 else hidden, hidden), nn.ReLU()]
        super().__init__(*layers)


class Joint(nn.Module):
    """One encoder per view, concatenation, a fusion head with one hidden layer."""

    def __init__(self, dims, hidden, depth, classes):
        super().__init__()
        self.enc = nn.ModuleList([Encoder(d, hidden, depth) for d in dims])
        self.head = nn.Sequential(nn.Linear(len(dims) * hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, classes))

    def loss(self, xs, y, epoch):
        h = torch.cat([e(x) for e, x in zip(self.enc, xs)], dim=1)
        return F.cross_entropy(self.head(h), y)


def kl_std(mu, lv):
    return 0.5 * (lv.exp() + mu * mu - 1.0 - lv).sum(dim=1)


def kl_sym(mu_a, lv_a, mu_b, lv_b):
    d2 = (mu_a - mu_b) ** 2
    return 0.25 * ((lv_a - lv_b).exp() + (lv_b - lv_a).exp()
                   + d2 * ((-lv_a).exp() + (-lv_b).exp()) - 2.0).sum(dim=1)


class DMILPhaseA(nn.Module):
    """The decomposition network of dmil (src/core/dmil.c) and its Phase A loss."""

    def __init__(self, dims, hidden, depth, latent, classes, partners=8,
                 lam=(1.0, 0.5, 0.1, 0.1, 0.1), betas=(1e-3, 1e-3, 1e-2), warmup=10):
        super().__init__()
        M, H, D = len(dims), hidden, latent
        self.M, self.D, self.P = M, D, partners
        self.enc = nn.ModuleList([Encoder(d, H, depth) for d in dims])
        self.rpost = nn.ModuleList([nn.Linear(H, 2 * D) for _ in dims])
        self.upost = nn.ModuleList([nn.Linear(H, 2 * D) for _ in dims])
        self.fuse = nn.Sequential(nn.Linear(M * H, H), nn.ReLU())
        self.spost = nn.Linear(H, 2 * D)
        self.a_r = nn.Linear(D, classes, bias=False)
        self.a_u = nn.ModuleList([nn.Linear(D, classes, bias=False) for _ in dims])
        self.a_s = nn.Linear(D, classes, bias=False)
        self.b = nn.Parameter(torch.zeros(classes))
        self.lam_uni, self.lam_red, self.lam_align, self.lam_orth, self.lam_anova = lam
        self.betas, self.warmup = betas, warmup

    @staticmethod
    def split(out, D):
        return out[:, :D], out[:, D:].clamp(-8.0, 8.0)

    @staticmethod
    def sample(mu, lv):
        return mu + (0.5 * lv).exp() * torch.randn_like(mu)

    def loss(self, xs, y, epoch):
        M, D = self.M, self.D
        hs = [e(x) for e, x in zip(self.enc, xs)]
        h = torch.cat(hs, dim=1)
        rp = [self.split(l(hm), D) for l, hm in zip(self.rpost, hs)]
        up = [self.split(l(hm), D) for l, hm in zip(self.upost, hs)]
        f = self.fuse(h)
        mu_s, lv_s = self.split(self.spost(f), D)
        # product of experts of the redundant codes
        prec = [(-lv).exp() for _, lv in rp]
        tau = sum(prec)
        mubar = sum(p * mu for p, (mu, _) in zip(prec, rp)) / tau
        zbar = mubar + torch.randn_like(mubar) / tau.sqrt()
        zr = [self.sample(mu, lv) for mu, lv in rp]
        zu = [self.sample(mu, lv) for mu, lv in up]
        zs = self.sample(mu_s, lv_s)
        l_rm = [self.a_r(z) + self.b for z in zr]
        l_m = [lr + a(z) for lr, a, z in zip(l_rm, self.a_u, zu)]
        l_add = self.a_r(zbar) + sum(a(z) for a, z in zip(self.a_u, zu)) + self.b
        logits = l_add + self.a_s(zs)
        loss = F.cross_entropy(logits, y)
        loss = loss + self.lam_uni / M * sum(F.cross_entropy(l, y) for l in l_m)
        loss = loss + self.lam_red / M * sum(F.cross_entropy(l, y) for l in l_rm)
        pairs = [(p, q) for p in range(M) for q in range(p + 1, M)]
        loss = loss + self.lam_align / len(pairs) * sum(
            kl_sym(rp[p][0], rp[p][1], rp[q][0], rp[q][1]).mean() for p, q in pairs)
        scale = min(1.0, epoch / self.warmup) if self.warmup > 0 else 1.0
        b_r, b_u, b_s = (scale * b for b in self.betas)
        loss = loss + (b_r * sum(kl_std(mu, lv) for mu, lv in rp).mean()
                       + b_u * sum(kl_std(mu, lv) for mu, lv in up).mean()
                       + b_s * kl_std(mu_s, lv_s).mean())
        # decorrelation of redundant and unique means within the batch
        B = y.shape[0]

        def standardise(m):
            m = m - m.mean(dim=0, keepdim=True)
            return m / (m.pow(2).mean(dim=0, keepdim=True) + 1e-6).sqrt()

        orth = sum((standardise(rp[m][0]).t() @ standardise(up[m][0]) / B).pow(2).sum()
                   for m in range(M))
        loss = loss + self.lam_orth * orth
        # functional-ANOVA penalty: view m of each sample replaced by P
        # partners' (encodings as constants). The fusion layer is linear
        # before its ReLU, so a partner row's pre-activation is the sample's
        # own minus its view-m share plus the partner's view-m share -- the
        # same algebra dmil uses, so that both do the same work -- and only
        # the mean half of the synergy posterior is needed.
        hd = h.detach()
        idx = torch.randint(0, B, (B, M, self.P))
        H = hs[0].shape[1]
        W_f, b_f = self.fuse[0].weight, self.fuse[0].bias
        shares = [hd[:, m * H:(m + 1) * H] @ W_f[:, m * H:(m + 1) * H].t() for m in range(M)]
        own = sum(shares) + b_f
        W_mu, b_mu = self.spost.weight[:D], self.spost.bias[:D]
        anova = 0.0
        for m in range(M):
            pre = (own - shares[m]).unsqueeze(1) + shares[m][idx[:, m, :]]
            mu_p = F.linear(F.relu(pre).reshape(B * self.P, H), W_mu, b_mu)
            g = self.a_s(mu_p).view(B, self.P, -1).mean(dim=1)
            anova = anova + g.pow(2).sum(dim=1).mean()
        loss = loss + self.lam_anova * anova / M
        return loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["joint", "dmil"], default="joint")
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--d", type=int, default=16)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--latent", type=int, default=16)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--classes", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--anova", type=float, default=0.1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xs = [torch.randn(a.n, a.d) for _ in range(2)]
    y = torch.randint(0, a.classes, (a.n,))
    if a.model == "joint":
        model = Joint([a.d, a.d], a.hidden, a.depth, a.classes)
    else:
        model = DMILPhaseA([a.d, a.d], a.hidden, a.depth, a.latent, a.classes,
                           lam=(1.0, 0.5, 0.1, 0.1, a.anova))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for epoch in range(a.epochs):
        perm = torch.randperm(a.n)
        for s in range(0, a.n, a.batch):
            i = perm[s:s + a.batch]
            loss = model.loss([x[i] for x in xs], y[i], epoch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"impl": "torch", "model": a.model, "n": a.n, "threads": a.threads,
                      "epochs": a.epochs, "seconds": seconds,
                      "samples_per_s": a.n * a.epochs / seconds, "peak_mb": peak_mb,
                      "final_loss": float(loss)}))


if __name__ == "__main__":
    main()
