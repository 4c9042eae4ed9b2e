"""The `evidencebot` command line: each command opens what it needs, makes one call into the
library, and turns an EvidencebotError into `Error: <message>` with exit status 1."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from evidencebot import __version__
from evidencebot.errors import EvidencebotError


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Expected failures become one clear line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EvidencebotError as exc:
            from evidencebot.redact import redact

            click.echo(f"Error: {redact(str(exc))}", err=True)
            sys.exit(1)

    return wrapper


db_option = click.option(
    "--db",
    "db_path",
    envvar="EVIDENCEBOT_DB",
    default="db/evidence.db",
    show_default=True,
    help="Evidence database (also $EVIDENCEBOT_DB).",
)
protocol_option = click.option(
    "--protocol",
    "protocol_path",
    envvar="EVIDENCEBOT_PROTOCOL",
    default="evidencebot.toml",
    show_default=True,
    help="Review protocol file (also $EVIDENCEBOT_PROTOCOL).",
)
eutils_option = click.option(
    "--eutils-url",
    envvar="EVIDENCEBOT_EUTILS_URL",
    default=None,
    help="E-utilities base URL (also $EVIDENCEBOT_EUTILS_URL); default: NCBI.",
)


@click.group()
@click.version_option(__version__, prog_name="evidencebot")
def main() -> None:
    """evidencebot: a living systematic review of second-line therapy in advanced biliary
    tract cancer. Crawl PubMed, screen, extract, pool, review and digest."""
    from evidencebot.redact import configure_logging

    configure_logging()   # every command logs to stderr through the one redactor


# --- stage commands are added below, one block per stage -----------------------------


today_option = click.option(
    "--today",
    envvar="EVIDENCEBOT_TODAY",
    default=None,
    help="Crawl up to this PubMed entry date (YYYY-MM-DD; also $EVIDENCEBOT_TODAY); default: today.",
)


@main.command()
@db_option
@protocol_option
@eutils_option
@today_option
@handle_errors
def crawl(db_path: str, protocol_path: str, eutils_url: str | None, today: str | None) -> None:
    """Fetch the PubMed records added since the last completed crawl window."""
    from evidencebot import crawl as crawl_stage
    from evidencebot.protocol import api_key, load_protocol
    from evidencebot.protocol import eutils_url as resolve_url
    from evidencebot.store import open_db, run_lock

    protocol = load_protocol(protocol_path)
    client = crawl_stage.client_for(protocol, resolve_url(eutils_url), api_key())
    with run_lock(db_path):
        summary = crawl_stage.crawl(open_db(db_path), client, protocol, crawl_stage.today_from(today))
    click.echo(crawl_stage.describe(summary))


@main.group()
def corpus() -> None:
    """The labelled corpus of abstracts written by us (screening, extraction gold, sandbox)."""


@corpus.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@handle_errors
def corpus_check(files: tuple[str, ...]) -> None:
    """Validate corpus files (default: all of corpus/abstracts/)."""
    from pathlib import Path

    from evidencebot import corpus as corpus_mod

    paths = [Path(f) for f in files] or None
    problems = corpus_mod.check(paths)
    for line in problems:
        click.echo(line)
    click.echo(f"{len(corpus_mod.load_raw(paths))} entries, {len(problems)} problems")
    sys.exit(1 if problems else 0)


@corpus.command("build-sandbox")
@click.option("--out", default="corpus/sandbox/demo.xml", show_default=True,
              help="PubMed XML file the sandbox serves.")
@handle_errors
def corpus_build_sandbox(out: str) -> None:
    """Write every corpus entry as PubMed XML for the demo sandbox."""
    from pathlib import Path

    from evidencebot import corpus as corpus_mod

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = corpus_mod.load_entries()
    path.write_bytes(corpus_mod.entries_to_pubmed_xml(entries))
    click.echo(f"wrote {len(entries)} records to {path}")


@main.command("run")
@db_option
@protocol_option
@eutils_option
@today_option
@click.option("--digest-dir", type=click.Path(file_okay=False), default=None,
              help="Write a digest of what changed into this folder.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 = nothing new, 2 = the database changed, 1 = failed.")
@click.option("--sandbox-if-offline", is_flag=True,
              help="If NCBI cannot be reached, run against the bundled sandbox (db/sandbox.db).")
@click.pass_context
@handle_errors
def run_command(ctx: click.Context, db_path: str, protocol_path: str, eutils_url: str | None,
                today: str | None, digest_dir: str | None, detailed_exitcode: bool,
                sandbox_if_offline: bool) -> None:
    """Run the whole update: crawl, screen, extract, pool, digest."""
    from pathlib import Path

    from evidencebot import pipeline
    from evidencebot.crawl import today_from
    from evidencebot.protocol import api_key, load_protocol

    tty = sys.stderr.isatty()
    report = pipeline.main_job(
        db_path=Path(db_path), protocol=load_protocol(protocol_path), eutils_url=eutils_url,
        api_key=api_key(), today=today_from(today),
        digest_dir=Path(digest_dir) if digest_dir else None,
        sandbox_if_offline=sandbox_if_offline,
        db_is_default=ctx.get_parameter_source("db_path") == click.core.ParameterSource.DEFAULT,
        progress=lambda m: click.echo(click.style(m, dim=True) if tty else m, err=True),
    )
    click.echo("\n".join(report.lines()))
    if detailed_exitcode and report.database_changed:
        sys.exit(2)


# --- sandbox: a local PubMed E-utilities server ------------------------------------------


@main.group()
def sandbox() -> None:
    """A local PubMed: E-utilities over PubMed XML files, for tests and demos."""


@sandbox.command("serve")
@click.option("--corpus", "corpus_paths", multiple=True, required=True,
              help="PubMed XML file or directory of them (repeatable).")
@click.option("--port", default=8765, show_default=True, type=int, help="Port; 0 = any free.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host.")
@click.option("--today", default=None, help="The sandbox's date, YYYY/MM/DD (default: today).")
@click.option("--fail-rate", default=0.0, show_default=True, help="Share of requests that fail.")
@click.option("--fail-status", default=503, show_default=True,
              type=click.Choice(["429", "500", "502", "503"]), help="Status of a failure.")
@click.option("--delay", default=0.0, show_default=True, help="Seconds before each answer.")
@click.option("--truncate-rate", default=0.0, show_default=True,
              help="Share of answers cut off mid-body.")
@click.option("--malformed-rate", default=0.0, show_default=True,
              help="Share of 200 answers with broken XML.")
@click.option("--error200-rate", default=0.0, show_default=True,
              help="Share of 200 answers carrying <ERROR>API rate limit exceeded</ERROR>.")
@click.option("--rate-limit", default=3.0, show_default=True,
              help="Requests/s per client without api_key (with one: 10/s); 0 = off.")
@click.option("--seed", default=None, type=int, help="Seed for the random faults.")
@click.option("--max-ids", default=9999, show_default=True, help="PubMed's esearch cap.")
@handle_errors
def sandbox_serve(corpus_paths: tuple[str, ...], port: int, host: str, allow_remote: bool,
                  today: str | None, fail_rate: float, fail_status: str, delay: float,
                  truncate_rate: float, malformed_rate: float, error200_rate: float,
                  rate_limit: float, seed: int | None, max_ids: int) -> None:
    """Serve PubMed E-utilities (esearch, efetch, esummary, einfo) until Ctrl-C."""
    from evidencebot import sandbox as sb

    config = sb.SandboxConfig(
        today=today, fail_rate=fail_rate, fail_status=int(fail_status), delay=delay,
        truncate_rate=truncate_rate, malformed_rate=malformed_rate, error200_rate=error200_rate,
        rate_limit=rate_limit, rate_limit_with_key=10.0 if rate_limit else 0.0, seed=seed,
        max_ids=max_ids, allow_remote=allow_remote,
    )
    server = sb.make_server(corpus_paths, host=host, port=port, config=config)
    click.echo(f"Sandbox: {len(server.corpus)} records at {server.url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Sandbox stopped.")
    finally:
        server.server_close()


@main.command("seed")
@click.argument("path", type=click.Path(dir_okay=False))
@db_option
@handle_errors
def seed_command(path: str, db_path: str) -> None:
    """Load a baseline evidence CSV (format of db/seed_outcomes.csv) as seed rows."""
    from evidencebot.seed import load_seed
    from evidencebot.store import open_db, run_lock

    with run_lock(db_path):
        added = load_seed(open_db(db_path), path)
    click.echo(f"Seed: {added} rows loaded from {path}" + ("" if added else " (already loaded)"))


@main.command("pool")
@db_option
@protocol_option
@click.option("--json", "as_json", is_flag=True, help="Print the newest snapshot as JSON.")
@handle_errors
def pool_command(db_path: str, protocol_path: str, as_json: bool) -> None:
    """Re-pool every configured analysis; store a snapshot when the evidence changed."""
    import json

    from evidencebot.pool import stage
    from evidencebot.protocol import load_protocol
    from evidencebot.store import open_db, run_lock

    with run_lock(db_path):
        db = open_db(db_path)
        outcome = stage.run(db, load_protocol(protocol_path))
    if as_json:
        click.echo(json.dumps(stage.snapshot_document(db), indent=1, default=str))
    elif outcome.snapshot_id is None:
        click.echo("Pool: no evidence to pool (load the seed with `evidencebot seed`).")
    else:
        state = "created" if outcome.created else "unchanged; current"
        click.echo(f"Pool: snapshot {outcome.snapshot_id} {state}, {len(outcome.analyses)} analyses")
        for change in outcome.changes:
            click.echo(f"  {change}")


# --- screen: train, screen, annotate (evidencebot.screen) ---------------------------------


@main.command("train")
@click.option("--with-reviews", is_flag=True,
              help="Also learn from every reviewer decision in the database.")
@db_option
@protocol_option
@click.option("--out", default="models/screen", show_default=True,
              help="Folder for the model, its metadata and MODEL_CARD.md.")
@handle_errors
def train_command(with_reviews: bool, db_path: str, protocol_path: str, out: str) -> None:
    """Rebuild the screening model from the corpus (fixed seeds), choose its thresholds on
    cross-validation and report the held-out test split."""
    from evidencebot.protocol import load_protocol
    from evidencebot.screen.train import train
    from evidencebot.store import open_db

    db = open_db(db_path) if with_reviews else None
    result = train(out, settings=load_protocol(protocol_path).screen, db=db)
    test = result.metadata.get("test_metrics", {}).get("as_indexed", {})
    click.echo(f"Train: {result.metadata['model_version']} from {result.metadata['n_training_records']} "
               f"records; thresholds {result.metadata['thresholds']}")
    if test:
        click.echo(f"Test split: recall {test['recall']:.3f}, review {test['review_fraction']:.3f}, "
                   f"WSS@95 {test['wss_at_95']:.3f}, AUC {test['roc_auc']:.3f}")
    for path in result.paths:
        click.echo(f"  wrote {path}")


@main.command("screen")
@db_option
@protocol_option
@handle_errors
def screen_command(db_path: str, protocol_path: str) -> None:
    """Screen every new or changed record: include, exclude or send to review."""
    from evidencebot.protocol import load_protocol
    from evidencebot.screen import stage
    from evidencebot.store import open_db, run_lock

    protocol = load_protocol(protocol_path)
    with run_lock(db_path):
        outcome = stage.run(open_db(db_path), protocol)
    click.echo(f"Screen: {outcome.summary()}")


@main.command("annotate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@protocol_option
@click.option("--model", default=None, help="Screening model folder (default: the protocol's).")
@handle_errors
def annotate_command(file: str, protocol_path: str, model: str | None) -> None:
    """Print one JSON object per article of a PubMed XML file: screening decision, outcomes
    and hazard ratios."""
    import json
    from pathlib import Path

    from evidencebot.protocol import load_protocol
    from evidencebot.screen import load_screener
    from evidencebot.screen.annotate import annotate_xml

    protocol = load_protocol(protocol_path)
    screener = load_screener(model or protocol.screen.model)
    for item in annotate_xml(Path(file).read_bytes(), protocol, screener):
        click.echo(json.dumps(item, ensure_ascii=False, default=str))


@corpus.command("split")
@handle_errors
def corpus_split() -> None:
    """Write corpus/splits.yaml: new entries get a split; existing ones never move."""
    from evidencebot.screen.splits import SPLITS_PATH, update_splits

    splits, added = update_splits()
    counts = {name: list(splits.values()).count(name) for name in ("train", "dev", "test")}
    click.echo(f"Splits: {added} entries added to {SPLITS_PATH} ({counts})")


@main.command("extract")
@db_option
@protocol_option
@handle_errors
def extract_command(db_path: str, protocol_path: str) -> None:
    """Extract survival outcomes, hazard ratios and grade >=3 toxicities from included and
    to-review records into the evidence table (status 'machine'; verified rows are kept)."""
    from evidencebot.extract import stage
    from evidencebot.protocol import load_protocol
    from evidencebot.store import open_db, run_lock

    protocol = load_protocol(protocol_path)
    with run_lock(db_path):
        outcome = stage.run(open_db(db_path), protocol)
    click.echo(f"Extract: {outcome.summary()}")


@main.command("eval-extract")
@click.option("--split", type=click.Choice(["train", "dev", "test", "train+dev"]), default="dev",
              show_default=True, help="Corpus split to score on.")
@click.option("--errors", is_flag=True, help="Also print every missed and spurious number.")
@click.option("--file", "files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Score on these gold files instead of a split (e.g. corpus/extraction/challenge.yaml).")
@protocol_option
@handle_errors
def eval_extract_command(split: str, errors: bool, files: tuple[str, ...], protocol_path: str) -> None:
    """Score the extractor on the gold corpus: per-field precision/recall and tuple F1."""
    from pathlib import Path

    from evidencebot.corpus import entries_by_split, load_entries
    from evidencebot.extract.score import score
    from evidencebot.protocol import load_protocol

    protocol = load_protocol(protocol_path)
    if files:
        entries, split = load_entries([Path(f) for f in files]), ", ".join(files)
    else:
        entries = [e for name in split.split("+") for e in entries_by_split(name)]
    report = score(entries, protocol)
    click.echo(f"split: {split}")
    for line in report.lines() + (report.errors if errors else []):
        click.echo(line)


# --- review: the queue, the local review page, decisions as files (evidencebot.review) -------


def _reviewer_default() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reviewer"


reviewer_option = click.option(
    "--reviewer", envvar="EVIDENCEBOT_REVIEWER", default=_reviewer_default,
    help="Who decides (also $EVIDENCEBOT_REVIEWER); default: the OS user name.",
)


@main.group()
def review() -> None:
    """Settle what the bot is unsure of: the queue, a local review page, decisions as files."""


@review.command("list")
@db_option
@click.option("--kind", type=click.Choice(["screen", "extraction", "duplicate", "retraction"]),
              default=None, help="Only this kind of flag.")
@click.option("--limit", default=50, show_default=True, help="Show at most this many records.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per record.")
@handle_errors
def review_list(db_path: str, kind: str | None, limit: int, as_json: bool) -> None:
    """The review queue, most important first, with counts and progress."""
    from evidencebot.review import cli_text
    from evidencebot.review.queue import build_queue
    from evidencebot.store import open_db

    click.echo(cli_text.queue_lines(build_queue(open_db(db_path), kind), limit, as_json))


@review.command("show")
@click.argument("pmid")
@db_option
@handle_errors
def review_show(pmid: str, db_path: str) -> None:
    """One record: screening, flags and its extracted values (with row ids)."""
    from evidencebot.review import cli_text
    from evidencebot.review.view import record_page
    from evidencebot.store import open_db

    click.echo(cli_text.record_lines(record_page(open_db(db_path), pmid)))


@review.command("decide")
@click.argument("pmid")
@click.argument("decision", type=click.Choice(["include", "exclude", "unsure"]))
@click.option("--reason", default=None, help="PRISMA exclusion reason (required to exclude).")
@click.option("--note", default=None, help="A note kept with the record.")
@reviewer_option
@db_option
@protocol_option
@handle_errors
def review_decide(pmid: str, decision: str, reason: str | None, note: str | None, reviewer: str,
                  db_path: str, protocol_path: str) -> None:
    """Include, exclude (with --reason) or mark a record unsure; then re-pool."""
    from evidencebot.protocol import load_protocol
    from evidencebot.review import cli_text, decisions
    from evidencebot.store import open_db, run_lock

    ops: list = [decisions.Decide(pmid, decision, reason)]
    if note:
        ops.append(decisions.Note(pmid, note))
    protocol = load_protocol(protocol_path)
    with run_lock(db_path):
        db = open_db(db_path)
        result = decisions.apply(db, ops, reviewer, "cli", protocol, pmid=pmid)
    click.echo(cli_text.save_lines(result, db=db))


@review.command("export")
@db_option
@click.option("--out", default="-", show_default=True, help="File to write (- = stdout).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default=None,
              help="Default: from --out's extension, else yaml.")
@handle_errors
def review_export(db_path: str, out: str, fmt: str | None) -> None:
    """Write every reviewer decision as YAML or CSV (for a pull request)."""
    from pathlib import Path

    from evidencebot.review import exchange
    from evidencebot.store import open_db

    fmt = fmt or ("yaml" if out == "-" else exchange.format_for(out))
    entries = exchange.export_entries(open_db(db_path))
    text = exchange.dumps(entries, fmt)
    if out == "-":
        click.echo(text, nl=False)
    else:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Export: {len(entries)} decisions written to {out}", err=True)


@review.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default=None,
              help="Default: from the file's extension.")
@reviewer_option
@db_option
@protocol_option
@handle_errors
def review_import(path: str, fmt: str | None, reviewer: str, db_path: str, protocol_path: str) -> None:
    """Apply a decisions file (all or nothing; importing twice changes nothing); then re-pool."""
    from pathlib import Path

    from evidencebot.protocol import load_protocol
    from evidencebot.review import cli_text, exchange
    from evidencebot.store import open_db, run_lock

    entries = exchange.loads(Path(path).read_text(encoding="utf-8"), exchange.format_for(path, fmt), path)
    protocol = load_protocol(protocol_path)
    with run_lock(db_path):
        db = open_db(db_path)
        result = exchange.import_entries(db, entries, reviewer, protocol)
    click.echo(cli_text.save_lines(result, f"Import: {len(entries)} decisions in {path}", db=db))


@review.command("serve")
@db_option
@protocol_option
@reviewer_option
@click.option("--port", default=8000, show_default=True, type=int, help="Port; 0 = any free.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host (no login: beware).")
@handle_errors
def review_serve(db_path: str, protocol_path: str, reviewer: str, port: int, host: str,
                 allow_remote: bool) -> None:
    """Serve the review page (queue at /) until Ctrl-C."""
    from evidencebot.protocol import load_protocol
    from evidencebot.review import web

    if not web.is_loopback(host) and not allow_remote:
        raise web.ReviewError(f"--host {host} is not a loopback address; pass --allow-remote to "
                              "serve other machines (anyone who can reach it can change the review)")
    if not web.is_loopback(host):
        click.echo(f"Warning: serving on {host} — anyone who can reach this address can change the "
                   "review; there is no login.", err=True)
    app = web.create_app(db_path, load_protocol(protocol_path), reviewer, allow_remote=allow_remote)
    server = web.make_server(app, host, port)
    click.echo(f"Review: http://{host}:{server.port}/ as {app.config['REVIEWER']} (Ctrl-C to stop)")
    web.serve_forever(server)
    click.echo("Review server stopped.")


# --- digest: what changed since the last digest (evidencebot.digest) ----------------------


@main.command("digest")
@db_option
@protocol_option
@click.option("--out", "out_dir", default="digests", show_default=True,
              type=click.Path(file_okay=False), help="Folder for digest-YYYY-MM-DD.html/.md.")
@click.option("--since", default=None, metavar="DATE",
              help="Report everything since this date (YYYY-MM-DD) instead of since the last digest.")
@click.option("--since-last", is_flag=True,
              help="Report what changed since the last digest delivered (the default).")
@handle_errors
def digest_command(db_path: str, protocol_path: str, out_dir: str, since: str | None,
                   since_last: bool) -> None:
    """Write a dated digest (self-contained HTML + Markdown for a GitHub issue) of new studies,
    changed pooled estimates, PRISMA flow and search log; e-mail it when EVIDENCEBOT_SMTP_HOST
    is set; record it so the next --since-last digest starts where this one ended."""
    from datetime import date
    from pathlib import Path

    from evidencebot.digest.build import write_digest
    from evidencebot.errors import DigestError
    from evidencebot.protocol import load_protocol
    from evidencebot.store import open_db, run_lock

    if since and since_last:
        raise DigestError("give either --since DATE or --since-last, not both")
    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        raise DigestError(f"--since {since!r} is not a date; use YYYY-MM-DD") from None
    protocol = load_protocol(protocol_path)
    with run_lock(db_path):
        paths = write_digest(open_db(db_path), protocol, Path(out_dir), since_last=since is None,
                             since=since_date)
    for path in paths:
        click.echo(f"Digest: wrote {path}")


@main.command("dump")
@db_option
@click.option("--out", default="db/dump", show_default=True, type=click.Path(file_okay=False),
              help="Folder for one CSV per table.")
@handle_errors
def dump_command(db_path: str, out: str) -> None:
    """Write the evidence tables as sorted CSV files, so changes are reviewable diffs."""
    from pathlib import Path

    from evidencebot.dump import write_dump
    from evidencebot.store import open_db

    for path in write_dump(open_db(db_path), Path(out)):
        click.echo(str(path))
