"""The ``kg`` command line: parse, call one library function, map errors to exit codes.

Exit codes: 0 success, 1 bad input or usage, 2 an unreachable service.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Optional

from .errors import InputError, KgError


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit code 1."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(1)


def _warn(exc: InputError) -> None:
    sys.stderr.write(f"kg: warning: {exc}\n")


def _progress_wanted(args: argparse.Namespace) -> bool:
    if getattr(args, "quiet", False):
        return False
    return sys.stderr.isatty() and not os.environ.get("CI")


def _cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build

    summary = build(args.inputs, args.out, on_warning=_warn, progress=_progress_wanted(args), jobs=args.jobs,
                    html=not args.no_html)
    for line in summary.lines():
        print(line)
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from .extract import extract
    from .io import atomic_write
    from .read import read_papers

    count = 0
    papers = read_papers(args.inputs, on_warning=_warn)

    def write(fh) -> int:
        n = 0
        for record in extract(papers, n_process=args.jobs):
            fh.write(record.model_dump_json() + "\n")
            n += 1
        return n

    if args.output and args.output != "-":
        with atomic_write(args.output) as fh:
            count = write(fh)
    else:
        count = write(sys.stdout)
        sys.stdout.flush()
    if count == 0:
        raise InputError("no papers read")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate
    from .io import atomic_write

    scores, preds = evaluate(args.gold, jobs=args.jobs)
    if args.pred:
        with atomic_write(args.pred) as fh:
            for rec in preds:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if args.errors:
        with atomic_write(args.errors) as fh:
            for err in scores.errors:
                fh.write(json.dumps(err, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(scores.as_json()))
    else:
        print(scores.table())
    return 0


def _cmd_html(args: argparse.Namespace) -> int:
    from .export.html import render_html
    from .graph import load_graph

    graph = load_graph(args.dir)
    target = args.output or os.path.join(args.dir, "graph.html")
    labels = [s.strip() for s in args.labels.split(",")] if args.labels else None
    render_html(graph, target, max_nodes=args.max_nodes, labels=labels, min_degree=args.min_degree, title=args.title)
    print(f"wrote {target}")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from .query import format_table, run_query

    try:
        params = json.loads(args.params) if args.params else {}
    except json.JSONDecodeError as exc:
        raise InputError(f"--params is not JSON ({exc})") from None
    columns, rows = run_query(args.dir, args.cypher, params)
    if args.json:
        print(json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, default=str))
    else:
        print(format_table(columns, rows))
    return 0


def _cmd_neo4j_push(args: argparse.Namespace) -> int:
    from .export.neo4j import push

    summary = push(
        args.source,
        uri=args.uri or os.environ.get("NEO4J_URI", "bolt://localhost:7687"),
        user=args.user or os.environ.get("NEO4J_USER", "neo4j"),
        password=args.password if args.password is not None else os.environ.get("NEO4J_PASSWORD", ""),
        database=args.database or os.environ.get("NEO4J_DATABASE") or None,
        batch_size=args.batch_size,
        progress=_progress_wanted(args),
        on_warning=_warn,
    )
    print(summary)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kg", description="Knowledge graphs of ML papers from paper listings.")
    parser.add_argument("--version", action="version", version=f"kg {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("build", help="build (or extend) a graph from listings")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="listing pages, JSONL, JSON, CSV, Atom; - for stdin")
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="output directory")
    p.add_argument("--jobs", "-j", type=_positive, default=1, metavar="N", help="extraction processes")
    p.add_argument("--no-html", action="store_true", help="skip graph.html")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("extract", help="extraction records as JSON Lines")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.add_argument("--jobs", "-j", type=_positive, default=1, metavar="N")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("eval", help="precision / recall / F1 per type against a gold file")
    p.add_argument("gold", metavar="GOLD.jsonl")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--pred", metavar="FILE", help="also write the predictions here")
    p.add_argument("--errors", metavar="FILE", help="write false positives / negatives here (JSONL)")
    p.add_argument("--jobs", "-j", type=_positive, default=1, metavar="N")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("html", help="(re)render graph.html from a built graph")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--output", metavar="FILE", help="default: DIR/graph.html")
    p.add_argument("--max-nodes", type=_positive, default=None, metavar="N",
                   help="show at most N nodes, the most connected part (default 2000; the page notes what is left out)")
    p.add_argument("--labels", metavar="L1,L2", help="only these node labels, e.g. Paper,Method,Dataset")
    p.add_argument("--min-degree", type=int, default=0, metavar="N", help="drop entities linked to fewer papers")
    p.add_argument("--title", default="kg graph", help="page title and heading")
    p.set_defaults(func=_cmd_html)

    p = sub.add_parser("query", help="run Cypher on an embedded engine loaded from a built graph")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("cypher", metavar="CYPHER", help="Cypher text, a .cypher file, or an example query name "
                   "(most_used_datasets, papers_evaluated_on_dataset, ...: see kg/cypher/queries)")
    p.add_argument("--json", action="store_true", help="a JSON array of objects keyed by column")
    p.add_argument("--params", metavar="JSON", help="query parameters as a JSON object")
    p.set_defaults(func=_cmd_query)

    p = sub.add_parser("neo4j", help="Neo4j commands")
    neo = p.add_subparsers(dest="neo4j_command", metavar="SUBCOMMAND", parser_class=_Parser)
    neo.required = True
    p = neo.add_parser("push", help="load a built graph (or inputs) into Neo4j, idempotently")
    p.add_argument("source", metavar="DIR_OR_INPUT")
    p.add_argument("--uri", help="default $NEO4J_URI or bolt://localhost:7687")
    p.add_argument("--user", help="default $NEO4J_USER or neo4j")
    p.add_argument("--password", help="default $NEO4J_PASSWORD")
    p.add_argument("--database", help="default $NEO4J_DATABASE or the server's default")
    p.add_argument("--batch-size", type=_positive, default=1000, metavar="N")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=_cmd_neo4j_push)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kg")
    except PackageNotFoundError:
        return "dev"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``kg`` console script."""
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except KgError as exc:
        sys.stderr.write(f"kg: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("kg: interrupted; earlier outputs left as they were\n")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the machine, not kg: a full disk, a file vanished; one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"kg: error: {where}{exc.strerror or exc}\n")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
