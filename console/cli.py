"""The ``opsconsole`` command.

    opsconsole [--config PATH] [--context NAME] [--namespace NS] [--read-only] [--sandbox]
    opsconsole sandbox [--seed N] [--speed X] [--pods N] [--nodes N] [--kubeconfig-out PATH]
    opsconsole check-config [PATH]
    opsconsole audit [--path PATH] [--tail N]

Fatal problems at start (a bad config, an unreadable kubeconfig) print one message
naming the file, the key and the fix, and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from console import __version__
from console.config import Config, ConfigError, describe, find_config, load_config

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsconsole",
        description="A terminal ops console for AI model platforms. With no config and no "
        "kubeconfig it opens the built-in sandbox platform.",
    )
    parser.add_argument("--version", action="version", version=f"opsconsole {__version__}")
    parser.add_argument("--config", metavar="PATH",
                        help="config file (default: $OPSCONSOLE_CONFIG, "
                        "then ~/.config/opsconsole/config.toml)")
    parser.add_argument("--context", metavar="NAME", help="kubeconfig context to open")
    parser.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig file")
    parser.add_argument("-n", "--namespace", metavar="NS",
                        help="namespace to open in (default: all namespaces)")
    parser.add_argument("--read-only", action="store_true", help="refuse every mutation")
    parser.add_argument("--sandbox", action="store_true",
                        help="open the built-in sandbox even when a kubeconfig exists")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sb = sub.add_parser("sandbox", help="serve the sandbox platform alone on loopback")
    sb.add_argument("--seed", type=int, default=None, help="world seed (default: config, 7)")
    sb.add_argument("--speed", type=float, default=None, help="simulated seconds per real second")
    sb.add_argument("--pods", type=int, default=None, help="grow the world to about N pods")
    sb.add_argument("--nodes", type=int, default=None, help="grow the world to N nodes")
    sb.add_argument("--kubeconfig-out", metavar="PATH",
                    help="write a kubeconfig for kubectl here")
    sb.add_argument("--json", action="store_true",
                    help="print the faces' addresses as one JSON line")

    cc = sub.add_parser("check-config", help="validate a config file and print what it resolves to")
    cc.add_argument("path", nargs="?", help="config file (default: the one opsconsole would use)")

    au = sub.add_parser("audit", help="print the audit log readably")
    au.add_argument("--path", help="audit log (default: the configured one)")
    au.add_argument("--tail", type=int, default=None, metavar="N", help="only the last N records")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check-config":
            return _check_config(args.path or args.config)
        config = load_config(find_config(args.config))
        if args.command == "sandbox":
            return _serve_sandbox(args, config)
        if args.command == "audit":
            return _print_audit(args, config)
        return _run_console(args, config)
    except ConfigError as exc:
        print(f"opsconsole: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StartupError as exc:
        print(f"opsconsole: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


class StartupError(Exception):
    """A fatal problem before the console opens (unreadable kubeconfig, unknown context)."""


def _check_config(path: str | None) -> int:
    resolved = find_config(path)
    config = load_config(resolved)
    sys.stdout.write(describe(config))
    return 0


def _serve_sandbox(args: argparse.Namespace, config: Config) -> int:
    from console.sandbox.process import serve_forever

    sandbox = config.sandbox
    argv = [
        "--seed", str(args.seed if args.seed is not None else sandbox.seed),
        "--speed", str(args.speed if args.speed is not None else sandbox.speed),
    ]
    for flag, value in (("--pods", args.pods or sandbox.pods),
                        ("--nodes", args.nodes or sandbox.nodes),
                        ("--kubeconfig-out", args.kubeconfig_out)):
        if value:
            argv += [flag, str(value)]
    if args.json:
        argv.append("--json")
    return serve_forever(argv)


def _print_audit(args: argparse.Namespace, config: Config) -> int:
    from console.audit import default_audit_path, format_records, read_records

    configured = config.audit.path or default_audit_path()
    path = Path(args.path).expanduser() if args.path else configured
    if not path.exists():
        print(f"opsconsole: no audit log at {path} yet (nothing has been changed)", file=sys.stderr)
        return 0
    records = read_records(path)
    if args.tail is not None:
        records = records[-args.tail :]
    sys.stdout.write(format_records(records))
    return 0


def resolve_kubeconfig(args: argparse.Namespace, config: Config) -> Path | None:
    """The kubeconfig to use, or None when there is none (then: the sandbox)."""
    explicit = args.kubeconfig or config.kubernetes.kubeconfig
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            origin = (
                "--kubeconfig" if args.kubeconfig else f"{config.source}: kubernetes.kubeconfig"
            )
            raise StartupError(f"{origin}: {path} does not exist; fix the path or remove it to "
                               "use $KUBECONFIG / ~/.kube/config")
        return path
    env = os.environ.get("KUBECONFIG", "")
    for part in filter(None, env.split(os.pathsep)):
        if Path(part).expanduser().is_file():
            return Path(part).expanduser()
    default = Path("~/.kube/config").expanduser()
    return default if default.is_file() else None


def _run_console(args: argparse.Namespace, config: Config) -> int:
    from console.launch import launch

    in_cluster = bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
    kubeconfig = None if args.sandbox else resolve_kubeconfig(args, config)
    use_sandbox = args.sandbox or (kubeconfig is None and not in_cluster)
    return launch(
        config,
        sandbox=use_sandbox,
        kubeconfig=kubeconfig,
        context=args.context or config.kubernetes.context,
        namespace=args.namespace if args.namespace is not None else config.kubernetes.namespace,
        read_only=args.read_only,
    )


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
