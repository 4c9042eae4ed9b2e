"""Agents and regimen abbreviations outside the protocol's regimen dictionary.

The protocol's [regimens] table decides the families that are pooled; this list only lets
the extractor name arms of studies (first-line, adjuvant, other agents) that the table does
not cover, so their numbers are not attributed to the wrong arm.
"""

from __future__ import annotations

AGENTS = (
    "gemcitabine",
    "cisplatin",
    "oxaliplatin",
    "carboplatin",
    "nab-paclitaxel",
    "paclitaxel",
    "docetaxel",
    "irinotecan",
    "fluorouracil",
    "5-fluorouracil",
    "5-FU",
    "leucovorin",
    "capecitabine",
    "S-1",
    "durvalumab",
    "pembrolizumab",
    "nivolumab",
    "tremelimumab",
    "ipilimumab",
    "atezolizumab",
    "bevacizumab",
    "ramucirumab",
    "cetuximab",
    "panitumumab",
    "erlotinib",
    "sorafenib",
    "lenvatinib",
    "regorafenib",
    "cabozantinib",
    "apatinib",
    "anlotinib",
    "surufatinib",
    "trastuzumab",
    "pertuzumab",
    "tucatinib",
    "neratinib",
    "zanidatamab",
    "trastuzumab deruxtecan",
    "ivosidenib",
    "pemigatinib",
    "futibatinib",
    "infigratinib",
    "derazantinib",
    "erdafitinib",
    "dabrafenib",
    "trametinib",
    "larotrectinib",
    "entrectinib",
    "selpercatinib",
    "niraparib",
    "olaparib",
    "varlitinib",
    "camrelizumab",
    "toripalimab",
    "sintilimab",
    "tislelizumab",
    "bintrafusp alfa",
    "silmitasertib",
    "merestinib",
    "vandetanib",
    "selumetinib",
    "mitomycin",
    "epirubicin",
    "everolimus",
    "placebo",
    "observation",
    "surveillance",
    "surgery alone",
    "resection alone",
    "folinic acid",
    "levoleucovorin",
    "L-folinic acid",
    "cobimetinib",
    "panitumumab",
    "ramucirumab",
    "saline",
    "vehicle",
    # other agents of second-line GI trials (pancreatic, gastric, colorectal, HCC)
    "trifluridine",
    "tipiracil",
    "raltitrexed",
    "fruquintinib",
    "donafenib",
    "rivoceranib",
    "sunitinib",
    "axitinib",
    "brivanib",
    "tivantinib",
    "avelumab",
    "aflibercept",
    "ziv-aflibercept",
    "zolbetuximab",
    "encorafenib",
    "binimetinib",
    "sotorasib",
    "adagrasib",
    "afatinib",
    "lapatinib",
    "gefitinib",
    "glufosfamide",
    "tegafur",
    "eribulin",
    "ibrutinib",
    "napabucasin",
    "tinengotinib",
    "lirafugratinib",
    "PD-1 inhibitor",
    "PD-L1 inhibitor",
    "PD-1/PD-L1 inhibitor",
    "immune checkpoint inhibitor",
    # drug classes written as arms: "gemcitabine/platinum", "anti-PD-1 antibody" (preclinical)
    "platinum",
    "fluoropyrimidine",
    "anti-PD-1",
    "anti-PD-L1",
    "anti-CTLA-4",
)
# drug classes written in the plural for the arm that received one of them ("lenvatinib plus
# PD-1 inhibitors"), read as the singular agent
AGENT_PLURALS = {
    "PD-1 inhibitors": "PD-1 inhibitor",
    "PD-L1 inhibitors": "PD-L1 inhibitor",
    "PD-1/PD-L1 inhibitors": "PD-1/PD-L1 inhibitor",
    "immune checkpoint inhibitors": "immune checkpoint inhibitor",
}
# abbreviations written for whole regimens -> a family name
ABBREVIATIONS = {
    "GC": "gemcitabine + cisplatin",
    "GP": "gemcitabine + cisplatin",
    "CisGem": "gemcitabine + cisplatin",
    "GemCis": "gemcitabine + cisplatin",
    "CISGEM": "gemcitabine + cisplatin",
    "GEMCIS": "gemcitabine + cisplatin",
    "Gem/Cis": "gemcitabine + cisplatin",
    "GEMOX": "gemcitabine + oxaliplatin",
    "GemOx": "gemcitabine + oxaliplatin",
    "GAP": "gemcitabine + cisplatin + nab-paclitaxel",
    "GS": "gemcitabine + S-1",
    "GCS": "gemcitabine + cisplatin + S-1",
    "IRIS": "irinotecan + S-1",
    "XELIRI": "CAPIRI",
    "IRI": "irinotecan",
    "OFF": "FOLFOX",
    "FF": "5-FU/LV",
    "SOX": "S-1 + oxaliplatin",
    "GEMCAP": "gemcitabine + capecitabine",
    "XP": "capecitabine + cisplatin",
    "TAS-102": "trifluridine + tipiracil",
    "FTD/TPI": "trifluridine + tipiracil",
    "FTD-TPI": "trifluridine + tipiracil",
    "FTD\u2013TPI": "trifluridine + tipiracil",
    "Lonsurf": "trifluridine + tipiracil",
    "UFT": "tegafur + uracil",
    # spellings seen in real abstracts (Japanese and European trial shorthand)
    "GEM": "gemcitabine",
    "mGEMOX": "gemcitabine + oxaliplatin",
    "FUFA": "5-FU/LV",
    "FU/FA": "5-FU/LV",
    "5-FU/FA": "5-FU/LV",
    "5FU/FA": "5-FU/LV",
    "5FU/LV": "5-FU/LV",
    "FU/LV": "5-FU/LV",
    "CDDP": "cisplatin",
    "L-OHP": "oxaliplatin",
    "CPT-11": "irinotecan",
    "PTX": "paclitaxel",
    "nab-PTX": "nab-paclitaxel",
    "DTX": "docetaxel",
    "RAM": "ramucirumab",
    "BEV": "bevacizumab",
    "Bev": "bevacizumab",
    "Gemox": "gemcitabine + oxaliplatin",
    "GemCap": "gemcitabine + capecitabine",
    "CF": "cisplatin + fluorouracil",
    "CG": "gemcitabine + cisplatin",
    "GO": "gemcitabine + oxaliplatin",
    "DEBIRI": "DEBIRI",  # drug-eluting beads loaded with irinotecan (chemoembolisation)
    # brand names, as news summaries and labels write them
    **{
        spelling: agent
        for brand, agent in {
            "Cyramza": "ramucirumab",
            "Keytruda": "pembrolizumab",
            "Opdivo": "nivolumab",
            "Imfinzi": "durvalumab",
            "Pemazyre": "pemigatinib",
            "Tibsovo": "ivosidenib",
            "Lytgobi": "futibatinib",
            "Truseltiq": "infigratinib",
            "Stivarga": "regorafenib",
            "Zaltrap": "aflibercept",
            "Avastin": "bevacizumab",
            "Erbitux": "cetuximab",
            "Xeloda": "capecitabine",
            "Gemzar": "gemcitabine",
        }.items()
        for spelling in (brand, brand.upper())
    },
}

# the cytotoxic agents inside regimen acronyms (leucovorin left out: a "doublet" is FOLFOX, a
# "triplet" FOLFIRINOX), so that "the irinotecan arm" names FOLFIRI when FOLFIRI faces FOLFOX
AGENTS_OF = {
    "folfox": {"fluorouracil", "5-fluorouracil", "5-fu", "oxaliplatin"},
    "folfiri": {"fluorouracil", "5-fluorouracil", "5-fu", "irinotecan"},
    "folfirinox": {"fluorouracil", "5-fluorouracil", "5-fu", "irinotecan", "oxaliplatin"},
    "xelox": {"capecitabine", "oxaliplatin"},
    "capiri": {"capecitabine", "irinotecan"},
    "nal-iri + 5-fu/lv": {"nal-iri", "liposomal irinotecan", "fluorouracil", "5-fluorouracil", "5-fu"},
    "nalirifox": {"nal-iri", "liposomal irinotecan", "fluorouracil", "5-fluorouracil", "5-fu", "oxaliplatin"},
    "5-fu/lv": {"fluorouracil", "5-fluorouracil", "5-fu"},
    "gemcitabine + cisplatin": {"gemcitabine", "cisplatin"},
    "gemcitabine + oxaliplatin": {"gemcitabine", "oxaliplatin"},
    "trifluridine + tipiracil": {"trifluridine", "tipiracil"},
}
FLUOROURACIL_SPELLINGS = frozenset({"fluorouracil", "5-fluorouracil", "5-fu"})


def cytotoxic_core(acronym: str) -> frozenset[str]:
    """The acronym's agents, one name each ("fluorouracil" for every spelling of 5-FU; liposomal
    irinotecan counted once as nal-IRI): FOLFOX -> {fluorouracil, oxaliplatin}."""
    members = AGENTS_OF.get(acronym.lower(), ())
    return frozenset("fluorouracil" if m in FLUOROURACIL_SPELLINGS else m for m in members) - {
        "liposomal irinotecan"
    }


# how many cytotoxic agents an acronym holds (FOLFOX is a doublet: 5-FU + oxaliplatin)
N_AGENTS = {acronym: len(cytotoxic_core(acronym)) for acronym in AGENTS_OF}
