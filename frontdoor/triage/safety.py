"""The crisis check: runs on every inbound message before anything else is decided.

Two tiers. A **clear** crisis gets the numbers first and an urgent hand-over; a **possible**
concern gets its need answered as usual, one gentle line with a number, and its thread
flagged for a person to check in (not urgent).

Three kinds of evidence make one score: the trained model's probability that the message
is a crisis (any category), the rules (phrasings we know, misspellings and curly
apostrophes included), and cues read with spaCy's Matcher that the words are about the
past, denied, light or a topic of work or giving ("last month", "years ago", "used to",
"not suicidal", "lol", "a suicide prevention charity"). Rules are kept for unambiguous
phrases only: a phrase that also turns up in everyday messages is left to the model.

    score = model probability + RULE_WEIGHT (if a rule matched) - CUE_WEIGHT (if a cue)

A score from CLEAR_AT is a clear crisis, from POSSIBLE_AT a possible concern. The weights
and thresholds were chosen by cross-validation on the training split only
(`bench/crossval.py --tiers`; figures in docs/crisis-thresholds.md), never on a blind set.
Everyday words that only sound alarming ("this heat is killing me") are taught to the model
as hard negatives (intents/crisis/train/not_crisis.txt), not listed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from spacy.lang.en import English
from spacy.matcher import Matcher

from frontdoor.triage.reading import CrisisFlag
from frontdoor.triage.safety_cy import WELSH_IDIOMS, WELSH_RULES
from frontdoor.triage.text import normalise

CATEGORIES = ("suicide_self_harm", "domestic_abuse", "danger", "medical", "safeguarding_other")
# When a message shows more than one, the reply leads with the most immediate risk.
PRIORITY = ("danger", "medical", "suicide_self_harm", "domestic_abuse", "safeguarding_other")
NO_CRISIS = "no_crisis"
MIN_WORDS_FOR_MODEL = 3
CLEAR = "clear"
POSSIBLE = "possible"
# Chosen by `bench/crossval.py --tiers` (4 folds of intents/crisis/train); see
# docs/crisis-thresholds.md for the grid and the figures at these values.
RULE_WEIGHT = 0.5
CUE_WEIGHT = 0.5
CLEAR_AT = 0.65
POSSIBLE_AT = 0.35
# Kept for the review list's "below the threshold" score (frontdoor/review.py).
MODEL_THRESHOLD = POSSIBLE_AT

_WHO = (r"(he|she|they|him|her|partner|husband|hubby|wife|boyfriend|girlfriend|bf|gf|ex|fella|"
        r"son|daughter|dad|father|step ?dad|mum|mother|brother|sister|uncle|family|in-laws?)")
_ME = r"(me|i)"

RULES: Mapping[str, list[str]] = {
    "suicide_self_harm": [
        r"\b(had|have|has)\s+enough\s+of\s+(life|living|being\s+alive|this\s+world|"
        r"everything\s+and\s+every(one|body))\b",
        r"\bwon\'?t\s+be\s+(here|around)\s+(much\s+longer|any\s*(more|longer)|to\s+see\s+"
        r"(christmas|another|my|the\s+kids))\b",
        r"\b(every\s*(one|1|body)|they|family|kids)\s+(would|will|\'d|d)\s+(cope|manage|be\s+fine)\s+"
        r"(fine\s+)?without\s+me\b",
        r"\b(least\s+painful|painless|quickest|easiest)\s+way\s+to\s+(go|die|end\s+it|do\s+it)\b",
        r"\bhose\s*pipe\b.{0,40}\b(car|exhaust)\b",
        r"\b(scratch|cut|burn|pick|bit)\w*\s+(\w+\s+){0,3}(till|until|til)\s+(it|they|i)\s+bleeds?\b",
        r"\b(bottle|packet|box|pile)\s+of\s+(pills|tablets|paracetamol)\b.{0,40}\b(thinking|tempted)\b",
        r"\b(river|canal|bridge|tracks?|cliff)\b.{0,40}\b(going\s+in|jump\w*|end\s+it|walk\s+in)\b",
        r"\b(can'?t|cant|don'?t|dont)\s+see\s+a\s+future\b",
        r"\bi\s+want\s+out\s*($|[.!]|of\s+(it\s+all|this\s+life|life|here)\b|for\s+good)",

        r"\b(take|taking|swallow|swallowing)\s+(them|it)\s+all\b",
        r"\bwish\w*\s+i\s+(would\s*n'?t|wouldn'?t|wouldnt|didn'?t|didnt|never)\s+wake\b",
        r"\bno\s+(reason|point)\s+(to|in)\s+(carry|carrying|go|going|keep|keeping)\s+(on|going)\b",

        r"\bkil+\s*(my\s*self|meself|myself)\b",
        r"\bpoint\s+(in|of|to)\s+(living|going\s+on|carrying\s+on|being\s+alive|life|being\s+here|"
        r"anything\s+any\s*more|me)\b",
        r"\b(what'?s|whats|wats)\s+the\s+point\s+(in\s+|of\s+)?(going\s+on|living|carrying\s+on|"
        r"anything|me|any\s*more|of\s+it\s+all)\b",
        r"\b(saving|saved|stockpil\w*|hoard\w*|collect\w*)\s+(up\s+)?(my\s+|me\s+|all\s+my\s+)?"
        r"(tablets|pills|meds|medication)\b",
        r"\b(goodbye|suicide|farewell)\s+(notes?|letters?|messages?)\b",
        r"\b(written|wrote|left|writing|leaving)\s+(\w+\s+){0,2}(notes?|letters?)\s+(for|to)\s+"
        r"(every\w*|my\s+(kids|children|family|wife|husband|partner|mum|mam|dad|son|daughter|"
        r"loved\s+ones)|the\s+kids)",
        r"\b(standing\s+on|on\s+top\s+of|at|by)\s+(the\s+)?(bridge|train\s+tracks?|railway\s+(line|"
        r"tracks?)|cliff|edge|roof)\b",
        r"\b(the|a)\s+rope\b",
        r"\b(don'?t|dont|won'?t|wont|not)\s+(think\s+)?(i'?ll|ill|i\s+will|going\s+to)\s+(still\s+)?"
        # Not "i'm not going to be around at christmas": a date is an absence, not a goodbye.
        r"(be\s+)?(here|around|alive)\b(?!\s+(at|on|next|this|for\s+the|in\s+the|till|until)\b)",
        r"\b(just|gonna|going\s+to|want\s+to|wanna|will|i'?ll|ill|could|might)\s+end\s+it\b",
        r"\b(burn\w*|cut\w*|scratch\w*|hurt\w*|harm\w*|punch\w*|starv\w*)\s+(my\s*self|meself)\b",
        r"\bkeep\s+(my\s*self|meself)\s+safe\b",
        r"\bdo\s+something\s+(stupid|daft|to\s+my\s*self|i'?ll\s+regret)\b",
        r"\b(no\s*one|nobody|noone|no\s+body)\s+(would|will|'d|wud)\s+(even\s+)?(notice|miss\s+me|"
        r"care)\b",
        r"\b(i'?m|im|i\s+am|feel\s+like|i\s+feel)\s+(just\s+|such\s+)?a\s+burden\b",
        r"\btired\s+of\s+(living|life|being\s+alive|existing|being\s+here)\b",
        r"\bhow\s+(many|much)\s+(\w+\s+)?(tablets|pills|paracetamol)\b",
        r"\b(thinking|think|thought)\s+(of|about)\s+(jumping|dying|ending|killing|walking\s+in\s+"
        r"front|stepping\s+in\s+front|not\s+being\s+here|hanging)\b",
        r"\b(walk\w*|step\w*|throw\w*|jump\w*)\s+(my\s*self\s+)?(in\s+front\s+of|under)\s+(a|the)\s+"
        r"(bus|train|car|lorry|truck)\b",
        r"\b(given|giving|gave)\s+(all\s+)?(my\s+)?(stuff|things|belongings)\s+away\b",
        r"\bsaying\s+goodbye\s+to\s+every\w*\b",
        r"\bmy\s+last\s+message\s*($|[.!]|ever\b|to\s+(you|any\s*one|every\s*one))",
        r"\bthis\s+is\s+goodbye\b",
        r"\bwon'?t\s+be\s+(around|here)\s+(much\s+)?(longer|tomorrow|for\s+long)\b",
        r"\bwont\s+be\s+(around|here)\s+(much\s+)?(longer|tomorrow|for\s+long)\b",
        r"\b(died|passed|gone|lost|death)\b.{0,60}\bwant\s+to\s+be\s+with\s+(her|him|them)\b",
        r"\b(pills|tablets)\s+in\s+front\s+of\s+me\b",
        r"\b(vodka|whisky|alcohol|drink|drank|booze|wine)\b.{0,40}\b(tablets|pills|paracetamol)\b",
        r"\b(think|thinking)\s+about\s+(dying|death|being\s+dead)\b",
        r"\b(better|be\s+fine|be\s+happier|be\s+ok)\s+without\s+me\b",
        r"\bready\s+to\s+go\b(?!\s+(to|out|back|home|shopping|on|into|for))",
        r"\b(not\s+eating|stopped\s+(taking|eating)|not\s+taking)\b.{0,40}\bon\s+purpose\b",
        r"\bwant\s+(it|this|everything)\s+(all\s+)?(to\s+be\s+)?over\b",
        r"\b(wish|hope)\s+i\s+(would\s*n'?t|wouldnt|didn'?t|didnt|don'?t|dont|never|won'?t|wont)\s+"
        r"wake\b",
        r"\b(sleep|asleep)\s+(forever|for\s+ever|and\s+never)\b",
        r"\bplan\s+on\s+being\s+(alive|here|around)\b",
        r"\b(punch\w*|hit\w*|bang\w*)\s+(the\s+)?(walls?|my\s+head)\b.{0,40}\b(bleed|deserve)",
        r"\b(razor|blade|blades)\b.{0,40}\b(arms?|wrists?|legs?|my\s*self|again)\b",
        r"\bhidden\s+(a\s+)?(knife|pills|tablets|rope|blade)\b",
        r"\bdeserve\s+(to\s+die|better\s+than\s+me|a\s+better\s+(mum|dad|mother|father))\b",
        r"\b(want|wanna)\s+to\s+disappear\b",

        r"\bsu+[ie]?[cs]i+de?\w*", r"\bsu[ie]c?i?dal\b", r"\bsuic\w*", r"\bsucid\w*",
        r"\bkill+(ing)?\s*(my\s*self|meself|myslef|mysef|myself)\b", r"\bkms\b",
        r"\b(end|ending|take|taking|took)\s+(my|me)\s+(own\s+)?life\b",
        r"\bend(ing)?\s+it\s+all\b", r"\b(thinking|think)\s+(of|about)\s+ending\s+it\b",
        r"\bend\s+it\b.{0,20}\b(tonight|today|now|soon|for\s+good)\b",
        r"\b(want|wanna|wanted|wish|going|gonna|ready)\s+(to\s+)?(die|be\s+dead)\b",
        r"\bwish\s+i\s+(was|were|wasn'?t|weren'?t)\s+(dead|here|born|alive)\b",
        r"\b(don'?t|dont|do\s+not|dnt)\s+(want|wanna)\s+(to\s+)?(live|be\s+alive|be\s+here|"
        r"exist|wake\s+up|carry\s+on|go\s+on)\b",
        r"\bnot\s+(wake|waking)\s+up\b",
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
        # "can't go on", not "can't go on paying this rent"
        r"\bcan'?t\s+((go|carry)\s+on\b(?!\s+\w+ing\b)|do\s+this\s+(any\s*more|no\s+more)\b|"
        r"take\s+(it|this)(\s*any\s*more|\s+no\s+more)?\b|take\s+any\s*more\s*($|[.!,]))",
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
        r"\b(squeez|grabb|chok|strangl)\w*\s+(me\s+by\s+)?my\s+(neck|throat)\b",
        r"\btell\s+(the\s+)?(doctor|nurse|hospital|gp|a&e|them)\s+i\s+(fell|walked\s+into)\b",
        r"\bpins?\s+me\s+(down|against)\b", r"\b(being|getting)\s+hurt\s+at\s+home\b",
        r"\b(he|she)\s*(\'ll|ll|will)\s+(find|hunt)\s+me\b(?!\s+(a|an|some|the|somewhere|"
        r"something|one)\b)", r"\bmarks\s+to\s+show\s+for\s+it\b",
        r"\bhurt\s+me\s+in\s+front\s+of\s+the\s+(kids|children|baby)\b",
        r"\b(hits|hit|hurts|beats|slaps)\s+me\s+if\s+i\b",

        r"\b(terrified|scared|frightened|afraid)\s+of\s+what\s+(he|she)('?ll|\s+will|\s+might)\b",
        r"\b(threw|thrown|pushed|kicked|dumped)\s+me\s+out\s+of\s+the\s+car\b",

        r"\b(he|she|partner|husband|wife|boyfriend|girlfriend|ex|fella|son|daughter)\s+(\w+\s+){0,2}"
        r"(controls?|takes?|took|keeps?|spends?)\s+(all\s+)?(of\s+)?(the|my|our)\s+(money|benefits|"
        r"universal\s+credit|uc|wages|pension|bank\s+card|cards)\b",
        r"\bif\s+i\s+(leave|go|tell|call|report)\b.{0,40}\b(kill|hurt|take\s+the\s+kids|find\s+me)\b",
        r"\bnot\s+allowed\s+to\s+(see|go|leave|have|talk|speak|work|use|eat|sleep)\b",
        r"\b(tracks?|tracking|tracker)\b.{0,30}\b(my\s+(phone|location|car)|me)\b",
        r"\b(dad|father|step\s*dad|stepdad|husband|partner)\s+(hits|beats|hurts|batters)\s+"
        r"(my\s+)?(mum|mam|mom|mother|wife|sister)\b",
        r"\b(threw|throws|thrown|chucked)\s+(\w+\s+){1,3}at\s+me\b",
        r"\b(hitting|beating|hurting|battering)\s+(her\s+and\s+me|me|us)\b",
        r"\bviolent\s+(to|towards|with)\s+(me|us|all\s+of\s+us)\b",
        r"\b(partner|husband|boyfriend|ex|he|she|son|stepdad|dad)\s+is\s+(really\s+|so\s+)?violent\b",
        r"\b(says|calls\s+me|tells\s+me|saying)\s+(i'?m|im|i\s+am)\s+(worthless|useless|nothing|"
        r"mental|stupid|ugly|crazy|mad)\b",
        r"\b(need\s+to|want\s+to|trying\s+to|help\s+me|how\s+do\s+i|how\s+can\s+i|have\s+to|got\s+to)"
        r"\s+(leave|get\s+away\s+from|escape|flee)\s+(from\s+)?(him|her|my\s+(husband|partner|"
        r"boyfriend|wife|girlfriend|ex))\b",
        r"\b(escape|flee)\s+(from\s+)?(him|her|my\s+(husband|partner|boyfriend|wife|ex))\b",
        r"\b(frightened|scared|afraid|terrified|petrified)\s+of\s+(my\s+)?(partner|husband|"
        r"boyfriend|wife|girlfriend|ex|son|dad|stepdad|him)\b",
        r"\bforced\s+(me\s+)?(to\s+have\s+sex|me)\b", r"\b(rape|raped|raping)\b",
        r"\b(turning|turns)\s+up\b.{0,40}\bthreat\w*",
        r"\b(made|making|forced)\s+me\s+(take\s+out|get)\s+(a\s+)?loans?\b",
        r"\bloans?\s+in\s+my\s+name\b",
        r"\bthreat\w*\s+to\s+(hurt|kill)\s+(the\s+|my\s+)?(dog|cat|kids|children|pet)\b",
        r"\bcontrols?\s+(what|when|where|who)\s+i\b",
        r"\b(decides|chooses|picks)\s+(everything|what\s+i|who\s+i)\b",
        r"\bto\s+get\s+away\s+from\s+(him|her)\b",
        r"\bforc\w*\s+(me\s+)?to\s+marry\b", r"\bforced\s+marriage\b",
        r"\bhands?\s+(round|around)\s+my\s+(neck|throat)\b",
        r"\b(punched|kicked|slapped|strangled|headbutted|choked|bit)\s+me\b",
        r"\blost\s+(his|her)\s+temper\b.{0,40}\bme\b",
        r"\b(threw|thrown|pushed|kicked)\s+me\s+(down|to\s+the\s+floor|against)\b",
        r"\b(he|she)\s+(\w+\s+){0,3}(threatens?|threatened)\s+me\b",
        r"\b(shaking|shake)\b.{0,40}\b(his|her)\s+key\b",
        r"\bsends?\s+me\s+(hundreds|loads|so\s+many)\s+of\s+(messages|texts)\b",
        r"\b(goes|going)\s+(crazy|mental|mad)\s+if\s+i\s+(don'?t|dont)\b",
        r"\bsocial\s+services\s+will\s+take\s+(my|the)\s+kids\b",
        r"\bbeing\s+controlled\b",

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
        r"\b(need|get|go\s+to|into|find|space\s+in|place\s+(in|at))\s+(a\s+|the\s+)?(women'?s\s+)?"
        r"refuge\b", r"\b(non\s*molestation|restraining\s+order)\b",
        r"\b(black\s+eye|bruises?|marks)\b.{0,30}\b(he|she|him|her|partner|husband|boyfriend)\b",
        r"\b(he|she|husband|boyfriend|partner|ex)\s+(\w+\s+){0,2}(said|says|threatened)\s+"
        r"(he'?ll|she'?ll|they'?ll|to|it'?ll)\s+(kill|hurt|take\s+the\s+kids)",
        r"\bwalk(ing)?\s+on\s+eggshells\b",
    ],
    "danger": [
        r"\b(smash\w*|kick\w*|boot\w*|bang\w*)\b.{0,30}\b(door|window|glass)\b.{0,30}\b(coming|getting|"
        r"trying\s+to\s+get)\s+in\b",
        r"\b(pan|chip\s+pan|cooker|oven|kitchen)\b.{0,30}\b(flames|caught\s+fire)\b",
        r"\bpetrol\b.{0,30}\bletter\s*box\b", r"\bburn\s+(us|me|them)\s+out\b",
        r"\bwater\b.{0,30}\b(sockets|electrics|fuse\s*box)\b",
        r"\b(trying|tried)\s+to\s+(climb|get|break|force)\s+(in|through|into)\b",
        r"\b(reeks?|stinks?|stench)\s+(of\s+)?gas\b",
        r"\b(in\s+my|in\s+the)\s+(living\s+room|house|flat|kitchen|bedroom|hall)\b.{0,30}\b(won'?t|"
        r"wont|refus\w*)\s+(leave|go)\b",
        r"\b(river|water|flood\w*)\b.{0,30}\b(burst|coming\s+in|pouring\s+in|rising)\b",

        r"\b(someone|somebody|a\s+man|people)\b.{0,30}\btrying\s+(the|my|our)\s+(door|doors|"
        r"patio|window|windows|handle)\b",
        r"\b(glass|window)\s+(smash\w*|break\w*)\b.{0,40}\b(downstairs|upstairs|alone|on\s+my\s+own)",
        r"\b(walking|following|been\s+behind)\s+(behind\s+)?me\b.{0,40}\b(won'?t|wont|for)\b",
        r"\bsmoke\s+(is\s+)?(pouring|coming|billowing)\b",
        r"\b(rotten\s+eggs?)\b", r"\bleak\w*\s+gas\b",

        r"\b(someone|somebody|a\s+man|a\s+woman|a\s+stranger|strangers?|people|a\s+guy)\s+(is\s+|"
        r"'s\s+|are\s+)?(in|inside|on)\s+(my|the|our)\s+(house|flat|home|balcony|garden|room|"
        r"kitchen|car|stairs)\b",
        r"\b(there'?s|theres|there\s+is)\s+(someone|somebody|a\s+man|people|a\s+stranger)\s+"
        r"(in|on|downstairs|upstairs|outside|at|trying)\b",
        r"\bhear\s+(someone|somebody|people|a\s+man)\s+(downstairs|upstairs|in\s+the|outside|"
        r"breaking|in\s+my)\b",
        r"\bon\s+fire\b", r"\b(set|setting|sets|light|lit)\s+fire\b", r"\bsomething\s+burning\b",
        r"\bburn\s+(my|the|our)\s+(house|flat|home|car)\b",
        r"\bsmell\w*\b.{0,15}\bgas\b", r"\bgas\b.{0,15}\bsmell\w*",
        r"\bgas\b.{0,30}\b(turned\s+(it\s+)?"
        r"on|dizzy|headache|left\s+on|flooding)\b", r"\bflooding\s+(the\s+house|it)\s+with\s+gas\b",
        r"\b(carbon\s+monoxide|co)\s+alarm\s+(is\s+|has\s+been\s+|keeps\s+)?(going\s+off|"
        r"beeping|sounding|went\s+off)\b", r"\b(carbon\s+monoxide|co)\s+alarm\b.{0,30}\b(headache|"
        r"dizzy|sick)\w*",
        r"\b(filling|filled|full)\s+(up\s+)?with\s+smoke\b", r"\bsmoke\b.{0,30}\b(stuck|locked|"
        r"trapped|can'?t\s+get\s+out|lift)\b", r"\b(sparking|sparks\s+coming)\b",
        r"\bthreaten(ed|ing|s)?\s+(me|us|to\s+(hurt|kill|stab|burn|get))\b",
        r"\b(kicking|forcing|force|smash\w*|tried|trying)\s+(to\s+open\s+)?(my|the|our)\s+(door|"
        r"window|windows|door\s+handle)\b",
        r"\b(chased|attacked|threatened|followed)\b.{0,40}\b(knife|knives|weapon|weapons|bat|gun|"
        r"machete)s?\b",
        r"\b(baseball\s+bat|knives|machete|weapons?)\b.{0,40}\b(outside|at\s+me|after\s+me|threat\w*)",
        r"\b(coming|come)\s+(round|over|back|here)\b.{0,40}\b(hurt|get\s+me|sort\s+me\s+out|kill|"
        r"do\s+me|stab)\b",
        r"\bknow\s+where\s+i\s+live\b", r"\b(going|gonna|coming)\s+to\s+get\s+me\b",
        r"\b(pay\s+up|pay\s+or|or\s+else)\b.{0,40}\b(burn|hurt|kill|stab)",
        r"\bthreatened\s+by\b",
        r"\b(trying|tried)\s+to\s+get\s+(in|into)\s+(my|the)\s+(car|house|flat|home)\b",
        r"\b(trapped|stuck)\b.{0,40}\b(smoke|fire|flood\w*|water\s+(is\s+)?(rising|coming))\b",
        r"\b(can'?t|cant)\s+get\s+out\b.{0,30}\b(smoke|fire|flood\w*|water)\b",
        r"\b(smoke|fire|flood\w*|water)\b.{0,40}\b(can'?t|cant)\s+get\s+out\b",
        r"\b(fight|fighting)\b.{0,40}\bweapons?\b", r"\b(was|been|got)\s+attacked\b",
        r"\b(gang|gangs)\b.{0,30}\b(threat\w*|after\s+me|outside)\b",
        r"\bshouting\s+threats\b", r"\btried\s+the\s+door\b",
        r"\bceiling\s+(is\s+)?(collapsing|coming\s+down|fell\s+in)\b",

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
        r"machete|gun|blade|weapon|(baseball\s+)?bat|hammer|crowbar)\b",
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
        r"\b(he|she|they|dad|mum|nan|gran|grandad|husband|wife|partner|son|daughter|baby|child|"
        r"lips|face|skin)('?s|\s+has|\s+is|\s+have)?\s+(gone|going|turned|turning)\s+a\s+(funny|"
        r"weird|strange|blue|grey|gray)\s+colou?r\b",
        r"\b(drunk|drank|swallowed|ate|eaten|eating)\s+(some\s+of\s+)?(the\s+|my\s+|a\s+)?(bleach|"
        r"washing\s+(tablets|pods|liquid)|pods|weed\s*killer|anti\s*freeze|white\s+spirit)\b",
        r"\b(has|have|just|he'?s|she'?s|they'?ve|keeps?|then)\s+(just\s+)?(fainted|keeled\s+over|"
        r"slumped)\b", r"\bslumped\s+(in|on|over|against|across)\b",
        r"\b(struggling|can'?t|cant|hard)\s+to\s+(get|catch)\s+(my|his|her)\s+breath\b",
        r"\b(lips?|face|tongue|arm)\s+(feels?\s+|is\s+|are\s+)?(numb|tingling)\b",
        r"\b(mouth|face)\s+(has\s+)?(gone\s+)?droop\w*\b", r"\btalking\s+(gibberish|nonsense)\b",
        r"\b(jerking|twitching|shaking)\s+all\s+over\b", r"\beyes\s+(have\s+)?rolled\b",
        r"\bout\s+cold\b", r"\b(burning\s+up)\b.{0,40}\b(won'?t|wont|floppy|limp)\b",
        r"\b(won'?t|wont)\s+wake\s+(up\s+)?properly\b",
        r"\bpregnant\b.{0,40}\b(bleeding|pains?|waters)\b",

        r"\bclutch\w*\s+(his|her|my)\s+chest\b", r"\bgasping\s+(for\s+)?(air|breath)\b",
        r"\b(won'?t|wont|doesn'?t|isn'?t|not)\s+respond\w*\b",
        r"\b(can'?t|cant|cannot)\s+(lift|move|feel)\s+(her|his|my)\s+(arm|leg|face)\b",
        r"\bwords\s+(are\s+)?(all\s+)?(muddled|jumbled|slurred|coming\s+out\s+wrong)\b",
        r"\b(pouring|gushing|spurting)\s+(with\s+)?blood\b", r"\bcoughing\s+(up\s+)?blood\b",
        r"\bnot\s+making\s+(any\s+)?sense\b",
        r"\b(toddler|baby|child|kid|son|daughter|little\s+one)\b.{0,30}\b(got\s+into|ate|eaten|"
        r"swallowed|drank)\b.{0,30}\b(tablets|pills|medicine|meds|bleach|batter\w*|some)\b",

        r"\bface\s+(has\s+)?(dropped|drooped|droop\w*|gone\s+funny)\b",
        r"\b(can'?t|cant)\s+(talk|speak)\s+properly\b",
        r"\bbleeding\s+(really\s+)?(badly|bad|heavily)\b", r"\b(won'?t|wont)\s+stop\s+bleeding\b",
        r"\b(isn'?t|isnt|not|stopped|stop)\s+breath\w*\b",
        r"\b(floppy|unresponsive|clammy)\b",
        r"\b(gone|going|turned)\s+(really\s+|all\s+|very\s+)?(floppy|grey|gray|blue|cold|"
        r"confused)\b",
        r"\b(shaking|sweating)\s+and\s+confused\b",
        r"\bswallowed\s+(some|a|the|bleach|pills|tablets|batter\w+|something|too\s+many|all)\b",
        r"\bdrank\s+(something|bleach)\b", r"\b(fell|fallen)\s+down\s+the\s+stairs\b",
        r"\b(isn'?t|isnt|not|stopped)\s+moving\b",
        r"\bchest\s+(is\s+|feels\s+)?(tight|crushing|heavy)\b",
        r"\b(can'?t|cant|cannot)\s+wake\b",
        r"\bchok(ing|ed)\b(?!\s+on\s+(the\s+)?(price|cost|a\s+cold))",
        r"\b(waters?\s+(have\s+|has\s+)?(broke|broken|gone)|in\s+labour|baby\s+is\s+coming)\b",
        r"\bburn\w*\s+(my\s*self\s+)?(really\s+)?badly\b", r"\b(stabbed|run\s+over|hit\s+by\s+a\s+"
        r"(car|bus|van))\b", r"\basthma\s+attack\b",
        r"\b(think\s+(i'?ve|i\s+have|he'?s|she'?s|it'?s)|has|have|'ve|just)\s+(broken|broke)\s+(my|his|"
        r"her)\s+(hip|leg|neck|back)\b",
        r"\blying\s+on\s+the\s+floor\b",
        r"\b(fallen|fell|floor)\b.{0,40}\b(can'?t|cant|cannot)\s+get\s+up\b",
        r"\btoo\s+much\s+of\s+(his|her|my)\s+\w+\b",
        r"\b(going\s+to\s+pass\s+out|heart\s+is\s+racing|heart\s+racing)\b",
        r"\b(had|having)\s+\d+\s+fits\b", r"\bfits\s+today\b",
        r"\b(high\s+temperature|temp\s+of)\b.{0,40}\b(floppy|rash|fitting|won'?t\s+wake|limp)\b",
        r"\b(overdos\w*)\b.{0,40}\b(barely|not)\s+breathing\b",
        r"\b(friend|brother|sister|son|daughter|mum|dad|partner|husband|wife|he|she)\s+(has\s+|'s\s+)?"
        r"(taken\s+an\s+overdose|overdosed)\b",

        r"\bchest\s+pains?\b", r"\bpains?\s+in\s+(my|his|her)\s+chest\b",
        r"\b(can'?t|cant|cannot|can\s+not|struggling\s+to|hard\s+to|unable\s+to|not)\s+"
        r"(breathe|breath|breathing|breething)\b",
        r"\bnot\s+breathing\b", r"\bcollaps\w*", r"\bunconscious\b", r"\bpassed\s+out\b",
        r"\b(won'?t|wont|can'?t|cant)\s+(wake\s+(him|her)|wake\s+up|be\s+woken|come\s+round)\b",
        r"\b(having|had|has\s+had|think\s+(he'?s|she'?s|i'?m)\s+having)\s+a\s+(stroke|heart\s+"
        r"attack|seizure|fit|hypo)\b(?!\s+(last|a\s+few|years|in\s+\d))",
        r"\b(face|mouth)\s+(is\s+)?(drooping|dropped|droopy|gone\s+funny)\b",
        r"\bslurr\w*", r"\b(he'?s|she'?s|hes|shes|is|started|keeps|been|having\s+a)\s+fit(ting)?\b",
        r"\bseizure\b", r"\bhypo\b",
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
        r"\b(hasn\'?t|has\s*n\'?t|not)\s+(took|taken|brought)\s+(his|her|their)\s+(milk|post|bins?)\s+in\b",
        r"\b(girls?|boys?|kids?|child|children|lads?|lass|toddlers?|little\s+ones?)\b.{0,40}\b("
        r"black\s+eyes?|covered\s+in\s+(marks|bruises)|on\s+(her|his|their)\s+own\s+in)\b",
        r"\b(next\s+door|neighbour'?s|over\s+the\s+road|down\s+the\s+road|across\s+the\s+road)\b"
        r".{0,40}\balways\s+hungry\b",
        r"\bsign\s+over\s+(her|his|their)\s+(savings|house|home|money)\b",
        r"\bbeing\s+kept\s+in\s+(the\s+house|the\s+flat|(her|his|their|a)\s+room|doors)\b",
        r"\bnever\s+allowed\s+out\b",
        r"\b(care\s*worker|carer)\s+(shouts|hits|slaps|pushes|swears)\b",
        r"\b(teenagers?|kids|children|child)\b.{0,30}\bleft\s+alone\s+for\s+(a\s+)?(week|days|"
        r"nights?|the\s+weekend)\b",

        r"\b(moved\s+in\s+with|living\s+with)\s+(a|an|the|my)\s+(vulnerable|elderly|disabled|old)\b",
        r"\b(vulnerable|elderly|disabled|old)\s+(woman|man|lady|person|neighbour)\b.{0,40}\b(looks?|"
        r"seems?)\s+(scared|frightened|terrified)\b",
        r"\b(\d{1,2}\s*(year|yr)s?\s*old|teen\w*|nephew|niece|son|daughter|lad|girl|boy)\b.{0,60}"
        r"\b(going\s+missing|goes\s+missing|missing\s+at\s+night|new\s+trainers|new\s+phones?|"
        r"unexplained\s+money)\b",
        r"\b(carer|care\s+worker|brother|sister|son|daughter|nephew|grandson|lodger)\b.{0,40}"
        r"\b(borrow\w*|bull\w*|pressur\w*|demand\w*)\b.{0,20}\b(money|cash|pension)\b",
        r"\b(soiled|dirty|wet)\s+(clothes|sheets|pad|bed)\b.{0,30}\b(all\s+day|for\s+hours|left)\b",
        r"\bleaves?\s+(my\s+)?(grandad|gran|nan|mum|dad|him|her)\s+(sitting|lying)\s+in\b",
        r"\b(shouting|screaming)\s+at\s+(her|his|the)\s+(baby|kids?|child|toddler)\b",
        r"\b(baby|child|toddler)\b.{0,40}\b(gone|went)\s+(very\s+|really\s+)?quiet\b",

        r"\b(getting|got|making|made)\s+(her|him|them)\s+(to\s+)?(pay|hand\s+over|give)\b",

        # Someone else not seen, not "i haven't seen my grandkids in weeks".
        r"\b(hasn'?t|hasnt|not|no\s*one'?s|nobody'?s)\s+(seen|heard|picked\s+up|"
        r"answered|been\s+seen|been\s+out)\b.{0,50}\b(days|week|weeks|since)\b",
        r"\b(stepdad|step\s+dad|dad|uncle|man|he|brother|cousin)\s+(\w+\s+)?touch(es|ed|ing)\s+"
        r"(her|him|them)\b",
        r"\b(deal|dealing|sell\w*|carry|carrying|run|running)\s+drugs\b",
        r"\b(men|people|lads)\s+keep\s+coming\s+(and\s+going|round)\b",
        r"\b(girl|boy|lad|son|daughter|kid|child|teen\w*|nephew|niece|\d{1,2})\b.{0,80}\b(older|"
        r"grown)\s+(men|lads|man|blokes)\b",
        r"\b(taking|took|takes|stealing|stole|steals|spending|spends|using|uses|getting|got)\s+"
        r"(all\s+)?(\w+\s+)?(money|cash|savings|pension)\s+(out\s+of|from|off)\s+(her|him|his|their|"
        r"my\s+\w+)\b",
        r"\b(dementia|alzheimer'?s|learning\s+disabilit\w*|autism|autistic|vulnerable|mental\s+"
        r"health\s+problems)\b.{0,70}\b(money|wander\w*|scam\w*|taken\s+advantage|using|neglect\w*|"
        r"filth|not\s+eating|bruis\w*|locked|moved\s+in|spending|landlord|pyjamas)\b",
        r"\bliving\s+in\s+filth\b", r"\btaken\s+advantage\s+of\b",
        r"\bmoved\s+in\s+with\b.{0,40}\b(won'?t|wont)\s+leave\b",
        r"\b(kids|children|child|little\s+ones?|youngest)\b.{0,50}\b(midnight|no\s+one\s+"
        r"looking|on\s+their\s+own|looking\s+after\s+themselves|fend\s+for|left\s+on\s+their)\b",
        r"\b(kept|being\s+kept)\s+(a\s+)?(prisoner|locked)\b", r"\brough\s+with\s+(her|him)\b",
        r"\bleaves?\s+bruises\b", r"\bcovered\s+in\s+(sores|bruises)\b",
        r"\bnot\s+looking\s+after\b.{0,30}\bproperly\b",
        r"\bforced\s+to\s+work\b", r"\b(taken|took|kept|keeps)\s+(her|his|their)\s+passports?\b",
        r"\bsending\s+(all\s+)?(her|his|their)?\s*money\s+to\s+(a|some)\s+(man|woman|someone|person|"
        r"bloke)\b",
        r"\b(\d{1,2}\s*(year|yr)s?\s*old|teen\w*|child|kid|girl|boy|lad)\b.{0,50}\bsleeping\s+"
        r"rough\b",
        r"\b(young|teenage|teen)\s+(girl|lad|boy)\b.{0,60}\b(older\s+(men|man)|much\s+older|men\s+in"
        r"\s+cars|picked\s+up|skips?\s+school)\b",
        r"\b(drinking|drunk|high|off\s+(her|his)\s+face)\s+all\s+day\b.{0,60}\b(kids|children)\b",
        r"\bno\s+lights\s+on\b.{0,40}\bdays\b",
        r"\b(no\s*one|nobody)\s+(feeds|looks\s+after)\s+(her|him|them)\b",
        r"\b(partner|husband|boyfriend|wife|girlfriend)\s+is\s+(hitting|beating|hurting|abusing)\s+"
        r"(her|him)\b",
        r"\b(sister|friend|daughter|mum|brother|neighbour|niece|aunt|son)\b.{0,30}\b(beaten|hit|"
        r"abused|hurt)\s+by\b",
        r"\bleaves\s+(him|her|them)\s+(alone|on\s+(his|her|their)\s+own)\b",
        r"\bpressur\w*\s+into\s+(signing|giving|selling)\b",
        r"\b(skips?|skipping|missing)\s+school\b.{0,60}\b(older|men|new\s+phones?|cash|money)\b",
        r"\bbeing\s+(abused|neglected|groomed|exploited)\b",
        r"\b(kid|child|boy|girl)\b.{0,30}\bbeing\s+abused\b",
        r"\bscared\s+to\s+go\s+home\b.{0,0}",

        # Not "my kids": a parent asking for food for their own children is not a referral.
        r"(?<!my )(?<!our )\b(child|children|kid|kids|kiddie|baby|babies|toddler|"
        r"little\s+(one|ones|boy|girl|lad)|"
        r"boy|girl|bairns?|youngsters?|the\s+twins)\b.{0,50}\b(left\s+)?(home\s+alone|left\s+"
        r"alone|on\s+(their|his|her)\s+own\s+(all|at\s+night|every)|unattended|not\s+(being\s+)?"
        r"fed|neglect\w*|bruis\w*|locked\s+(in|out)|hit|beaten|hurt|"
        r"crying\s+for\s+hours|filthy|dirty|no\s+coat|out\s+late|wandering)",
        r"\b(neglect\w*|bruises?)\b.{0,40}\b(child|kid|kids|baby|boy|girl|children|toddler)\b",
        r"\b(haven'?t|havent|not|no\s*one\s+has|nobody\s+has)\s+(seen|heard\s+from)\s+(him|her|"
        r"them|my\s+neighbour|the\s+old|the\s+lady|the\s+man|next\s+door|the\s+neighbour|"
        r"old\s+\w+)\b.{0,40}\b(days|week|weeks|since)\b",
        r"\b(curtains|post|milk|mail|newspapers?)\b.{0,30}\b(not\s+(been\s+)?(opened|taken|moved|"
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


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Welsh rules (safety_cy.py) join the English ones: one check for both languages. The
# Welsh idioms are still cut out before the rules look, while the Welsh model learns from
# fewer hard negatives; the English ones are taught to the model instead.
_WELSH_IDIOMS = _compile(WELSH_IDIOMS) if WELSH_IDIOMS else None
_RULES = {category: _compile(patterns + WELSH_RULES.get(category, []))
          for category, patterns in RULES.items()}


def rule_categories(text: str) -> list[str]:
    """Crisis categories whose rules match, most immediate first."""
    cleaned = normalise(text).replace("\u2019", "'")
    if _WELSH_IDIOMS is not None:
        cleaned = _WELSH_IDIOMS.sub(" ", cleaned)
    return [c for c in PRIORITY if _RULES[c].search(cleaned)]


# Cues that the alarming words are about the past, denied, light, or a topic. Token
# patterns for spaCy's Matcher: they weigh against a flag, they never clear one on their own.
_PERIODS = ["week", "weeks", "month", "months", "year", "years", "summer", "winter",
            "spring", "autumn", "christmas", "easter", "time"]
_COUNTS = ["a", "few", "two", "three", "four", "five", "six", "several", "many", "couple",
           "ten", "twenty"]
CUE_PATTERNS: dict[str, list[list[dict[str, object]]]] = {
    "past": [
        [{"LOWER": "last"}, {"LOWER": {"IN": _PERIODS}}],
        [{"LOWER": {"IN": _COUNTS}, "OP": "?"}, {"LIKE_NUM": True, "OP": "?"},
         {"LOWER": {"IN": _PERIODS}}, {"LOWER": "ago"}],
        [{"LOWER": {"IN": ["used", "use"]}}, {"LOWER": "to"}],
        [{"LOWER": "when"}, {"LOWER": {"IN": ["i", "he", "she", "we"]}},
         {"LOWER": {"IN": ["was", "were"]}},
         {"LOWER": {"IN": ["younger", "young", "little", "small", "a", "at", "in"]}}],
        [{"LOWER": "as"}, {"LOWER": "a"}, {"LOWER": {"IN": ["teenager", "teen", "kid",
                                                           "child"]}}],
        [{"LOWER": {"IN": ["in", "since", "back"]}}, {"SHAPE": "dddd"}],
        [{"LOWER": "back"}, {"LOWER": "in"}, {"LOWER": "the"}, {"LOWER": "day"}],
        [{"LOWER": {"IN": ["survivor", "recovered", "recovering"]}}],
        [{"LOWER": "all"}, {"LOWER": "sorted"}],
    ],
    "denied": [
        [{"LOWER": {"IN": ["not", "never"]}}, {"LOWER": {"IN": [
            "suicidal", "unsafe", "dangerous"]}}],
        [{"LOWER": "not"}, {"LOWER": "in"}, {"LOWER": "danger"}],
        [{"LOWER": {"IN": ["nobody", "nobody's", "no"]}}, {"LOWER": {"IN": ["one", "is", "'s"]},
                                                           "OP": "*"},
         {"LOWER": {"IN": ["hurting", "hitting", "harming"]}}, {"LOWER": "me"}],
        [{"LOWER": {"IN": ["'d", "would", "will", "'ll"]}}, {"LOWER": "never"},
         {"LOWER": {"IN": ["hurt", "harm"]}}],
        [{"LOWER": {"IN": ["i", "i'm", "im"]}}, {"LOWER": {"IN": ["am", "'m"]}, "OP": "?"},
         {"LOWER": {"IN": ["safe", "fine", "ok", "okay"]}}, {"LOWER": {"IN": [
             "now", "though", "honestly", "really"]}}],
        # "the toddler hit his head but he's fine now", "bruises from netball, she's fine,"
        [{"LOWER": {"IN": ["he", "she", "they", "we"]}},
         {"LOWER": {"IN": ["'s", "is", "are", "'re"]}},
         {"LOWER": {"IN": ["safe", "fine", "ok", "okay", "alright"]}},
         {"LOWER": {"IN": ["now", "though", "honestly", "really", ","]}}],
        # "i'm not going to hurt myself", "not gonna do anything stupid"
        [{"LOWER": {"IN": ["not", "never"]}}, {"LOWER": {"IN": ["going", "gonna", "gon"]}},
         {"LOWER": {"IN": ["to", "na"]}, "OP": "?"}, {"LOWER": {"IN": ["hurt", "harm", "kill"]}},
         {"LOWER": {"IN": ["myself", "meself"]}}],
        [{"LOWER": {"IN": ["not", "never"]}}, {"LOWER": {"IN": ["going", "gonna", "gon"]}},
         {"LOWER": {"IN": ["to", "na"]}, "OP": "?"}, {"LOWER": "do"}, {"LOWER": "anything"},
         {"LOWER": {"IN": ["stupid", "silly", "daft"]}}],
    ],
    # A crisis as a subject of work, study or giving: "a suicide prevention charity",
    # "domestic abuse awareness training", "volunteer at the women's refuge".
    "topic": [
        [{"LOWER": {"IN": ["suicide", "abuse", "violence", "harm", "refuge", "refuges", "crisis",
                           "safeguarding", "bereavement", "samaritans"]}},
         {"LOWER": {"IN": ["prevention", "awareness", "charity", "charities", "training",
                           "course", "talk", "leaflets", "posters", "support", "worker",
                           "workers", "service", "services", "sector", "fundraiser",
                           "fundraising", "walk", "run", "volunteers"]}}],
        [{"LOWER": {"IN": ["volunteer", "volunteering", "volunteered", "donate", "donating",
                           "work", "working"]}},
         {"LOWER": {"IN": ["at", "for", "with", "to", "in"]}}, {"LOWER": {"IN": [
             "the", "a", "our"]}, "OP": "?"},
         {"LOWER": {"IN": ["women", "womens", "women's", "refuge", "samaritans",
                           "helpline"]}}],
    ],
    "light": [
        [{"LOWER": {"IN": ["lol", "lmao", "haha", "hahaha", "lool", "rofl", "jk"]}}],
        [{"TEXT": {"IN": ["\U0001F602", "\U0001F923", "\U0001F606"]}}],
    ],
}
_cue_nlp = English()
_cues = Matcher(_cue_nlp.vocab)
for _name, _patterns in CUE_PATTERNS.items():
    _cues.add(_name, _patterns)


def cues(text: str) -> list[str]:
    """The kinds of cue a message shows: "past", "denied", "light", "topic"."""
    doc = _cue_nlp.make_doc(normalise(text).replace("\u2019", "'"))
    return sorted({_cue_nlp.vocab.strings[match_id] for match_id, _, _ in _cues(doc)})


def model_probability(scores: Mapping[str, float]) -> tuple[float, str]:
    """The model's probability that a message is a crisis (of any kind), and the most
    likely kind."""
    category = max(CATEGORIES, key=lambda c: scores.get(c, 0.0))
    if NO_CRISIS in scores:
        return max(0.0, min(1.0, 1.0 - scores[NO_CRISIS])), category
    return sum(scores.get(c, 0.0) for c in CATEGORIES), category


def crisis_score(probability: float, rule: bool, cue: bool,
                 rule_weight: float = RULE_WEIGHT, cue_weight: float = CUE_WEIGHT) -> float:
    return probability + (rule_weight if rule else 0.0) - (cue_weight if cue else 0.0)


def level_for(score: float, clear_at: float = CLEAR_AT,
              possible_at: float = POSSIBLE_AT) -> str | None:
    if score >= clear_at:
        return CLEAR
    if score >= possible_at:
        return POSSIBLE
    return None


@dataclass
class SafetyCheck:
    """Rules, cues and the model's crisis scores (category -> probability) when given."""

    scorer: Callable[[str], Mapping[str, float]] | None = None
    threshold: float = POSSIBLE_AT

    def check(self, text: str, model_scores: Mapping[str, float] | None = None
              ) -> CrisisFlag | None:
        """The crisis this message shows and how clearly, or None. Pass the model's scores
        when the caller already has them; otherwise the scorer is asked."""
        matched = rule_categories(text)
        # The model only speaks for messages with some words in them: on a bare "0" or
        # "ok" its scores mean nothing, and a digit is an answer to a numbered question.
        probability, category = 0.0, matched[0] if matched else CATEGORIES[0]
        if self.scorer is not None and len(normalise(text).split()) >= MIN_WORDS_FOR_MODEL:
            scores = model_scores if model_scores is not None else self.scorer(text)
            probability, model_category = model_probability(scores)
            category = matched[0] if matched else model_category
        score = crisis_score(probability, bool(matched), bool(cues(text)))
        level = level_for(score)
        if level is None:
            return None
        return CrisisFlag(category, "rule" if matched else "model", round(min(score, 1.0), 4),
                          level)
