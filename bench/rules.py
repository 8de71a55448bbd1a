"""Which crisis rules fire on our data, which never do, and which another rule always covers.

    .venv/bin/python bench/rules.py [--data intents/] [--quiet]

Reads the train and test splits (need and crisis examples, English and Welsh; never a blind
set) and every rule's own example, as the rules read a message (`text_for_rules`). For each
rule in frontdoor/triage/crisis_rules.toml and crisis_rules_cy.toml, on how many texts of the
splits it fires, and whether it is

  dead      it fires on no text of the splits (its own example is not counted), or
  shadowed  every text it fires on, its own example included, is also matched by another
            rule of the same category: without it, the check would give the same answer.

A dead rule whose own example only it catches may still be a phrase worth keeping; a
shadowed one changes nothing on the texts we have. Prints figures and removes nothing: a rule
goes only when bench/triage.py prints the same figures without it (issue 10). Idioms are
listed with the texts they keep from a rule.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from frontdoor.triage.data import load_split  # noqa: E402
from frontdoor.triage.safety import (  # noqa: E402
    IDIOMS,
    RULES_FILES,
    Rule,
    load_rules,
    text_for_rules,
)
from frontdoor.triage.text import normalise  # noqa: E402


@dataclass(frozen=True)
class Firing:
    """What one rule does: on how many texts of the data it fires; whether every one of them
    is also matched by another rule of its category (shadowed); whether its own example is
    too; and the one rule that covers all of these, if one does."""

    rule: Rule
    fires: int
    shadowed: bool
    example_covered: bool
    covered_by: Rule | None

    @property
    def dead(self) -> bool:
        return self.fires == 0

    @property
    def redundant(self) -> bool:
        """Dead or shadowed, and its own example caught without it: nothing we have needs it."""
        return (self.dead or self.shadowed) and self.example_covered


def firings(rules: list[Rule], texts: list[str]) -> list[Firing]:
    """Each rule's firing over the texts and the rules' examples, read as the rules read."""
    everything = [text_for_rules(t) for t in texts] + [text_for_rules(r.example) for r in rules]
    hits = [{i for i, text in enumerate(everything) if rule.pattern.search(text)}
            for rule in rules]
    per_category: dict[str, Counter[int]] = {}
    for rule, found in zip(rules, hits, strict=True):
        per_category.setdefault(rule.category, Counter()).update(found)
    result = []
    for number, (rule, found) in enumerate(zip(rules, hits, strict=True)):
        counts = per_category[rule.category]
        in_data = {i for i in found if i < len(texts)}
        example = len(texts) + number
        covered = {i for i in found if counts[i] > 1}
        covered_by = next((other for other, theirs in zip(rules, hits, strict=True)
                           if other is not rule and other.category == rule.category
                           and found <= theirs), None)
        result.append(Firing(rule, len(in_data), bool(in_data) and in_data <= covered,
                             example in covered, covered_by))
    return result


def _where(rule: Rule, places: dict[int, str]) -> str:
    return places.get(id(rule), "?")


def _status(f: Firing, places: dict[int, str]) -> str:
    words = (["dead"] if f.dead else []) + (["shadowed"] if f.shadowed else [])
    if f.example_covered:
        words.append("example covered by " + (_where(f.covered_by, places) if f.covered_by
                                              else "several"))
    return ", ".join(words)


def _idioms(texts: list[str], rules: list[Rule]) -> None:
    plain = [normalise(t).replace("\u2019", "'") for t in texts]
    read = [text_for_rules(t) for t in texts]
    for idiom in IDIOMS:
        kept = sum(1 for text, before, after in zip(texts, plain, read, strict=True)
                   if idiom.fires_on(text) and any(r.pattern.search(before)
                                                   and not r.pattern.search(after)
                                                   for r in rules))
        print(f"idiom {idiom.pattern.pattern[:50]:<52} keeps {kept} text(s) from a rule")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "intents")
    parser.add_argument("--quiet", action="store_true", help="only the dead and shadowed")
    args = parser.parse_args()

    texts = []
    for split in ("train", "test"):
        needs, crisis = load_split(args.data, split)
        texts += [e.text for e in needs + crisis]
    rules: list[Rule] = []
    places: dict[int, str] = {}
    for path in RULES_FILES:
        for number, rule in enumerate(load_rules(path)[0], 1):
            rules.append(rule)
            places[id(rule)] = f"{path.name} rule {number}"
    report = firings(rules, texts)
    print(f"{len(rules)} rules over {len(texts)} texts of the train and test splits "
          f"(and the rules' {len(rules)} examples): the file and rule, its category, "
          f"on how many texts it fires\n")
    for f in report:
        status = _status(f, places)
        if args.quiet and not (f.dead or f.shadowed):
            continue
        print(f"{_where(f.rule, places):<30}{f.rule.category:<20}{f.fires:>5}  {status}")
    print(f"\ndead: {sum(f.dead for f in report)}  shadowed: {sum(f.shadowed for f in report)}  "
          f"dead or shadowed with its example caught by another rule: "
          f"{sum(f.redundant for f in report)}")
    _idioms(texts, rules)


if __name__ == "__main__":
    main()
