"""Training and test examples: the project's intents/ folder, or any CSV or JSONL data set."""

from __future__ import annotations

import csv
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from frontdoor.triage.safety import CATEGORIES, NO_CRISIS

# The labels are a contract with the rest of the product (DESIGN.md): exactly these names.
NEEDS = (
    "food", "money", "housing", "loneliness", "caring", "health", "daily_living", "digital",
    "work_learning", "volunteering", "family", "council_service", "coordinator", "smalltalk",
    "out_of_scope",
)


class DataError(ValueError):
    """Training data that cannot be read: a message says which file and why."""


# The languages residents write in. English examples sit in each folder itself, Welsh ones
# in its cy/ subfolder (intents/train/cy/food.txt), so the two grow apart without merging.
LANGUAGES = ("en", "cy")
WELSH = "cy"


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    language: str = "en"


@dataclass(frozen=True)
class NeedDefinition:
    label: str
    description: str
    option: str
    answer: str
    keywords: tuple[str, ...]


def load_need_definitions(intents_dir: Path) -> dict[str, NeedDefinition]:
    """intents/needs.toml, checked against the label contract, with the Welsh keywords of
    intents/needs_cy.toml when there is one."""
    with (intents_dir / "needs.toml").open("rb") as f:
        raw = tomllib.load(f)["needs"]
    if set(raw) != set(NEEDS):
        raise DataError(f"needs.toml must define exactly {sorted(NEEDS)}; got {sorted(raw)}")
    # Welsh keywords, kept in their own file so the two languages grow apart.
    welsh: dict[str, dict[str, list[str]]] = {}
    if (intents_dir / "needs_cy.toml").exists():
        with (intents_dir / "needs_cy.toml").open("rb") as f:
            welsh = tomllib.load(f).get("needs", {})
        if set(welsh) - set(NEEDS):
            raise DataError(f"needs_cy.toml names needs that needs.toml does not: "
                            f"{sorted(set(welsh) - set(NEEDS))}")
    return {
        label: NeedDefinition(label, d["description"], d["option"], d["answer"],
                              tuple(k.lower() for k in (*d.get("keywords", []),
                                                        *welsh.get(label, {}).get("keywords", []))))
        for label, d in ((label, raw[label]) for label in NEEDS)
    }


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _folder(folder: Path, labels: tuple[str, ...], language: str = "en") -> list[Example]:
    examples = []
    for label in labels:
        path = folder / f"{label}.txt"
        if path.exists():
            examples += [Example(text, label, language) for text in _lines(path)]
    return examples


def _both_languages(folder: Path, labels: tuple[str, ...]) -> list[Example]:
    """A folder's English examples, then the Welsh ones in its cy/ subfolder."""
    return _folder(folder, labels) + _folder(folder / WELSH, labels, WELSH)


def _crisis_folder(folder: Path, language: str = "en") -> list[Example]:
    examples = _folder(folder, CATEGORIES, language)
    if (folder / "not_crisis.txt").exists():
        examples += [Example(t, NO_CRISIS, language) for t in _lines(folder / "not_crisis.txt")]
    return examples


def load_examples(path: Path, split: str = "train") -> list[Example]:
    """Need examples from an intents/ folder (its train/ or test/ split, English and
    Welsh), a CSV file with text,label columns, or JSONL with {"text", "label"} per line
    (an optional "language" column or key, "en" by default)."""
    path = Path(path)
    if path.is_dir():
        examples = _both_languages(path / split, NEEDS)
    elif path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
                raise DataError(f"{path}: a CSV needs 'text' and 'label' columns")
            examples = [Example(row["text"].strip(), row["label"].strip(),
                                (row.get("language") or "en").strip())
                        for row in reader if (row.get("text") or "").strip()]
    elif path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        examples = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                examples.append(Example(str(row["text"]).strip(), str(row["label"]).strip(),
                                        str(row.get("language") or "en").strip()))
            except (ValueError, KeyError, TypeError) as error:
                raise DataError(f"{path}:{number}: expected {{\"text\", \"label\"}}") from error
    else:
        raise DataError(f"{path}: give the intents/ folder, a .csv or a .jsonl file")
    if not examples:
        raise DataError(f"{path}: no examples found")
    return examples


def load_crisis_examples(intents_dir: Path, split: str = "train") -> list[Example]:
    """Crisis examples per category plus hard negatives (label no_crisis), English then
    Welsh (crisis/<split>/cy/)."""
    folder = Path(intents_dir) / "crisis" / split
    return _crisis_folder(folder) + _crisis_folder(folder / WELSH, WELSH)


def load_welsh_blind(intents_dir: Path) -> tuple[list[Example], list[Example]]:
    """The Welsh blind sets, written before any Welsh figure was seen and tuned on by
    nobody: (need examples from blind_cy/, crisis examples from crisis/blind_cy/)."""
    intents_dir = Path(intents_dir)
    return (_folder(intents_dir / "blind_cy", NEEDS, WELSH),
            _crisis_folder(intents_dir / "crisis" / "blind_cy", WELSH))


def load_split(path: Path, split: str) -> tuple[list[Example], list[Example]]:
    """(need examples, crisis examples) for "train" or "test": the intents/ folder's own
    splits, or a fixed 20% hold-out of a one-file data set (which has no crisis data)."""
    path = Path(path)
    if path.is_dir():
        return load_examples(path, split), load_crisis_examples(path, split)
    train, test = split_holdout(load_examples(path))
    return (train if split == "train" else test), []


def split_holdout(examples: list[Example], fraction: float = 0.2, seed: int = 13
                  ) -> tuple[list[Example], list[Example]]:
    """A stratified train/test split for data sets that come as one file."""
    import random

    rng = random.Random(seed)
    train, test = [], []
    by_label: dict[str, list[Example]] = {}
    for example in examples:
        by_label.setdefault(example.label, []).append(example)
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        cut = max(1, round(len(group) * fraction)) if len(group) > 1 else 0
        test += group[:cut]
        train += group[cut:]
    return train, test
