"""The trained spaCy pipeline: a need classifier and a crisis classifier, trained from
intents/ by `frontdoor train`, loaded once per process from a folder."""

from __future__ import annotations

import functools
import hashlib
import json
import random
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.pipeline import TextCategorizer
from spacy.training import Example as SpacyExample
from spacy.util import minibatch
from tqdm import tqdm

from frontdoor.triage import ngrams
from frontdoor.triage.data import Example
from frontdoor.triage.safety import CATEGORIES, NO_CRISIS
from frontdoor.triage.text import normalise

NEED_PIPE = "need"
CRISIS_PIPE = "crisis"

# How `frontdoor train` trains, unless told otherwise. A saved model records its recipe
# with its data, so a change to either retrains it (`train --if-missing`, the tests).
# Both classifiers are a linear layer over word and character n-grams weighted like TF-IDF
# (frontdoor/triage/ngrams.py). The settings were chosen by 4-fold cross-validation on the
# training split (bench/crossval.py), never on the held-out split: for crisis, this model
# found more crisis messages than the CNN ensemble (76% against 68%, at its threshold)
# and flagged fewer hard negatives (1.7% against 6.2%).
NEED_ARCHITECTURE = "ngrams"
CRISIS_ARCHITECTURE = "ngrams"
EPOCHS = 20
LEARN_RATE = 0.002

# A bag-of-words linear model over words and word pairs (spaCy's own): the earlier need
# model, kept for comparison (macro-F1 0.918 on the held-out split, where n-grams scored 0.960).
_BOW = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": True,
    "ngram_size": 2,
    "no_output_layer": False,
    "length": 262144,
}
_ENSEMBLE = {
    "@architectures": "spacy.TextCatEnsemble.v2",
    "linear_model": _BOW,
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": 64,
            "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
            "rows": [5000, 2000, 2000, 500],
            "include_static_vectors": False,
        },
        "encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2",
            "width": 64,
            "window_size": 1,
            "maxout_pieces": 3,
            "depth": 2,
        },
    },
}
_NGRAMS = {
    "@architectures": ngrams.ARCHITECTURE,
    "word_ngrams": 2,
    "char_ngrams": [2, 5],
    "length": 262144,
}
ARCHITECTURES = {"ngrams": _NGRAMS, "bow": _BOW, "ensemble": _ENSEMBLE}


def training_recipe(architecture: str = NEED_ARCHITECTURE,
                    crisis_architecture: str = CRISIS_ARCHITECTURE,
                    epochs: int = EPOCHS, learn_rate: float = LEARN_RATE) -> str:
    """What a model was trained with: settings, and the layers' configuration (a change to
    ngrams.py's features must bump its architecture's version, ARCHITECTURE)."""
    layers = json.dumps([ARCHITECTURES[architecture], ARCHITECTURES[crisis_architecture]],
                        sort_keys=True)
    return f"{architecture}/{crisis_architecture}/{epochs}/{learn_rate}/{layers}"


def data_fingerprint(*example_sets: Sequence[Example], recipe: str = "") -> str:
    """A hash of the training data and recipe, kept in the model so stale models can be
    spotted."""
    digest = hashlib.sha256((recipe or training_recipe()).encode())
    for examples in example_sets:
        for example in examples:
            digest.update(f"{example.label}\t{example.text}\n".encode())
    return digest.hexdigest()[:16]


def build_pipeline(need_labels: Iterable[str], crisis: bool, architecture: str,
                   crisis_architecture: str = CRISIS_ARCHITECTURE) -> Language:
    nlp = spacy.blank("en")
    need = cast(TextCategorizer, nlp.add_pipe(
        "textcat", name=NEED_PIPE, config={"model": ARCHITECTURES[architecture]}))
    for label in need_labels:
        need.add_label(label)
    if crisis:
        crisis_pipe = cast(TextCategorizer, nlp.add_pipe(
            "textcat", name=CRISIS_PIPE, config={"model": ARCHITECTURES[crisis_architecture]}))
        for label in (*CATEGORIES, NO_CRISIS):
            crisis_pipe.add_label(label)
    return nlp


@dataclass(frozen=True)
class TrainingReport:
    path: Path
    examples: int
    crisis_examples: int
    seconds: float
    fingerprint: str


def train(
    need_examples: Sequence[Example],
    crisis_examples: Sequence[Example],
    out_dir: Path,
    *,
    epochs: int = EPOCHS,
    learn_rate: float = LEARN_RATE,
    seed: int = 7,
    architecture: str = NEED_ARCHITECTURE,
    crisis_architecture: str = CRISIS_ARCHITECTURE,
    progress: bool = True,
    crisis_only: bool = False,
) -> TrainingReport:
    """Train the pipeline and save it to out_dir (replaced atomically)."""
    started = time.perf_counter()
    spacy.util.fix_random_seed(seed)
    labels = sorted({e.label for e in need_examples})
    nlp = build_pipeline(labels, crisis=bool(crisis_examples), architecture=architecture,
                         crisis_architecture=crisis_architecture)
    crisis_labels = (*CATEGORIES, NO_CRISIS)
    rng = random.Random(seed)

    def doc_with(example: Example, cats: dict[str, float]) -> SpacyExample:
        return SpacyExample.from_dict(nlp.make_doc(normalise(example.text)), {"cats": cats})

    # Each classifier sees only its own labels: spaCy checks all of a doc's cats per pipe.
    sets: dict[str, list[SpacyExample]] = {NEED_PIPE: [
        doc_with(e, {label: float(label == e.label) for label in labels})
        for e in need_examples]}
    if crisis_examples:
        # Everyday need messages are the bulk of what "no crisis" looks like.
        sets[CRISIS_PIPE] = [
            doc_with(e, {label: float(label == e.label) for label in crisis_labels})
            for e in crisis_examples
        ] + [doc_with(e, {label: float(label == NO_CRISIS) for label in crisis_labels})
             for e in need_examples]
    for name, examples in sets.items():
        pipe = cast(TextCategorizer, nlp.get_pipe(name))
        pipe.initialize(functools.partial(list, examples), nlp=nlp)
        if pipe.model.has_ref("features"):
            ngrams.fit_idf(pipe.model, (example.reference for example in examples))
    if crisis_only and CRISIS_PIPE in sets:
        # Cross-validating the crisis check (bench/crossval.py): the need classifier is
        # not needed, and not training it halves the time.
        del sets[NEED_PIPE]
    optimizer = nlp.create_optimizer()
    optimizer.learn_rate = learn_rate
    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress)
    for _ in bar:
        losses: dict[str, float] = {}
        for name, examples in sets.items():
            rng.shuffle(examples)
            others = [other for other in nlp.pipe_names if other != name]
            for batch in minibatch(examples, size=16):
                nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses, exclude=others)
        bar.set_postfix({k: f"{v:.2f}" for k, v in losses.items()})
    fingerprint = data_fingerprint(need_examples, crisis_examples, recipe=training_recipe(
        architecture, crisis_architecture, epochs, learn_rate))
    nlp.meta["name"] = "frontdoor_triage"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["frontdoor"] = {"fingerprint": fingerprint, "architecture": architecture,
                             "crisis_architecture": crisis_architecture,
                             "epochs": epochs, "learn_rate": learn_rate,
                             "examples": len(need_examples),
                             "crisis_examples": len(crisis_examples)}
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return TrainingReport(out_dir, len(need_examples), len(crisis_examples),
                          time.perf_counter() - started, fingerprint)


def model_fingerprint(path: Path) -> str | None:
    """The data fingerprint a saved model was trained on, or None if there is no model."""
    meta = Path(path) / "meta.json"
    if not meta.exists():
        return None
    return json.loads(meta.read_text()).get("frontdoor", {}).get("fingerprint")


@dataclass(frozen=True)
class Scores:
    need: dict[str, float]
    crisis: dict[str, float]


class Classifier:
    """The loaded pipeline. Load once per process: it is not cheap to build."""

    def __init__(self, path: Path) -> None:
        self.nlp = spacy.load(Path(path))
        self.has_crisis = CRISIS_PIPE in self.nlp.pipe_names
        self.labels: tuple[str, ...] = tuple(
            cast(TextCategorizer, self.nlp.get_pipe(NEED_PIPE)).labels)

    def _split(self, cats: dict[str, float]) -> Scores:
        need = {label: cats[label] for label in self.labels}
        crisis = {label: cats.get(label, 0.0) for label in (*CATEGORIES, NO_CRISIS)}
        return Scores(need, crisis)

    def score(self, text: str) -> Scores:
        return self._split(self.nlp(normalise(text)).cats)

    def score_many(self, texts: Iterable[str], batch_size: int = 256) -> list[Scores]:
        docs = self.nlp.pipe((normalise(t) for t in texts), batch_size=batch_size)
        return [self._split(doc.cats) for doc in docs]
