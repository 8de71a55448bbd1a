"""The crisis check: runs on every inbound message before anything else is decided.

Rules catch the phrasings we know (misspellings and curly apostrophes included); the
trained model catches indirect ones the rules do not. A missed crisis is the worst error
this product can make, so either one is enough to flag; a false alarm costs a coordinator
a minute. Idioms that borrow crisis words ("this heat is killing me") are removed first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from frontdoor.triage.text import normalise

CATEGORIES = ("suicide_self_harm", "domestic_abuse", "danger", "medical", "safeguarding_other")
# When a message shows more than one, the reply leads with the most immediate risk.
PRIORITY = ("danger", "medical", "suicide_self_harm", "domestic_abuse", "safeguarding_other")
NO_CRISIS = "no_crisis"
MIN_WORDS_FOR_MODEL = 3

_WHO = (r"(he|she|they|him|her|partner|husband|hubby|wife|boyfriend|girlfriend|bf|gf|ex|fella|"
        r"son|daughter|dad|father|step ?dad|mum|mother|brother|sister|uncle|family|in-laws?)")
_ME = r"(me|i)"

# Everyday phrases that borrow crisis words. Removed before the rules look.
IDIOMS = [
    r"\b(heat|weather|back|feet|knees?|legs?|neck|head|shoulders?|hips?|bills?|prices?|rent|"
    r"this|that|it|kids|job|work|traffic|suspense|queue|wait(ing)?)\s+(is|are|'s|s)?\s*"
    r"(literally\s+)?killing\s+me\b",
    r"\b(i'?d|i\s+would|could)\s+(kill|murder)\s+(for\s+)?(a|an|some)\b",
    r"\bdying\s+(for|to)\b",
    r"\b(phone|battery|batteries|car|laptop|tablet|charger|plant|plants|telly|tv|wifi|"
    r"internet|line|signal|battery'?s|phone'?s)\s+(is\s+|has\s+|'s\s+|s\s+)?(dead|died|dying)\b",
    r"\bdead\s+(bored|tired|good|easy|funny|nice|busy|quiet|posh|lucky)\b",
    r"\b(overdos\w*|od'?d)\s+on\s+(chocolate|sweets|sugar|cake|coffee|caffeine|netflix|tv|"
    r"telly|biscuits|crisps)\b",
    r"\b(knife|knives)\s+(and|&)\s+fork",
    r"\bfire\s+(safety|alarms?|check|door|service\s+visit|drill|brigade\s+visit)\b",
    r"\bfirst\s+aid\b",
    r"\b(had|has|having\s+had)\s+a\s+(stroke|heart\s+attack)\s+(last|a\s+few|two|three|"
    r"\d+|in\s+\d{4}|years?|months?)\b",
    r"\b(saved|save)\s+my\s+life\b",
    r"\b(driving|drive)\s+me\s+(mad|crazy|round\s+the\s+bend|up\s+the\s+wall)\b",
    r"\bhit\s+the\s+(shops|gym|road|town|hay)\b",
    r"\bkill(ing)?\s+(time|the\s+lights|the\s+engine)\b",
    r"\b(cutting|cut)\s+(the\s+|my\s+|our\s+)?(hedge|grass|lawn|hair|costs?|back|down|bills?|"
    r"hours|sugar)\b",
    r"\bgas\s+(bill|bills|meter|prices?|and\s+(electric|leccy)|top\s*up|supplier|card)\b",
]

RULES: Mapping[str, list[str]] = {
    "suicide_self_harm": [
        r"\bsu+[ie]?[cs]i+de?\w*", r"\bsu[ie]c?i?dal\b", r"\bsuic\w*", r"\bsucid\w*",
        r"\bkill+(ing)?\s*(my\s*self|meself|myslef|mysef|myself)\b", r"\bkms\b",
        r"\b(end|ending|take|taking|took)\s+(my|me)\s+(own\s+)?life\b",
        r"\bend(ing)?\s+it\s+all\b", r"\b(thinking|think)\s+(of|about)\s+ending\s+it\b",
        r"\bend\s+it\b.{0,20}\b(tonight|today|now|soon|for\s+good)\b",
        r"\b(want|wanna|wanted|wish|going|gonna|ready)\s+(to\s+)?(die|be\s+dead)\b",
        r"\bwish\s+i\s+(was|were|wasn'?t|weren'?t)\s+(dead|here|born|alive)\b",
        r"\b(don'?t|dont|do\s+not|dnt)\s+(want|wanna)\s+(to\s+)?(live|be\s+alive|be\s+here|"
        r"exist|wake\s+up|carry\s+on|go\s+on)\b",
        r"\bnot\s+(wake|waking)\s+up\b", r"\bnever\s+wake\s+up\b",
        r"\bno\s+(point|reason|use)\s+(in\s+|to\s+)?(living|going\s+on|carrying\s+on|being\s+"
        r"alive|being\s+here|life|me\s+being\s+here|anything\s+anymore)\b",
        r"\bbetter\s+off\s+(without\s+me|dead|if\s+i\s+(was|were|wasn'?t)\s+(not\s+)?(here|"
        r"around|gone|dead))\b",
        r"\bself[\s-]*harm\w*", r"\bself\s*harm", r"\bharm(ing)?\s+my\s*self\b",
        r"\b(cutting|cut|cuttin|burn|burning|burnt|hurt|hurting|hurtin)\s+(my\s*self|myslef|"
        r"meself)\b", r"\bcutting\s+again\b", r"\bcut(ting)?\s+my\s+(arms?|wrists?|legs?)\b",
        r"\bover\s*do+se?\w*", r"\boverdo\w*",
        r"\b(took|taken|take|takin|swallowed|swallow|taking|necked)\s+(all\s+|a\s+load\s+of\s+|"
        r"loads\s+of\s+|a\s+bunch\s+of\s+|the\s+whole\s+|every\s+)?(my|me|the|of\s+my|her|his)?"
        r"\s*(tablets|pills|meds|medication|paracetamol|box|packet)\b.{0,30}\b(all|every|whole|"
        r"lot|load|packet|box|at\s+once)\b",
        r"\b(took|taken|swallowed|necked)\s+(all|a\s+load|loads|a\s+whole\s+(box|packet))\s+"
        r"(of\s+)?(my\s+|me\s+|the\s+)?(tablets|pills|meds|paracetamol|sleeping)",
        r"\b(hang|hanging|hanged)\s+my\s*self\b", r"\bnoose\b",
        r"\bjump(ing)?\s+(off|in\s+front\s+of)\b",
        r"\bcan'?t\s+(go\s+on|carry\s+on|do\s+this\s+(any\s*more|no\s+more)|take\s+(it|this|"
        r"any\s*more)\s*(any\s*more|no\s+more)?)\b",
        r"\bcant\s+(go\s+on|carry\s+on)\b",
        r"\b(written|writing|wrote|write)\s+(my\s+)?(goodbye|suicide|farewell)?\s*(letters?|notes?)"
        r"\s+(to|for)\s+(my|the)\s+(kids|children|family|mum|son|daughter|wife|husband)\b",
        r"\b(want|wanna)\s+(it\s+all|everything|the\s+pain|all\s+this)\s+to\s+(stop|end)\b",
        r"\b(disappear|vanish)\s+(forever|for\s+good|and\s+never)\b",
        r"\bnot\s+be\s+(here|around|alive)\s+(any\s*more|much\s+longer|tomorrow|for\s+long)\b",
        r"\b(plan|planning|planned)\s+(to\s+)?(end|kill|how)\b",
        r"\bgoodbye\s+(cruel\s+)?world\b", r"\bno\s+way\s+out\b",
        r"\blife\s+(is\s+|isn'?t\s+)?(not\s+)?worth\s+(living|it)\b",
        r"\bnothing\s+to\s+live\s+for\b",
    ],
    "domestic_abuse": [
        r"\bdomestic\s*(abuse|violence|abus)\w*", r"\bd\.?v\.?\b(?!d)",
        rf"\b{_WHO}\s+(\w+\s+){{0,3}}(hits|hit|hitting|beats|beat|beating|punch\w*|kick\w*|"
        rf"slap\w*|strangl\w*|chok\w*|push(es|ed|ing)?|shov\w*|throttl\w*|batter\w*|"
        rf"threaten\w*|hurts|hurting|attack\w*|grabb?\w*|spat\s+at|spits\s+at|rap\w*|"
        rf"lock(s|ed)?|locks\s+me)\s+(\w+\s+){{0,2}}{_ME}\b",
        r"\babu+s+(ive|ing|er|ed|e)\b", r"\babbus\w*", r"\babusive\b",
        r"\b(scared|afraid|frightened|terrified|petrified|scard|scaird)\s+(to\s+go|of\s+going|"
        r"to\s+be|of\s+being)\s+(back\s+)?home\b",
        rf"\b(scared|afraid|frightened|terrified|petrified|scard)\s+(of|what)\s+{_WHO}\b",
        r"\b(won'?t|wont|doesn'?t|dont|don'?t)\s+let\s+me\s+(leave|go\s+out|out|see|have|use|"
        r"talk|speak|work|go|near|keep|touch|spend|get|open)\b",
        r"\b(controls?|controlling|takes?|took|keeps?|kept|has|holds?|checks?|checking|reads?|"
        r"smashed|smashes|broke)\s+(all\s+)?(of\s+)?my\s+(money|phone|bank|card|cards|"
        r"benefits|pension|wages|passport|keys|messages|texts|uc|post)\b",
        r"\bcoercive\w*", r"\bcontrolling\s+(relationship|behaviour|behavior|partner|husband|"
        r"boyfriend|man|wife)\b",
        r"\bno\s*(one|body)\s+(will|would)\s+believe\s+me\b",
        r"\b(need|needs|want)\s+to\s+(get\s+away|escape|flee)\s+from\s+(him|her|my)\b",
        r"\b(refuge|non\s*molestation|restraining\s+order)\b",
        r"\b(black\s+eye|bruises?|marks)\b.{0,30}\b(he|she|him|her|partner|husband|boyfriend)\b",
        r"\b(he|she|husband|boyfriend|partner|ex)\s+(\w+\s+){0,2}(said|says|threatened)\s+"
        r"(he'?ll|she'?ll|they'?ll|to|it'?ll)\s+(kill|hurt|take\s+the\s+kids)",
        r"\bwalk(ing)?\s+on\s+eggshells\b",
    ],
    "danger": [
        r"\b(break|breaking|broke|broken|smashing|smash|kicking|kick)\w*\s+(in|into|down)\b"
        r"(?!\s+(half|two|pieces|bits|new))",
        r"\b(trying|tryin)\s+to\s+(get|break|force\s+(his|her|their)\s+way)\s+in\b",
        r"\bbanging\s+on\s+(the|my|our)\s+(door|window)s?\b",
        r"\b(someone|somebody|some\s+(man|guy|bloke|lad|lads|people)|a\s+(man|guy|bloke)|"
        r"men|people|they|he|she|ex)\b.{0,30}\b(outside|in\s+my\s+(house|flat|garden|home))\b"
        r".{0,40}\b(threat|knife|gun|weapon|scream|shout\w*\s+(he'?ll|they'?ll)|kill|hurt|"
        r"won'?t\s+go|wont\s+leave|won'?t\s+leave|bang\w*|kick\w*|smash\w*)",
        r"\b(being|been|getting|im\s+being)\s+(followed|chased|stalked)\b",
        r"\b(follow(ing|ed)|chas(ing|ed)|stalk(ing|ed))\s+me\b",
        r"\b(with|has|got|holding|waving|pulled|carrying|had)\s+(a|an|his|her)\s+(knife|"
        r"machete|gun|blade|weapon|bat|hammer)\b",
        r"\b(knife|gun|machete|blade)\b.{0,30}\b(outside|at\s+me|at\s+the\s+door|threat\w*)",
        r"\b(house|flat|kitchen|building|room|home|bedroom|car|stairs|block)\s+(is\s+|'s\s+)?"
        r"on\s+fire\b", r"\bthere'?s\s+a\s+fire\b", r"\bfire\s+in\s+(the|my|our)\b",
        r"\bsmoke\s+(everywhere|coming|pouring|filling)\b", r"\bcaught\s+fire\b",
        r"\b(smell|smells|smelling|stink\w*)\s+(of\s+|like\s+)?gas\b", r"\bgas\s+leak\w*",
        r"\b(threaten\w*|going|gonna|said\s+(he|she|they)\s*('?ll|will))\s+(to\s+)?(kill|stab|"
        r"shoot|hurt|batter|do)\s+(me|us|my)\b",
        r"\b(i'?m|im|i\s+am|we'?re|we\s+are|feel)\s+(in\s+danger|not\s+safe|unsafe)\b",
        r"\bnot\s+safe\s+(here|at\s+home|in\s+my)\b",
        r"\b(call|ring|get)\s+(the\s+)?(police|ambulance|fire\s+brigade)\b",
        r"\bhelp\s+me\s+(now|please\s+now|quick)\b", r"\bintruder\b",
        r"\b(attacked|assaulted|mugged|stabbed|jumped)\s+(me|us|my|by|him|her|just\s+now)\b",
        r"\bhiding\s+(in|from|under)\b", r"\blocked\s+(my\s*self|ourselves)\s+in\b",
    ],
    "medical": [
        r"\bchest\s+pains?\b", r"\bpains?\s+in\s+(my|his|her)\s+chest\b",
        r"\b(can'?t|cant|cannot|can\s+not|struggling\s+to|hard\s+to|unable\s+to|not)\s+"
        r"(breathe|breath|breathing|breething)\b",
        r"\bnot\s+breathing\b", r"\bcollaps\w*", r"\bunconscious\b", r"\bpassed\s+out\b",
        r"\b(won'?t|wont|can'?t|cant)\s+(wake\s+(him|her)|wake\s+up|be\s+woken|come\s+round)\b",
        r"\b(having|had|has\s+had|think\s+(he'?s|she'?s|i'?m)\s+having)\s+a\s+(stroke|heart\s+"
        r"attack|seizure|fit|hypo)\b(?!\s+(last|a\s+few|years|in\s+\d))",
        r"\b(face|mouth)\s+(is\s+)?(drooping|dropped|droopy|gone\s+funny)\b",
        r"\bslurr\w*", r"\bfitting\b", r"\bseizure\b", r"\bhypo\b",
        r"\bbleeding\s+(badly|heavily|a\s+lot|loads|everywhere|won'?t\s+stop|wont\s+stop|"
        r"from\s+(his|her|my)\s+head)\b",
        r"\b(head|leg|arm|wound)\s+(is\s+|'s\s+)?(bleeding|pouring)\b", r"\bblood\s+everywhere\b",
        r"\b(fallen|fell|had\s+a\s+fall)\b.{0,30}\b(can'?t|cant|cannot|won'?t|unable)\s+"
        r"(get\s+up|move|stand)\b",
        r"\b(anaphyla\w*|allergic\s+reaction)\b", r"\b(throat|tongue|lips?)\s+(is\s+|are\s+)?"
        r"(swelling|swollen|closing)\b", r"\b(lips?|face)\s+(going|gone|turning|is)\s+blue\b",
        r"\b(numb|weak)\b.{0,20}\b(one\s+side|left\s+side|right\s+side|arm\s+and)\b",
        r"\b(sugar|glucose|bloods?|bm)\s+(is\s+|are\s+)?(really\s+|very\s+|dangerously\s+)?"
        r"(low|high)\b.{0,30}\b(shaking|confused|dizzy|sweat\w*|won'?t|cant|can'?t)",
        r"\b(he'?s|she'?s|hes|shes|he\s+has|she\s+has|my\s+\w+\s+has)\s+(taken|took|swallowed)\s+"
        r"(all|loads|a\s+load|too\s+many|a\s+whole)",
        r"\bturning\s+blue\b", r"\bambulance\b", r"\b999\b",
        r"\bsevere\s+(pain|bleeding|burns?)\b", r"\bhit\s+(his|her|my)\s+head\b.{0,30}"
        r"\b(bleeding|confused|sick|unconscious|won'?t|not\s+making\s+sense)\b",
    ],
    "safeguarding_other": [
        r"\b(child|children|kid|kids|kiddie|baby|babies|toddler|little\s+(one|ones|boy|girl|lad)|"
        r"boy|girl|bairns?|youngsters?|the\s+twins)\b.{0,50}\b(left\s+)?(home\s+alone|left\s+"
        r"alone|on\s+(their|his|her)\s+own\s+(all|at\s+night|every)|unattended|not\s+(being\s+)?"
        r"fed|no\s+food|starving|neglect\w*|bruis\w*|locked\s+(in|out)|hit|beaten|hurt|"
        r"scream\w*|crying\s+for\s+hours|filthy|dirty|no\s+coat|out\s+late|wandering)",
        r"\b(neglect\w*|bruises?)\b.{0,40}\b(child|kid|kids|baby|boy|girl|children|toddler)\b",
        r"\b(haven'?t|havent|not|no\s*one\s+has|nobody\s+has)\s+(seen|heard\s+from)\s+(him|her|"
        r"them|my\s+neighbour|the\s+old|the\s+lady|the\s+man|next\s+door|the\s+neighbour|"
        r"old\s+\w+)\b.{0,40}\b(days|week|weeks|since)\b",
        r"\b(curtains|post|milk|mail|letters)\b.{0,30}\b(not\s+(been\s+)?(opened|taken|moved|"
        r"collected)|piling|piled|still\s+(closed|drawn|on\s+the))",
        r"\b(carer|son|daughter|grandson|granddaughter|nephew|niece|someone|somebody|lodger|"
        r"neighbour|man|woman|they|he|she|family|friend|people|lads|bloke)\b.{0,40}\b(taking|"
        r"takes|took|stealing|steals|stole|using|spends?|spending|has|had|control\w*|emptied|"
        r"emptying)\s+(all\s+)?(of\s+)?(her|his|their|my\s+(nan'?s|gran'?s|mum'?s|dad'?s|"
        r"grandad'?s))\s+(money|pension|bank|card|cash|benefits|savings|account)\b",
        r"\b(financial|money|elder|elderly)\s+abuse\b",
        r"\bcuckoo\w*", r"\b(drugs?|dealing|dealers?)\b.{0,40}\b(her|his|their|the\s+old|"
        r"neighbour'?s)\s+(flat|house|place|home)\b",
        r"\btaking\s+advantage\s+of\s+(her|him|them|my\s+\w+)\b", r"\bexploit\w*",
        r"\bgroom(ed|ing)\b", r"\b(county\s+lines|trafficked|trafficking|modern\s+slavery)\b",
        r"\b(worried|concerned|scared|afraid|frightened)\s+(about|for)\s+(a|the|my|our|this)?\s*"
        r"(child|kid|kids|baby|children|little|boy|girl)\b.{0,40}\b(safe|hurt|hit|alone|fed|"
        r"bruis\w*|scream\w*|cry\w*|neglect\w*|abuse\w*)",
        r"\b(elderly|old|vulnerable|disabled)\s+(\w+\s+){0,2}(neighbour|lady|man|woman|person|"
        r"gentleman|couple|bloke)\b.{0,60}\b(alone|on\s+(her|his)\s+own|hasn'?t|not\s+seen|"
        r"no\s+food|no\s+heating|cold|fallen|confused|scammed|taken\s+advantage|being\s+used|"
        r"money)",
        r"\b(she|he|they)\b.{0,30}\b(being\s+(hit|hurt|abused|beaten|used|neglected|exploited))\b",
    ],
}


@dataclass(frozen=True)
class CrisisFlag:
    category: str
    source: str   # "rule" or "model"
    score: float


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_IDIOMS = _compile(IDIOMS)
_RULES = {category: _compile(patterns) for category, patterns in RULES.items()}


def rule_categories(text: str) -> list[str]:
    """Crisis categories whose rules match, most immediate first."""
    cleaned = _IDIOMS.sub(" ", normalise(text).replace("\u2019", "'"))
    return [c for c in PRIORITY if _RULES[c].search(cleaned)]


@dataclass
class SafetyCheck:
    """Rules, then the model's crisis scores (category -> probability) when given."""

    scorer: Callable[[str], Mapping[str, float]] | None = None
    threshold: float = 0.5

    def check(self, text: str) -> CrisisFlag | None:
        """The crisis this message shows, or None."""
        matched = rule_categories(text)
        if matched:
            return CrisisFlag(matched[0], "rule", 1.0)
        # The model only speaks for messages with some words in them: on a bare "0" or
        # "ok" its scores mean nothing, and a digit is an answer to a numbered question.
        if self.scorer is None or len(normalise(text).split()) < MIN_WORDS_FOR_MODEL:
            return None
        scores = self.scorer(text)
        category, score = max(
            ((c, scores.get(c, 0.0)) for c in CATEGORIES), key=lambda item: item[1]
        )
        return CrisisFlag(category, "model", score) if score >= self.threshold else None
