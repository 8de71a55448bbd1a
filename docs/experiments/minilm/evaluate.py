"""Crisis check on MiniLM sentence embeddings + logistic regression, on the same 4 folds as
bench/crossval.py --tiers, and on the held-out split intents/crisis/test.

Run with the project's venv (spaCy for the rules and cues), reading /work/emb/emb.npz:
    PYTHONDONTWRITEBYTECODE=1 /work/main/.venv/bin/python /work/emb/evaluate.py [--current /tmp/folds-new.json]
Never touches any blind set."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path("/work/main")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from crossval import (ANY_FALSE_ALARMS, CLEAR_FALSE_ALARMS, CUE_WEIGHTS, RULE_WEIGHTS,  # noqa: E402
                      THRESHOLD_GRID, folds, tier_figures)
from frontdoor.triage.data import load_split  # noqa: E402
from frontdoor.triage.safety import (CLEAR_AT, CUE_WEIGHT, MIN_WORDS_FOR_MODEL, NO_CRISIS,  # noqa: E402
                                     POSSIBLE_AT, RULE_WEIGHT, cues, model_probability,
                                     rule_categories)
from frontdoor.triage.text import normalise  # noqa: E402

K, SEED = 4, 5
CS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)

data = np.load("/work/emb/emb.npz", allow_pickle=True)
VEC = dict(zip(data["texts"].tolist(), data["vectors"]))


def X(examples):
    return np.stack([VEC[e.text] for e in examples])


def gate(examples, probs):
    """As in production: the model only speaks for messages of MIN_WORDS_FOR_MODEL words."""
    return [float(p) if len(normalise(e.text).split()) >= MIN_WORDS_FOR_MODEL else 0.0
            for e, p in zip(examples, probs)]


def kind(e):  # 0 everyday need message, 1 hard negative, 2 crisis
    return 0 if e.label not in _CRISIS_LABELS and e.label != NO_CRISIS else (1 if e.label == NO_CRISIS else 2)


_CRISIS_LABELS = {"suicide_self_harm", "domestic_abuse", "danger", "medical", "safeguarding_other"}


def fit(need, crisis, log=None):
    """LR (class_weight balanced) on crisis-vs-not; C by 4-fold inner CV on these training
    rows only, scored by ROC AUC of crisis messages against hard negatives."""
    rows = list(crisis) + list(need)
    x = X(rows)
    y = np.array([e.label != NO_CRISIS and e.label in _CRISIS_LABELS for e in rows], int)
    k = np.array([kind(e) for e in rows])
    inner = StratifiedKFold(4, shuffle=True, random_state=SEED)
    scores = {}
    for c in CS:
        aucs = []
        for tr, va in inner.split(x, k):
            m = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x[tr], y[tr])
            hard = va[k[va] > 0]
            aucs.append(roc_auc_score(y[hard], m.predict_proba(x[hard])[:, 1]))
        scores[c] = statistics.mean(aucs)
    best = max(CS, key=lambda c: (scores[c], -c))
    if log is not None:
        log.append((best, scores))
    model = LogisticRegression(C=best, class_weight="balanced", max_iter=5000).fit(x, y)
    # class_weight="balanced" multiplies the odds by n_neg/n_pos; undo it so the probability
    # is on the scale of an unweighted model (same ranking; matters only for the additive
    # rule/cue score, where a rule weight must reach the "possible" threshold).
    model.shift = float(np.log(y.sum() / (len(y) - y.sum())))
    return model, best


def prob(model, examples):
    z = model.decision_function(X(examples)) + model.shift
    return 1 / (1 + np.exp(-z))


def alone_thresholds(rows):
    """Lowest thresholds whose pooled hard negatives flagged are <= 5% (possible) and <= 1% (clear)."""
    neg = sorted((r["probability"] for r in rows if r["label"] == NO_CRISIS), reverse=True)
    def at(share):
        allowed = int(share * len(neg))          # at most this many negatives >= threshold
        return neg[allowed] + 1e-9 if allowed < len(neg) else 0.0   # just above the (allowed+1)-th
    return at(ANY_FALSE_ALARMS), at(CLEAR_FALSE_ALARMS)


def alone_figures(rows, possible, clear):
    pos = [r for r in rows if r["label"] != NO_CRISIS]
    neg = [r for r in rows if r["label"] == NO_CRISIS]
    return {"recall_any": sum(r["probability"] >= possible for r in pos) / len(pos),
            "recall_clear": sum(r["probability"] >= clear for r in pos) / len(pos),
            "false_any": sum(r["probability"] >= possible for r in neg) / len(neg),
            "false_clear": sum(r["probability"] >= clear for r in neg) / len(neg)}


EXT_RULE = tuple(round(0.1 * n, 1) for n in range(2, 11))          # 0.2 .. 1.0
EXT_GRID = tuple(round(0.01 * n, 2) for n in range(1, 100))         # 0.01 .. 0.99


def choose_tiers(rows, extended=False):
    """bench/crossval.py choose_tiers' grid search (same constraints and key), vectorised;
    extended=True: rule weights up to 1.0 and thresholds in 0.01 steps up to 0.99."""
    RULE_WEIGHTS_, THRESHOLD_GRID_ = (EXT_RULE, EXT_GRID) if extended else (RULE_WEIGHTS, THRESHOLD_GRID)
    p = np.array([r["probability"] for r in rows]); ru = np.array([r["rule"] for r in rows], float)
    cu = np.array([r["cue"] for r in rows], float); neg = np.array([r["label"] == NO_CRISIS for r in rows])
    best = None
    for rw in RULE_WEIGHTS_:
        for cw in CUE_WEIGHTS:
            sc = p + rw * ru - cw * cu
            for possible_at in THRESHOLD_GRID_:
                if rw < possible_at:
                    continue
                fa = (sc[neg] >= possible_at).mean()
                if fa > ANY_FALSE_ALARMS:
                    continue
                ra = (sc[~neg] >= possible_at).mean()
                for clear_at in THRESHOLD_GRID_:
                    if clear_at < possible_at:
                        continue
                    if (sc[neg] >= clear_at).mean() > CLEAR_FALSE_ALARMS:
                        continue
                    rc = (sc[~neg] >= clear_at).mean()
                    key = (ra, rc, -fa, possible_at, clear_at)
                    if best is None or key > best[0]:
                        best = (key, (rw, cw, clear_at, possible_at), None)
    return (best[1], best[2]) if best else (None, None)


def choose_tiers_slow(rows):
    best = None
    for rw in RULE_WEIGHTS:
        for cw in CUE_WEIGHTS:
            for possible_at in THRESHOLD_GRID:
                if rw < possible_at:
                    continue
                for clear_at in THRESHOLD_GRID:
                    if clear_at < possible_at:
                        continue
                    f = tier_figures(rows, rw, cw, clear_at, possible_at)
                    if f["false_any"] > ANY_FALSE_ALARMS or f["false_clear"] > CLEAR_FALSE_ALARMS:
                        continue
                    key = (f["recall_any"], f["recall_clear"], -f["false_any"], possible_at, clear_at)
                    if best is None or key > best[0]:
                        best = (key, (rw, cw, clear_at, possible_at), f)
    return best[1], best[2]


def line(name, f):
    return (f"  {name:<52} recall any {f['recall_any']:.3f}  clear {f['recall_clear']:.3f}  "
            f"hard neg flagged any {f['false_any']:.3f}  clear {f['false_clear']:.3f}")


def report(name, rows, fold_of, alone=None, tiers=None):
    """Pooled figures and per fold, model alone (fine thresholds) and with rules+cues (crossval grid).
    Thresholds/settings are chosen on the pooled out-of-fold rows unless given."""
    print(f"\n=== {name}")
    out = {}
    alone = alone or alone_thresholds(rows)
    f = alone_figures(rows, *alone)
    print(line(f"model alone, possible>={alone[0]:.4f} clear>={alone[1]:.4f} (pooled)", f))
    per = [alone_figures([r for r, fo in zip(rows, fold_of) if fo == i], *alone) for i in range(K)]
    for i, g in enumerate(per):
        print(line(f"   fold {i}", g))
    spread(per)
    out["alone"] = (alone, f, per)
    for extended in (False, True):
        label = "tiers_ext" if extended else "tiers"
        settings, _ = choose_tiers(rows, extended)
        grid = "extended grid" if extended else "crossval grid"
        if settings is None:
            print(f"  with rules+cues, {grid}: NO setting keeps hard negatives <= 5% any and <= 1% clear")
            out[label] = (None, None, None)
            continue
        g = tier_figures(rows, *settings)
        rw, cw, ca, pa = settings
        print(line(f"rules+cues {grid} (rule {rw}, cue {cw}, clear {ca}, possible {pa})", g))
        per = [tier_figures([r for r, fo in zip(rows, fold_of) if fo == i], *settings) for i in range(K)]
        for i, h in enumerate(per):
            print(line(f"   fold {i}", h))
        spread(per)
        out[label] = (settings, g, per)
    return out


def spread(per):
    for key in ("recall_any", "recall_clear", "false_any", "false_clear"):
        vals = [p[key] for p in per]
        print(f"     {key:<13} fold mean {statistics.mean(vals):.3f}  sd {statistics.stdev(vals):.3f}  "
              f"min {min(vals):.3f}  max {max(vals):.3f}")


def with_rules(examples, probs):
    return [{"text": e.text, "label": e.label, "language": e.language, "probability": p,
             "rule": bool(rule_categories(e.text)), "cue": bool(cues(e.text))}
            for e, p in zip(examples, probs)]


def logit(p):
    p = np.clip(np.asarray(p, float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--current", type=Path, default=None,
                    help="bench/crossval.py --cache file: the current model's out-of-fold probabilities")
    args = ap.parse_args()
    need, crisis = load_split(ROOT / "intents", "train")
    need_test, crisis_test = load_split(ROOT / "intents", "test")
    assert not any("blind" in str(p) for p in [])  # data above is train/ and test/ only
    print(f"train: {len(need)} everyday need messages; crisis train {len(crisis)} "
          f"({sum(e.label != NO_CRISIS for e in crisis)} crisis, {sum(e.label == NO_CRISIS for e in crisis)} hard negatives)")

    # 1. Same folds as crossval: folds over the crisis training examples; every fold's model
    # also learns all everyday need messages as "no crisis" (classifier.train does the same).
    order, fold_of, emb_p, log = [], [], [], []
    for i, (rest, dev) in enumerate(folds(crisis, K, SEED)):
        model, c = fit(need, rest, log)
        p = gate(dev, prob(model, dev))
        order += dev
        fold_of += [i] * len(dev)
        emb_p += p
        print(f"fold {i}: C={c}, logit shift {model.shift:.3f} (inner AUC by C: " + ", ".join(f"{k}:{v:.4f}" for k, v in log[-1][1].items()) + ")", flush=True)
    emb_rows = with_rules(order, emb_p)
    results = {"embedding LR": report("MiniLM + LR, 4-fold CV on intents/crisis/train", emb_rows, fold_of)}

    cur_rows = None
    if args.current and args.current.exists():
        cached = json.loads(args.current.read_text())
        assert [(r["text"], r["label"]) for r in cached] == [(e.text, e.label) for e in order], \
            "cache rows are not in crossval fold order"
        cur_p = [float(r["probability"]) for r in cached]
        cur_rows = with_rules(order, cur_p)
        results["current"] = report("current spaCy n-gram model (from crossval cache), same folds", cur_rows, fold_of)
        print(line(f"   (current model, safety.py now: {RULE_WEIGHT}/{CUE_WEIGHT}/{CLEAR_AT}/{POSSIBLE_AT})",
                   tier_figures(cur_rows, RULE_WEIGHT, CUE_WEIGHT, CLEAR_AT, POSSIBLE_AT)))
        print(line("   (current model, earlier settings 0.5/0.5/0.65/0.35)",
                   tier_figures(cur_rows, 0.5, 0.5, 0.65, 0.35)))
        # Embedding scores mapped onto the current model's probability scale by rank (pooled,
        # labels unused), so crossval's grid (rule weight <= 0.8) can be used as it is.
        srt = np.sort(np.array(cur_p))
        ranks = np.argsort(np.argsort(np.array(emb_p), kind="stable"), kind="stable")
        qmap = gate(order, srt[ranks])
        results["embedding LR, rank-mapped"] = report("MiniLM + LR, rank-mapped onto current model's scale",
                                                      with_rules(order, qmap), fold_of)
        # 2. Combinations.
        avg = [(a + b) / 2 for a, b in zip(cur_p, emb_p)]
        results["average"] = report("average of current and embedding probabilities", with_rules(order, avg), fold_of)
        # Stacked LR on the two logits; each fold's stacker is fitted on the other three folds'
        # out-of-fold probabilities (crisis rows only), then scores its own fold.
        feats = np.column_stack([logit(cur_p), logit(emb_p)])
        ylab = np.array([e.label != NO_CRISIS for e in order], int)
        fo = np.array(fold_of)
        stacked = np.zeros(len(order))
        for i in range(K):
            s = LogisticRegression(class_weight="balanced").fit(feats[fo != i], ylab[fo != i])
            stacked[fo == i] = s.predict_proba(feats[fo == i])[:, 1]
            print(f"stacker fold {i}: coef {s.coef_[0].round(3).tolist()} intercept {s.intercept_[0]:.3f}")
        stacked = gate(order, stacked)
        full_stacker = LogisticRegression(class_weight="balanced").fit(feats, ylab)
        results["stacked"] = report("stacked LR of current + embedding (leave-one-fold-out stacker)",
                                    with_rules(order, stacked), fold_of)
        # Paired comparison on the folds: crisis messages caught by one and not the other.
        for name in ("embedding LR", "average", "stacked"):
            base = {"embedding LR": emb_p, "average": avg, "stacked": stacked}[name]
            ta, _ = results[name]["alone"][0]
            tc, _ = results["current"]["alone"][0]
            pos = [j for j, e in enumerate(order) if e.label != NO_CRISIS]
            only_new = sum(base[j] >= ta and cur_p[j] < tc for j in pos)
            only_cur = sum(base[j] < ta and cur_p[j] >= tc for j in pos)
            for key in ("recall_any", "recall_clear", "false_any", "false_clear"):
                d = [a[key] - b[key] for a, b in zip(results[name]["alone"][2], results["current"]["alone"][2])]
                print(f"  {name} - current, model alone, per-fold {key}: " + " ".join(f"{x:+.3f}" for x in d)
                      + f"  mean {statistics.mean(d):+.3f} sd {statistics.stdev(d):.3f}")
            print(f"  model alone at <=5%: crisis messages caught only by {name}: {only_new}, only by current: {only_cur}")
    else:
        print("\n(no current-model cache yet: parts 2 skipped)")

    # Per language on the folds (MiniLM is an English model).
    for lang in ("en", "cy"):
        idx = [j for j, r in enumerate(emb_rows) if r["language"] == lang]
        th = results["embedding LR"]["alone"][0]
        f = alone_figures([emb_rows[j] for j in idx], *th)
        print(line(f"embedding LR alone, language {lang} (CV thresholds)", f))
        if cur_rows:
            th = results["current"]["alone"][0]
            print(line(f"current alone, language {lang} (CV thresholds)", alone_figures([cur_rows[j] for j in idx], *th)))

    # 3. Held-out: train on all of crisis/train + train/, score crisis/test and test/ (everyday).
    print("\n=== HELD-OUT intents/crisis/test (thresholds and settings chosen on the training folds above)")
    model, c = fit(need, crisis)
    print(f"full-train C={c}, shift {model.shift:.3f}")
    emb_test = gate(crisis_test, prob(model, crisis_test))
    emb_need = gate(need_test, prob(model, need_test))
    sets = {"embedding LR": (emb_test, emb_need)}
    from frontdoor.triage.classifier import Classifier
    clf = Classifier(ROOT / "instance" / "model")   # trained on today's training data (fingerprint checked)
    cur_test = gate(crisis_test, [model_probability(s.crisis)[0] for s in clf.score_many([e.text for e in crisis_test])])
    cur_need = gate(need_test, [model_probability(s.crisis)[0] for s in clf.score_many([e.text for e in need_test])])
    sets["current"] = (cur_test, cur_need)
    if "stacked" in results:
        def stack(a, b):
            return full_stacker.predict_proba(np.column_stack([logit(a), logit(b)]))[:, 1]
        sets["stacked"] = (gate(crisis_test, stack(cur_test, emb_test)), gate(need_test, stack(cur_need, emb_need)))
    sets["average"] = ([(a + b) / 2 for a, b in zip(cur_test, emb_test)], [(a + b) / 2 for a, b in zip(cur_need, emb_need)])
    ytest = np.array([e.label != NO_CRISIS for e in crisis_test], int)
    held = {}
    for name, (pt, pn) in sets.items():
        if name not in results:
            continue
        rows = with_rules(crisis_test, pt)
        nrows = with_rules(need_test, pn)
        alone = results[name]["alone"][0]
        f = alone_figures(rows, *alone)
        every = sum(p >= alone[0] for p in pn) / len(pn)
        print(line(f"{name}: model alone (CV thresholds {alone[0]:.3f}/{alone[1]:.3f})", f) + f"  everyday test msgs flagged {every:.3f}")
        for lang in ("en", "cy"):
            print(line(f"   language {lang}", alone_figures([r for r in rows if r["language"] == lang], *alone)))
        for label in ("tiers", "tiers_ext"):
            settings = results[name][label][0]
            if settings is None:
                print(f"{name}: {label}: no CV setting")
                continue
            g = tier_figures(rows, *settings)
            ev = tier_figures([dict(r, label=NO_CRISIS) for r in nrows] + [rows[j] for j in range(len(rows)) if ytest[j]], *settings)["false_any"]
            print(line(f"{name}: rules+cues {label} CV settings {settings}", g) + f"  everyday test msgs flagged {ev:.3f}")
            for lang in ("en", "cy"):
                print(line(f"   language {lang}", tier_figures([r for r in rows if r["language"] == lang], *settings)))
        print(f"   ROC AUC crisis vs hard negatives (model alone): {roc_auc_score(ytest, pt):.4f}")
        held[name] = (pt, alone, None, rows)
    if "current" in held and "embedding LR" in held:
        # Paired bootstrap of the recall difference at each model's own CV thresholds.
        rng = np.random.default_rng(5)
        a_pt, a_th, _, _ = held["embedding LR"]
        b_pt, b_th, _, _ = held["current"]
        pos = np.where(ytest == 1)[0]
        neg = np.where(ytest == 0)[0]
        a_hit = np.array(a_pt)[pos] >= a_th[0]
        b_hit = np.array(b_pt)[pos] >= b_th[0]
        a_fp = np.array(a_pt)[neg] >= a_th[0]
        b_fp = np.array(b_pt)[neg] >= b_th[0]
        print(f"held-out, model alone at the <=5% threshold: crisis caught only by embedding {int((a_hit & ~b_hit).sum())}, "
              f"only by current {int((~a_hit & b_hit).sum())}, of {len(pos)}; hard negatives flagged "
              f"embedding {int(a_fp.sum())}, current {int(b_fp.sum())}, of {len(neg)}")
        diffs = []
        for _ in range(5000):
            s = rng.integers(0, len(pos), len(pos))
            diffs.append(a_hit[s].mean() - b_hit[s].mean())
        lo, hi = np.percentile(diffs, [2.5, 97.5])
        print(f"recall difference embedding - current {a_hit.mean() - b_hit.mean():+.3f}, paired bootstrap 95% [{lo:+.3f}, {hi:+.3f}]")
    json.dump({"order": [(e.text, e.label) for e in order], "fold": fold_of, "emb_p": emb_p},
              open("/work/emb/emb_oof.json", "w"))


if __name__ == "__main__":
    main()
