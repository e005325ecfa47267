"""``lakehouse``: the platform's command line.

    lakehouse plan (--stack NAME | --config PATH) [--format table|json] [--graph FILE]
    lakehouse docs [--write README.md | --check README.md]

Exit codes: 0 fine, 1 mandatory policy violations, 2 config or usage error (message on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors too: keep it, add help
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lakehouse", description="The lakehouse platform's command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    plan = commands.add_parser("plan", help="offline preview of a stack: resources, outputs, policy violations")
    which = plan.add_mutually_exclusive_group(required=True)
    which.add_argument("--stack", help="stack name: reads Pulumi.<NAME>.yaml of the project")
    which.add_argument("--config", type=Path, help="any stack settings file")
    plan.add_argument("--format", choices=("table", "json"), default="table")
    plan.add_argument("--graph", type=Path, help="write a diagram: .md/.mmd = Mermaid, .dot/.gv = Graphviz")
    plan.add_argument("--project-dir", type=Path, help="directory of Pulumi.yaml (default: found from cwd)")
    plan.add_argument(
        "--policy-config",
        type=Path,
        help="policy pack config JSON (default: policies/config/<stack>.json when it exists)",
    )

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

    from . import render
    from .plan import find_project_dir, project_name, run_program
    from .policy_gate import PolicyConfigError, evaluate, load_policy_config
    from .stackfile import StackFileError, read_stack_file

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
    else:
        console = Console()
        render.print_table(plan, console if console.is_terminal else Console(width=200))
    mandatory = [v for v in plan.violations if v.get("enforcement") == "mandatory"]
    return EXIT_VIOLATIONS if mandatory else EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from .docs import generated_sections, replace_section
    from .plan import find_project_dir

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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"plan": _plan, "docs": _docs}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
