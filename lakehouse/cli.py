"""``lakehouse``: the platform's command line.

    lakehouse plan (--stack NAME | --config PATH) [--format table|json|terraform-plan] [--graph FILE]
    lakehouse generate --scale F --out DIR [--seed N] [--cdc-batches K]
    lakehouse run --bronze DIR --warehouse DIR [--jobs a,b] [--as-of DATE] [--summary PATH]
    lakehouse query --warehouse DIR [--format table|csv|json] ("SQL" | --named NAME) | lakehouse query --list
    lakehouse demo [--out DIR] [--scale F]
    lakehouse serve ingestion [--port N] [--raw-dir DIR]
    lakehouse docs [--write | --check]

Exit codes: 0 fine, 1 mandatory policy violations, 2 config or usage error (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from etl.graph import DEFAULT_JOBS, JOBS

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors too: keep it, add help
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lakehouse", description="The lakehouse platform's command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    plan = commands.add_parser("plan", help="offline preview of a stack: resources, outputs, policy violations")
    which = plan.add_mutually_exclusive_group(required=True)
    which.add_argument("--stack", help="stack name: reads Pulumi.<NAME>.yaml of the project")
    which.add_argument("--config", type=Path, help="any stack settings file")
    plan.add_argument(
        "--format",
        choices=("table", "json", "terraform-plan"),
        default="table",
        help="terraform-plan: Terraform plan JSON for Checkov, Trivy or KICS",
    )
    plan.add_argument("--graph", type=Path, help="write a diagram: .md/.mmd = Mermaid, .dot/.gv = Graphviz")
    plan.add_argument("--project-dir", type=Path, help="directory of Pulumi.yaml (default: found from cwd)")
    plan.add_argument(
        "--policy-config",
        type=Path,
        help="policy pack config JSON (default: policies/config/<stack>.json when it exists)",
    )

    generate = commands.add_parser("generate", help="write a synthetic DMS bronze data set (full load + CDC batches)")
    generate.add_argument("--scale", type=float, default=1.0, help="1 = the contract's volumes (six months of history)")
    generate.add_argument("--out", type=Path, required=True, help="bronze root to write dms/public/<table>/ under")
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--cdc-batches", type=int, default=0, help="CDC batches after the full load")

    run = commands.add_parser("run", help="walk the job graph on a local lake (bronze -> silver -> gold)")
    run.add_argument("--bronze", required=True, help="bronze root (local directory)")
    run.add_argument("--warehouse", required=True, help="Iceberg warehouse directory")
    run.add_argument(
        "--jobs",
        default=",".join(DEFAULT_JOBS),
        help=f"comma-separated jobs of {', '.join(JOBS)} (default: %(default)s)",
    )
    run.add_argument("--as-of", default=None, help="invoice_aging date YYYY-MM-DD (default: the data's latest change)")
    run.add_argument("--summary", type=Path, help="also write the summary as JSON here")
    run.add_argument("--verbose", action="store_true", help="show the JVM's and Spark's own log messages")

    demo = commands.add_parser(
        "demo", help="generate a small data set, run the pipeline, show gold and time travel, write a report"
    )
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="working directory (replaced)")
    demo.add_argument("--scale", type=float, default=0.05)

    query = commands.add_parser(
        "query",
        help="run SQL or a named query (etl/queries/) on the local lake (tables: silver.orders, gold.revenue_daily, ...)",
    )
    query.add_argument("--warehouse", help="the local lake (required unless --list)")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    what = query.add_mutually_exclusive_group(required=True)
    what.add_argument("sql", nargs="?", help="Spark SQL")
    what.add_argument("--named", metavar="NAME", help="a named query of etl/queries/ (Athena SQL, transpiled to Spark)")
    what.add_argument("--list", action="store_true", help="list the named queries with their descriptions")
    query.add_argument("--verbose", action="store_true", help="show the JVM's and Spark's own log messages")

    serve = commands.add_parser("serve", help="serve a handler on 127.0.0.1 with AWS stand-ins (moto)")
    served = serve.add_subparsers(dest="service", required=True, parser_class=_Parser)
    ingestion = served.add_parser("ingestion", help="the ingestion API (POST /events); S3 and KMS from in-process moto")
    ingestion.add_argument("--port", type=int, default=8080)
    ingestion.add_argument("--raw-dir", type=Path, help="copy stored objects here (raw_to_processed --bronze DIR)")

    docs = commands.add_parser(
        "docs", help="generated reference sections: config reference (README.md), policy rules (policies/README.md)"
    )
    mode = docs.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the generated sections in place")
    mode.add_argument("--check", action="store_true", help="exit 1 when a generated section is stale")
    docs.add_argument("--project-dir", type=Path, help="directory of Pulumi.yaml (default: found from cwd)")
    return parser


def _plan(args: argparse.Namespace) -> int:
    from components.config import ConfigError
    from components.registry import PluginError

    from .preview import render
    from .preview.plan import find_project_dir, project_name, run_program
    from .preview.policy_gate import PolicyConfigError, evaluate, load_policy_config
    from .preview.stackfile import StackFileError, read_stack_file

    project_dir = (args.project_dir or find_project_dir()).resolve()
    if not (project_dir / "__main__.py").is_file():
        print(f"lakehouse plan: {project_dir} holds no Pulumi program (__main__.py)", file=sys.stderr)
        return EXIT_USAGE
    path = args.config or project_dir / f"Pulumi.{args.stack}.yaml"
    try:
        stack = read_stack_file(path, project_name(project_dir), name=args.stack)
        default_policy_config = project_dir / "policies" / "config" / f"{stack.name}.json"
        policy_config = load_policy_config(
            args.policy_config or (default_policy_config if default_policy_config.is_file() else None)
        )
        plan = run_program(project_dir, stack)
    except (StackFileError, ConfigError, PluginError, PolicyConfigError) as error:
        print(f"lakehouse plan: {error}", file=sys.stderr)
        return EXIT_USAGE
    plan.violations = evaluate(plan.records, policy_config)
    if args.graph:
        render.write_graph(plan, args.graph)
    if args.format == "json":
        print(render.to_json(plan))
    elif args.format == "terraform-plan":
        from .preview.terraform import to_terraform_plan

        print(json.dumps(to_terraform_plan(plan), indent=2))
    else:
        console = Console()
        render.print_table(plan, console if console.is_terminal else Console(width=200))
    mandatory = [v for v in plan.violations if v.get("enforcement") == "mandatory"]
    return EXIT_VIOLATIONS if mandatory else EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from .docs import generated_sections, replace_section
    from .preview.plan import find_project_dir

    project_dir = (args.project_dir or find_project_dir()).resolve()
    stale = []
    for relative, name, content in generated_sections():
        path = project_dir / relative
        current = path.read_text() if path.exists() else ""
        updated = replace_section(current, content, name)
        if args.write and updated != current:
            path.write_text(updated)
        elif args.check and updated != current:
            stale.append(relative)
        elif not args.write and not args.check:
            print(content)
    if stale:
        print(f"stale generated sections in {', '.join(stale)}; run `make docs`", file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from etl.generator import generate

    if args.scale <= 0:
        print("lakehouse generate: --scale must be > 0", file=sys.stderr)
        return EXIT_USAGE
    started = time.monotonic()
    summary = generate(args.out, args.scale, args.seed, args.cdc_batches)
    rows = sum(summary["load"].values())
    print(
        f"wrote {rows} rows in the full load and {len(summary['cdc'])} CDC batches to {args.out} "
        f"in {time.monotonic() - started:.1f}s"
    )
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from etl.graph import RunSettings

    from .local.pipeline import print_summary, run_jobs, write_summary

    console = Console(stderr=True)
    if not Path(args.bronze).is_dir():
        print(f"lakehouse run: {args.bronze}: no such bronze directory", file=sys.stderr)
        return EXIT_USAGE
    settings = RunSettings(
        warehouse=str(Path(args.warehouse).resolve()),
        bronze=str(Path(args.bronze).resolve()),
        as_of=args.as_of,
    )
    try:
        summary = run_jobs(settings, [j for j in args.jobs.split(",") if j], console, verbose=args.verbose)
    except ValueError as error:
        print(f"lakehouse run: {error}", file=sys.stderr)
        return EXIT_USAGE
    print_summary(summary, Console())
    if args.summary:
        write_summary(summary, args.summary)
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from .local.demo import run_demo

    run_demo(args.out, args.scale, Console())
    return EXIT_OK


def _query(args: argparse.Namespace) -> int:
    from .local.named_queries import list_queries, run_named
    from .local.pipeline import query

    console = Console()
    if args.list:
        return list_queries(console)
    if not args.warehouse:
        print("lakehouse query: --warehouse is required", file=sys.stderr)
        return EXIT_USAGE
    warehouse = str(Path(args.warehouse).resolve())
    if args.named:
        return run_named(warehouse, args.named, args.format, console, verbose=args.verbose)
    return query(warehouse, args.sql, args.format, console, verbose=args.verbose)


def _serve(args: argparse.Namespace) -> int:
    from .local.serve import serve

    try:
        serve(args.port, args.raw_dir)
    except OSError as error:  # the port is taken
        print(f"lakehouse serve: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {
        "plan": _plan,
        "docs": _docs,
        "generate": _generate,
        "run": _run,
        "query": _query,
        "demo": _demo,
        "serve": _serve,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
