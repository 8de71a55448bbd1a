"""Cross-validation on the training split only: how the need model's settings were chosen
without looking at the held-out split. Each fold trains on three quarters of intents/train
and is scored on the rest; the TF-IDF + logistic regression baseline runs on the same folds.

    .venv/bin/python bench/crossval.py [--folds 4] [--recipe ngrams:20:0.002 ...]

A recipe is architecture:epochs:learn_rate. With --tiers it chooses the crisis check's two
tiers (clear crisis, possible concern): weights and thresholds, from the folds' scores
(--crisis-architecture compares the crisis model's layers on the same folds).
Prints macro-F1 per fold and the mean; with
--crisis it scores the crisis classifier instead (recall on each fold's crisis messages
and the share of its hard negatives flagged, model alone and with the rules).
Prints figures; it asserts nothing."""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from triage import baseline  # noqa: E402

from frontdoor.triage import classifier  # noqa: E402
from frontdoor.triage.data import Example, load_need_definitions, load_split  # noqa: E402
from frontdoor.triage.evaluation import need_metrics  # noqa: E402
from frontdoor.triage.safety import (  # noqa: E402
    CATEGORIES,
    CLEAR_AT,
    CUE_WEIGHT,
    MIN_WORDS_FOR_MODEL,
    NO_CRISIS,
    POSSIBLE_AT,
    RULE_WEIGHT,
    crisis_score,
    cues,
    level_for,
    model_probability,
    rule_categories,
)
from frontdoor.triage.text import normalise  # noqa: E402
from frontdoor.triage.triage import Triage  # noqa: E402


def folds(examples: list[Example], k: int, seed: int = 5
          ) -> list[tuple[list[Example], list[Example]]]:
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    return [([examples[i] for n, i in enumerate(order) if n % k != fold],
             [examples[i] for i in order[fold::k]]) for fold in range(k)]


def need_scores(train: list[Example], recipes: list[str], k: int) -> None:
    needs = load_need_definitions(ROOT / "intents")
    results: dict[str, list[float]] = {}
    for fold, (rest, dev) in enumerate(folds(train, k)):
        gold = [e.label for e in dev]
        model, _ = baseline(rest, [])
        results.setdefault("tf-idf+LR", []).append(
            need_metrics(gold, list(model.predict([e.text for e in dev])))["macro_f1"])
        for spec in recipes:
            architecture, epochs, learn_rate = spec.split(":")
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "model"
                classifier.train(rest, [], out, architecture=architecture, epochs=int(epochs),
                                 learn_rate=float(learn_rate), progress=False)
                triage = Triage(classifier.Classifier(out), needs)
                results.setdefault(spec, []).append(
                    need_metrics(gold, [triage.read(e.text).need for e in dev])["macro_f1"])
        print(f"fold {fold}: " + "  ".join(f"{name} {scores[-1]:.4f}"
                                           for name, scores in results.items()), flush=True)
    print(f"\n{'need model (macro-F1, mean of folds)':<40}")
    for name, scores in results.items():
        print(f"  {name:<28}{sum(scores) / len(scores):.4f}")


THRESHOLDS = (0.2, 0.3, 0.5, 0.7)


def crisis_scores(train: list[Example], crisis: list[Example], recipes: list[str],
                  k: int) -> None:
    """The rules were written from the whole training split, so "with rules" flatters
    them here; the model's own figures are the fair ones."""
    for spec in recipes:
        architecture, epochs, learn_rate = spec.split(":")
        counts: dict[tuple[str, float], int] = {}
        positives = negatives = 0
        for rest, dev in folds(crisis, k):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "model"
                classifier.train(train, rest, out, crisis_architecture=architecture,
                                 epochs=int(epochs), learn_rate=float(learn_rate),
                                 progress=False)
                scores = classifier.Classifier(out).score_many([e.text for e in dev])
            for example, score in zip(dev, scores, strict=True):
                # As in production: the model only speaks for messages of a few words.
                words = len(normalise(example.text).split()) >= MIN_WORDS_FOR_MODEL
                top = max(score.crisis[c] for c in CATEGORIES) if words else 0.0
                rule = bool(rule_categories(example.text))
                kind = "fp" if example.label == NO_CRISIS else "hit"
                negatives += kind == "fp"
                positives += kind == "hit"
                for threshold in THRESHOLDS:
                    counts[f"model_{kind}", threshold] = counts.get(
                        (f"model_{kind}", threshold), 0) + (top >= threshold)
                    counts[f"any_{kind}", threshold] = counts.get(
                        (f"any_{kind}", threshold), 0) + (top >= threshold or rule)
        for threshold in THRESHOLDS:
            print(f"crisis {spec} at {threshold}: model recall "
                  f"{counts['model_hit', threshold] / positives:.3f}, model false positives "
                  f"{counts['model_fp', threshold] / negatives:.3f}; with rules recall "
                  f"{counts['any_hit', threshold] / positives:.3f}, false positives "
                  f"{counts['any_fp', threshold] / negatives:.3f}", flush=True)


# The grid the tiers' weights and thresholds are chosen from.
RULE_WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
CUE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
THRESHOLD_GRID = tuple(round(0.05 * n, 2) for n in range(1, 20))
# What the tiers must keep to on the folds' hard negatives: any crisis reply (clear or
# possible) to at most this share, a clear one to at most CLEAR_FALSE_ALARMS. And one rule
# of the product: a rule that matches, with no cue against it, is never ignored (at least a
# possible concern: a missed crisis is the worst error, a gentle line costs little). Under
# that rule no setting keeps below 5% of these hard negatives, which were written to trip
# the rules ("the kids are starving", "i cant go on paying this much rent").
ANY_FALSE_ALARMS = 0.05
CLEAR_FALSE_ALARMS = 0.01


def fold_probabilities(train: list[Example], crisis: list[Example], k: int,
                       cache: Path | None, architecture: str = classifier.CRISIS_ARCHITECTURE
                       ) -> list[dict[str, object]]:
    """Each crisis training example scored by a model trained on the other folds."""
    if cache is not None and cache.exists():
        return json.loads(cache.read_text())
    rows: list[dict[str, object]] = []
    for fold, (rest, dev) in enumerate(folds(crisis, k)):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "model"
            classifier.train(train, rest, out, progress=False, crisis_only=True,
                             crisis_architecture=architecture)
            scores = classifier.Classifier(out).score_many([e.text for e in dev])
        for example, score in zip(dev, scores, strict=True):
            words = len(normalise(example.text).split()) >= MIN_WORDS_FOR_MODEL
            probability = model_probability(score.crisis)[0] if words else 0.0
            rows.append({"text": example.text, "label": example.label,
                         "probability": probability})
        print(f"fold {fold + 1}/{k} scored", flush=True)
    if cache is not None:
        cache.write_text(json.dumps(rows))
    return rows


def tier_figures(rows: list[dict[str, object]], rule_weight: float, cue_weight: float,
                 clear_at: float, possible_at: float) -> dict[str, float]:
    hits = clear_hits = positives = false_any = false_clear = negatives = 0
    for row in rows:
        level = level_for(crisis_score(float(row["probability"]),  # type: ignore[arg-type]
                                       bool(row["rule"]), bool(row["cue"]),
                                       rule_weight, cue_weight), clear_at, possible_at)
        if row["label"] == NO_CRISIS:
            negatives += 1
            false_any += level is not None
            false_clear += level == "clear"
        else:
            positives += 1
            hits += level is not None
            clear_hits += level == "clear"
    return {"recall_any": hits / positives, "recall_clear": clear_hits / positives,
            "false_any": false_any / negatives, "false_clear": false_clear / negatives}


def choose_tiers(train: list[Example], crisis: list[Example], k: int,
                 cache: Path | None, architecture: str = classifier.CRISIS_ARCHITECTURE) -> None:
    """The weights and thresholds of the two tiers, by cross-validation on the training
    split only: the most crisis messages flagged (clear or possible) with at most 5% of hard
    negatives given any crisis reply and 1% a clear one, a rule alone always at least
    possible; then the most clear ones."""
    rows = fold_probabilities(train, crisis, k, cache, architecture)
    for row in rows:
        row["rule"] = bool(rule_categories(str(row["text"])))
        row["cue"] = bool(cues(str(row["text"])))
    best: tuple[tuple[float, ...], tuple[float, ...], dict[str, float]] | None = None
    for rule_weight in RULE_WEIGHTS:
        for cue_weight in CUE_WEIGHTS:
            for possible_at in THRESHOLD_GRID:
                if rule_weight < possible_at:
                    continue   # a rule alone, with no cue, is at least a possible concern
                for clear_at in THRESHOLD_GRID:
                    if clear_at < possible_at:
                        continue
                    f = tier_figures(rows, rule_weight, cue_weight, clear_at, possible_at)
                    if f["false_any"] > ANY_FALSE_ALARMS or f["false_clear"] > CLEAR_FALSE_ALARMS:
                        continue
                    # Most recall first; then the higher thresholds (fewer false alarms).
                    key = (f["recall_any"], f["recall_clear"], -f["false_any"], possible_at,
                           clear_at)
                    if best is None or key > best[0]:
                        best = (key, (rule_weight, cue_weight, clear_at, possible_at), f)
    model_only = tier_figures(rows, 0.0, 0.0, 0.5, 0.2)
    current = tier_figures(rows, RULE_WEIGHT, CUE_WEIGHT, CLEAR_AT, POSSIBLE_AT)
    positives = sum(r["label"] != NO_CRISIS for r in rows)
    print(f"\n{k}-fold cross-validation on intents/crisis/train: {positives} crisis messages, "
          f"{len(rows) - positives} hard negatives")

    def show(name: str, f: dict[str, float]) -> None:
        print(f"  {name:<44} recall clear-or-possible {f['recall_any']:.3f}  clear "
              f"{f['recall_clear']:.3f}  hard negatives flagged {f['false_any']:.3f}  "
              f"clear {f['false_clear']:.3f}")

    show("model alone (clear 0.5, possible 0.2)", model_only)
    show(f"settings in safety.py (rule {RULE_WEIGHT}, cue {CUE_WEIGHT}, "
         f"clear {CLEAR_AT}, possible {POSSIBLE_AT})", current)
    if best is not None:
        rule_weight, cue_weight, clear_at, possible_at = best[1]
        show(f"best (rule {rule_weight}, cue {cue_weight}, clear {clear_at}, "
             f"possible {possible_at})", best[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--recipe", action="append", dest="recipes")
    parser.add_argument("--crisis", action="store_true")
    parser.add_argument("--tiers", action="store_true",
                        help="choose the crisis tiers' weights and thresholds")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the folds' model probabilities in this JSON file")
    parser.add_argument("--crisis-architecture", default=classifier.CRISIS_ARCHITECTURE,
                        choices=sorted(classifier.ARCHITECTURES),
                        help="the crisis model's layers, for --tiers")
    args = parser.parse_args()
    train, crisis = load_split(ROOT / "intents", "train")
    if args.tiers:
        choose_tiers(train, crisis, args.folds, args.cache, args.crisis_architecture)
    elif args.crisis:
        crisis_scores(train, crisis, args.recipes or [
            f"{classifier.CRISIS_ARCHITECTURE}:{classifier.EPOCHS}:{classifier.LEARN_RATE}"],
            args.folds)
    else:
        need_scores(train, args.recipes or [
            f"{classifier.NEED_ARCHITECTURE}:{classifier.EPOCHS}:{classifier.LEARN_RATE}"],
            args.folds)


if __name__ == "__main__":
    main()
