"""The crisis rules in Welsh: the direct phrasings, as residents text them (no accents, South
Walian forms, mutated words: "lladd"/"ladd", "bwrw"/"fwrw"/"mwrw"). safety.py adds these
to its English rules and idioms; the trained model, which learns from the Welsh crisis
examples in intents/crisis/train/cy/, catches the indirect ones.

Like the rest of the Welsh, to be checked by a fluent speaker before go-live
(intents/README.md). Add a rule for a kind of phrasing, not for one missed message.
"""

from __future__ import annotations

from collections.abc import Mapping

# Everyday Welsh that borrows crisis words. Removed before the rules look.
WELSH_IDIOMS = [
    # "ma'r gwres/nghefn/biliau 'ma'n fy lladd i": this heat (my back, the bills) is killing me
    r"\b(gwres|tywydd|cefn|nghefn|traed|nhraed|biliau|gwaith|plant|boen|poen)\b.{0,20}"
    r"\bfy\s+lladd\s+i\b",
    # "mam yn mynd i'n lladd i ... lol": mum will kill me (when she sees the bill)
    r"\bmynd\s+i'?n\s+lladd\s+i\b",
    # "marw isie bwyd", "marw am baned", "marw o chwerthin/syched": dying for, dying of
    r"\bmarw\s+(isie|eisiau|ishe|moyn|am|o)\b",
    r"\b(batri|ffon|wifi|car|teli|gliniadur)\w*\s+(\w+\s+){0,2}(wedi\s+|di\s+|newydd\s+)?"
    r"(marw|farw)\b",
    # a stroke or heart attack in the past, and caring since
    r"\b(cael|gael)\s+(str[oô]c|trawiad\s+ar\s+y\s+galon)\b.{0,40}\b(llynedd|flynedd\w*|"
    r"blynedd\w*|yn\s+ol|mis\s+diwetha\w*|\d{4}|gofalwr|ofalwr)\b",
    r"\b(gwella|ers\s+(ei|ei\s+h)?)\s*(ar\s+ol\s+)?(str[oô]c|trawiad)\b",
    # used to self-harm, better now
    r"\barfer\s+(\w+\s+){0,2}(hunan[\s-]*\w+|torri\s+fy\s+hun)\b.{0,60}\b(blynedd\w*|"
    r"flynedd\w*|well|nawr|iawn)\b",
    r"\b(gwirfoddoli|gweithio)\s+(mewn|yn\s+y|yn|gyda)\s+(lloches|cymorth\s+i\s+fenywod)\b",
    r"\bbwrw\s+(glaw|eira|cenllysg|hen\s+wragedd)\b",
]

WELSH_RULES: Mapping[str, list[str]] = {
    "suicide_self_harm": [
        r"\b(l?ladd|nladd)\s+(fy\s+|'?n\s+)hun\b",
        r"\b(moyn|isie|eisiau|eisie|ishe|isio|am)\s+(marw|farw)\b",
        r"\b(sai|dwi\s+ddim|ddim|dim)\s*('?n\s+)?(moyn|isie|eisiau|eisie|ishe|isio)\s+byw\b",
        r"\bhunan[\s-]*ladd\w*", r"\bhunan[\s-]*niwei\w*",
        r"\btorri\s+(fy\s+hun|'?n\s+hun|fy\s+mreichiau|fy\s+ngarddyrnau|fy\s+nghoesau)\b",
        r"\b(pawb|pawb\s+arall)\s+(yn\s+)?(well|hapusach)\s+(\w+\s+)?heb(dda|ddo)?\s*(i|fi)\b",
        r"\b(dim|sdim)\s+pwynt\s+(byw|i\s+fyw|bod\s+yma)\b",
    ],
    "domestic_abuse": [
        r"\bfy\s+(mwrw|nharo|nghuro|nhagu|nhreisio)\b",
        # not "taro i mewn" (to pop in)
        r"\b(bwrw|fwrw|taro|daro|curo|guro|hitio|tagu|dagu|treisio)\s+(fi|i)(?![\w'])"
        r"(?!\s+mewn)",
        r"\bcam[\s-]*drin\s+domestig\b", r"\bcamdriniaeth\s+(yn\s+y\s+cartref|domestig)\b",
        r"\bofn\s+(mynd\s+adre|y\s+gwr|y\s+wraig|fy\s+mhartner|arna\s+i\s+ohono)\b",
        r"\b(angen|moyn|isie)\s+(mynd\s+i\s+)?(loches|lloches)\b",
    ],
    "danger": [
        r"\btorri\s+mewn\b",
        r"\b(gyda|gydag|efo|a)\s+(cyllell|chyllell|gwn|bat)\b",
        r"\b(tan|t[aâ]n)\s+yn\s+y\s+(ty|t[yŷ]|gegin|fflat|stafell)\b", r"\bar\s+d[aâ]n\b",
        r"\b(arogl|ogla|gollwng)\s+nwy\b",
        r"\bbygwth\s+(fy\s+lladd|lladd\s+fi|ladd\s+fi|fy\s+nhrywanu|llosgi)\b",
        r"\b(mynd\s+i|am)\s+ladd\s+(fi|i)(?![\w'])", r"\b(t|d|nh)rywan\w*",
        r"\bofn\s+am\s+fy\s+mywyd\b",
    ],
    "medical": [
        r"\bpoen\s+(\w+\s+){0,2}(yn\s+)?(fy\s+mrest|y\s+frest|fy\s+mron)\b",
        r"\b(ffaelu|methu|ddim\s+yn|dim\s+yn)\s+(cael\s+(fy|ei)\s+)?anadl\w*",
        r"\banymwybodol\b", r"\b(cael|yn\s+cael)\s+ffit\b",
        r"\bstr[oô]c\b", r"\btrawiad\s+ar\s+y\s+galon\b", r"\bgorddos\b",
        r"\b(cwympo|llawr)\b.{0,30}\b(ddim|dim)\s+yn\s+(deffro|ateb|symud|anadlu)\b",
    ],
    "safeguarding_other": [
        r"\b(plentyn|plant|babi|crwt|croten)\b.{0,40}\b(ar\s+ben\s+(ei|eu)\s+(hun|hunain)|"
        r"cael\s+(ei|eu)\s+(gam-?drin|bwrw|fwrw|cham-?drin))\b",
        r"\bcam[\s-]*drin\b", r"\bcamfanteis\w*",
        r"\b(cymryd|dwyn)\s+(ei\s+)?(harian|phensiwn|bensiwn|arian\s+(nain|mamgu|mam|dad))\b",
        r"\b(heb|sai|ddim)\s+(di\s+)?(gweld|weld)\s+(fy\s+nghymydog|y\s+fenyw|y\s+dyn|yr\s+hen|"
        r"hen)\b.{0,40}\b(ddyddiau|dyddiau|wythnos|pythefnos)\b",
    ],
}
