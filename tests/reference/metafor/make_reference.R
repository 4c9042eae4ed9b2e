# Reference values for evidencebot's pooling engine, computed with R metafor.
#
# Usage (from the repository root):
#   Rscript tests/reference/metafor/make_reference.R [OUTPUT.json]
# Default output: tests/reference/metafor/reference.json (the stored copy the tests read).
# tests/pool/test_metafor_agreement.py re-runs this script live (pytest -m r) and compares.
#
# Input: tests/reference/metafor/datasets.csv (one row per study; `kind` says how yi/vi are
# computed, `level` is the confidence level of the results). Effect sizes are computed here
# independently of the Python code:
#   hr, median_log : yi = log(value), sei = (log(ci_high) - log(ci_low)) / (2 qnorm((1+ci_level)/2))
#   median_raw     : yi = value,      sei = (ci_high - ci_low) / (2 qnorm((1+ci_level)/2))
#   prop_logit     : escalc(measure = "PLO", xi = events, ni = n)
#   prop_pft       : escalc(measure = "PFT", xi = events, ni = n)
# For every dataset, method in FE, DL, REML, PM, SJ, HE and test in z, knha (k = 1: z only):
#   res <- rma(yi, vi, method = method, test = test, level = 100 * level, control = CONTROL)
#   predict(res) (with transf.ilogit / transf.ipft.hm for proportions), confint(res) for the
#   Q-profile CI of tau^2 (random-effects methods, k >= 2), leave1out(res) and
#   cumul(res, order = year) (k >= 3), regtest(res) (k >= 5).
# No JSON package is needed: the writer below is base R. Numbers are written with 17
# significant digits so nothing is lost in the round trip.

suppressPackageStartupMessages(library(metafor))

CONTROL <- list(threshold = 1e-10, tol = 1e-12, maxiter = 100)
QP_CONTROL <- list(tol = 1e-12)
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "tests/reference/metafor/reference.json"
dat <- read.csv("tests/reference/metafor/datasets.csv", stringsAsFactors = FALSE)

to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      items <- mapply(function(k, v) paste0("\"", k, "\": ", to_json(v)), names(x), x)
      return(paste0("{", paste(items, collapse = ", "), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ", "), "]"))
  }
  if (is.character(x)) {
    s <- paste0("\"", gsub("\"", "\\\\\"", x), "\"")
  } else if (is.logical(x)) {
    s <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    s <- ifelse(is.na(x) | !is.finite(x), "null", sprintf("%.17g", x))
  }
  if (length(x) == 1 && is.null(attr(x, "as_array"))) return(s)
  paste0("[", paste(s, collapse = ", "), "]")
}
arr <- function(x) { x <- as.numeric(x); attr(x, "as_array") <- TRUE; x }

effect_sizes <- function(d) {
  kind <- d$kind[1]
  z <- qnorm((1 + d$ci_level) / 2)
  if (kind %in% c("hr", "median_log")) {
    return(list(yi = log(d$value), vi = ((log(d$ci_high) - log(d$ci_low)) / (2 * z))^2))
  }
  if (kind == "median_raw") {
    return(list(yi = d$value, vi = ((d$ci_high - d$ci_low) / (2 * z))^2))
  }
  measure <- if (kind == "prop_logit") "PLO" else "PFT"
  es <- escalc(measure = measure, xi = d$events, ni = d$n)
  list(yi = as.numeric(es$yi), vi = as.numeric(es$vi))
}

one_fit <- function(d, es, method, test, level) {
  k <- length(es$yi)
  res <- rma(es$yi, es$vi, method = method, test = test, level = 100 * level, control = CONTROL)
  pr <- predict(res)
  r <- list(
    method = method, test = test, level = level, k = k,
    estimate = as.numeric(res$beta), se = res$se, zval = res$zval, pval = res$pval,
    ci_lb = res$ci.lb, ci_ub = res$ci.ub, tau2 = res$tau2, se_tau2 = res$se.tau2,
    QE = res$QE, QEp = res$QEp, I2 = res$I2, H2 = res$H2,
    pi_lb = if (is.null(pr$pi.lb)) NA else as.numeric(pr$pi.lb),
    pi_ub = if (is.null(pr$pi.ub)) NA else as.numeric(pr$pi.ub)
  )  # predict() gives no prediction interval for FE models: written as null
  kind <- d$kind[1]
  if (kind %in% c("prop_logit", "prop_pft")) {
    tr <- if (kind == "prop_logit") predict(res, transf = transf.ilogit)
          else predict(res, transf = transf.ipft.hm, targs = list(ni = d$n))
    r$back <- list(pred = as.numeric(tr$pred), ci_lb = as.numeric(tr$ci.lb),
                   ci_ub = as.numeric(tr$ci.ub),
                   pi_lb = if (is.null(tr$pi.lb)) NA else as.numeric(tr$pi.lb),
                   pi_ub = if (is.null(tr$pi.ub)) NA else as.numeric(tr$pi.ub))
  }
  if (method != "FE" && k >= 2) {
    ci <- confint(res, control = QP_CONTROL)
    r$tau2_lb <- ci$random["tau^2", "ci.lb"]
    r$tau2_ub <- ci$random["tau^2", "ci.ub"]
  }
  if (k >= 3) {
    l1 <- leave1out(res)
    r$leave1out <- list(estimate = arr(l1$estimate), se = arr(l1$se), ci_lb = arr(l1$ci.lb),
                        ci_ub = arr(l1$ci.ub), tau2 = arr(l1$tau2), Q = arr(l1$Q),
                        I2 = arr(l1$I2))
    cu <- cumul(res, order = d$year)
    r$cumul <- list(estimate = arr(cu$estimate), se = arr(cu$se), ci_lb = arr(cu$ci.lb),
                    ci_ub = arr(cu$ci.ub), tau2 = arr(cu$tau2), I2 = arr(cu$I2))
  }
  if (k >= 5) {
    rt <- regtest(res)
    r$regtest <- list(zval = rt$zval, pval = rt$pval, est = as.numeric(rt$est),
                      ci_lb = as.numeric(rt$ci.lb), ci_ub = as.numeric(rt$ci.ub))
  }
  r
}

datasets <- list()
for (name in unique(dat$dataset)) {
  d <- dat[dat$dataset == name, ]
  es <- effect_sizes(d)
  level <- d$level[1]
  fits <- list()
  tests <- if (nrow(d) == 1) c("z") else c("z", "knha")
  for (method in c("FE", "DL", "REML", "PM", "SJ", "HE")) {
    for (test in tests) {
      fits[[length(fits) + 1]] <- suppressWarnings(one_fit(d, es, method, test, level))
    }
  }
  datasets[[name]] <- list(yi = arr(es$yi), vi = arr(es$vi), fits = fits)
}

provenance <- list(
  generated_by = "tests/reference/metafor/make_reference.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  control = "rma(..., control = list(threshold = 1e-10, tol = 1e-12, maxiter = 100)); confint(res, control = list(tol = 1e-12))",
  calls = "rma(yi, vi, method, test, level); predict(res); confint(res); leave1out(res); cumul(res, order = year); regtest(res)"
)
writeLines(to_json(list(provenance = provenance, datasets = datasets)), out)
cat("wrote", out, "\n")
