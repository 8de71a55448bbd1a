"""The need classifier's n-gram model: features, IDF weighting, training and a saved model."""

from __future__ import annotations

from pathlib import Path

import numpy
import spacy

from frontdoor.triage import classifier, ngrams
from frontdoor.triage.data import Example

TINY = [Example(text, "food") for text in (
    "need a food bank", "no food in the house", "food parcel please", "hungry kids no food",
    "where is the nearest food bank", "cant afford food this week")] + [
    Example(text, "money") for text in (
        "help with my benefits", "universal credit stopped", "benefits advice please",
        "my pip was refused", "debt and benefits help", "cant pay my bills, benefits late")]


def test_a_misspelt_word_shares_most_of_its_character_ngrams():
    nlp = spacy.blank("en")
    _, right = ngrams.doc_counts(nlp("benefits"), 2, (2, 5))
    _, wrong = ngrams.doc_counts(nlp("benifits"), 2, (2, 5))
    shared = set(right) & set(wrong)
    assert len(shared) / len(right) > 0.4
    assert set(right) != set(wrong)


def test_word_pairs_are_features_as_well_as_words():
    nlp = spacy.blank("en")
    words, _ = ngrams.doc_counts(nlp("food bank"), 2, (2, 5))
    assert len(words) == 3   # "food", "bank", "food bank"


def test_idf_weighs_rare_ngrams_more_and_unseen_ones_nothing():
    nlp = spacy.blank("en")
    model = ngrams.build_ngram_classifier(nO=2)
    model.initialize()
    docs = [nlp("the food bank"), nlp("the council tax"), nlp("the bins")]
    ngrams.fit_idf(model, docs)
    idf = model.get_ref("features").get_param("idf")
    mask = idf.shape[0] - 1
    the, = ngrams.doc_counts(nlp("the"), 1, (2, 5))[0]
    food, = ngrams.doc_counts(nlp("food"), 1, (2, 5))[0]
    unseen, = ngrams.doc_counts(nlp("zebra"), 1, (2, 5))[0]
    assert idf[food & mask] > idf[the & mask] > 0
    assert idf[unseen & mask] == 0


def test_a_trained_ngram_model_reads_misspellings_and_survives_save_and_load(tmp_path: Path):
    out = tmp_path / "model"
    classifier.train(TINY, [], out, epochs=30, architecture="ngrams", progress=False)
    loaded = classifier.Classifier(out)
    assert loaded.nlp.meta["frontdoor"]["architecture"] == "ngrams"
    scores = loaded.score("help with my benifits")
    assert max(scores.need, key=scores.need.get) == "money"
    scores = loaded.score("is there a fod bank")
    assert max(scores.need, key=scores.need.get) == "food"
    # The fitted IDF table is saved with the model: unseen n-grams weigh 0, seen ones more.
    idf = loaded.nlp.get_pipe("need").model.get_ref("features").get_param("idf")
    assert (idf == 0).any() and (idf > 1).any()
    again = classifier.Classifier(out).score("is there a fod bank")
    assert numpy.isclose(again.need["food"], scores.need["food"])
    assert abs(sum(scores.need.values()) - 1.0) < 1e-4
