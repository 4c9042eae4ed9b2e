"""Domain cues for screening: versioned phrase rules on a blank spaCy tokenizer.

A rule set is a mapping from cue label to surface forms. It is registered under a versioned
name (``evidencebot.screen_cues.v1``); changing any phrase or context rule means adding a
``.v2`` so that a stored model can always be reproduced with the rules it was trained on.

Matching uses ``PhraseMatcher(attr="LOWER")`` on ``spacy.blank("en")`` (no downloads, no
statistical components), which is fast enough for thousands of abstracts a second. A few
context rules then relabel matches whose meaning depends on their neighbours:

* "first-line" after *after / failure of / progression on / refractory to / prior* is a
  previously-treated cue (``line_later``), not a first-line cue;
* "gemcitabine-cisplatin" (or another first-line regimen) after the same words is
  ``line_later`` ("after progression on gemcitabine-cisplatin"); otherwise it is no line cue;
* "second-line" after *subsequent* ("received subsequent second-line chemotherapy") is
  ``line_subsequent``: a first-line trial reporting what came next.

>>> [c.label for c in find_cues("Second-line FOLFOX after failure of first-line GemCis")]
['line_later', 'agent_systemic', 'line_later', 'line_later']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from types import MappingProxyType

import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc, Span

DEFAULT_RULES = "evidencebot.screen_cues.v1"

_BTC = """
cholangiocarcinoma; cholangiocarcinomas; cholangiocellular carcinoma; cholangiocellular;
intrahepatic cholangiocarcinoma; extrahepatic cholangiocarcinoma; perihilar; hilar cholangiocarcinoma;
biliary tract cancer; biliary tract cancers; biliary tract carcinoma; biliary tract carcinomas;
biliary tract neoplasm; biliary tract neoplasms; biliary tract malignancy; biliary tract malignancies;
biliary tract tumour; biliary tract tumor; biliary tract tumours; biliary tract tumors;
biliary cancer; biliary cancers; biliary carcinoma; biliary malignancy; biliary malignancies;
biliary adenocarcinoma; biliary tumours; biliary tumors;
bile duct cancer; bile duct cancers; bile duct carcinoma; bile duct carcinomas; bile duct neoplasms;
gallbladder cancer; gallbladder cancers; gallbladder carcinoma; gallbladder carcinomas;
gall bladder cancer; gall bladder carcinoma; gallbladder adenocarcinoma; gallbladder neoplasms;
ampullary cancer; ampullary cancers; ampullary carcinoma; ampullary carcinomas;
ampullary adenocarcinoma; ampulla of vater; periampullary; klatskin; klatskin tumour; klatskin tumor;
BTC; BTCs; CCA; iCCA; eCCA; pCCA; dCCA; ICC; GBC; ABC; aBTC
"""
_OTHER_DISEASE = """
pancreatic cancer; pancreatic cancers; pancreatic adenocarcinoma; pancreatic ductal adenocarcinoma;
pancreatic carcinoma; pancreatic neuroendocrine; PDAC; gastric cancer; gastric cancers;
gastric adenocarcinoma; gastric carcinoma; stomach cancer; gastro-oesophageal; gastroesophageal;
gastro-esophageal; oesophageal cancer; esophageal cancer; oesophageal carcinoma; esophageal carcinoma;
colorectal cancer; colorectal cancers; colorectal carcinoma; colon cancer; rectal cancer; mCRC; CRC;
hepatocellular carcinoma; hepatocellular carcinomas; hepatocellular cancer; HCC; liver metastases;
breast cancer; non-small cell lung cancer; non-small-cell lung cancer; lung cancer; NSCLC; SCLC;
melanoma; ovarian cancer; prostate cancer; renal cell carcinoma; urothelial carcinoma;
bladder cancer; head and neck; glioblastoma; lymphoma; leukaemia; leukemia; myeloma;
neuroendocrine tumour; neuroendocrine tumours; neuroendocrine tumor; neuroendocrine tumors;
neuroendocrine carcinoma; sarcoma; mesothelioma; cervical cancer; endometrial cancer; thyroid cancer
"""
_BENIGN = """
primary sclerosing cholangitis; cholangitis; choledocholithiasis; gallstones; gallstone; cholecystitis;
biliary atresia; biliary obstruction; benign biliary stricture; benign biliary strictures;
biliary stricture; obstructive jaundice; jaundice; liver fluke; opisthorchis
"""
_PAN_TUMOUR = """
solid tumours; solid tumors; solid tumour; solid tumor; tumour-agnostic; tumor-agnostic;
tissue-agnostic; basket trial; basket study; multiple tumour types; multiple tumor types;
multiple cancer types; various cancers; gastrointestinal cancers; gastrointestinal cancer;
digestive cancers; hepatobiliary cancers; hepatobiliary malignancies; upper gastrointestinal
"""
_LINE_LATER = """
second-line; second line; 2nd-line; 2nd line; second-line chemotherapy; third-line; third line;
3rd-line; later-line; later line; later lines; later-lines; subsequent-line; beyond first-line;
beyond first line; previously treated; previously-treated; pretreated; pre-treated; heavily pretreated;
refractory; chemorefractory; chemo-refractory; gemcitabine-refractory; gemcitabine-resistant;
gemcitabine-pretreated; platinum-refractory; salvage; salvage chemotherapy; after progression;
after disease progression; progressed on; progressed after; progressed during; progressed following;
progression on; progression after; progression following; progression during;
after failure; failure of; failed; failing; after prior; prior systemic; prior chemotherapy;
prior therapy; prior treatment; prior line; prior lines; at least one prior; one or more prior;
at least one previous; one prior; two prior; previous chemotherapy; previous systemic;
previous treatment; previous therapy; previous lines; disease progression after;
intolerance to; intolerant to; resistant to; relapsed; relapse after; recurrence after;
subsequent treatment line; after first-line; following first-line; after frontline;
non-first-line; 2L; 3L; 2L+
"""
_LINE_FIRST = """
first-line; first line; 1st-line; 1st line; frontline; front-line; front line;
treatment-naive; treatment-naïve; treatment naive; chemotherapy-naive; chemotherapy-naïve;
chemotherapy naive; chemo-naive; systemic therapy-naive; untreated; previously untreated;
no prior systemic; no prior chemotherapy; no previous chemotherapy; no previous systemic;
initial therapy; initial treatment; initial chemotherapy; upfront; up-front; 1L;
newly diagnosed
"""
_LINE_FIRST_REGIMEN = """
gemcitabine-cisplatin; gemcitabine and cisplatin; gemcitabine plus cisplatin; gemcitabine/cisplatin;
cisplatin and gemcitabine; cisplatin plus gemcitabine; cisplatin-gemcitabine; GemCis; GC; CisGem;
gemcitabine-based; gemcitabine-containing; gemcitabine; platinum-based; platinum;
gemcitabine-based chemotherapy; gemcitabine and platinum; gemcitabine-platinum; gemcitabine plus platinum
"""
_LINE_PERIOPERATIVE = """
adjuvant; adjuvant chemotherapy; adjuvant therapy; neoadjuvant; neo-adjuvant; perioperative;
peri-operative; postoperative chemotherapy; post-operative chemotherapy; after resection;
after curative resection; after surgery; resected; curative-intent; curative intent
"""
_LINE_MAINTENANCE = """
maintenance; maintenance therapy; maintenance treatment; switch maintenance; consolidation
"""
_DESIGN_RCT = """
randomised; randomized; randomly assigned; randomly allocated; randomisation; randomization;
phase III; phase 3; phase-3; phase-III; double-blind; double blind; placebo-controlled; placebo;
open-label; open label; controlled trial
"""
_DESIGN_PHASE2 = """
phase II; phase 2; phase-2; phase-II; phase IIa; phase IIb; phase 2a; phase 2b; single-arm;
single arm; non-randomised; non-randomized; multicentre; multicenter; multi-centre; multi-center;
prospective; prospectively; investigator-initiated; enrolled; were enrolled; accrued
"""
_DESIGN_PHASE1 = """
phase I; phase 1; phase-1; phase Ib; phase 1b; phase I/II; phase 1/2; dose-escalation;
dose escalation; dose-expansion; dose expansion; maximum tolerated dose; recommended phase 2 dose;
dose-limiting toxicities; dose-limiting toxicity; first-in-human
"""
_DESIGN_OBSERVATIONAL = """
retrospective; retrospectively; retrospective analysis; retrospective study; real-world; real world;
cohort; cohort study; observational; registry; medical records; chart review; single-centre;
single-center; single institution; single-institution; population-based; database; propensity;
propensity score
"""
_DESIGN_CASE = """
case report; case reports; a case of; we report a case; we present a case; we report a patient;
we present a patient; we describe a patient; we describe a case; year-old man; year-old woman;
year-old male; year-old female; year-old patient; year old man; year old woman; this case;
case presentation; our patient; the patient was
"""
_DESIGN_SECONDARY = """
systematic review; meta-analysis; meta-analyses; network meta-analysis; metaanalysis;
pooled analysis of; literature review; review of the literature; narrative review; this review;
in this review; we review; we summarise; we summarize; we discuss; overview; scoping review;
consensus; guideline; guidelines; recommendations; expert opinion; perspective; commentary;
editorial; letter; PRISMA; searched PubMed; searched MEDLINE; Embase; Cochrane; eligible studies;
included studies; studies were included; trials were included; pooled hazard ratio; pooled HR;
pooled estimate; heterogeneity; random-effects; cost-effectiveness; QALY; QALYs; Markov model;
economic evaluation; simulation; survey
"""
_DESIGN_PRECLINICAL = """
xenograft; xenografts; patient-derived xenograft; PDX; cell line; cell lines; cell-line;
in vitro; in vivo; mice; mouse; murine; rats; organoid; organoids; knockdown; siRNA; shRNA;
CRISPR; cell viability; cell proliferation; apoptosis; IC50; western blot; immunoblotting;
zebrafish; preclinical; pre-clinical; tumour growth inhibition; tumor growth inhibition;
cultured cells
"""
_DESIGN_PROTOCOL = """
trial in progress; study protocol; protocol; trial design; study design and methods;
will be randomised; will be randomized; will be enrolled; will receive; will be assessed;
will be; is ongoing; are ongoing; recruitment is ongoing; enrolment is ongoing;
enrollment is ongoing; currently recruiting; recruiting; planned; will enrol; will enroll;
primary endpoint is; primary end point is; estimated; anticipated; rationale and design;
we describe the design; ClinicalTrials.gov
"""
_OUTCOME_SURVIVAL = """
overall survival; progression-free survival; progression free survival; median overall survival;
median progression-free survival; median OS; median PFS; mOS; mPFS; OS; PFS; time to progression;
TTP; survival rate; survival rates; 6-month; 12-month; one-year survival; 1-year survival;
survival was; months; hazard ratio; HR; 95% CI; 95% confidence interval; confidence interval;
kaplan-meier; log-rank; survival benefit
"""
_OUTCOME_RESPONSE = """
objective response; objective response rate; ORR; overall response rate; response rate;
disease control; disease control rate; DCR; partial response; complete response; stable disease;
duration of response; DoR; RECIST; tumour response; tumor response
"""
_OUTCOME_SAFETY = """
adverse events; adverse event; grade 3; grade ≥3; grade 3 or higher; grade 3-4; toxicity;
toxicities; tolerability; safety; neutropenia; treatment-related; dose-limiting
"""
_OUTCOME_NONEFFICACY = """
pharmacokinetics; pharmacokinetic; pharmacodynamic; quality of life; health-related quality of life;
patient-reported; costs; cost; prevalence; incidence; genomic profiling; next-generation sequencing;
mutational landscape; biomarker; biomarkers; expression; immunohistochemistry; diagnostic accuracy;
sensitivity and specificity; prognostic factors; prognostic nomogram; nomogram; feasibility;
practice patterns; treatment patterns; physicians
"""
_AGENT_SYSTEMIC = """
chemotherapy; chemotherapies; systemic therapy; systemic treatment; FOLFOX; mFOLFOX; mFOLFOX6;
FOLFOX4; FOLFIRI; FOLFIRINOX; mFOLFIRINOX; XELOX; CAPOX; oxaliplatin; irinotecan;
liposomal irinotecan; nal-IRI; nanoliposomal irinotecan; fluorouracil; 5-FU; 5-fluorouracil;
leucovorin; capecitabine; S-1; tegafur; fluoropyrimidine; docetaxel; paclitaxel; nab-paclitaxel;
ivosidenib; pemigatinib; futibatinib; infigratinib; erdafitinib; derazantinib; zanidatamab;
trastuzumab; trastuzumab deruxtecan; T-DXd; pertuzumab; tucatinib; neratinib; pembrolizumab;
nivolumab; ipilimumab; durvalumab; atezolizumab; tremelimumab; camrelizumab; sintilimab;
toripalimab; tislelizumab; bintrafusp; dabrafenib; trametinib; entrectinib; larotrectinib;
selpercatinib; regorafenib; lenvatinib; sorafenib; apatinib; anlotinib; bevacizumab; ramucirumab;
cetuximab; panitumumab; erlotinib; olaparib; tinengotinib; immunotherapy; immune checkpoint inhibitor;
immune checkpoint inhibitors; checkpoint inhibitor; anti-PD-1; PD-1; PD-L1; targeted therapy;
targeted therapies; tyrosine kinase inhibitor; kinase inhibitor; inhibitor; inhibitors;
monoclonal antibody; antibody-drug conjugate; FGFR2; FGFR; IDH1; HER2; BRAF; BRAF V600E; MSI-H;
dMMR; NTRK; KRAS; mitomycin; gemcitabine; cisplatin
"""
_AGENT_LOCAL = """
radiotherapy; radiation therapy; radiation; chemoradiotherapy; chemoradiation; SBRT;
stereotactic body radiotherapy; stereotactic; proton; proton beam; brachytherapy; stent; stents;
stenting; biliary stent; biliary stenting; metal stent; biliary drainage; drainage; PTBD; ERCP;
endoscopic; resection; hepatectomy; surgery; surgical; liver transplantation; transplantation;
hepatic arterial infusion; hepatic artery infusion; HAI; HAIC; TACE; chemoembolization;
chemoembolisation; radioembolization; radioembolisation; SIRT; selective internal radiation therapy;
Y-90; yttrium-90; yttrium; ablation; radiofrequency ablation; RFA; microwave ablation;
photodynamic therapy; PDT; irreversible electroporation
"""
_MISC_NEGATION = """
not included; were excluded; excluded; no patient; no patients
"""


def _phrases(block: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;\n]", block) if p.strip())


RULES_V1: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "disease_btc": _phrases(_BTC),
        "disease_other": _phrases(_OTHER_DISEASE),
        "disease_benign": _phrases(_BENIGN),
        "disease_pan_tumour": _phrases(_PAN_TUMOUR),
        "line_later": _phrases(_LINE_LATER),
        "line_first": _phrases(_LINE_FIRST),
        "line_first_regimen": _phrases(_LINE_FIRST_REGIMEN),
        "line_perioperative": _phrases(_LINE_PERIOPERATIVE),
        "line_maintenance": _phrases(_LINE_MAINTENANCE),
        "design_rct": _phrases(_DESIGN_RCT),
        "design_phase2": _phrases(_DESIGN_PHASE2),
        "design_phase1": _phrases(_DESIGN_PHASE1),
        "design_observational": _phrases(_DESIGN_OBSERVATIONAL),
        "design_case": _phrases(_DESIGN_CASE),
        "design_secondary": _phrases(_DESIGN_SECONDARY),
        "design_preclinical": _phrases(_DESIGN_PRECLINICAL),
        "design_protocol": _phrases(_DESIGN_PROTOCOL),
        "outcome_survival": _phrases(_OUTCOME_SURVIVAL),
        "outcome_response": _phrases(_OUTCOME_RESPONSE),
        "outcome_safety": _phrases(_OUTCOME_SAFETY),
        "outcome_nonefficacy": _phrases(_OUTCOME_NONEFFICACY),
        "agent_systemic": _phrases(_AGENT_SYSTEMIC),
        "agent_local": _phrases(_AGENT_LOCAL),
        "negation": _phrases(_MISC_NEGATION),
    }
)

# v2: phrasings seen in real PubMed abstracts that v1 missed. Line of therapy: how trials say
# their patients were previously treated ("whose disease progressed with prior therapy",
# "failed at least one line", "refractory to", "as second-line"); disease names written out
# ("cancer of the bile duct", "biliary tract adenocarcinoma"). Trial registration
# ("ClinicalTrials.gov") and "estimated" are in nearly every results abstract, and bare
# "protocol" in "per-protocol analysis", so they no longer mark a protocol without results.
_V2_ADD = {
    "disease_btc": """
    biliary tract adenocarcinoma; bile duct adenocarcinoma; cancer of the bile duct; cancers of the bile duct;
    cancer of the biliary tract; cancers of the biliary tract; biliary tract tumors; biliary neoplasms;
    distal cholangiocarcinoma; perihilar cholangiocarcinoma; intrahepatic cholangiocarcinomas;
    gallbladder cancers; gall-bladder carcinoma; ampulla of Vater cancer
    """,
    "line_later": """
    progressed with; progressed while; progressed despite; progressed under; disease progressed;
    had progressed; has progressed; progressing on; progressing after; progressing during;
    progression while; progressive disease after; progressive disease on; progressive disease during;
    after failing; who failed; failed at least; failure with; failure on; failure after;
    refractory to; refractory or intolerant; resistant or intolerant; intolerance of; intolerant of;
    after standard therapy; after standard chemotherapy; after standard treatment;
    after first-line chemotherapy; after first-line treatment; after first-line therapy;
    as second-line; second-line setting; second-line or later; second or later line; second- or later-line;
    later-line setting; subsequent line; subsequent lines; third- or later-line; fourth-line;
    previously received; had received prior; had previously received; previously exposed;
    prior gemcitabine; prior platinum; prior exposure; prior regimen; prior regimens;
    at least one line; at least 1 line; at least one prior line; at least 1 prior; at least 1 previous;
    one or two prior; one or more previous; up to two prior; up to two previous; one previous; two previous;
    previous line; previous regimen; previous regimens; previous treatment regimens;
    salvage therapy; salvage treatment; pretreated patients; previously treated patients
    """,
    "design_phase2": """
    two-stage; Simon two-stage; single-arm phase; multicohort; multi-cohort; open-label phase 2;
    open-label phase II; phase 2b study; phase II study; phase 2 study; phase II trial; phase 2 trial
    """,
}
_V2_ADD["design_protocol"] = "study protocol; trial protocol; this protocol; protocol of the; protocol for"
_V2_DROP = {"design_protocol": {"ClinicalTrials.gov", "estimated", "protocol"}}


def _rules_v2() -> Mapping[str, tuple[str, ...]]:
    rules = {}
    for label, phrases in RULES_V1.items():
        kept = [p for p in phrases if p not in _V2_DROP.get(label, set())]
        rules[label] = tuple(dict.fromkeys([*kept, *_phrases(_V2_ADD.get(label, ""))]))
    return MappingProxyType(rules)


RULES_V2 = _rules_v2()

# Abbreviations that are ordinary words in lower case ("os" in Latin, "abc" in lists, "gc"):
# these match only in the case written here.
CASE_SENSITIVE_V1 = frozenset(
    {
        "BTC",
        "BTCs",
        "CCA",
        "iCCA",
        "eCCA",
        "pCCA",
        "dCCA",
        "ICC",
        "GBC",
        "ABC",
        "aBTC",
        "OS",
        "PFS",
        "mOS",
        "mPFS",
        "TTP",
        "HR",
        "ORR",
        "DCR",
        "DoR",
        "GC",
        "HCC",
        "CRC",
        "mCRC",
        "PDAC",
        "NSCLC",
        "SCLC",
        "PDX",
        "HAI",
        "HAIC",
        "RFA",
        "PDT",
        "SIRT",
        "TACE",
        "PTBD",
        "ERCP",
        "SBRT",
        "2L",
        "3L",
        "2L+",
        "1L",
        "PD-1",
        "PD-L1",
        "QALY",
        "QALYs",
        "PRISMA",
        "T-DXd",
        "S-1",
        "GemCis",
        "CisGem",
        "MSI-H",
        "dMMR",
        "NTRK",
        "KRAS",
        "BRAF",
        "HER2",
        "FGFR",
        "FGFR2",
        "IDH1",
        "Y-90",
    }
)

RULESETS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {"evidencebot.screen_cues.v1": RULES_V1, "evidencebot.screen_cues.v2": RULES_V2}
)

# Words that, up to CONTEXT_WINDOW tokens before "first-line" or a first-line regimen, make the
# phrase evidence of prior treatment ("after failure of first-line gemcitabine-cisplatin").
LATER_CONTEXT_V1 = frozenset(
    """after following failure failed failing progression progressed progressing progressive
    refractory beyond prior previous previously pretreated pre-treated despite resistant
    resistance intolerance intolerant relapse relapsed recurrence recurred""".split()
)
SUBSEQUENT_CONTEXT_V1 = frozenset({"subsequent", "subsequently", "post-progression", "poststudy"})
CONTEXT_WINDOW = 6
_FAILURE_WORDS = frozenset({"failure", "failed", "refractory", "progression", "progressed"})
# The context rules compare LOWER hashes (the same in every vocab) rather than strings.
_LATER_HASHES = frozenset(hash_string(w) for w in LATER_CONTEXT_V1)
_SUBSEQUENT_HASHES = frozenset(hash_string(w) for w in SUBSEQUENT_CONTEXT_V1)
_FAILURE_HASHES = frozenset(hash_string(w) for w in _FAILURE_WORDS)
_PROGRESSION = hash_string("progression")

_POSITION = itemgetter(1, 2, 0)

CUE_LABELS: tuple[str, ...] = (*RULES_V1.keys(), "line_subsequent")


@dataclass(frozen=True)
class CueSpan:
    """One matched cue: its label, the text as written and its character offsets."""

    label: str
    text: str
    start_char: int
    end_char: int


# spaCy's tokenizer caches the tokens of each whitespace-separated chunk, but only up to
# `max_cache_size` chunks, and never a chunk that follows a special case ("e.g.", "vs.", "8)")
# in the same text (spaCy issue #1250), which in abstracts is most of them. Tokenizing each
# new chunk once on its own fills the cache; the cache holds exactly what the chunk tokenizes
# to anywhere, so documents tokenize the same, several times faster.
TOKENIZER_CACHE_SIZE = 200_000


class CuePipeline:
    """The blank English tokenizer and the two phrase matchers of a rule set (case-folded and
    exact case), with the chunks whose tokens the tokenizer has already cached."""

    def __init__(self, rules: str) -> None:
        if rules not in RULESETS:
            raise ValueError(f"unknown cue rule set {rules!r}; known: {sorted(RULESETS)}")
        nlp = spacy.blank("en")
        nlp.tokenizer.max_cache_size = TOKENIZER_CACHE_SIZE
        lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        for label, phrases in RULESETS[rules].items():
            folded = [p for p in phrases if p not in CASE_SENSITIVE_V1]
            cased = [p for p in phrases if p in CASE_SENSITIVE_V1]
            if folded:
                lower.add(label, list(nlp.tokenizer.pipe(_variants(folded))))
            if cased:
                exact.add(label, list(nlp.tokenizer.pipe(cased)))
        self.nlp, self.lower, self.exact = nlp, lower, exact
        self.labels = {nlp.vocab.strings[label]: label for label in RULESETS[rules]}  # match id → label
        self._warm: set[str] = set()

    def tokenize(self, texts: Sequence[str]) -> list[Doc]:
        """Docs for `texts`, exactly as `nlp.tokenizer` makes them, the new chunks cached first."""
        tok = self.nlp.tokenizer
        if len(self._warm) < TOKENIZER_CACHE_SIZE:
            chunks: set[str] = set()
            for text in texts:
                chunks.update(text.split())
            chunks -= self._warm
            for chunk in chunks:
                tok(chunk)
            self._warm |= chunks
        return [tok(text) for text in texts]


@lru_cache(maxsize=4)
def cue_pipeline(rules: str) -> CuePipeline:
    """The pipeline of a rule set, built once per process."""
    return CuePipeline(rules)


def _variants(phrases: Iterable[str]) -> list[str]:
    """Each phrase plus its spelling variants: hyphen/space, British/American -ise/-our/-oe-."""
    out: set[str] = set()
    for p in phrases:
        forms = {p}
        if "-" in p:
            forms |= {p.replace("-", " ")}
        for a, b in (
            ("randomis", "randomiz"),
            ("tumour", "tumor"),
            ("oesophag", "esophag"),
            ("leukaem", "leukem"),
            ("centre", "center"),
            ("enrol ", "enroll "),
            ("isation", "ization"),
            ("haem", "hem"),
        ):
            forms |= {f.replace(a, b) for f in forms} | {f.replace(b, a) for f in forms}
        out |= forms
    return sorted(out)


def tokenizer(rules: str = DEFAULT_RULES) -> Language:
    """The blank English pipeline the cues are matched on (tokenizer only)."""
    return cue_pipeline(rules).nlp


def match_doc(doc: Doc, rules: str = DEFAULT_RULES) -> list[tuple[str, int, int]]:
    """(label, start token, end token) for every cue in `doc`, context rules applied.

    Overlapping matches of one label keep only the longest; different labels may overlap
    ("median overall survival" is one survival cue; "gemcitabine" is both an agent and,
    with a later-line context, a line cue).
    """
    return _resolve(doc, _raw_matches(doc, rules), 0, len(doc), None)


def match_parts(
    doc: Doc,
    parts: Sequence[tuple[int, int]],
    rules: str = DEFAULT_RULES,
    lower: Sequence[int] | None = None,
) -> list[list[tuple[str, int, int]]]:
    """The cues of each part `doc[start:end]` (token offsets in `doc`), each exactly as
    `match_doc` finds them in a Doc of its own: no match and no context rule looks across a
    part's edges. One Doc per record (title and abstract) is half the work of two.

    lower: the tokens' LOWER hashes, if the caller has them already.
    """
    raw = _raw_matches(doc, rules)
    if lower is None:
        lower = doc.to_array(LOWER).tolist()
    return [_resolve(doc, [m for m in raw if lo <= m[1] and m[3] <= hi], lo, hi, lower) for lo, hi in parts]


def _raw_matches(doc: Doc, rules: str) -> list[tuple[str, int, int, int]]:
    """(label, start, start - end, end) of every phrase match: sorted as they are, the longest
    match of a label at a position comes first."""
    pipe = cue_pipeline(rules)
    labels = pipe.labels
    raw = [(labels[m], s, s - e, e) for m, s, e in pipe.lower(doc)]
    raw += [(labels[m], s, s - e, e) for m, s, e in pipe.exact(doc)]
    return raw


def _resolve(
    doc: Doc, raw: list[tuple[str, int, int, int]], lo: int, hi: int, lower: Sequence[int] | None
) -> list[tuple[str, int, int]]:
    """Longest match per label, then the context rules, looking only inside doc[lo:hi]
    (`lower`: the LOWER hashes of doc's tokens, computed here if None and needed)."""
    raw.sort()
    kept: list[tuple[str, int, int]] = []
    last: dict[str, int] = {}
    for label, s, _, e in raw:
        if s < last.get(label, -1):
            continue
        last[label] = e
        kept.append((label, s, e))
    out = []
    for label, s, e in kept:
        if label in ("line_first", "line_first_regimen", "line_later"):
            if lower is None:
                lower = doc.to_array(LOWER).tolist()
            before = _context_before(doc, lower, s, lo, hi)
            if label == "line_later" and before & _SUBSEQUENT_HASHES:
                label = "line_subsequent"
            elif label != "line_later" and before & _LATER_HASHES:
                label = "line_later"
            elif label == "line_first" and not _FAILURE_HASHES.isdisjoint(lower[e : min(e + 4, hi)]):
                label = "line_later"  # 'first-line treatment failure', 'first-line therapy had failed'
            elif label == "line_first_regimen":
                continue  # a first-line regimen alone says nothing about the line
        out.append((label, s, e))
    out.sort(key=_POSITION)
    return out


def _context_before(doc: Doc, lower: Sequence[int], start: int, lo: int, hi: int) -> set[int]:
    """LOWER hashes of the words in the window before `start` (not before `lo`), without
    'progression' in 'progression-free' (a survival endpoint, not a progression event)."""
    words = set(lower[max(lo, start - CONTEXT_WINDOW) : start])
    if _PROGRESSION in words:
        words.discard(_PROGRESSION)
        for i in range(max(lo, start - CONTEXT_WINDOW), start):
            if lower[i] == _PROGRESSION and not "".join(t.lower_ for t in doc[i : min(i + 3, hi)]).startswith(
                ("progression-free", "progressionfree")
            ):
                words.add(_PROGRESSION)
    return words


def find_cues(text: str, rules: str = DEFAULT_RULES) -> list[CueSpan]:
    """Every cue in `text` with its character offsets (for tests and explanations)."""
    doc = tokenizer(rules)(text or "")
    return [_span(doc, label, s, e) for label, s, e in match_doc(doc, rules)]


def _span(doc: Doc, label: str, s: int, e: int) -> CueSpan:
    span = doc[s:e]
    return CueSpan(label, span.text, span.start_char, span.end_char)


@Language.factory("evidencebot_screen_cues", default_config={"rules": DEFAULT_RULES})
def make_cue_component(nlp: Language, name: str, rules: str) -> ScreenCueComponent:
    """spaCy component: `doc.spans["screen_cues"]` holds every cue, labelled."""
    return ScreenCueComponent(rules)


class ScreenCueComponent:
    """Adds the screening cues to `doc.spans["screen_cues"]` (for spaCy pipelines)."""

    def __init__(self, rules: str = DEFAULT_RULES) -> None:
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["screen_cues"] = [Span(doc, s, e, label=lab) for lab, s, e in match_doc(doc, self.rules)]
        return doc
