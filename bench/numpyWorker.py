"""The numpy peer of `npm run bench`: a persistent worker that times its own training steps.

Started once by bench/numpyPeer.ts; reads one JSON request per line on stdin and answers one JSON line
on stdout. It builds a network (layer sizes, batch size m, seed) with the same shapes gradstream uses
(columns are samples, W[l] is [n_l, n_(l-1)]), and times `steps` forward+backward passes of the
course's formulas, in CPU time of this process (time.process_time: on a shared machine, the time the step
took the CPU, not the time it waited for one), so the pipe between the two processes is never timed.

Requests:
  {"op": "info"}                                  -> numpy version, BLAS and the kernel family OpenBLAS runs
  {"op": "setup", "key": K, "sizes": [...], "m": m, "seed": s, "data": {...}?}  -> J
  {"op": "time", "key": K, "steps": n}            -> CPU seconds for n steps
  {"op": "grads", "key": K}                       -> J and dJ/dW, dJ/db of every layer (for the check)
  {"op": "gemm", "n": n, "reps": r}               -> CPU seconds for r products of two n×n float64 matrices
"""
import json
import sys
import time

import numpy as np


def relu(z):
    return np.maximum(z, 0.0)


class Net:
    """784→128 (relu)→10 softmax cross-entropy and the like: the bench's graphs, written as numpy users write them."""

    def __init__(self, sizes, m, seed, data=None):
        rng = np.random.default_rng(seed)
        self.sizes = sizes
        if data is not None:
            self.X = np.array(data["X"], dtype=np.float64)
            self.Y = np.array(data["Y"], dtype=np.float64)
            self.W = [np.array(data[f"W{l}"], dtype=np.float64) for l in range(1, len(sizes))]
            self.b = [np.array(data[f"b{l}"], dtype=np.float64) for l in range(1, len(sizes))]
        else:
            self.X = rng.standard_normal((sizes[0], m))
            labels = rng.integers(0, sizes[-1], m)
            self.Y = np.zeros((sizes[-1], m))
            self.Y[labels, np.arange(m)] = 1.0
            self.W = [rng.standard_normal((sizes[l], sizes[l - 1])) * np.sqrt(2.0 / sizes[l - 1]) for l in range(1, len(sizes))]
            self.b = [np.zeros((sizes[l], 1)) for l in range(1, len(sizes))]

    def step(self):
        """One forward and backward pass: J and the gradients of every W and b."""
        X, Y, W, b = self.X, self.Y, self.W, self.b
        m = X.shape[1]
        A = [X]
        Z = []
        for l in range(len(W)):
            z = W[l] @ A[-1] + b[l]
            Z.append(z)
            if l < len(W) - 1:
                A.append(relu(z))
        z = Z[-1]
        shifted = z - z.max(axis=0, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=0, keepdims=True)
        logp = shifted - np.log(s)
        J = -(Y * logp).sum() / m
        dZ = (e / s - Y) / m
        dW = [None] * len(W)
        db = [None] * len(W)
        for l in range(len(W) - 1, -1, -1):
            dW[l] = dZ @ A[l].T
            db[l] = dZ.sum(axis=1, keepdims=True)
            if l > 0:
                dZ = (W[l].T @ dZ) * (Z[l - 1] > 0)
        return J, dW, db


def openblas_core():
    """The kernel family OpenBLAS runs (its choice for this CPU, or OPENBLAS_CORETYPE's), or None if not found."""
    try:
        import ctypes
        import re

        with open("/proc/self/maps") as maps:
            paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", maps.read())))
        for path in paths:
            lib = ctypes.CDLL(path)
            for name in ("openblas_get_corename", "scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename64_"):
                get = getattr(lib, name, None)
                if get is not None:
                    get.restype = ctypes.c_char_p
                    return get().decode()
    except Exception:  # not Linux, or not OpenBLAS: the bench prints what it can
        pass
    return None


def main():
    nets = {}
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "info":
            blas = "unknown"
            try:
                cfg = np.show_config(mode="dicts")
                blas = f'{cfg["Build Dependencies"]["blas"]["name"]} {cfg["Build Dependencies"]["blas"]["version"]}'
            except Exception:  # older numpy: no dict mode
                pass
            out = {"numpy": np.__version__, "blas": blas, "core": openblas_core()}
        elif op == "setup":
            net = Net(req["sizes"], req["m"], req["seed"], req.get("data"))
            nets[req["key"]] = net
            out = {"J": float(net.step()[0])}
        elif op == "time":
            net = nets[req["key"]]
            t0 = time.process_time()
            for _ in range(req["steps"]):
                net.step()
            out = {"seconds": time.process_time() - t0}
        elif op == "grads":
            J, dW, db = nets[req["key"]].step()
            out = {"J": float(J), "dW": [w.ravel().tolist() for w in dW], "db": [v.ravel().tolist() for v in db]}
        elif op == "gemm":
            n = req["n"]
            rng = np.random.default_rng(0)
            a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
            a @ b
            t0 = time.process_time()
            for _ in range(req["reps"]):
                a @ b
            out = {"seconds": time.process_time() - t0}
        else:
            out = {"error": f"unknown op {op}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
