"""Measuring the classifier on held-out data: what `frontdoor evaluate` and bench/ print."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from tqdm import tqdm

from frontdoor.triage.classifier import Classifier
from frontdoor.triage.data import (
    LANGUAGES,
    Example,
    NeedDefinition,
    load_split,
    load_welsh_blind,
)
from frontdoor.triage.safety import CATEGORIES, NO_CRISIS
from frontdoor.triage.triage import Triage


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


LANGUAGE_NAMES = {"en": "English", "cy": "Welsh"}


def _needs_and_crisis(triage: Triage, test: Sequence[Example], crisis: Sequence[Example],
                      progress: bool, what: str = "") -> dict[str, object]:
    predicted = [triage.read(e.text).need
                 for e in tqdm(test, desc=f"needs{what}", disable=not progress)]
    flagged = []
    for example in tqdm(crisis, desc=f"crisis{what}", disable=not progress):
        flag = triage.safety_check(example.text)
        flagged.append(flag.category if flag else None)
    report: dict[str, object] = {}
    if test:
        report["needs"] = need_metrics([e.label for e in test], predicted)
    if crisis:
        report["crisis"] = crisis_metrics(crisis, flagged)
    return report


def evaluate(data: Path, model_dir: Path, needs: Mapping[str, NeedDefinition],
             progress: bool = False) -> dict[str, object]:
    """The full report for a data set: the intents/ test split, or a CSV/JSONL hold-out.
    "needs" and "crisis" cover every language together; "languages" has the same figures
    for each language on its own, and "welsh_blind" the Welsh blind sets (intents/ only)."""
    test, crisis = load_split(data, "test")
    triage = Triage(Classifier(model_dir), needs)
    report: dict[str, object] = {"data": str(data), "model": str(model_dir)}
    report.update(_needs_and_crisis(triage, test, crisis, progress))
    if len({e.language for e in (*test, *crisis)}) > 1:
        report["languages"] = {
            language: _needs_and_crisis(
                triage, [e for e in test if e.language == language],
                [e for e in crisis if e.language == language], progress=False)
            for language in LANGUAGES}
    if Path(data).is_dir():
        blind_needs, blind_crisis = load_welsh_blind(data)
        if blind_needs or blind_crisis:
            report["welsh_blind"] = _needs_and_crisis(triage, blind_needs, blind_crisis,
                                                      progress=False)
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
    languages = report.get("languages")
    if isinstance(languages, dict):
        lines += ["", "By language (held-out)"] + _summary_rows(
            {LANGUAGE_NAMES.get(str(k), str(k)): v for k, v in languages.items()})
    blind = report.get("welsh_blind")
    if isinstance(blind, dict):
        lines += ["", "Welsh blind sets (intents/blind_cy, intents/crisis/blind_cy: never "
                      "tuned on)"] + _summary_rows({"Welsh (blind)": blind})
        crisis_blind = blind.get("crisis")
        if isinstance(crisis_blind, dict):
            lines += [f"  MISSED: {text}" for text in crisis_blind["missed"]]
            lines += [f"  false alarm: {text}" for text in crisis_blind["false_alarms"]]
    return "\n".join(lines)


def _summary_rows(groups: Mapping[str, object]) -> list[str]:
    """One line per group: need accuracy and macro-F1, crisis recall and false alarms."""
    lines = [f"  {'':<16}{'n':>5}{'accuracy':>10}{'macro-F1':>10}   {'n':>4}"
             f"{'crisis recall':>15}   {'n':>4}{'false alarms':>14}"]
    for name, group in groups.items():
        assert isinstance(group, dict)
        needs, crisis = group.get("needs"), group.get("crisis")
        row = f"  {name:<16}"
        row += (f"{needs['examples']:>5}{needs['accuracy']:>10.3f}{needs['macro_f1']:>10.3f}"
                if isinstance(needs, dict) else f"{'-':>5}{'-':>10}{'-':>10}")
        if isinstance(crisis, dict):
            positives = sum(m["support"] for m in crisis["per_category"].values())
            recall = "-" if crisis["recall"] is None else f"{crisis['recall']:.3f}"
            rate = "-" if crisis["false_positive_rate"] is None else \
                f"{crisis['false_positive_rate']:.3f}"
            row += f"   {positives:>4}{recall:>15}   {crisis['hard_negatives']:>4}{rate:>14}"
        lines.append(row)
    return lines
