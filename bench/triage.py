"""Benchmark: the project's spaCy pipeline against a TF-IDF + logistic regression baseline,
trained on the same training split and measured side by side on the held-out split; then
the pipeline's speed, load time, memory and training time.

    .venv/bin/python bench/triage.py [--data intents/] [--epochs 20] [--model instance/model]

Prints figures; it asserts nothing (targets are in the README and issue #4)."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from frontdoor.triage import classifier  # noqa: E402
from frontdoor.triage.data import (  # noqa: E402
    Example,
    _lines,
    load_need_definitions,
    load_split,
    load_welsh_blind,
)
from frontdoor.triage.evaluation import crisis_metrics, need_metrics  # noqa: E402
from frontdoor.triage.safety import NO_CRISIS  # noqa: E402
from frontdoor.triage.triage import Triage  # noqa: E402


def blind_examples(intents: Path, name: str = "blind") -> list[Example]:
    folder = intents / "crisis" / name
    examples = []
    for path in sorted(folder.glob("*.txt")) if folder.exists() else []:
        label = NO_CRISIS if path.stem == "not_crisis" else path.stem
        examples += [Example(text, label) for text in _lines(path)]
    return examples


def tier_metrics(triage: Triage, examples: list[Example]) -> dict[str, float]:
    """Both tiers on one set: crisis messages flagged clear or possible, flagged clear;
    everyday messages given any crisis reply (clear or possible), given a clear one."""
    levels = [(e.label, f.level if (f := triage.safety_check(e.text)) else None)
              for e in examples]
    crisis = [level for label, level in levels if label != NO_CRISIS]
    everyday = [level for label, level in levels if label == NO_CRISIS]
    return {"crisis": len(crisis), "everyday": len(everyday),
            "recall_any": sum(lv is not None for lv in crisis) / max(len(crisis), 1),
            "recall_clear": sum(lv == "clear" for lv in crisis) / max(len(crisis), 1),
            "false_any": sum(lv is not None for lv in everyday) / max(len(everyday), 1),
            "false_clear": sum(lv == "clear" for lv in everyday) / max(len(everyday), 1)}


def baseline(train: list[Example], crisis_train: list[Example]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    def model():
        features = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                              TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                              sublinear_tf=True))
        return make_pipeline(features, LogisticRegression(max_iter=2000, C=10))

    needs = model().fit([e.text for e in train], [e.label for e in train])
    crisis = None
    if crisis_train:
        rows = crisis_train + [Example(e.text, NO_CRISIS) for e in train]
        crisis = model().fit([e.text for e in rows], [e.label for e in rows])
    return needs, crisis


def rss_and_load(model_dir: Path) -> dict[str, float]:
    """Model load time and a web worker's peak RSS, in a fresh process."""
    code = f"""
import json, time
t = time.perf_counter()
from frontdoor import create_app
from frontdoor.engine import front_door
app = create_app({{"ENV_NAME": "test", "DATABASE_URL": "sqlite://",
                  "MODEL_PATH": {str(model_dir)!r}}})
with app.app_context():
    import_done = time.perf_counter()
    from frontdoor.engine import load_triage
    start = time.perf_counter()
    triage = load_triage(app)
    loaded = time.perf_counter() - start
    for text in ["need a food bank", "can someone call me", "im lonely"] * 50:
        triage.read(text)
# VmHWM, not ru_maxrss: on Linux ru_maxrss carries over the parent's peak across fork.
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({{"load_seconds": loaded, "peak_rss_mb": peak}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "intents")
    parser.add_argument("--epochs", type=int, default=classifier.EPOCHS)
    parser.add_argument("--model", type=Path, default=None,
                        help="measure this model if it was trained on the same data "
                             "(otherwise a fresh one is trained)")
    args = parser.parse_args()
    intents = ROOT / "intents"
    train, crisis_train = load_split(args.data, "train")
    test, crisis_test = load_split(args.data, "test")
    blind_needs, blind_crisis = load_welsh_blind(args.data) if args.data.is_dir() else ([], [])
    crisis_sets = {
        "held-out, English": [e for e in crisis_test if e.language == "en"],
        "held-out, Welsh": [e for e in crisis_test if e.language == "cy"],
        "blind": blind_examples(args.data), "blind_v2": blind_examples(args.data, "blind_v2"),
        "Welsh blind": blind_crisis,
    } if args.data.is_dir() else {}
    print(f"data: {args.data}  train {len(train)}  held-out {len(test)}  "
          f"crisis train {len(crisis_train)}")

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        if args.model is not None and classifier.model_fingerprint(args.model) == \
                classifier.data_fingerprint(train, crisis_train, recipe=classifier.
                                            training_recipe(epochs=args.epochs)):
            # A model already trained on exactly this data and recipe: measured as it is.
            model_dir = args.model
        started = time.perf_counter()
        report = classifier.train(train, crisis_train, model_dir, epochs=args.epochs,
                                  progress=False) if model_dir != args.model else None
        train_seconds = time.perf_counter() - started
        started = time.perf_counter()
        base_needs, base_crisis = baseline(train, crisis_train)
        baseline_seconds = time.perf_counter() - started

        triage = Triage(classifier.Classifier(model_dir), load_need_definitions(intents))
        ours = need_metrics([e.label for e in test], [triage.read(e.text).need for e in test])
        rows = []
        need_sets = {"English": [e for e in test if e.language == "en"],
                     "Welsh": [e for e in test if e.language == "cy"],
                     "Welsh blind": blind_needs}
        for name, examples in need_sets.items():
            if not examples:
                continue
            gold = [e.label for e in examples]
            mine = need_metrics(gold, [triage.read(e.text).need for e in examples])
            base = need_metrics(gold, list(base_needs.predict([e.text for e in examples])))
            rows += [(f"accuracy ({name})", mine["accuracy"], base["accuracy"]),
                     (f"macro-F1 ({name})", mine["macro_f1"], base["macro_f1"])]
        for name, examples in crisis_sets.items():
            if not examples:
                continue
            mine = crisis_metrics(examples, [
                (f.category if (f := triage.safety_check(e.text)) else None) for e in examples])
            predicted = base_crisis.predict([e.text for e in examples]) if base_crisis else []
            base = crisis_metrics(examples, [None if p == NO_CRISIS else p for p in predicted])
            rows += [(f"crisis recall ({name})", mine["recall"], base["recall"]),
                     (f"false-positive rate ({name})", mine["false_positive_rate"],
                      base["false_positive_rate"])]
            rows = [row for row in rows if row[1] is not None and row[2] is not None]
        print(f"\n{'held-out figures':<40}{'frontdoor':>12}{'tf-idf+LR':>12}")
        for name, mine_value, base_value in rows:
            print(f"{name:<40}{mine_value:>12.3f}{base_value:>12.3f}")
        print("\ncrisis tiers (targets on blind_v2: clear-or-possible recall 1.0, clear recall "
              ">= 0.95, everyday given any crisis reply <= 0.02)")
        print(f"{'set':<18}{'crisis':>7}{'everyday':>9}{'clear-or-possible':>19}{'clear':>8}"
              f"{'everyday any reply':>20}{'everyday clear':>16}")
        for name, examples in crisis_sets.items():
            if not examples:
                continue
            t = tier_metrics(triage, examples)
            print(f"{name:<18}{t['crisis']:>7}{t['everyday']:>9}{t['recall_any']:>19.3f}"
                  f"{t['recall_clear']:>8.3f}{t['false_any']:>20.3f}{t['false_clear']:>16.3f}")

        texts = [e.text for e in test]
        for text in texts[:50]:
            triage.read(text)   # warm up
        timings = []
        for text in texts:
            started = time.perf_counter()
            triage.read(text)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        started = time.perf_counter()
        batch = texts * 5
        triage.classifier.score_many(batch)
        throughput = len(batch) / (time.perf_counter() - started)
        process = rss_and_load(model_dir)
        print("\nfrontdoor pipeline")
        print(f"  single message latency   p50 {statistics.median(timings):.2f} ms   "
              f"p99 {timings[int(len(timings) * 0.99) - 1]:.2f} ms  "
              "(full read: crisis, need, place)")
        print(f"  batch throughput         {throughput:,.0f} messages/s (classifier, nlp.pipe)")
        print(f"  model load time          {process['load_seconds']:.2f} s")
        print(f"  web worker peak RSS      {process['peak_rss_mb']:.0f} MB (app + model loaded)")
        trained = f"{report.seconds:.1f} s" if report else \
            f"(not retrained: --model {args.model} is current; {train_seconds:.1f} s)"
        print(f"  training time            {trained} "
              f"({len(train)} need + {len(crisis_train)} crisis examples, "
              f"{args.epochs} epochs); baseline {baseline_seconds:.1f} s")
        worst = sorted(ours["per_need"].items(), key=lambda kv: kv[1]["f1"])[:3]
        print("  weakest needs (F1)       " + ", ".join(f"{k} {v['f1']:.2f}" for k, v in worst))


if __name__ == "__main__":
    main()
