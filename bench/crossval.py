"""Cross-validation on the training split only: how the need model's settings were chosen
without looking at the held-out split. Each fold trains on three quarters of intents/train
and is scored on the rest; the TF-IDF + logistic regression baseline runs on the same folds.

    .venv/bin/python bench/crossval.py [--folds 4] [--recipe ngrams:20:0.002 ...]

A recipe is architecture:epochs:learn_rate. Prints macro-F1 per fold and the mean; with
--crisis it scores the crisis classifier instead (recall on each fold's crisis messages
and the share of its hard negatives flagged, model alone and with the rules).
Prints figures; it asserts nothing."""

from __future__ import annotations

import argparse
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
    MIN_WORDS_FOR_MODEL,
    NO_CRISIS,
    rule_categories,
)
from frontdoor.triage.text import normalise  # noqa: E402
from frontdoor.triage.understand import Triage  # noqa: E402


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--recipe", action="append", dest="recipes")
    parser.add_argument("--crisis", action="store_true")
    args = parser.parse_args()
    train, crisis = load_split(ROOT / "intents", "train")
    if args.crisis:
        crisis_scores(train, crisis, args.recipes or [
            f"{classifier.CRISIS_ARCHITECTURE}:{classifier.EPOCHS}:{classifier.LEARN_RATE}"],
            args.folds)
    else:
        need_scores(train, args.recipes or [
            f"{classifier.NEED_ARCHITECTURE}:{classifier.EPOCHS}:{classifier.LEARN_RATE}"],
            args.folds)


if __name__ == "__main__":
    main()
