"""The need classifier's model: a linear layer over word and character n-grams, weighted
like TF-IDF, registered as a spaCy architecture so it trains, saves and loads with the
rest of the pipeline.

Residents misspell ("benifits", "fone"), stretch and shorten words; the n-grams inside a
word ("ben", "efi", "fits") still match what the model learnt, where a bag of whole words
sees a word it never met. Weighting each n-gram by how rare it is across the training
messages (inverse document frequency) keeps "the", "my" and "ing" from drowning out the
words that carry the need."""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, cast

import numpy
import spacy.strings
from spacy.ml.models.textcat import resize_and_set_ref
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, SparseLinear_v2, chain, resizable, softmax_activation
from thinc.layers.resizable import resize_linear_weighted
from thinc.types import Floats1d, Floats2d

ARCHITECTURE = "frontdoor.TextCatNgrams.v1"
# spaCy's own 64-bit string hash: stable across processes, unlike Python's hash().
_hash: Callable[[str], int] = spacy.strings.hash_string  # type: ignore[attr-defined]
# A large negative bias for labels added after training, as spaCy's own linear model.
_NEW_LABEL_BIAS = -1e4


# Words long enough to be worth remembering are not cached: a 1,600-character "word" would
# hold a lot of memory, and the cache should not keep residents' rarer words for long.
_CACHED_WORD_LENGTH = 20


def _word_keys(word: str, smallest: int, largest: int) -> tuple[int, ...]:
    if len(word) > _CACHED_WORD_LENGTH:
        return _char_keys(word, smallest, largest)
    return _cached_char_keys(word, smallest, largest)


def _char_keys(word: str, smallest: int, largest: int) -> tuple[int, ...]:
    """The character n-grams of one word, padded with spaces so starts and ends count."""
    padded = f" {word} "
    keys = []
    for n in range(smallest, largest + 1):
        keys += [_hash("c" + padded[i:i + n]) for i in range(len(padded) - n + 1)]
        if len(padded) <= n:
            break
    return tuple(keys)


# Common words recur in almost every message; 4,096 of them cost about 6 MB.
_cached_char_keys = functools.lru_cache(maxsize=4096)(_char_keys)


def _weighted(counts: Counter[int], idf: numpy.ndarray, mask: int) -> dict[int, float]:
    """Sublinear term frequency times IDF, scaled to unit length; unseen n-grams drop out."""
    weights = {key: (1.0 + math.log(count)) * float(idf[key & mask])
               for key, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {k: w / norm for k, w in weights.items() if w} if norm else {}


def doc_counts(doc: Doc, word_ngrams: int, char_ngrams: Sequence[int]
               ) -> tuple[Counter[int], Counter[int]]:
    """Counts of the word n-grams and of the character n-grams in one message, kept on
    the doc so the need and crisis classifiers share them."""
    cache_key = f"frontdoor.ngrams:{word_ngrams}:{char_ngrams[0]}-{char_ngrams[1]}"
    if cache_key not in doc.user_data:
        doc.user_data[cache_key] = _counts(doc, word_ngrams, char_ngrams)
    return cast(tuple[Counter[int], Counter[int]], doc.user_data[cache_key])


def _counts(doc: Doc, word_ngrams: int, char_ngrams: Sequence[int]
            ) -> tuple[Counter[int], Counter[int]]:
    words = [token.text for token in doc if not token.is_space]
    word_counts: Counter[int] = Counter()
    for n in range(1, word_ngrams + 1):
        word_counts.update(_hash("w" + " ".join(words[i:i + n]))
                           for i in range(len(words) - n + 1))
    char_counts: Counter[int] = Counter()
    for word in words:
        char_counts.update(_word_keys(word, char_ngrams[0], char_ngrams[1]))
    return word_counts, char_counts


def _features_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[Any, Any]:
    idf = cast(numpy.ndarray, model.get_param("idf"))
    mask = idf.shape[0] - 1
    keys: list[int] = []
    values: list[float] = []
    lengths = []
    for doc in docs:
        row: dict[int, float] = {}
        for counts in doc_counts(doc, model.attrs["word_ngrams"], model.attrs["char_ngrams"]):
            row.update(_weighted(counts, idf, mask))
        keys += row.keys()
        values += row.values()
        lengths.append(len(row))
    features = (numpy.asarray(keys, dtype="uint64"), numpy.asarray(values, dtype="float32"),
                numpy.asarray(lengths, dtype="int32"))

    def backprop(d_output: Any) -> list[Any]:
        return []

    return features, backprop


def _features_init(model: Model, X: Any = None, Y: Any = None) -> None:
    # Until fit_idf() has seen the training messages, every n-gram weighs the same.
    if not model.has_param("idf") or model.get_param("idf") is None:
        model.set_param("idf", cast(Floats1d, numpy.ones((model.attrs["idf_rows"],),
                                                         dtype="float32")))


def ngram_features(word_ngrams: int, char_ngrams: Sequence[int], idf_rows: int) -> Model:
    return Model("ngram_features", _features_forward, init=_features_init, params={"idf": None},
                 attrs={"word_ngrams": word_ngrams, "char_ngrams": tuple(char_ngrams),
                        "idf_rows": idf_rows})


@registry.architectures(ARCHITECTURE)
def build_ngram_classifier(word_ngrams: int = 2, char_ngrams: Sequence[int] = (2, 5),
                           length: int = 262144, nO: int | None = None
                           ) -> Model[list[Doc], Floats2d]:
    """Word n-grams up to word_ngrams, character n-grams in the char_ngrams range (within
    words), a sparse linear layer and a softmax over the needs."""
    length = 2 ** (length - 1).bit_length()
    linear = SparseLinear_v2(nO=nO, length=length)
    output: Model[Any, Any] = resizable(linear, resize_layer=partial(
        resize_linear_weighted, fill_defaults={"b": _NEW_LABEL_BIAS, "W": 0}))
    features = ngram_features(word_ngrams, char_ngrams, length)
    model = cast(Model[list[Doc], Floats2d],
                 chain(features, output, softmax_activation()))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("features", features)
    model.set_ref("output_layer", linear)
    model.attrs["multi_label"] = False
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=output)
    return model


def fit_idf(model: Model, docs: Iterable[Doc]) -> None:
    """Weigh each n-gram by its inverse document frequency over the training messages, as
    scikit-learn's smoothed IDF. N-grams never seen in training weigh nothing, unless they
    share a hashed row with one that was."""
    features = model.get_ref("features")
    rows = features.attrs["idf_rows"]
    mask = rows - 1
    frequency = numpy.zeros((rows,), dtype="float64")
    total = 0
    for doc in docs:
        total += 1
        for counts in doc_counts(doc, features.attrs["word_ngrams"],
                                 features.attrs["char_ngrams"]):
            for key in counts:
                frequency[key & mask] += 1
    idf = numpy.where(frequency > 0, numpy.log((1 + total) / (1 + frequency)) + 1, 0.0)
    features.set_param("idf", cast(Floats1d, idf.astype("float32")))
