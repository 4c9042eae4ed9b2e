"""Agents and regimen abbreviations outside the protocol's regimen dictionary.

The protocol's [regimens] table decides the families that are pooled; this list only lets
the extractor name arms of studies (first-line, adjuvant, other agents) that the table does
not cover, so their numbers are not attributed to the wrong arm.
"""

from __future__ import annotations

AGENTS = (
    "gemcitabine", "cisplatin", "oxaliplatin", "carboplatin", "nab-paclitaxel", "paclitaxel",
    "docetaxel", "irinotecan", "fluorouracil", "5-FU", "leucovorin", "capecitabine", "S-1",
    "durvalumab", "pembrolizumab", "nivolumab", "tremelimumab", "ipilimumab", "atezolizumab",
    "bevacizumab", "ramucirumab", "cetuximab", "panitumumab", "erlotinib", "sorafenib",
    "lenvatinib", "regorafenib", "cabozantinib", "apatinib", "anlotinib", "surufatinib",
    "trastuzumab", "pertuzumab", "tucatinib", "neratinib", "zanidatamab", "trastuzumab deruxtecan",
    "ivosidenib", "pemigatinib", "futibatinib", "infigratinib", "derazantinib", "erdafitinib",
    "dabrafenib", "trametinib", "larotrectinib", "entrectinib", "selpercatinib", "niraparib",
    "olaparib", "varlitinib", "camrelizumab", "toripalimab", "sintilimab", "tislelizumab",
    "bintrafusp alfa", "silmitasertib", "merestinib", "vandetanib", "selumetinib", "mitomycin",
    "epirubicin", "everolimus", "placebo", "observation", "surveillance", "folinic acid",
    "levoleucovorin", "L-folinic acid", "cobimetinib", "panitumumab", "ramucirumab", "saline", "vehicle",
)
# abbreviations written for whole regimens -> a family name
ABBREVIATIONS = {
    "GC": "gemcitabine + cisplatin", "GP": "gemcitabine + cisplatin", "CisGem": "gemcitabine + cisplatin",
    "GemCis": "gemcitabine + cisplatin", "Gem/Cis": "gemcitabine + cisplatin",
    "GEMOX": "gemcitabine + oxaliplatin", "GemOx": "gemcitabine + oxaliplatin", "GAP": "gemcitabine + cisplatin + nab-paclitaxel",
    "GS": "gemcitabine + S-1", "GCS": "gemcitabine + cisplatin + S-1", "IRIS": "irinotecan + S-1",
    "XELIRI": "CAPIRI", "OFF": "FOLFOX", "FF": "5-FU/LV", "SOX": "S-1 + oxaliplatin", "GEMCAP": "gemcitabine + capecitabine",
}
