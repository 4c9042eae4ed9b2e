"""Inverse-variance meta-analysis: pure numpy/scipy functions, no I/O, no database.

The model is the normal-normal random-effects model y_i ~ N(x_i'beta, v_i + tau^2) (the
common-effect model is tau^2 = 0). Every estimator follows the computation in R's metafor
3.8 (`rma.uni`, `confint.rma.uni`, `predict.rma`, `leave1out`, `cumul`, `regtest`) so that the
two agree to a relative 1e-6 (see tests/pool/test_metafor_agreement.py and
tests/reference/metafor/). References, by estimator:

- FE / common effect, inverse-variance weights: Hedges & Olkin (1985), ch. 6.
- DL: DerSimonian & Laird (1986), Control Clin Trials 7:177; generalised to meta-regression
  as in Raudenbush (2009), Handbook of Research Synthesis, ch. 16.
- REML: Fisher scoring as in Viechtbauer (2005), J Educ Behav Stat 30:261, started from the
  Hedges estimate, step-halving at the boundary, and metafor's `ll0check` (tau^2 = 0 when
  the likelihood there is higher).
- PM: Paule & Mandel (1982), J Res NBS 87:377 — root of the generalised Q = k - p.
- SJ: Sidik & Jonkman (2005), Stat Med 26:1964 (one step from tau0^2 = mean squared deviation).
- HE: Hedges (1983), Psychol Bull 93:388 (unweighted method of moments).
- Knapp–Hartung (HKSJ) variance and t_{k-p} reference: Hartung & Knapp (2001), Stat Med
  20:3875; Sidik & Jonkman (2002), Stat Med 21:3153. Not truncated (metafor test="knha").
- Q, I^2, H^2 (I^2 = tau^2/(tau^2 + typical v)): Higgins & Thompson (2002), Stat Med 21:1539.
- Q-profile CI for tau^2: Viechtbauer (2007), Stat Med 26:37.
- Prediction interval: Higgins, Thompson & Spiegelhalter (2009), JRSS A 172:137, with the
  same reference distribution as the CI (metafor's default; not Higgins' t_{k-2}).
- Egger's regression test (sei as moderator in the same model): Egger et al. (1997), BMJ
  315:629; metafor `regtest(model="rma", predictor="sei")`.
- Subgroup differences: Q_between on the subgroup estimates with a common-effect model
  (Borenstein et al. 2009, Introduction to Meta-Analysis, ch. 19, "separate tau^2").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy import optimize, special

METHODS = ("FE", "DL", "REML", "PM", "SJ", "HE")
TESTS = ("z", "knha")

# Iterative estimators run to this change in tau^2 (metafor's default is 1e-5; the reference
# script passes the same value so both sides are converged well below the 1e-6 test tolerance).
REML_THRESHOLD = 1e-10
REML_MAXITER = 100
ROOT_XTOL = 1e-12
TAU2_MAX = 100.0


class ConvergenceError(ArithmeticError):
    """An iterative tau^2 estimator did not converge (the caller may fall back)."""


@dataclass(frozen=True)
class Fit:
    """One fitted (meta-regression) model. Vectors have one entry per coefficient.

    beta, se, ci_low, ci_high, zval, pval: coefficients on the analysis scale (for
    intercept-only models, beta[0] is the pooled estimate); zval is a t statistic for knha.
    tau2: between-study variance (0 for FE); se_tau2 its standard error (metafor's formula).
    q, q_df, q_p: Cochran's Q (weights 1/v_i), its degrees of freedom and p value.
    i2 (percent), h2: heterogeneity as tau^2 relative to the typical within-study variance.
    s2w: the Knapp–Hartung scale factor (1 for test "z"). crit, ddf: critical value and
    t degrees of freedom (None for z). weights: percent weights 1/(v_i + tau^2).
    """

    k: int
    p: int
    method: str
    test: str
    level: float
    beta: np.ndarray
    se: np.ndarray
    zval: np.ndarray
    pval: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    tau2: float
    se_tau2: float | None
    q: float
    q_df: int
    q_p: float
    i2: float
    h2: float
    s2w: float
    crit: float
    ddf: int | None
    weights: np.ndarray
    iterations: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def estimate(self) -> float:
        return float(self.beta[0])


def _as_arrays(yi, vi, X):
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.shape != v.shape or y.size == 0:
        raise ValueError("yi and vi must be non-empty and of equal length")
    if not np.all(np.isfinite(y)) or not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError("yi must be finite and vi finite and > 0 (exclude zero-variance studies)")
    X = np.ones((y.size, 1)) if X is None else np.asarray(X, dtype=float).reshape(y.size, -1)
    return y, v, X


def _P(w: np.ndarray, X: np.ndarray) -> np.ndarray:
    """P = W - W X (X'WX)^-1 X'W: the residual-forming matrix of weighted least squares."""
    WX = X * w[:, None]
    inv = np.linalg.inv(X.T @ WX)
    return np.diag(w) - WX @ inv @ WX.T


def _qe(tau2: float, y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    """Generalised Q: y' P(tau^2) y with weights 1/(v + tau^2)."""
    w = 1.0 / (v + tau2)
    if X.shape[1] == 1:
        return float(_wls1(w, y)[2])
    P = _P(w, X)
    return float(y @ P @ y)


def _wls1(w: np.ndarray, y: np.ndarray) -> tuple[float, float, float, np.ndarray]:
    """Intercept-only weighted least squares: (sum w, mean, y'Py = sum w r^2, residuals r)."""
    W = float(w.sum())
    mu = float(w @ y) / W
    r = y - mu
    return W, mu, float(w @ (r * r)), r


def _traces1(w: np.ndarray, W: float) -> tuple[float, float]:
    """Intercept-only tr(P) and tr(PP) for P = diag(w) - w w'/W (closed forms)."""
    s2 = float(w @ w)
    return W - s2 / W, s2 - 2 * float(w @ (w * w)) / W + (s2 / W) ** 2


def _reml_ll(tau2: float, y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    w = 1.0 / (v + tau2)
    WX = X * w[:, None]
    XtWX = X.T @ WX
    beta = np.linalg.solve(XtWX, WX.T @ y)
    rss = float(np.sum(w * (y - X @ beta) ** 2))
    k, p = X.shape
    return (
        -0.5 * (k - p) * np.log(2 * np.pi)
        - 0.5 * float(np.sum(np.log(v + tau2)))
        - 0.5 * float(np.linalg.slogdet(XtWX)[1])
        - 0.5 * rss
    )


def estimate_tau2(
    yi, vi, method: str = "REML", X=None
) -> tuple[float, float | None, int]:
    """tau^2, its standard error and the iterations used, by `method` (see module docstring).

    Raises ConvergenceError when REML does not converge in REML_MAXITER steps or PM has no
    root below TAU2_MAX.
    """
    y, v, X = _as_arrays(yi, vi, X)
    k, p = X.shape
    y = y - y.mean()  # metafor centres y before estimating tau^2 (invariant when X has 1s)
    if method == "FE" or k <= p:
        return 0.0, None, 0
    if p == 1:
        return _tau2_intercept(y, v, method)
    if method == "DL":
        P = _P(1.0 / v, X)
        trP = float(np.trace(P))
        tau2 = max(0.0, (float(y @ P @ y) - (k - p)) / trP)
        se = np.sqrt((2 * (k - p) + 4 * tau2 * trP + 2 * tau2**2 * np.sum(P * P)) / trP**2)
        return tau2, float(se), 0
    if method in ("HE", "REML"):
        Pu = np.eye(k) - X @ np.linalg.inv(X.T @ X) @ X.T
        PV = Pu * v[None, :]
        trPV = float(np.trace(PV))
        he = (float(y @ Pu @ y) - trPV) / (k - p)
        if method == "HE":
            tau2 = max(0.0, he)
            se = np.sqrt(
                (2 * np.sum(PV * PV.T) + 4 * tau2 * trPV + 2 * tau2**2 * (k - p)) / (k - p) ** 2
            )
            return tau2, float(se), 0
        def step(t: float) -> float:
            P = _P(1.0 / (v + t), X)
            Py = P @ y
            return (float(Py @ Py) - float(np.trace(P))) / float(np.sum(P * P.T))

        tau2, it = _reml_iterate(max(0.0, he), step)
        if tau2 > REML_THRESHOLD and _reml_ll(0.0, y, v, X) - _reml_ll(tau2, y, v, X) > ROOT_XTOL:
            tau2 = 0.0  # metafor's ll0check: a local maximum below the value at tau^2 = 0
        P = _P(1.0 / (v + tau2), X)
        return float(tau2), float(np.sqrt(2 / np.sum(P * P))), it
    if method == "PM":
        tau2 = _paule_mandel(y, v, X)
        w = 1.0 / (v + tau2)
        return float(tau2), float(np.sqrt(2 * k**2 / (k - p) / np.sum(w) ** 2)), 0
    if method == "SJ":
        tau0 = float(np.mean(y**2))  # y is centred: var(y) (k-1)/k
        P = _P(1.0 / (v + tau0), X)
        tau2 = max(0.0, tau0 * float(y @ P @ y) / (k - p))
        PV = P * v[None, :]
        se = np.sqrt(
            tau0**2
            / (k - p) ** 2
            * (2 * np.sum(PV * PV.T) + 4 * tau2 * np.sum(PV * P) + 2 * tau2**2 * np.sum(P * P))
        )
        return tau2, float(se), 0
    raise ValueError(f"unknown tau^2 method {method!r}; choose one of {METHODS}")


def _paule_mandel(y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    """The root of the generalised Q(tau^2) = k - p on [0, TAU2_MAX]; 0 when Q(0) is below it."""
    target = X.shape[0] - X.shape[1]
    if _qe(0.0, y, v, X) < target:
        return 0.0
    if _qe(TAU2_MAX, y, v, X) > target:
        raise ConvergenceError(f"Paule–Mandel: generalised Q still above k - p at tau^2 = {TAU2_MAX:g}")
    return float(optimize.brentq(lambda t: _qe(t, y, v, X) - target, 0.0, TAU2_MAX,
                                 xtol=ROOT_XTOL, rtol=1e-15))


def _reml_iterate(tau2: float, step) -> tuple[float, int]:
    """Fisher scoring: tau^2 += step(tau^2), halved at the 0 boundary, until |step| small."""
    it = 0
    while True:
        it += 1
        if it > REML_MAXITER + 1:
            raise ConvergenceError(f"REML Fisher scoring did not converge in {REML_MAXITER} iterations")
        adj = step(tau2)
        if not np.isfinite(adj):
            adj = 0.0
        while tau2 + adj < 0:
            adj /= 2
        tau2 += adj
        if abs(adj) <= REML_THRESHOLD:
            return tau2, it


def _tau2_intercept(y: np.ndarray, v: np.ndarray, method: str) -> tuple[float, float, int]:
    """estimate_tau2 for the intercept-only model (y centred), with the traces of
    P = diag(w) - w w'/sum(w) in closed form instead of k x k matrices. Same formulas as the
    general path; tests/pool/test_metafor_agreement.py checks both against metafor."""
    k = y.size
    df = k - 1
    if method == "DL":
        w = 1.0 / v
        W, _, q, _ = _wls1(w, y)
        trP, trPP = _traces1(w, W)
        tau2 = max(0.0, (q - df) / trP)
        return tau2, float(np.sqrt((2 * df + 4 * tau2 * trP + 2 * tau2**2 * trPP) / trP**2)), 0
    if method in ("HE", "REML"):
        sv, sv2 = float(v.sum()), float(v @ v)
        trPV = sv * (1 - 1 / k)
        he = (float(y @ y) - trPV) / df  # y is centred: y'(I - J/k)y = sum y^2
        if method == "HE":
            tau2 = max(0.0, he)
            trPVPV = sv2 - 2 * sv2 / k + sv**2 / k**2
            se = np.sqrt((2 * trPVPV + 4 * tau2 * trPV + 2 * tau2**2 * df) / df**2)
            return tau2, float(se), 0

        def step(t: float) -> float:
            w = 1.0 / (v + t)
            W, _, _, r = _wls1(w, y)
            trP, trPP = _traces1(w, W)
            wr = w * r
            return (float(wr @ wr) - trP) / trPP

        tau2, it = _reml_iterate(max(0.0, he), step)
        if tau2 > REML_THRESHOLD and _reml_ll1(0.0, y, v) - _reml_ll1(tau2, y, v) > ROOT_XTOL:
            tau2 = 0.0  # metafor's ll0check: a local maximum below the value at tau^2 = 0
        w = 1.0 / (v + tau2)
        return float(tau2), float(np.sqrt(2 / _traces1(w, float(w.sum()))[1])), it
    if method == "PM":
        tau2 = _paule_mandel(y, v, np.ones((k, 1)))
        W = float(np.sum(1.0 / (v + tau2)))
        return float(tau2), float(np.sqrt(2 * k**2 / df / W**2)), 0
    if method == "SJ":
        tau0 = float(np.mean(y**2))  # y is centred: var(y) (k-1)/k
        w = 1.0 / (v + tau0)
        W, _, rss, _ = _wls1(w, y)
        tau2 = max(0.0, tau0 * rss / df)
        _, trPP = _traces1(w, W)
        a = w * v
        trPVPV = float(a @ a) - 2 * float(a @ (a * w)) / W + float(a @ w) ** 2 / W**2
        vw2 = float(v @ (w * w))
        trPVP = vw2 - 2 * float(v @ (w**3)) / W + vw2 * float(w @ w) / W**2
        se = np.sqrt(tau0**2 / df**2 * (2 * trPVPV + 4 * tau2 * trPVP + 2 * tau2**2 * trPP))
        return tau2, float(se), 0
    raise ValueError(f"unknown tau^2 method {method!r}; choose one of {METHODS}")


def _reml_ll1(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    """Restricted log-likelihood of the intercept-only model (up to metafor's constant)."""
    w = 1.0 / (v + tau2)
    W, _, rss, _ = _wls1(w, y)
    return (-0.5 * (y.size - 1) * np.log(2 * np.pi) - 0.5 * float(np.sum(np.log(v + tau2)))
            - 0.5 * np.log(W) - 0.5 * rss)


def fit(yi, vi, method: str = "REML", test: str = "z", level: float = 0.95, X=None) -> Fit:
    """Fit the model (metafor `rma(yi, vi, mods=X, method=, test=, level=)`).

    k = 1 is fitted as the study itself with a Wald CI, whatever `test` says (a t reference
    with 0 df has no CI); heterogeneity statistics are then NaN, never a fake 0.
    """
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}; use 'z' or 'knha'")
    y, v, X = _as_arrays(yi, vi, X)
    k, p = X.shape
    notes: list[str] = []
    if k == 1:
        test = "z"
        notes.append("k=1: the study's own estimate and Wald CI; nothing was pooled")
    tau2, se_tau2, iterations = estimate_tau2(y, v, method, X)
    w = 1.0 / (v + tau2)
    WX = X * w[:, None]
    vb = np.linalg.inv(X.T @ WX)
    beta = vb @ (WX.T @ y)
    s2w = 1.0
    ddf = None
    if test == "knha":
        rss = float(np.sum(w * (y - X @ beta) ** 2))
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p)
        ddf = k - p
    vb = s2w * vb
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = beta / se
    a = 1 - level
    if test == "knha":
        crit = float(special.stdtrit(ddf, 1 - a / 2))
        pval = 2 * special.stdtr(ddf, -np.abs(zval))
    else:
        crit = float(-special.ndtri(a / 2))
        pval = 2 * special.ndtr(-np.abs(zval))
    if k > p:
        yc = y - y.mean()
        if p == 1:
            W, _, q, _ = _wls1(1.0 / v, yc)
            trP = _traces1(1.0 / v, W)[0]
        else:
            P = _P(1.0 / v, X)
            q, trP = float(yc @ P @ yc), float(np.trace(P))
        q = max(0.0, q)
        q_p = float(special.chdtrc(k - p, q))
        vt = (k - p) / trP
        if method == "FE":
            i2 = max(0.0, 100 * (q - (k - p)) / q) if q > 0 else 0.0
            h2 = q / (k - p)
        else:
            i2 = 100 * tau2 / (vt + tau2)
            h2 = tau2 / vt + 1
    else:
        q = q_p = i2 = h2 = float("nan")
    return Fit(
        k=k,
        p=p,
        method=method,
        test=test,
        level=level,
        beta=beta,
        se=se,
        zval=zval,
        pval=pval,
        ci_low=beta - crit * se,
        ci_high=beta + crit * se,
        tau2=float(tau2),
        se_tau2=se_tau2,
        q=q,
        q_df=k - p,
        q_p=q_p,
        i2=i2,
        h2=h2,
        s2w=s2w,
        crit=crit,
        ddf=ddf,
        weights=100 * w / w.sum(),
        iterations=iterations,
        notes=tuple(notes),
    )


def fit_with_fallback(
    yi, vi, method: str, test: str, level: float = 0.95, fallback: str = "DL"
) -> tuple[Fit, bool]:
    """fit(), falling back to `fallback` when the estimator does not converge.

    Returns (fit, converged); the fallback fit carries a note giving the reason.
    """
    try:
        return fit(yi, vi, method, test, level), True
    except ConvergenceError as exc:
        res = fit(yi, vi, fallback, test, level)
        note = f"W307: {method} did not converge ({exc}); fell back to {fallback}"
        return replace(res, notes=res.notes + (note,)), False


def prediction_interval(res: Fit) -> tuple[float, float]:
    """metafor `predict.rma`: beta +- crit * sqrt(se^2 + tau^2) (crit as for the CI)."""
    half = res.crit * np.sqrt(res.se[0] ** 2 + res.tau2)
    return float(res.beta[0] - half), float(res.beta[0] + half)


def tau2_ci(yi, vi, level: float = 0.95) -> tuple[float, float]:
    """Q-profile CI for tau^2 (metafor `confint(res)`; intercept-only model, k >= 2).

    The bounds solve Q(tau^2) = chi^2_{k-1} quantiles; a bound is 0 when Q(0) is already
    below its quantile. Searched on [0, max(100, 10 tau^2)] like metafor.
    """
    y, v, X = _as_arrays(yi, vi, None)
    k = y.size
    if k < 2:
        raise ValueError("the Q-profile CI needs k >= 2")
    a = 1 - level
    crit_u = float(special.chdtri(k - 1, a / 2))
    crit_l = float(special.chdtri(k - 1, 1 - a / 2))
    hi = TAU2_MAX

    def q_at(t: float) -> float:
        return _qe(t, y, v, X)

    q0, qmax = q_at(0.0), q_at(hi)

    def root(target: float) -> float:
        return optimize.brentq(lambda t: q_at(t) - target, 0.0, hi, xtol=ROOT_XTOL, rtol=1e-15)

    if q0 < crit_l:
        ub = 0.0
    elif qmax > crit_l:
        ub = hi
    else:
        ub = root(crit_l)
    if qmax > crit_u:
        lb = ub = hi
    elif q0 < crit_u:
        lb = 0.0
    else:
        lb = root(crit_u)
    return float(lb), float(ub)


def leave_one_out(yi, vi, method: str, test: str, level: float = 0.95) -> list[Fit]:
    """metafor `leave1out`: the model refitted without study i, for each i (k >= 2)."""
    y, v, _ = _as_arrays(yi, vi, None)
    return fit_subsets(y, v, ~np.eye(y.size, dtype=bool), method, test, level)


def cumulative(yi, vi, method: str, test: str, level: float = 0.95) -> list[Fit]:
    """metafor `cumul`: the model on the first 1, 2, ..., k studies in the order given."""
    y, v, _ = _as_arrays(yi, vi, None)
    return fit_subsets(y, v, np.tri(y.size, dtype=bool), method, test, level)


_BATCHED_METHODS = ("FE", "DL", "HE", "REML")


def fit_subsets(y: np.ndarray, v: np.ndarray, masks: np.ndarray, method: str, test: str,
                level: float = 0.95) -> list[Fit]:
    """`fit(y[m], v[m], ...)` for every row m of the boolean matrix `masks`, the same numbers.

    Leave-one-out and cumulative analyses refit the intercept-only model once per subset; done
    one by one, numpy's per-call overhead dominates. Here all subsets with k >= 3 are fitted at
    once as rows of a matrix (studies outside a subset get weight 0), REML iterating each row
    until it converges on its own, exactly as `_reml_iterate` does. Subsets with k <= 2 and the
    root-finding estimators (PM, SJ) go through `fit` one at a time.
    """
    masks = np.asarray(masks, dtype=bool)
    sizes = masks.sum(axis=1)
    batched = (sizes >= 3) & (method in _BATCHED_METHODS)
    fits: list[Fit | None] = [None] * len(masks)
    for i in np.flatnonzero(~batched):
        fits[i] = fit(y[masks[i]], v[masks[i]], method, test, level)
    rows = np.flatnonzero(batched)
    if rows.size:
        for i, f in zip(rows, _fit_batch(y, v, masks[rows], method, test, level), strict=True):
            fits[i] = f
    return fits  # type: ignore[return-value]


def _fit_batch(y: np.ndarray, v: np.ndarray, M: np.ndarray, method: str, test: str,
               level: float) -> list[Fit]:
    """Intercept-only fits of the subsets in the rows of M (each k >= 3); see fit_subsets."""
    Mf = M.astype(float)
    k = Mf.sum(axis=1)
    df = k - 1
    Y = np.broadcast_to(y, M.shape)
    V = np.where(M, v, 1.0)                       # 1.0 keeps 1/V finite outside a subset
    yc = np.where(M, Y - (Mf @ y / k)[:, None], 0.0)   # centred within each subset
    iterations = np.zeros(len(M), dtype=int)

    def sums(t: np.ndarray):
        w = Mf / (V + t[:, None])
        W = w.sum(axis=1)
        s2 = (w * w).sum(axis=1)
        return w, W, s2

    if method == "FE":
        tau2 = np.zeros(len(M))
        se_tau2: list[float | None] = [None] * len(M)
    elif method == "DL":
        w, W, s2 = sums(np.zeros(len(M)))
        mu = (w * yc).sum(axis=1) / W
        q = (w * (yc - mu[:, None]) ** 2).sum(axis=1)
        trP = W - s2 / W
        trPP = s2 - 2 * (w**3).sum(axis=1) / W + (s2 / W) ** 2
        tau2 = np.maximum(0.0, (q - df) / trP)
        se_tau2 = list(np.sqrt((2 * df + 4 * tau2 * trP + 2 * tau2**2 * trPP) / trP**2))
    else:
        sv = np.where(M, v, 0.0).sum(axis=1)
        he = ((yc * yc).sum(axis=1) - sv * (1 - 1 / k)) / df
        if method == "HE":
            sv2 = np.where(M, v * v, 0.0).sum(axis=1)
            tau2 = np.maximum(0.0, he)
            trPVPV = sv2 - 2 * sv2 / k + sv**2 / k**2
            trPV = sv * (1 - 1 / k)
            se_tau2 = list(np.sqrt((2 * trPVPV + 4 * tau2 * trPV + 2 * tau2**2 * df) / df**2))
        else:
            tau2, iterations = _reml_batch(yc, Mf, V, np.maximum(0.0, he))
            w, W, s2 = sums(tau2)
            trPP = s2 - 2 * (w**3).sum(axis=1) / W + (s2 / W) ** 2
            se_tau2 = list(np.sqrt(2 / trPP))

    w, W, _ = sums(tau2)
    beta = (w * Y).sum(axis=1) / W
    vb = 1 / W
    s2w = np.ones(len(M))
    if test == "knha":
        rss = (w * (Y - beta[:, None]) ** 2).sum(axis=1)
        s2w = np.where(rss <= np.finfo(float).eps, 0.0, rss / df)
    se = np.sqrt(s2w * vb)
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = beta / se
    a = 1 - level
    if test == "knha":
        crit = special.stdtrit(df, 1 - a / 2)
        pval = 2 * special.stdtr(df, -np.abs(zval))
    else:
        crit = np.full(len(M), -special.ndtri(a / 2))
        pval = 2 * special.ndtr(-np.abs(zval))
    w0 = Mf / V
    W0 = w0.sum(axis=1)
    mu0 = (w0 * yc).sum(axis=1) / W0
    q = np.maximum(0.0, (w0 * (yc - mu0[:, None]) ** 2).sum(axis=1))
    q_p = special.chdtrc(df, q)
    trP0 = W0 - (w0 * w0).sum(axis=1) / W0
    vt = df / trP0
    if method == "FE":
        i2 = np.where(q > 0, np.maximum(0.0, 100 * (q - df) / np.where(q > 0, q, 1)), 0.0)
        h2 = q / df
    else:
        i2 = 100 * tau2 / (vt + tau2)
        h2 = tau2 / vt + 1
    out = []
    for r in range(len(M)):
        wr = w[r][M[r]]
        out.append(Fit(
            k=int(k[r]), p=1, method=method, test=test, level=level,
            beta=beta[r:r + 1], se=se[r:r + 1], zval=zval[r:r + 1], pval=pval[r:r + 1],
            ci_low=beta[r:r + 1] - crit[r] * se[r:r + 1],
            ci_high=beta[r:r + 1] + crit[r] * se[r:r + 1],
            tau2=float(tau2[r]), se_tau2=None if se_tau2[r] is None else float(se_tau2[r]),
            q=float(q[r]), q_df=int(df[r]), q_p=float(q_p[r]), i2=float(i2[r]), h2=float(h2[r]),
            s2w=float(s2w[r]), crit=float(crit[r]), ddf=int(df[r]) if test == "knha" else None,
            weights=100 * wr / wr.sum(), iterations=int(iterations[r]),
        ))
    return out


def _reml_batch(yc: np.ndarray, Mf: np.ndarray, V: np.ndarray,
                start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_reml_iterate` with the intercept-only step, for every row at once; a row stops
    changing as soon as its own step is below REML_THRESHOLD, as it would alone."""
    tau2 = start.copy()
    active = np.ones(len(tau2), dtype=bool)
    iterations = np.zeros(len(tau2), dtype=int)
    while active.any():
        if iterations.max() > REML_MAXITER:
            raise ConvergenceError(f"REML Fisher scoring did not converge in {REML_MAXITER} iterations")
        rows = np.flatnonzero(active)
        iterations[rows] += 1
        t = tau2[rows]
        w = Mf[rows] / (V[rows] + t[:, None])
        W = w.sum(axis=1)
        s2 = (w * w).sum(axis=1)
        mu = (w * yc[rows]).sum(axis=1) / W
        wr = w * (yc[rows] - mu[:, None])
        trP = W - s2 / W
        trPP = s2 - 2 * (w**3).sum(axis=1) / W + (s2 / W) ** 2
        adj = ((wr * wr).sum(axis=1) - trP) / trPP
        adj = np.where(np.isfinite(adj), adj, 0.0)
        for j in np.flatnonzero(t + adj < 0):   # step-halving at the boundary, as alone
            tj, aj = float(t[j]), float(adj[j])
            while tj + aj < 0:
                aj /= 2
            adj[j] = aj
        tau2[rows] = t + adj
        active[rows[np.abs(adj) <= REML_THRESHOLD]] = False
    # metafor's ll0check: tau^2 = 0 when the restricted likelihood is higher there.
    check = tau2 > REML_THRESHOLD
    if check.any():
        ll0 = _reml_ll_rows(np.zeros(len(tau2)), yc, Mf, V)
        lltau = _reml_ll_rows(tau2, yc, Mf, V)
        tau2[check & (ll0 - lltau > ROOT_XTOL)] = 0.0
    return tau2, iterations


def _reml_ll_rows(tau2: np.ndarray, yc: np.ndarray, Mf: np.ndarray, V: np.ndarray) -> np.ndarray:
    """`_reml_ll1` for every row (subset) at once."""
    w = Mf / (V + tau2[:, None])
    W = w.sum(axis=1)
    mu = (w * yc).sum(axis=1) / W
    rss = (w * (yc - mu[:, None]) ** 2).sum(axis=1)
    k = Mf.sum(axis=1)
    return (-0.5 * (k - 1) * np.log(2 * np.pi) - 0.5 * (Mf * np.log(V + tau2[:, None])).sum(axis=1)
            - 0.5 * np.log(W) - 0.5 * rss)


@dataclass(frozen=True)
class EggerTest:
    """Egger's regression test: slope on sei (zval is t for knha), its p value, and the
    limit estimate (intercept: the effect as sei -> 0) with its CI."""

    zval: float
    pval: float
    ddf: int | None
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float


def egger_test(yi, vi, method: str, test: str, level: float = 0.95) -> EggerTest:
    """metafor `regtest(rma(yi, vi, method=, test=))`: sei added as a moderator."""
    y, v, _ = _as_arrays(yi, vi, None)
    if y.size < 3:
        raise ValueError("Egger's test needs k >= 3 (the product runs it only for k >= 10)")
    X = np.column_stack([np.ones_like(y), np.sqrt(v)])
    res = fit(y, v, method, test, level, X=X)
    return EggerTest(
        zval=float(res.zval[1]),
        pval=float(res.pval[1]),
        ddf=res.ddf,
        limit_estimate=float(res.beta[0]),
        limit_ci_low=float(res.ci_low[0]),
        limit_ci_high=float(res.ci_high[0]),
    )


@dataclass(frozen=True)
class SubgroupTest:
    """Test for subgroup differences: Q_between on df = groups - 1, and its p value."""

    q_between: float
    df: int
    p: float


def subgroup_test(estimates, ses) -> SubgroupTest:
    """Q_between of subgroup estimates (metafor: `rma(est, sei=se, method="FE")$QE`)."""
    est = np.asarray(estimates, dtype=float)
    se = np.asarray(ses, dtype=float)
    if est.size < 2:
        raise ValueError("a subgroup test needs at least two subgroups")
    w = 1.0 / se**2
    mu = np.sum(w * est) / np.sum(w)
    q = float(np.sum(w * (est - mu) ** 2))
    return SubgroupTest(q_between=q, df=est.size - 1, p=float(special.chdtrc(est.size - 1, q)))
