"""Measuring the classifier on held-out data: what `frontdoor evaluate` and bench/ print."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from tqdm import tqdm

from frontdoor.triage.classifier import Classifier
from frontdoor.triage.data import Example, NeedDefinition, load_split
from frontdoor.triage.safety import CATEGORIES, NO_CRISIS
from frontdoor.triage.understand import Triage


def need_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, object]:
    """Accuracy, macro-F1, per-label precision/recall/F1 and the most confused pairs."""
    labels = sorted(set(gold) | set(predicted))
    per_label: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": tp + fn}
    gold_labels = sorted(set(gold))
    macro = sum(per_label[label]["f1"] for label in gold_labels) / max(len(gold_labels), 1)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1)
    confused = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    return {"examples": len(gold), "accuracy": round(accuracy, 4), "macro_f1": round(macro, 4),
            "per_need": per_label,
            "most_confused": [{"gold": g, "predicted": p, "count": n}
                              for (g, p), n in confused.most_common(8)]}


def crisis_metrics(examples: Sequence[Example], flagged: Sequence[str | None]
                   ) -> dict[str, object]:
    """Recall per crisis category (flagged at all, and as the right category) and the
    false-positive rate on hard negatives."""
    recall: dict[str, dict[str, float]] = {}
    for category in CATEGORIES:
        rows = [f for e, f in zip(examples, flagged, strict=True) if e.label == category]
        if rows:
            recall[category] = {
                "recall": round(sum(f is not None for f in rows) / len(rows), 4),
                "right_category": round(sum(f == category for f in rows) / len(rows), 4),
                "support": len(rows)}
    crisis_rows = [f for e, f in zip(examples, flagged, strict=True) if e.label != NO_CRISIS]
    negatives = [f for e, f in zip(examples, flagged, strict=True) if e.label == NO_CRISIS]
    return {
        "recall": round(sum(f is not None for f in crisis_rows) / len(crisis_rows), 4)
        if crisis_rows else None,
        "per_category": recall,
        "false_positive_rate": round(sum(f is not None for f in negatives) / len(negatives), 4)
        if negatives else None,
        "hard_negatives": len(negatives),
        "missed": [e.text for e, f in zip(examples, flagged, strict=True)
                   if e.label != NO_CRISIS and f is None][:20],
        "false_alarms": [e.text for e, f in zip(examples, flagged, strict=True)
                         if e.label == NO_CRISIS and f is not None][:20],
    }


def evaluate(data: Path, model_dir: Path, needs: Mapping[str, NeedDefinition],
             progress: bool = False) -> dict[str, object]:
    """The full report for a data set: the intents/ test split, or a CSV/JSONL hold-out."""
    test, crisis = load_split(data, "test")
    triage = Triage(Classifier(model_dir), needs)
    predicted = []
    for example in tqdm(test, desc="needs", disable=not progress):
        predicted.append(triage.read(example.text).need)
    report: dict[str, object] = {"data": str(data), "model": str(model_dir),
                                 "needs": need_metrics([e.label for e in test], predicted)}
    if crisis:
        flagged = []
        for example in tqdm(crisis, desc="crisis", disable=not progress):
            flag = triage.safety_check(example.text)
            flagged.append(flag.category if flag else None)
        report["crisis"] = crisis_metrics(crisis, flagged)
    return report


def format_report(report: Mapping[str, object]) -> str:
    needs = report["needs"]
    assert isinstance(needs, dict)
    lines = [f"Need classification on {needs['examples']} held-out messages",
             f"  accuracy  {needs['accuracy']:.3f}", f"  macro-F1  {needs['macro_f1']:.3f}", "",
             f"  {'need':<16}{'precision':>10}{'recall':>8}{'F1':>8}{'n':>5}"]
    for label, m in needs["per_need"].items():
        lines.append(f"  {label:<16}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
                     f"{m['support']:>5}")
    if needs["most_confused"]:
        lines += ["", "  most confused (gold -> predicted)"]
        lines += [f"    {c['gold']} -> {c['predicted']}: {c['count']}"
                  for c in needs["most_confused"]]
    crisis = report.get("crisis")
    if isinstance(crisis, dict):
        lines += ["", f"Crisis detection: recall {crisis['recall']:.3f}, false-positive rate "
                      f"{crisis['false_positive_rate']:.3f} on {crisis['hard_negatives']} "
                      "hard negatives"]
        for category, m in crisis["per_category"].items():
            lines.append(f"  {category:<20} recall {m['recall']:.3f}  right category "
                         f"{m['right_category']:.3f}  n={m['support']}")
        for text in crisis["missed"]:
            lines.append(f"  MISSED: {text}")
        for text in crisis["false_alarms"]:
            lines.append(f"  false alarm: {text}")
    return "\n".join(lines)
