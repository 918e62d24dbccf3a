"""``python -m metarec``: the command-line interface (the JSON shapes are a contract).

Bad input exits with status 2 and one line ``error: ...`` on stderr; never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .core.errors import MetarecError
from .learners import DEFAULT_METHOD


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, exit 2, no usage dump
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m metarec", description="MetaRec Toys: meta-learned toy recommendations.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("catalog", help="list the toy catalog")
    c.add_argument("--json", action="store_true", help="print JSON")

    r = sub.add_parser("recommend", help="recommend toys for one child")
    r.add_argument("--age", required=True, help="age in years, 0 to 14 (e.g. 4 or 1.5)")
    r.add_argument("--liked", nargs="*", default=[], metavar="ID", help="toy ids the child likes")
    r.add_argument("--disliked", nargs="*", default=[], metavar="ID", help="toy ids the child did not enjoy")
    r.add_argument("--top", default="10", help="how many toys (1-100, default 10)")
    r.add_argument("--method", default=DEFAULT_METHOD, help=f"learner (default {DEFAULT_METHOD})")
    r.add_argument("--budget", default=None, help="maximum price")
    r.add_argument("--lang", choices=("en", "zh"), default="en")
    r.add_argument("--json", action="store_true")

    e = sub.add_parser("evaluate", help="evaluate every learner on held-out families")
    e.add_argument("--world", default="toybox", choices=("toybox", "amazon-toys", "movielens-100k"))
    e.add_argument("--protocol", default=None,
                   help="real data: s3rec | s3rec-full | cold-start (amazon-toys), published (movielens-100k)")
    e.add_argument("--quick", action="store_true", help="real data: a subset that runs in minutes")
    e.add_argument("--data-dir", default=None, help="real data folder (default $METAREC_DATA_DIR or ../shared/data)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--shots", nargs="+", type=int, default=[1, 3, 5, 10])
    e.add_argument("--families", type=int, default=None, help="limit the number of test families")
    e.add_argument("--methods", nargs="+", default=None)
    e.add_argument("--out", default=None, help="also write the JSON here")
    e.add_argument("--json", action="store_true")

    t = sub.add_parser("train", help="(meta-)train every gradient learner and write the checkpoint")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--methods", nargs="+", default=None)
    t.add_argument("--max-iters", type=int, default=None)
    t.add_argument("--eval-every", type=int, default=None)
    t.add_argument("--out", default=None, help="checkpoint path (default: the shipped one)")
    t.add_argument("--no-test", action="store_true", help="skip the test-family evaluation")
    t.add_argument("--workers", type=int, default=None, help="training processes (default: one per core)")

    b = sub.add_parser("bench", help="measure adapt-and-rank latency and memory")
    b.add_argument("--json", action="store_true")
    b.add_argument("--repeats", type=int, default=50)
    b.add_argument("--sizes", nargs="+", type=int, default=None, help="synthetic catalog sizes")
    b.add_argument("--out", default="bench-results.json", help="results file")
    b.add_argument("--train-seconds", type=float, default=10.0, help="time per training-throughput run")
    b.add_argument("--data-dir", default=None, help="real data folder for the Amazon catalog row "
                   "(default $METAREC_DATA_DIR or ../shared/data)")

    sub.add_parser("embed", help="rebuild the catalog's text embeddings (offline MiniLM)")
    return p


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except _UsageError as exc:
        return _fail(str(exc))
    except MetarecError as exc:  # every known failure becomes one readable line
        return _fail(" ".join(str(exc).split()), exc.exit_code)


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _print(data, as_json: bool, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1) if as_json else text)


def cmd_catalog(args) -> int:
    from .core.catalog import load_catalog
    catalog = load_catalog()
    records = catalog.to_records()
    text = "\n".join(f"{r['id']:8} {r['icon']} {r['name']:38} {r['category']:18} "
                     f"{r['min_age_months']:>3}-{r['max_age_months']:<3} mo  ${r['price']:.2f}"
                     + ("  small parts" if r["small_parts"] else "") for r in records)
    _print(records, args.json, text)
    return 0


def cmd_recommend(args) -> int:
    from .serving.engine import Engine
    from .serving.recommend import InputError, Request, parse_age, recommend
    age = parse_age(args.age)
    try:
        top = int(args.top)
    except ValueError:
        raise InputError(f"--top must be a whole number from 1 to 100, got {args.top!r}") from None
    try:
        budget = None if args.budget is None else float(args.budget)
    except ValueError:
        raise InputError(f"--budget must be a positive amount, got {args.budget!r}") from None
    engine = Engine.load()
    result = recommend(engine, Request(age, tuple(args.liked), tuple(args.disliked), top,
                                       args.method, budget, args.lang))
    for w in result.warnings:
        print(f"note: {w}", file=sys.stderr)
    lines = [f"{result.method} on {result.device}, age {result.age_years:g}"]
    if result.notice:
        lines.append(result.notice)
    lines += [f"{r.icon} {r.name} ({r.id}, {r.score:+.3f}) - {r.reason}" for r in result.recommendations]
    data = result.to_json()
    _print(data, args.json, "\n".join(lines))
    return 0


def cmd_evaluate(args) -> int:
    if args.world != "toybox":
        from .realdata import evaluate_real
        data = evaluate_real(args.world, protocol=args.protocol, quick=args.quick,
                             data_dir=args.data_dir, seed=args.seed, methods=args.methods)
        if args.out:
            Path(args.out).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        _print(data, args.json, json.dumps(data, indent=1))
        return 0
    from .serving.engine import Engine
    from .evaluation.toybox import evaluate_toybox
    engine = Engine.load()
    unknown = [m for m in args.methods or [] if m not in engine.learners]
    if unknown:
        return _fail(f"unknown method(s) {unknown}; choose from {', '.join(engine.learners)}")
    if any(k < 1 for k in args.shots) or (args.families is not None and args.families < 1):
        return _fail("--shots and --families must be positive whole numbers")
    data = evaluate_toybox(engine, shots=args.shots, n_families=args.families, methods=args.methods)
    if args.out:
        Path(args.out).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    text = "\n".join(f"{r['method']:11} k={r['shots']:<3} ndcg@10 {r['ndcg@10']:.3f} ±{r['ndcg@10_ci95']:.3f}"
                     f"  recall@10 {r['recall@10']:.3f}  hr@10 {r['hr@10']:.3f}  (n={r['n_families']})"
                     for r in data["results"])
    _print(data, args.json, text)
    return 0


def cmd_train(args) -> int:
    from dataclasses import replace
    from .training.toybox import TrainConfig, train
    cfg = TrainConfig(seed=args.seed)
    if args.methods:
        cfg = replace(cfg, methods=tuple(args.methods))
    if args.max_iters:
        cfg = replace(cfg, max_iters=args.max_iters)
    if args.eval_every:
        cfg = replace(cfg, eval_every=args.eval_every)
    manifest = train(cfg, out=args.out, evaluate_test=not args.no_test, workers=args.workers)
    print(json.dumps({k: manifest[k] for k in ("checkpoint", "sha256", "training_seconds")}, indent=1))
    return 0


def cmd_bench(args) -> int:
    from .bench.run import run_bench
    return run_bench(args, _print)


def cmd_embed(args) -> int:
    from .core.catalog import load_catalog
    from .core.text_embedding import build_catalog_embeddings
    print(build_catalog_embeddings(load_catalog()))
    return 0


_COMMANDS = {"catalog": cmd_catalog, "recommend": cmd_recommend, "evaluate": cmd_evaluate,
             "train": cmd_train, "bench": cmd_bench, "embed": cmd_embed}
