"""Resident requests and the demo directory entries a coordinator would accept for each.

Written before the ranker, from how residents write (lower case, slips, slang, run-on
sentences), and judged as a coordinator reading the demo directory would judge: an entry is
acceptable when a coordinator would be glad to see it offered to this person, in this place.
An empty `accept` means nothing in the directory fits: the right answer is to say so and
offer the coordinator. `ward` is the place the resident gives when asked, for messages that
do not name one (None: they did not know, so city-wide entries). `ages` are the ages the
message states, as a coordinator reads them; no entry whose age range excludes all of them
may be offered. Ids are the demo's ORUK ids without their "demo-" prefix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    text: str
    accept: frozenset[str]
    ward: str | None = None
    ages: tuple[int, ...] = ()


def R(text: str, *accept: str, ward: str | None = None, ages: tuple[int, ...] = ()) -> Request:
    return Request(text, frozenset(accept), ward, ages)


REQUESTS = [
    # The four messages from the issue.
    R("how do i register with a doctor round here, im in Oakwood",
      "oakwood-medical-practice-new-patients", "gp-registration-help-desk"),
    R("anything for teenagers to do in the summer holidays round blagreaves",
      "blagreaves-youth-club", "littleover-summer-sports-camp", "normanton-youth-centre",
      "holiday-activities-and-food-derby", ages=(13, 17)),
    R("struggling with my universal credit sanction",
      "benefit-appeals-derby", "derby-advice-centre", "universal-credit-help-to-claim",
      ward="Sinfin & Osmaston"),
    R("been feeling a bit low lately, anything like walking groups?",
      "walk-and-talk-derby", "chaddesden-east-walking-group", "talk-it-through-derby",
      "talking-spaces-derby", "derby-health-link", ward="Spondon"),
    # Health.
    R("need a dentist for my 3 year old, we live in normanton",
      "little-smiles-dental-club", "dental-access-helpline", ages=(3,)),
    R("how do i regester with a docter i just moved here",
      "gp-registration-help-desk", ward="Abbey"),
    R("cant find an nhs dentist anywhere, tooth is killing me",
      "dental-access-helpline", ward="Mackworth & New Zealand"),
    R("need to stop smokin, tried loads of times", "stop-smoking-derby", ward="Normanton"),
    R("my drinking is getting out of hand", "derby-drink-and-drug-advice", ward="Darley"),
    R("my nan is deaf and her hearing aid batteries ran out",
      "sight-and-hearing-centre", ward="Arboretum"),
    R("struggling with my weight and want to get fitter",
      "healthy-weight-derby", "darley-park-couch-to-5k", "darley-riverside-walkers",
      "walk-and-talk-derby", "derby-health-link", ward="Darley"),
    R("bored at home and my mental health isnt great, i'm 24",
      "talking-spaces-derby", "talk-it-through-derby", "derby-health-link",
      "walk-and-talk-derby", ward="Mackworth & New Zealand", ages=(24,)),
    R("my mum keeps forgetting things and getting confused, think its dementia",
      "memory-matters-derby", "mickleover-memory-cafe", ward="Mickleover"),
    R("do you know of any chair exercise or gentle classes for over 60s round spondon",
      "spondon-seated-yoga", "chaddesden-east-walking-group", "walk-and-talk-derby"),
    # Bereavement.
    R("my husband died last month and i dont know what to do with myself",
      "allestree-grief-cafe", "derby-bereavement-support", ward="Allestree"),
    R("my partner passed away and the kids are struggling, my daughter is 10",
      "rainbow-childrens-bereavement-service", "derby-bereavement-support",
      ward="Chaddesden East", ages=(10,)),
    # Money, benefits, energy.
    R("cant afford the leccy, meter keeps running out",
      "energy-debt-advice-line", "derby-fuel-bank", "warm-homes-help-desk",
      "household-support-fund-derby", ward="Arboretum"),
    R("need help filling in my pip form its doing my head in",
      "pip-form-filling-clinic", "derby-disability-advice", "derby-advice-centre",
      ward="Alvaston North"),
    R("struggling with money, drowning in debt and bailiffs keep writing",
      "brightway-debt-advice", "derby-advice-centre", "money-mentors",
      ward="Chaddesden West"),
    R("any warm places i can go in the day, cant afford the heating",
      "normanton-warm-space", "warm-homes-help-desk", "energy-debt-advice-line",
      "derby-fuel-bank", "household-support-fund-derby", "shared-table-derby",
      ward="Normanton"),
    R("school uniform is so expensive, any help",
      "free-school-meals-and-uniform-help", "household-support-fund-derby",
      ward="Sinfin & Osmaston"),
    R("am i entitled to anything extra now im on my pension",
      "pension-credit-check", "derby-benefits-check", ward="Littleover"),
    R("can someone check im getting all the benifits i should", "derby-benefits-check",
      "derby-advice-centre", "pension-credit-check", ward="Arboretum"),
    # Food and essentials.
    R("need food for me and the kids till payday, in sinfin",
      "sinfin-community-pantry", "derby-food-bank-network", "sinfin-community-larder",
      "shared-table-derby", "alvaston-north-food-share", "alvaston-south-pantry"),
    R("hungry and got no money till monday",
      "derby-food-bank-network", "shared-table-derby", "household-support-fund-derby"),
    R("where can i get free nappies and baby clothes, DE24 8EF",
      "derby-baby-bank", "derby-food-bank-network"),
    R("cant feed my dog, is there a pet food bank", "derby-pet-food-bank", ward="Oakwood"),
    R("anywhere that does hot dinners for older people in chellaston",
      "chellaston-lunch-club", "derby-meals-at-home"),
    # Housing.
    R("landlord wont sort the damp and mould, kids keep getting ill",
      "private-renters-repairs-team", "derby-renters-network", "warm-homes-help-desk",
      "derby-advice-centre", "derby-housing-advice-line", ward="Normanton"),
    R("getting evicted, landlord gave me a section 21, what do i do",
      "derby-housing-advice-line", "derby-advice-centre", "safe-home-tenancy-support",
      "derby-renters-network", ward="Oakwood"),
    R("sleeping in my car, nowhere to go", "derby-homeless-outreach",
      "derby-housing-advice-line"),
    R("my 16 year old got kicked out and has nowhere to live",
      "young-peoples-housing-service", "derby-homeless-outreach", "derby-housing-advice-line",
      ward="Littleover", ages=(16,)),
    R("i need a bed and a cooker for my new flat, got nothing",
      "derby-furniture-reuse", "household-support-fund-derby", ward="Alvaston South"),
    # Company.
    R("im 78 and on my own most days, would like to meet people",
      "spondon-lunch-club", "phone-friends-derby", "chaddesden-tea-dance",
      "chaddesden-north-coffee-morning", "chaddesden-east-lunch-club", "oakwood-lunch-club",
      "oakwood-book-chat", "walk-and-talk-derby", "spondon-seated-yoga", "derby-health-link",
      "good-neighbours-derby", "home-library-service", ward="Spondon", ages=(78,)),
    R("im gay and new to derby, want to make some friends",
      "derby-lgbtq-social", "new-in-derby-welcome-cafe", "normanton-welcome-group",
      ward="Arboretum"),
    R("just arrived in the uk as a refugee, need help and to meet people",
      "new-in-derby-welcome-cafe", "normanton-welcome-group", "normanton-esol-for-beginners",
      ward="Normanton"),
    # Caring.
    R("my mum has dementia and i need a break, im knackered. live in littleover",
      "carers-break-service", "derby-dementia-day-centre", "memory-matters-derby",
      "derwent-carers-centre", "adult-carers-assessment"),
    R("i look after my husband whos got parkinsons, is there any carers groups near allestree",
      "allestree-carers-group", "derwent-carers-centre", "carers-cuppa-club",
      "carers-break-service", "adult-carers-assessment"),
    R("my kid is a young carer for me, is there anything for her",
      "young-carers-derby", ward="Sinfin & Osmaston"),
    # Getting around, adaptations, help at home.
    R("my dad cant get up the stairs anymore, can he get a stair lift or rails put in",
      "home-adaptations-team", "home-equipment-team", "homes-repair-grants",
      "handyperson-service", ward="Mickleover"),
    R("how do i get to my hospital appointments i dont drive and cant manage the bus",
      "derby-community-transport", "hospital-lifts-volunteers", "good-neighbours-derby",
      ward="Chaddesden North"),
    R("need a blue badge for my mum", "blue-badge-and-bus-pass-help", ward="Sinfin & Osmaston"),
    R("can i get a bus pass, im 67", "blue-badge-and-bus-pass-help", ward="Darley",
      ages=(67,)),
    R("i need a wheelchair to go round town on saturday", "shopmobility-derby",
      ward="Abbey"),
    R("can someone help me with shopping, i cant get out since my op",
      "spondon-village-helpers", "good-neighbours-derby", "derby-community-transport",
      "derby-meals-at-home", ward="Spondon"),
    # Getting online.
    R("want to learn to use my new ipad, im 81",
      "mickleover-library-tech-help", "digital-buddies", "library-digital-help",
      ward="Mickleover", ages=(81,)),
    R("no wifi at home and cant afford data, need to do my UC journal",
      "derby-data-bank", "device-lending-library", "oakwood-digital-drop-in",
      "library-digital-help", "universal-credit-help-to-claim", ward="Oakwood"),
    # Work, learning, English.
    R("is there english clases for my wife she dont speak much english. DE23 8AB",
      "normanton-esol-for-beginners", "derby-esol-advice-point", "riverside-college-esol",
      "normanton-womens-circle", "littleover-conversation-cafe", "new-in-derby-welcome-cafe"),
    R("looking for work, need help with my cv",
      "next-step-job-support", "alvaston-north-job-club", "open-door-job-club",
      ward="Alvaston South"),
    R("im 19 and want to find an apprenticeship",
      "youth-employment-hub", "next-step-job-support", ward="Normanton", ages=(19,)),
    # Volunteering.
    R("would love to do some volunteering, got free time since i retired",
      "derby-volunteer-hub", "allestree-park-volunteers", "green-spaces-volunteers",
      "derby-repair-cafe", "hospital-lifts-volunteers", "good-neighbours-derby",
      "digital-buddies", ward="Darley"),
    R("i want to start a community group on my estate",
      "community-starter-grants", "derby-volunteer-hub", ward="Abbey"),
    # Family and children.
    R("any toddler groups in darley for my 2 year old",
      "darley-toddler-time", "abbey-stay-and-play", "new-zealand-toddler-group", ages=(2,)),
    R("my 15 year old wants to get out the house more, any youth clubs in spondon",
      "spondon-youth-club", "oakwood-youth-project", ages=(15,)),
    R("my son is 8 and has autism, where can i get help with school and his EHCP",
      "send-information-and-advice-derby", "derby-parent-carer-forum",
      ward="Chellaston & Shelton Lock", ages=(8,)),
    R("is there any groups for new mums, feeling really isolated with the baby",
      "littleover-baby-group", "blagreaves-stay-and-play", "normanton-family-hub",
      "parents-together-derby", ward="Littleover", ages=(0,)),
    R("anything for kids to do in half term thats free",
      "holiday-activities-and-food-derby", "allestree-junior-youth-club",
      ward="Mackworth & New Zealand"),
    R("need help with homework for my 9 year old, she's struggling with reading",
      "mackworth-homework-club", ward="Mackworth & New Zealand", ages=(9,)),
    R("is there a baby group in allestree",
      "abbey-stay-and-play", "darley-toddler-time", "new-zealand-toddler-group",
      "mackworth-family-hub"),
    # Nothing in the directory fits: say so and offer the coordinator.
    R("anyone teach british sign language round here", ward="Blagreaves"),
    R("need a solicitor for my divorce", ward="Oakwood"),
]
