#!/usr/bin/env python3
"""Train Bizkey's fraud model (whitepaper ch. 3.7, DESIGN.md section 5) and export it to ONNX.

A deep belief network learns features without labels: a Gaussian-Bernoulli RBM on the normalised receipt
features, then a Bernoulli RBM on its hidden activations, each trained greedily with contrastive divergence
(CD-1). Their weights initialise the hidden layers of a multilayer perceptron, which is then fine-tuned with
labels (class-weighted cross-entropy, Adam). The operating threshold maximises F1 on a validation set from
another seed; the held-out test set comes from yet another seed.

The ONNX graph takes the raw feature matrix exported by the Rust `export` binary (one feature definition,
fraud/src/features.rs) and contains the normalisation: Sub(mean), Div(std), Clip, then the three layers.
Its metadata carries the feature names and version (checked by the Rust scorer), the threshold and a
version string.

Inputs are .npy matrices from `export`: the feature columns, then the label. With --exclude-pattern, the rows
of that brushing pattern (from the `simulate --patterns` file beside each .npy: sN.npy -> sN.patterns.csv) are
dropped from training and validation: the leave-one-pattern-out validation of models/evaluate.sh.

--algo picks the model:
- dbn: the DBN+MLP above;
- gbm: gradient-boosted trees (LightGBM) on the same features, exported with onnxmltools (TreeEnsemble
  operators; a Gather keeps the brushing probability as the single `score` output);
- ensemble (the default, the deployed model): both, the DBN trained exactly as with --algo dbn and the trees
  as with --algo gbm, scored by the mean of their logits, sigmoid((margin + logit) / 2): one ONNX graph with
  both (export_ensemble), which the Rust scorer evaluates natively (fraud/src/native.rs). --members also
  exports each member on its own, with its own threshold, for models/evaluate.sh.

The operating threshold is the largest of the best-F1 threshold on all validation rows and the 99.9th
percentile of the honest scores of each validation population (--valid, and --valid-small: weeks of the
on-chain test's size, whose honest newcomers score higher), so that the false-positive rate stays near 0.1 %
on either (the target is <= 0.2 %).
"""

import argparse
import hashlib
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# One definition of the measures, shared with the evaluation (models/metrics.py, next to this file).
from metrics import average_precision, roc_auc

CLIP = 8.0


def patterns_of(path):
    with open(path[: -len(".npy")] + ".patterns.csv") as f:
        next(f)
        return np.array([line.rstrip("\n").split(",", 1)[1] for line in f])


def load(paths, exclude=None):
    xs, ys = [], []
    meta = None
    for p in paths:
        a = np.load(p)
        if exclude:
            a = a[patterns_of(p) != exclude]
        with open(p + ".json") as f:
            m = json.load(f)
        if meta is not None and m != meta:
            sys.exit(f"{p}: other feature columns than {paths[0]}")
        meta = m
        xs.append(a[:, : m["label_column"]].astype(np.float32))
        ys.append(a[:, m["label_column"]].astype(np.float32))
    x, y = np.concatenate(xs), np.concatenate(ys)
    if (y < 0).any():
        sys.exit("training data must be labelled")
    return x, y, meta


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def at_threshold(s, y, t):
    flag = s >= t
    tp = float((flag & (y == 1)).sum())
    fp = float((flag & (y == 0)).sum())
    fn = float((~flag & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def best_f1_threshold(s, y):
    order = np.argsort(-s, kind="mergesort")
    ss, yy = s[order], y[order]
    tp = np.cumsum(yy)
    fp = np.cumsum(1 - yy)
    last = np.r_[ss[1:] != ss[:-1], True]
    p = tp / (tp + fp)
    r = tp / yy.sum()
    f1 = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0)
    f1 = np.where(last, f1, -1)
    i = int(np.argmax(f1))
    return float(ss[i])


def train_rbm(v_data, n_hidden, gaussian, epochs, lr, rng, batch=256, momentum=0.5, decay=1e-4):
    """CD-1. Gaussian visible units (unit variance) for z-scored inputs, Bernoulli otherwise."""
    n_visible = v_data.shape[1]
    w = rng.normal(0, 0.01, (n_visible, n_hidden)).astype(np.float32)
    b_v = np.zeros(n_visible, np.float32) if gaussian else v_data.mean(0).astype(np.float32)
    b_h = np.zeros(n_hidden, np.float32)
    dw, dbv, dbh = np.zeros_like(w), np.zeros_like(b_v), np.zeros_like(b_h)
    for epoch in range(epochs):
        perm = rng.permutation(len(v_data))
        err = 0.0
        mom = momentum if epoch < 2 else 0.9
        for i in range(0, len(perm), batch):
            v0 = v_data[perm[i : i + batch]]
            h0 = sigmoid(v0 @ w + b_h)
            h_sample = (rng.random(h0.shape, dtype=np.float32) < h0).astype(np.float32)
            v1 = h_sample @ w.T + b_v
            if not gaussian:
                v1 = sigmoid(v1)
            h1 = sigmoid(v1 @ w + b_h)
            n = len(v0)
            dw = mom * dw + lr * ((v0.T @ h0 - v1.T @ h1) / n - decay * w)
            dbv = mom * dbv + lr * (v0 - v1).mean(0)
            dbh = mom * dbh + lr * (h0 - h1).mean(0)
            w += dw
            b_v += dbv
            b_h += dbh
            err += float(((v0 - v1) ** 2).sum())
        print(f"  rbm {n_visible}->{n_hidden} epoch {epoch + 1}: reconstruction error {err / len(v_data):.4f}")
    return w, b_h


class Mlp:
    def __init__(self, layers):
        self.layers = [(w.astype(np.float32).copy(), b.astype(np.float32).copy()) for w, b in layers]
        self.m = [(np.zeros_like(w), np.zeros_like(b)) for w, b in self.layers]
        self.v = [(np.zeros_like(w), np.zeros_like(b)) for w, b in self.layers]
        self.t = 0

    def forward(self, x):
        acts = [x]
        for w, b in self.layers:
            acts.append(sigmoid(acts[-1] @ w + b))
        return acts

    def predict(self, x):
        return self.forward(x)[-1][:, 0]

    def logit(self, x):
        """The output unit's input: what the ensemble averages with the trees' margin."""
        h = x
        for w, b in self.layers[:-1]:
            h = sigmoid(h @ w + b)
        w, b = self.layers[-1]
        return (h @ w + b)[:, 0]

    def step(self, x, y, weight, lr, l2=1e-5, b1=0.9, b2=0.999, eps=1e-8):
        acts = self.forward(x)
        # d(weighted BCE)/d(logit) of a sigmoid output.
        delta = (acts[-1][:, 0] - y)[:, None] * weight[:, None] / weight.sum()
        self.t += 1
        for k in range(len(self.layers) - 1, -1, -1):
            w, b = self.layers[k]
            gw = acts[k].T @ delta + l2 * w
            gb = delta.sum(0)
            if k > 0:
                delta = (delta @ w.T) * acts[k] * (1 - acts[k])
            for p, g, m, v in ((w, gw, *[s[0] for s in (self.m[k], self.v[k])]), (b, gb, *[s[1] for s in (self.m[k], self.v[k])])):
                m *= b1
                m += (1 - b1) * g
                v *= b2
                v += (1 - b2) * g * g
                mh = m / (1 - b1**self.t)
                vh = v / (1 - b2**self.t)
                p -= lr * mh / (np.sqrt(vh) + eps)


def operating_threshold(sv, yv, populations):
    """populations: one boolean row mask of the validation set per population."""
    t = best_f1_threshold(sv, yv)
    for rows in populations:
        honest = np.sort(sv[rows & (yv == 0)])
        q = float(honest[min(len(honest) - 1, int(np.ceil(0.999 * len(honest))))])
        t = max(t, float(np.nextafter(np.float32(q), np.float32(1))))
    return t


def set_props(model, meta, threshold, version):
    props = {
        "bizkey.feature_names": ",".join(meta["feature_names"]),
        "bizkey.feature_version": str(meta["feature_version"]),
        "bizkey.threshold": repr(float(threshold)),
        "bizkey.model_version": version,
    }
    helper.set_model_props(model, props)


def train_gbm(x, y, xv, yv, args):
    import lightgbm as lgb

    pos_weight = min(50.0, float((1 - y).sum() / max(1.0, y.sum())) ** 0.5 * 3)
    clf = lgb.LGBMClassifier(
        n_estimators=args.trees,
        learning_rate=args.learning_rate,
        num_leaves=args.leaves,
        min_child_samples=40,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        reg_lambda=1.0,
        scale_pos_weight=pos_weight,
        n_jobs=2,
        random_state=args.seed,
        metric="average_precision",
        verbose=-1,
    )
    clf.fit(x, y, eval_set=[(xv, yv)], callbacks=[lgb.early_stopping(50, first_metric_only=True, verbose=False)])
    print(f"gbm: {clf.best_iteration_} trees (early stopping on validation AUPRC)")
    return clf


def convert_trees(clf, meta):
    """The LightGBM booster as an ONNX graph: a TreeEnsembleClassifier over `features` and a `probabilities`
    output, [1 - p, p]."""
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType

    n = len(meta["feature_names"])
    return onnxmltools.convert_lightgbm(
        clf.booster_, initial_types=[("features", FloatTensorType([None, n]))], zipmap=False, target_opset=15
    )


def positive_column(g, probs, out):
    """Adds a Gather of column 1 of `probs` (the brushing class) as `out`, one value per row."""
    g.initializer.append(numpy_helper.from_array(np.array(1, np.int64), "positive"))
    g.node.append(helper.make_node("Gather", [probs, "positive"], [out], axis=1))


def mlp_graph(mean, std, layers, logit_scale=None):
    """Initializers and nodes of the DBN+MLP over `features`: Sub(mean), Div(std), Clip, then per layer a Gemm
    and a Sigmoid. With logit_scale, the output unit's Sigmoid is left out and its weights are scaled: the
    output `mlp_logit` is that multiple of the logit. Otherwise the output is `mlp_out`, the probability.
    Both are [batch, 1]."""
    inits = [
        numpy_helper.from_array(mean.astype(np.float32), "mean"),
        numpy_helper.from_array(std.astype(np.float32), "std"),
        numpy_helper.from_array(np.array(-CLIP, np.float32), "clip_lo"),
        numpy_helper.from_array(np.array(CLIP, np.float32), "clip_hi"),
    ]
    nodes = [
        helper.make_node("Sub", ["features", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "std"], ["scaled"]),
        helper.make_node("Clip", ["scaled", "clip_lo", "clip_hi"], ["h0"]),
    ]
    last = len(layers) - 1
    for k, (w, b) in enumerate(layers):
        if k == last and logit_scale is not None:
            w, b = w * np.float32(logit_scale), b * np.float32(logit_scale)
        inits += [numpy_helper.from_array(w, f"w{k + 1}"), numpy_helper.from_array(b, f"b{k + 1}")]
        nodes.append(helper.make_node("Gemm", [f"h{k}", f"w{k + 1}", f"b{k + 1}"], [f"z{k + 1}"]))
        if k < last:
            nodes.append(helper.make_node("Sigmoid", [f"z{k + 1}"], [f"h{k + 1}"]))
    if logit_scale is None:
        nodes.append(helper.make_node("Sigmoid", [f"z{last + 1}"], ["mlp_out"]))
        return inits, nodes, "mlp_out"
    nodes.append(helper.make_node("Identity", [f"z{last + 1}"], ["mlp_logit"]))
    return inits, nodes, "mlp_logit"


def flat_score(g, src, out="score"):
    """Adds a Reshape of [batch, 1] `src` to the [batch] `out`."""
    g.initializer.append(numpy_helper.from_array(np.array([-1], np.int64), "flat"))
    g.node.append(helper.make_node("Reshape", [src, "flat"], [out]))


def save(path, model, meta, threshold, version, doc):
    g = model.graph
    del g.output[:]
    g.output.append(helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch"]))
    model.doc_string = doc
    set_props(model, meta, threshold, version)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def export_gbm(path, clf, meta, threshold, version, doc):
    model = convert_trees(clf, meta)
    probs = [o.name for o in model.graph.output if o.name != "label"][0]
    positive_column(model.graph, probs, "score")
    save(path, model, meta, threshold, version, doc)


def export_dbn(path, mean, std, layers, meta, threshold, version, doc):
    n = len(mean)
    inits, nodes, out = mlp_graph(mean, std, layers)
    graph = helper.make_graph(
        nodes,
        "bizkey_fraud_dbn_mlp",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", n])],
        [],
        initializer=inits,
    )
    flat_score(graph, out)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="bizkey-models")
    model.ir_version = 8
    save(path, model, meta, threshold, version, doc)


def export_ensemble(path, clf, mean, std, layers, meta, threshold, version, doc):
    """One graph: score = sigmoid((trees' margin + the MLP's logit) / 2). The halves are folded into the
    weights (the trees' leaf and base values, the MLP's output layer), exactly, as halving a float is exact:
    the trees' classifier has no post-transform (its column 1 is half the LightGBM margin), the MLP ends
    before its output Sigmoid, and an Add and a Sigmoid join them. fraud/src/native.rs evaluates this shape."""
    model = convert_trees(clf, meta)
    g = model.graph
    (trees,) = [n for n in g.node if n.op_type == "TreeEnsembleClassifier"]
    for a in trees.attribute:
        if a.name == "post_transform":
            a.s = b"NONE"
        elif a.name in ("class_weights", "base_values"):
            a.floats[:] = [np.float32(0.5) * np.float32(f) for f in a.floats]
    probs = [o.name for o in g.output if o.name != "label"][0]
    positive_column(g, probs, "trees_half")
    inits, nodes, out = mlp_graph(mean, std, layers, logit_scale=0.5)
    g.initializer.extend(inits)
    g.node.extend(nodes)
    flat_score(g, out, "mlp_half")
    g.node.append(helper.make_node("Add", ["trees_half", "mlp_half"], ["logit"]))
    g.node.append(helper.make_node("Sigmoid", ["logit"], ["score"]))
    # Clip takes its bounds as inputs from opset 11 on; the converter asks for the lowest opset it needs.
    for o in model.opset_import:
        if o.domain in ("", "ai.onnx"):
            o.version = max(o.version, 15)
    save(path, model, meta, threshold, version, doc)


def check_export(path, xt, st, trainer, report_path, report):
    """The exported ONNX graph must score the test rows as the trainer did; writes the report."""
    import onnxruntime as ort

    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = sess.run(["score"], {"features": xt[:2000]})[0]
    diff = float(np.abs(got - st[:2000]).max())
    print(f"{path}: onnxruntime vs {trainer}: max |diff| {diff:.2e}")
    assert diff < 1e-4, diff
    if report_path:
        with open(report_path, "w") as f:
            json.dump(report, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--valid", nargs="+", required=True)
    ap.add_argument("--valid-small", nargs="*", default=[], help="more validation rows, a population of its own for the threshold")
    ap.add_argument("--test", help="held-out .npy for the report (optional)")
    ap.add_argument("--algo", choices=["ensemble", "gbm", "dbn"], default="ensemble")
    ap.add_argument(
        "--members",
        metavar="PREFIX",
        help="with --algo ensemble: also export each member on its own, PREFIX.gbm.onnx and PREFIX.dbn.onnx",
    )
    ap.add_argument("--exclude-pattern", help="drop this brushing pattern from training and validation")
    # Inference cost grows with the trees: the Rust scorer's native evaluator (fraud/src/trees.rs) takes
    # ~12 ns per tree and row, ONNX Runtime ~36 ns, and the ensemble's MLP ~1 us per row; ~400 trees and the
    # MLP give ~160k receipts/s batched on one thread with features, 215-260k on two (MODEL_CARD.md,
    # benchmark; the target is 200k).
    ap.add_argument("--trees", type=int, default=400)
    ap.add_argument("--learning-rate", type=float, default=0.05)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--out", required=True)
    ap.add_argument("--report", help="write the metrics as JSON here")
    ap.add_argument("--hidden", type=int, nargs="+", default=[64, 32])
    ap.add_argument("--rbm-epochs", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    x, y, meta = load(args.train, args.exclude_pattern)
    xv, yv, _ = load(args.valid, args.exclude_pattern)
    populations = [np.ones(len(yv), bool)]
    if args.valid_small:
        xs, ys, _ = load(args.valid_small, args.exclude_pattern)
        small = np.arange(len(yv) + len(ys)) >= len(yv)
        populations = [~small, small]
        xv, yv = np.concatenate([xv, xs]), np.concatenate([yv, ys])
    xt, yt, _ = load([args.test]) if args.test else (xv, yv, None)
    print(f"train {len(y)} rows ({int(y.sum())} brushing), valid {len(yv)}, test {len(yt)}; {x.shape[1]} features")
    if args.exclude_pattern:
        print(f"without pattern {args.exclude_pattern}")
    sets = (xv, yv, xt, yt, populations, meta)
    if args.algo == "gbm":
        return save_gbm(args.out, train_gbm(x, y, xv, yv, args), sets, args.report)
    # The DBN is trained first in an ensemble too, so that it draws the same random numbers as with --algo dbn.
    dbn = train_dbn(x, y, xv, yv, args, np.random.default_rng(args.seed))
    if args.algo == "dbn":
        return save_dbn(args.out, dbn, args, sets, args.report)

    # The ensemble: the mean of the two models' logits.
    clf = train_gbm(x, y, xv, yv, args)
    margin = lambda a: clf.predict(a, raw_score=True)
    sv = sigmoid((margin(xv) + dbn.logit(xv)) / 2)
    st = sigmoid((margin(xt) + dbn.logit(xt)) / 2)
    threshold, report = measure(sv, yv, st, yt, populations)
    version = tag(report, f"ens-f{meta['feature_version']}", gbm_bytes(clf) + dbn.bytes())
    doc = (
        "Bizkey fraud model: the mean of the logits of two models on the same features, gradient-boosted trees "
        f"(LightGBM, {clf.best_iteration_} trees) and an RBM-pretrained (deep belief network) MLP "
        f"{x.shape[1]}-{'-'.join(map(str, args.hidden))}-1; input: raw features of fraud/src/features.rs; "
        "output: brushing probability. Trained by models/train.py --algo ensemble."
    )
    export_ensemble(args.out, clf, dbn.mean, dbn.std, dbn.mlp.layers, meta, threshold, version, doc)
    check_export(args.out, xt, st, "lightgbm + numpy", args.report, report)
    if args.members:
        # Each member on its own, at its own threshold: models/evaluate.sh scores them beside the ensemble.
        save_gbm(f"{args.members}.gbm.onnx", clf, sets)
        save_dbn(f"{args.members}.dbn.onnx", dbn, args, sets)


def save_gbm(out, clf, sets, report_path=None):
    xv, yv, xt, yt, populations, meta = sets
    st = clf.predict_proba(xt)[:, 1]
    threshold, report = measure(clf.predict_proba(xv)[:, 1], yv, st, yt, populations)
    version = tag(report, f"gbm-f{meta['feature_version']}", gbm_bytes(clf))
    doc = (
        f"Bizkey fraud model: gradient-boosted trees (LightGBM, {clf.best_iteration_} trees); input: raw features "
        "of fraud/src/features.rs; output: brushing probability. Trained by models/train.py --algo gbm."
    )
    export_gbm(out, clf, meta, threshold, version, doc)
    check_export(out, xt, st, "lightgbm", report_path, report)


def save_dbn(out, dbn, args, sets, report_path=None):
    xv, yv, xt, yt, populations, meta = sets
    st = dbn.predict(xt)
    threshold, report = measure(dbn.predict(xv), yv, st, yt, populations)
    version = tag(report, f"dbn-mlp-f{meta['feature_version']}", dbn.bytes())
    doc = (
        "Bizkey fraud model: RBM-pretrained (deep belief network) MLP "
        f"{len(dbn.mean)}-{'-'.join(map(str, args.hidden))}-1, sigmoid units; input: raw features of "
        "fraud/src/features.rs; output: brushing probability. Trained by models/train.py --algo dbn."
    )
    export_dbn(out, dbn.mean, dbn.std, dbn.mlp.layers, meta, threshold, version, doc)
    check_export(out, xt, st, "numpy", report_path, report)


class Dbn:
    """The fine-tuned DBN+MLP with its input normalisation."""

    def __init__(self, mean, std, mlp):
        self.mean, self.std, self.mlp = mean, std, mlp

    def norm(self, a):
        return np.clip((a - self.mean) / self.std, -CLIP, CLIP).astype(np.float32)

    def predict(self, a):
        return self.mlp.predict(self.norm(a))

    def logit(self, a):
        return self.mlp.logit(self.norm(a))

    def bytes(self):
        return b"".join(a.tobytes() for l in self.mlp.layers for a in l) + self.mean.tobytes() + self.std.tobytes()


def train_dbn(x, y, xv, yv, args, rng):
    mean = x.mean(0)
    std = x.std(0)
    std[std < 1e-6] = 1.0
    dbn = Dbn(mean, std, None)
    xn, xvn = dbn.norm(x), dbn.norm(xv)

    # Greedy layer-wise pretraining (the deep belief network), without labels.
    layers = []
    inp = xn
    for k, h in enumerate(args.hidden):
        print(f"pretraining layer {k + 1}")
        w, b_h = train_rbm(inp, h, gaussian=(k == 0), epochs=args.rbm_epochs, lr=0.002 if k == 0 else 0.02, rng=rng)
        layers.append((w, b_h))
        inp = sigmoid(inp @ w + b_h)
    layers.append((rng.normal(0, 0.05, (args.hidden[-1], 1)).astype(np.float32), np.zeros(1, np.float32)))

    # Supervised fine-tuning of the whole stack.
    mlp = Mlp(layers)
    pos_weight = min(50.0, float((1 - y).sum() / max(1.0, y.sum())) ** 0.5 * 3)
    weight = np.where(y == 1, pos_weight, 1.0).astype(np.float32)
    best = (-1.0, None)
    for epoch in range(args.epochs):
        lr = 2e-3 if epoch < args.epochs // 2 else 5e-4
        perm = rng.permutation(len(y))
        for i in range(0, len(perm), 512):
            idx = perm[i : i + 512]
            mlp.step(xn[idx], y[idx], weight[idx], lr)
        sv = mlp.predict(xvn)
        ap_v = average_precision(sv, yv)
        print(f"fine-tune epoch {epoch + 1}: valid ROC-AUC {roc_auc(sv, yv):.4f} AUPRC {ap_v:.4f}")
        if ap_v > best[0]:
            best = (ap_v, [(w.copy(), b.copy()) for w, b in mlp.layers])
    mlp.layers = best[1]
    dbn.mlp = mlp
    return dbn


def measure(sv, yv, st, yt, populations):
    """The operating threshold on the validation scores, and the report of both sets at it."""
    threshold = operating_threshold(sv, yv, populations)
    p, r, f1 = at_threshold(st, yt, threshold)
    return threshold, {
        "threshold": threshold,
        "valid": {"roc_auc": roc_auc(sv, yv), "auprc": average_precision(sv, yv)},
        "test": {"roc_auc": roc_auc(st, yt), "auprc": average_precision(st, yt), "precision": p, "recall": r, "f1": f1},
    }


def tag(report, prefix, weights):
    """The model version, `<prefix>-<12 hex digits of the weights' SHA-256>`, also put in the report."""
    version = f"{prefix}-{hashlib.sha256(weights).hexdigest()[:12]}"
    report["model_version"] = version
    print(json.dumps(report, indent=2))
    return version


def gbm_bytes(clf):
    return clf.booster_.model_to_string().encode()


if __name__ == "__main__":
    main()
