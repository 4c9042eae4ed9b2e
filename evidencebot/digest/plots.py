"""Figures for the digest, drawn with matplotlib's Agg backend from plain data.

- `forest_plot`: one endpoint x measure, subgrouped by regimen, in the layout reviewers know
  from RevMan and metafor's `forest()`: study label, status, n on the left; a square per
  study (area proportional to its weight within the subgroup) with its CI; a diamond per
  subgroup with the 95% prediction interval as a dotted line through it; estimate [CI] and
  weight on the right; a vertical reference line (HR 1, or the protocol's median threshold).
- `cumulative_plot`: the cumulative meta-analysis of each regimen in order of publication
  (metafor `cumul()` + `forest()`): one row per study added.
- `prisma_diagram`: the PRISMA 2020 flow diagram (identification, screening, included).

Each returns PNG bytes. The per-study CIs are drawn from the values that were pooled (yi, vi
on the analysis scale, back-transformed with the pool's own `back_transform`), so the plot
shows exactly what the engine weighted, including one-sided SEs.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch, Polygon  # noqa: E402

from evidencebot.pool.effects import back_transform, z_for_level  # noqa: E402

STATUS_STYLE = {  # marker face colour, edge colour, legend text
    "verified": ("#1b7837", "#1b7837", "verified by a reviewer"),
    "seed": ("#222222", "#222222", "seed (published, checked)"),
    "machine": ("white", "#d95f02", "machine-extracted, not yet verified"),
}
DIAMOND = "#2c5d8f"
DPI = 110


@dataclass
class Row:
    """One line of a forest-style plot. kind: 'header' | 'study' | 'pooled' | 'text'."""

    kind: str
    label: str
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    weight: float | None = None        # percent within the subgroup (study rows)
    status: str | None = None
    n: int | None = None
    pi_low: float | None = None        # pooled rows
    pi_high: float | None = None
    right: str = ""                    # estimate [CI] text
    extra: str = ""                    # weight / k text
    note: str = ""                     # grey text instead of a CI (excluded rows)


@dataclass
class ForestSpec:
    """Everything a forest-style plot needs besides its rows."""

    title: str
    xlabel: str
    log_scale: bool
    percent: bool = False
    ref: float | None = None
    ref_label: str = ""
    footnotes: list[str] = field(default_factory=list)
    right_header: str = "Weight"


# --- from the pool's result dicts to rows -------------------------------------------------


def _fmt(x: float | None, percent: bool = False) -> str:
    if x is None:
        return "NA"
    if percent:
        return f"{100 * x:.1f}%"
    return f"{x:.2f}"


def est_ci_text(est: float | None, lo: float | None, hi: float | None, percent: bool = False) -> str:
    if est is None:
        return "not pooled"
    return f"{_fmt(est, percent)} [{_fmt(lo, percent)}, {_fmt(hi, percent)}]"


def study_ci(study: dict, scale: str, level: float = 0.95) -> tuple[float | None, ...]:
    """A study's estimate and CI on the natural scale from the (yi, vi) that were pooled."""
    yi, vi = study.get("yi"), study.get("vi")
    if yi is None or vi is None or vi < 0:
        return study.get("value"), study.get("ci_low"), study.get("ci_high")
    z = z_for_level(level)
    ns = [study["n"]] if study.get("n") else None
    half = z * math.sqrt(vi)
    try:
        return tuple(back_transform(x, scale, ns) for x in (yi, yi - half, yi + half))
    except ValueError:  # PFT without n: show the reported numbers
        return study.get("value"), study.get("ci_low"), study.get("ci_high")


def _study_label(s: dict) -> str:
    year = f" {s['year']}" if s.get("year") else ""
    arm = s.get("arm") or ""
    regimen = s.get("regimen") or ""
    extra = f" ({arm})" if arm and arm.lower() != regimen.lower() and len(arm) <= 22 else ""
    return f"{s['study']}{year}{extra}"


def forest_rows(analyses: Sequence[dict]) -> list[Row]:
    """Rows for one endpoint x measure: per regimen a header, its studies, excluded studies
    (grey, with the reason code) and the pooled diamond."""
    rows: list[Row] = []
    for a in analyses:
        percent = a["measure"] == "proportion"
        if not a["studies"]:  # nothing pooled: named in the footnote (`not_pooled_note`)
            continue
        rows.append(Row("header", a["regimen"]))
        for s in a["studies"]:
            est, lo, hi = study_ci(s, a["scale"], a.get("level") or 0.95)
            rows.append(Row("study", _study_label(s), est, lo, hi, weight=s.get("weight"),
                            status=s.get("status"), n=s.get("n"),
                            right=est_ci_text(est, lo, hi, percent),
                            extra=f"{s['weight']:.1f}%" if s.get("weight") is not None else ""))
        for x in a.get("excluded", []):
            rows.append(Row("study", x["study"], status=x.get("status"),
                            note=f"not pooled: {x.get('code', '')}"))
        if a["k"] >= 2 and a.get("estimate") is not None:
            het = ""
            if a["k"] >= 2:
                i2 = a.get("i2")
                het = f"; I\u00b2 = {i2:.0f}%" if i2 is not None else ""
                tau2 = a.get("tau2")
                het += f", \u03c4\u00b2 = {tau2:.3f}" if tau2 is not None else ""
            label = f"Pooled, {a['method']} (k = {a['k']}{het})"
            rows.append(Row("pooled", label, a["estimate"], a["ci_low"], a["ci_high"],
                            pi_low=a.get("pi_low"), pi_high=a.get("pi_high"),
                            right=est_ci_text(a["estimate"], a["ci_low"], a["ci_high"], percent),
                            extra="100%"))
            if a.get("pi_low") is not None:
                rows.append(Row("text", "95% prediction interval",
                                right=f"[{_fmt(a['pi_low'], percent)}, {_fmt(a['pi_high'], percent)}]"))
        rows.append(Row("text", ""))
    while rows and rows[-1].kind == "text" and not rows[-1].label:
        rows.pop()
    return rows


def not_pooled_note(analyses: Sequence[dict]) -> str:
    """A footnote naming the regimens of this plot with no poolable study."""
    names = [f"{a['regimen']} ({', '.join(sorted({x['code'] for x in a.get('excluded', [])}))})"
             for a in analyses if not a["studies"] and a.get("excluded")]
    return ("Not pooled, no usable estimate: " + "; ".join(names)) if names else ""


def cumulative_rows(analyses: Sequence[dict]) -> list[Row]:
    """Rows for the cumulative meta-analysis of each regimen with k >= 2."""
    rows: list[Row] = []
    for a in analyses:
        steps = a.get("cumulative") or []
        if a["k"] < 2 or len(steps) < 2:
            continue
        percent = a["measure"] == "proportion"
        rows.append(Row("header", a["regimen"]))
        for step in steps:
            year = f" ({step['year']})" if step.get("year") else ""
            rows.append(Row("pooled" if step is steps[-1] else "study",
                            f"+ {step['added']}{year}", step["estimate"], step["ci_low"],
                            step["ci_high"], status="cumulative",
                            right=est_ci_text(step["estimate"], step["ci_low"], step["ci_high"],
                                              percent),
                            extra=f"k = {step['k']}"))
        rows.append(Row("text", ""))
    while rows and rows[-1].kind == "text" and not rows[-1].label:
        rows.pop()
    return rows


# --- drawing ---------------------------------------------------------------------------------


def _limits(rows: Sequence[Row], spec: ForestSpec) -> tuple[float, float]:
    values = [v for r in rows for v in (r.estimate, r.ci_low, r.ci_high, r.pi_low, r.pi_high)
              if v is not None and (not spec.log_scale or v > 0)]
    if spec.ref is not None:
        values.append(spec.ref)
    if spec.percent:
        top = max([v for v in values if v is not None] or [1.0])
        return 0.0, min(1.0, math.ceil(top * 1.1 * 10) / 10)
    if not values:
        return (0.1, 10.0) if spec.log_scale else (0.0, 1.0)
    lo, hi = min(values), max(values)
    if spec.log_scale:
        # Keep the axis readable: a CI running to 0.01 is clipped and drawn with an arrow.
        centre = [v for r in rows for v in (r.estimate,) if v is not None and v > 0]
        if centre:
            lo = max(lo, min(centre) / 5)
            hi = min(hi, max(centre) * 5)
        return lo / 1.15, hi * 1.15
    pad = (hi - lo) * 0.05 or 0.5
    return lo - pad, hi + pad


LOG_TICKS = (  # finer first; the first set giving at most 8 ticks in range is used
    (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 4, 6, 9, 12, 18, 24, 36, 48),
    (0.1, 0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 96),
    (0.01, 0.1, 0.5, 1, 2, 10, 100),
    (0.001, 0.01, 0.1, 1, 10, 100, 1000),
)


def _log_ticks(lo: float, hi: float) -> list[float]:
    for candidates in LOG_TICKS:
        ticks = [t for t in candidates if lo <= t <= hi]
        if len(ticks) <= 8:
            return ticks
    return ticks


def draw_forest(rows: Sequence[Row], spec: ForestSpec) -> bytes:
    """Draw rows (see `Row`) as a forest plot and return PNG bytes."""
    n_rows = max(len(rows), 1)
    height = 1.3 + 0.26 * n_rows + 0.22 * len(spec.footnotes)
    fig = plt.figure(figsize=(11.5, height), dpi=DPI)
    top = 1 - 0.55 / height
    bottom = (0.75 + 0.22 * len(spec.footnotes)) / height
    gs = fig.add_gridspec(1, 3, width_ratios=[4.2, 4.0, 3.0], wspace=0.02, left=0.01,
                          right=0.99, top=top, bottom=bottom)
    left, ax, right = (fig.add_subplot(gs[0, i]) for i in range(3))
    ymax = n_rows + 0.5
    for a in (left, right):
        a.set_xlim(0, 1)
        a.set_ylim(0.5, ymax)
        a.axis("off")
    ax.set_ylim(0.5, ymax)
    lo, hi = _limits(rows, spec)
    if spec.log_scale:
        ax.set_xscale("log")
        ticks = _log_ticks(lo, hi)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.minorticks_off()
    elif spec.percent:
        step = 0.1 if hi <= 0.6 else 0.25
        ticks = [i * step for i in range(int(round(hi / step)) + 1)]
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{100 * t:.0f}%" for t in ticks])
    ax.set_xlim(lo, hi)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(spec.xlabel, fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    if spec.ref is not None and lo < spec.ref < hi:
        ax.axvline(spec.ref, color="#555555", lw=0.9, ls="-" if not spec.ref_label else "--",
                   zorder=1)

    fs = 8.5
    header_y = ymax + 0.05
    left.text(0.01, header_y, "Study / regimen", fontsize=fs, fontweight="bold", va="bottom")
    if any(r.n for r in rows):
        left.text(0.80, header_y, "n", fontsize=fs, fontweight="bold", va="bottom", ha="right")
    if any(r.status in STATUS_STYLE for r in rows):
        left.text(0.88, header_y, "Status", fontsize=fs - 1, fontweight="bold", va="bottom",
                  ha="center")
    right.text(0.03, header_y, "Estimate [95% CI]", fontsize=fs, fontweight="bold", va="bottom")
    right.text(0.97, header_y, spec.right_header, fontsize=fs, fontweight="bold", va="bottom", ha="right")

    # Square sizes: area proportional to weight, scaled within the plot.
    half_height = 0.28
    for i, row in enumerate(rows):
        y = n_rows - i
        if row.kind == "header":
            left.text(0.01, y, row.label, fontsize=fs + 0.5, fontweight="bold", va="center")
            continue
        indent = 0.04
        weight = "bold" if row.kind == "pooled" else "normal"
        colour = "#888888" if row.note else "black"
        left.text(indent, y, _clip(row.label, 46), fontsize=fs, va="center", fontweight=weight,
                  color=colour, style="italic" if row.kind == "text" else "normal")
        if row.n:
            left.text(0.80, y, str(row.n), fontsize=fs, va="center", ha="right")
        if row.status and row.status in STATUS_STYLE:
            face, edge, _ = STATUS_STYLE[row.status]
            left.plot([0.88], [y], marker="o", ms=5, mfc=face, mec=edge, mew=1.1, ls="none")
        if row.note:
            right.text(0.03, y, row.note, fontsize=fs - 0.5, va="center", color="#888888")
            continue
        right.text(0.03, y, row.right, fontsize=fs, va="center", fontweight=weight,
                   family="DejaVu Sans Mono")
        if row.extra:
            right.text(0.97, y, row.extra, fontsize=fs, va="center", ha="right", fontweight=weight)
        if row.estimate is None:
            continue
        if row.kind == "study":
            _ci_line(ax, y, row.ci_low, row.ci_high, lo, hi, colour="black")
            face, edge, _ = STATUS_STYLE.get(row.status or "", ("black", "black", ""))
            if row.status == "cumulative":
                ax.plot([row.estimate], [y], marker="o", ms=4.5, color="black", zorder=3)
            else:
                w = max(row.weight or 0.0, 0.0)
                size = 3 + 8 * math.sqrt(w / 100.0)
                ax.plot([row.estimate], [y], marker="s", ms=size, mfc=face, mec=edge, mew=1.0,
                        ls="none", zorder=3)
        elif row.kind == "pooled":
            if row.pi_low is not None and row.pi_high is not None:
                _ci_line(ax, y, row.pi_low, row.pi_high, lo, hi, colour=DIAMOND, ls=":", lw=1.4)
            if row.ci_low is not None and row.ci_high is not None:
                xs = [row.ci_low, row.estimate, row.ci_high, row.estimate]
                xs = [min(max(x, lo), hi) for x in xs]
                # A diamond wider than the axis is cut; arrows say so (as for CIs).
                _ci_line(ax, y, row.ci_low if row.ci_low < lo else None,
                         row.ci_high if row.ci_high > hi else None, lo, hi, colour=DIAMOND,
                         only_arrows=True)
                ax.add_patch(Polygon(list(zip(xs, [y, y + half_height, y, y - half_height],
                                              strict=True)),
                                     closed=True, fc=DIAMOND, ec=DIAMOND, zorder=4))
    handles = [plt.Line2D([], [], marker="s", ls="none", mfc=face, mec=edge, ms=7, label=text)
               for key, (face, edge, text) in STATUS_STYLE.items()
               if any(r.status == key for r in rows)]
    if any(r.kind == "pooled" for r in rows):
        handles.append(plt.Line2D([], [], marker="D", ls="none", color=DIAMOND, ms=7,
                                  label="pooled estimate, 95% CI"))
    if any(r.pi_low is not None for r in rows):
        handles.append(plt.Line2D([], [], ls=":", color=DIAMOND, lw=1.4,
                                  label="95% prediction interval"))
    if spec.ref_label:
        handles.append(plt.Line2D([], [], ls="--", color="#555555", lw=0.9, label=spec.ref_label))
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 3), fontsize=7.5,
                   frameon=False, bbox_to_anchor=(0.5, 0.0 + 0.22 * len(spec.footnotes) / height))
    for j, note in enumerate(spec.footnotes):
        fig.text(0.01, (0.05 + 0.22 * (len(spec.footnotes) - 1 - j)) / height, note, fontsize=7,
                 color="#444444")
    fig.suptitle(spec.title, x=0.01, y=1 - 0.12 / height, ha="left", va="top", fontsize=11,
                 fontweight="bold")
    return _png(fig)


def _ci_line(ax, y: float, a: float | None, b: float | None, lo: float, hi: float, *,
             colour: str, ls: str = "-", lw: float = 1.0, only_arrows: bool = False) -> None:
    if a is None and b is None:
        return
    if only_arrows:
        a = lo * 1.0001 if a is None else a
        b = hi * 0.9999 if b is None else b
    a = lo if a is None else a
    b = hi if b is None else b
    x0, x1 = max(a, lo), min(b, hi)
    if not only_arrows:
        ax.plot([x0, x1], [y, y], color=colour, lw=lw, ls=ls, zorder=2, solid_capstyle="butt")
    # An arrow where the interval runs off the axis (metafor does the same).
    if a < lo:
        ax.annotate("", xy=(lo, y), xytext=(min(lo * 1.25 if ax.get_xscale() == "log"
                                                else lo + (hi - lo) * 0.04, x1), y),
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": lw})
    if b > hi:
        ax.annotate("", xy=(hi, y), xytext=(max(hi / 1.25 if ax.get_xscale() == "log"
                                                else hi - (hi - lo) * 0.04, x0), y),
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": lw})


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


MEASURE_AXIS = {
    "median": "median {endpoint}, months (log scale)",
    "hazard_ratio": "hazard ratio for {endpoint} (log scale); < 1 favours the first regimen",
    "proportion": "{endpoint}, proportion of patients",
}


def spec_for(endpoint: str, measure: str, *, title: str, hr_threshold: float = 1.0,
             median_threshold: float | None = None) -> ForestSpec:
    """The axis, scale and reference line for one endpoint x measure."""
    xlabel = MEASURE_AXIS.get(measure, "{endpoint}").format(endpoint=endpoint)
    if measure == "hazard_ratio":
        return ForestSpec(title, xlabel, log_scale=True, ref=hr_threshold,
                          ref_label="" if hr_threshold == 1.0 else f"protocol HR threshold {hr_threshold:g}")
    if measure == "median":
        return ForestSpec(title, xlabel, log_scale=True, ref=median_threshold,
                          ref_label=(f"protocol threshold {median_threshold:g} months"
                                     if median_threshold is not None else ""))
    return ForestSpec(title, xlabel, log_scale=False, percent=True)


def forest_plot(analyses: Sequence[dict], spec: ForestSpec) -> bytes | None:
    """The forest plot of one endpoint x measure (None when nothing was pooled)."""
    rows = forest_rows(analyses)
    if not any(r.kind == "study" for r in rows):
        return None
    note = not_pooled_note(analyses)
    if note:
        spec = ForestSpec(spec.title, spec.xlabel, spec.log_scale, spec.percent, spec.ref,
                          spec.ref_label, [*spec.footnotes, *_wrap(note, 150)])
    return draw_forest(rows, spec)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


def cumulative_plot(analyses: Sequence[dict], spec: ForestSpec) -> bytes | None:
    """The cumulative meta-analysis plot (None when no regimen has k >= 2)."""
    rows = cumulative_rows(analyses)
    if not rows:
        return None
    return draw_forest(rows, ForestSpec(spec.title, spec.xlabel, spec.log_scale, spec.percent,
                                        spec.ref, spec.ref_label, spec.footnotes, "Studies"))


# --- PRISMA 2020 flow diagram -------------------------------------------------------------


def prisma_diagram(counts: dict, title: str) -> bytes:
    """PRISMA 2020 flow (new reviews / updates via databases and other sources), from the
    numbers in `counts` (see evidencebot.digest.prisma.PrismaCounts.as_dict)."""
    fig = plt.figure(figsize=(10, 7.2), dpi=DPI)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.axis("off")
    ax.text(2, 97, title, fontsize=12, fontweight="bold", va="top")

    def box(x, y, w, h, text, colour="#ffffff"):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.3", fc=colour,
                                    ec="#333333", lw=0.9))
        ax.text(x + 1, y + h - 1, text, fontsize=8, va="top", ha="left", wrap=True)

    def arrow(x0, y0, x1, y1):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 0.9})

    c = counts
    for y, h, label in ((68, 22, "Identification"), (22, 44, "Screening"), (3, 16, "Included")):
        ax.add_patch(FancyBboxPatch((0.8, y), 4.5, h, boxstyle="round,pad=0.2", fc="#cfe2f3",
                                    ec="#6d9eeb", lw=0.8))
        ax.text(3.05, y + h / 2, label, rotation=90, ha="center", va="center", fontsize=9,
                fontweight="bold")
    box(8, 74, 40, 16,
        f"Records identified from PubMed\n(searches run: {c['searches']})\n"
        f"  records retrieved: {c['identified']}\n"
        f"Other sources: seed evidence table\n  studies: {c['identified_other']}", "#fff9e6")
    box(56, 74, 40, 16,
        "Records removed before screening:\n"
        f"  duplicates (already in the database\n  or re-fetched by overlapping windows): "
        f"{c['duplicates_removed']}")
    arrow(48, 82, 56, 82)
    box(8, 55, 40, 12, f"Records screened (title/abstract): {c['screened']}\n"
                       f"Not yet screened: {c['not_screened']}")
    arrow(28, 74, 28, 67.6)
    reasons = c.get("excluded_by_reason") or {}
    lines = [f"Records excluded: {c['excluded']}"]
    for reason, n in list(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))[:6]:
        lines.append(f"  {reason}: {n}")
    if len(reasons) > 6:
        lines.append(f"  other reasons: {sum(sorted(reasons.values(), reverse=True)[6:])}")
    lines.append(f"Awaiting reviewer decision: {c['awaiting_review']}")
    box(56, 49, 40, 18, "\n".join(lines))
    arrow(48, 61, 56, 61)
    box(8, 35, 40, 10, f"Reports assessed for eligibility\n(included at screening): "
                       f"{c['reports_assessed']}")
    arrow(28, 55, 28, 45.6)
    box(56, 33, 40, 12, "Reports excluded:\n"
                        f"  no extractable outcome: {c['reports_no_data']}\n"
                        f"  retracted: {c['reports_retracted']}")
    arrow(48, 40, 56, 40)
    box(8, 4, 40, 14, f"Studies included in the pooled analyses: {c['studies_included']}\n"
                      f"  new since the last digest: {c['studies_new']}\n"
                      f"Reports of included studies: {c['reports_included']}")
    arrow(28, 35, 28, 18.6)
    box(56, 4, 40, 14, f"Studies in the previous digest: {c['studies_previous']}\n"
                       f"Studies removed (retraction, review): {c['studies_removed']}")
    arrow(56, 11, 48, 11)
    return _png(fig)
