"""How well the front door tells Welsh from English (frontdoor/triage/language.py).

    .venv/bin/python bench/language.py [--folds 5] [--libraries]

1. Cross-validation on the training split only (need and crisis examples, both languages):
   for each MARGIN, the share of Welsh examples called Welsh and of English ones called
   English. This is how MARGIN was chosen.
2. The held-out test split, once, with the shipped MARGIN: Welsh and English accuracy, the
   messages it got wrong, and its speed.
3. The Welsh blind sets (intents/blind_cy, intents/crisis/blind_cy): the share called
   Welsh, with no messages shown (they are never tuned on).
4. With --libraries, the same test split through py3langid and lingua (English and Welsh
   only) where they are installed (`pip install py3langid lingua-language-detector`): the
   figures the choice of our own model was made on.

Prints figures; it asserts nothing."""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from frontdoor.triage.data import load_welsh_blind  # noqa: E402
from frontdoor.triage.language import (  # noqa: E402
    MARGIN,
    LanguageModel,
    training_texts,
)

MARGINS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)


def crossval(texts: dict[str, list[str]], k: int) -> None:
    rng = random.Random(5)
    rows = [(t, lang) for lang, ts in texts.items() for t in ts]
    rng.shuffle(rows)
    print(f"Cross-validation, {k} folds of the training split "
          f"({len(texts['cy'])} Welsh, {len(texts['en'])} English)")
    print(f"  {'margin':>6} {'Welsh called Welsh':>20} {'English called English':>23}")
    evidence: list[tuple[float, str]] = []
    for fold in range(k):
        test = rows[fold::k]
        train = [r for i, r in enumerate(rows) if i % k != fold]
        model = LanguageModel.fit([t for t, lang in train if lang == "cy"],
                                  [t for t, lang in train if lang == "en"])
        evidence += [(model.welsh_evidence(t), lang) for t, lang in test]
    for margin in MARGINS:
        cy = [e > margin for e, lang in evidence if lang == "cy"]
        en = [e <= margin for e, lang in evidence if lang == "en"]
        print(f"  {margin:>6.1f} {sum(cy) / len(cy):>20.3f} {sum(en) / len(en):>23.3f}")


def score(name: str, decide: Callable[[str], str], test: dict[str, list[str]]) -> None:
    started = time.perf_counter()
    wrong = {lang: [t for t in ts if decide(t) != lang] for lang, ts in test.items()}
    each = (time.perf_counter() - started) / sum(map(len, test.values())) * 1e6
    cy, en = len(test["cy"]), len(test["en"])
    print(f"  {name:<28} Welsh {1 - len(wrong['cy']) / cy:.3f} ({cy})   "
          f"English {1 - len(wrong['en']) / en:.3f} ({en})   {each:.0f} µs a message")
    for lang, texts in wrong.items():
        for text in texts[:12]:
            print(f"      {lang} taken for {'en' if lang == 'cy' else 'cy'}: {text}")


def blind(name: str, decide: Callable[[str], str], texts: list[str]) -> None:
    if texts:
        share = sum(decide(t) == "cy" for t in texts) / len(texts)
        print(f"  {name:<28} Welsh blind: {share:.3f} of {len(texts)} called Welsh")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intents", type=Path, default=ROOT / "intents")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--libraries", action="store_true")
    args = parser.parse_args()
    train = training_texts(args.intents, "train")
    crossval(dict(train), args.folds)
    test = dict(training_texts(args.intents, "test"))
    print(f"\nHeld-out test split (need and crisis examples), margin {MARGIN}")
    model = LanguageModel.fit(train["cy"], train["en"])
    score("frontdoor (own n-gram model)", model.language_of, test)
    blind_texts = [e.text for part in load_welsh_blind(args.intents) for e in part]
    blind("frontdoor (own n-gram model)", model.language_of, blind_texts)
    if not args.libraries:
        return
    try:
        import py3langid.langid as langid  # type: ignore[import-not-found]

        langid.set_languages(["en", "cy"])
        decide = lambda t: str(langid.classify(t.lower())[0])  # noqa: E731
        score("py3langid (en, cy)", decide, test)
        blind("py3langid (en, cy)", decide, blind_texts)
    except ImportError:
        print("  py3langid is not installed")
    try:
        from lingua import (  # type: ignore[import-not-found]
            Language,
            LanguageDetectorBuilder,
        )

        detector = LanguageDetectorBuilder.from_languages(Language.ENGLISH,
                                                          Language.WELSH).build()
        def lingua(text: str) -> str:
            return "cy" if detector.detect_language_of(text) == Language.WELSH else "en"

        score("lingua (en, cy)", lingua, test)
        blind("lingua (en, cy)", lingua, blind_texts)
    except ImportError:
        print("  lingua is not installed")


if __name__ == "__main__":
    main()
