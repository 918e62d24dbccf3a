"""``python -m metarec``: the command-line interface (the JSON shapes are a contract).

Bad input exits with status 2 and one line ``error: ...`` on stderr; never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .core.errors import MetarecError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, exit 2, no usage dump
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _command(sub, name: str, text: str) -> argparse.ArgumentParser:
    """A sub-command whose one-line text is both its entry in ``--help`` and its description."""
    return sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m metarec", description="MetaRec Toys: meta-learned toy recommendations.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND",
                           help="what to do; `python -m metarec COMMAND --help` shows its options")

    c = _command(sub, "catalog", "list the toy catalog")
    c.add_argument("--json", action="store_true", help="print JSON instead of a table")

    r = _command(sub, "recommend", "recommend toys for one child")
    r.add_argument("--age", required=True, help="age in years, 0 to 14 (e.g. 4 or 1.5)")
    r.add_argument("--liked", nargs="*", default=[], metavar="ID", help="toy ids the child likes")
    r.add_argument("--liked-text", action="append", default=[], metavar="TEXT",
                   help="a toy the child loves that is not in the catalog, described in words "
                   "(at most 300 characters; repeat the option for several toys)")
    r.add_argument("--disliked", nargs="*", default=[], metavar="ID", help="toy ids the child did not enjoy")
    r.add_argument("--top", default="10", help="how many toys (1-100, default 10)")
    r.add_argument("--method", default=None,
                   help="learner (default: the one the checkpoint chose on validation families)")
    r.add_argument("--budget", default=None, help="maximum price")
    r.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of names, reasons and notices (default en)")
    r.add_argument("--json", action="store_true", help="print JSON (the contract) instead of lines")

    e = _command(sub, "evaluate", "evaluate every learner on held-out families")
    e.add_argument("--world", default="toybox", choices=("toybox", "amazon-toys", "movielens-100k"),
                   help="the simulated toy world or a real data set (default toybox)")
    e.add_argument("--protocol", default=None,
                   help="real data: s3rec | s3rec-full | cold-start (amazon-toys), published (movielens-100k)")
    e.add_argument("--quick", action="store_true", help="real data: a subset that runs in minutes")
    e.add_argument("--data-dir", default=None, help="real data folder (default $METAREC_DATA_DIR or ../shared/data)")
    e.add_argument("--seed", type=int, default=0, help="seed of the evaluation episodes (default 0)")
    e.add_argument("--shots", nargs="+", type=int, default=[1, 3, 5, 10],
                   help="liked toys per family to evaluate with (default 1 3 5 10)")
    e.add_argument("--families", type=int, default=None, help="limit the number of test families")
    e.add_argument("--methods", nargs="+", default=None, help="only these learners (default: all)")
    e.add_argument("--out", default=None, help="also write the JSON here")
    e.add_argument("--json", action="store_true", help="print JSON instead of a table")

    t = _command(sub, "train", "(meta-)train every gradient learner and write the checkpoint")
    t.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    t.add_argument("--methods", nargs="+", default=None, help="only these learners (default: all)")
    t.add_argument("--max-iters", type=int, default=None,
                   help="outer-loop iterations at most (default: the training config's)")
    t.add_argument("--eval-every", type=int, default=None,
                   help="validate every this many iterations (default: the training config's)")
    t.add_argument("--out", default=None, help="checkpoint path (default: the shipped one)")
    t.add_argument("--no-test", action="store_true", help="skip the test-family evaluation")
    t.add_argument("--workers", type=int, default=None, help="training processes (default: one per core)")

    b = _command(sub, "bench", "measure adapt-and-rank latency and memory")
    b.add_argument("--json", action="store_true", help="print JSON instead of a table")
    b.add_argument("--repeats", type=int, default=50, help="timed requests per setting (default 50)")
    b.add_argument("--sizes", nargs="+", type=int, default=None, help="synthetic catalog sizes")
    b.add_argument("--out", default="bench-results.json", help="results file")
    b.add_argument("--train-seconds", type=float, default=10.0, help="time per training-throughput run")
    b.add_argument("--data-dir", default=None, help="real data folder for the Amazon catalog row "
                   "(default $METAREC_DATA_DIR or ../shared/data)")

    _command(sub, "embed", "rebuild the catalog's text embeddings (offline MiniLM)")

    pc = _command(sub, "precompute", "recompute the views shipped beside the checkpoint "
                  "(shots curve, demo families, averaged inner loop, t-SNE map)")
    pc.add_argument("--checkpoint", default=None, help="checkpoint path (default: the shipped one)")
    return p


def main(argv=None) -> int:
    """Run one command; bad input exits 2 with one ``error: ...`` line, never a traceback.

    A reader that stops early (``python -m metarec catalog --json | head -1``) ends the command
    quietly with status 141 (128 + SIGPIPE, as a shell reports it), with nothing on stderr.

    Arguments:
        argv: the arguments (default ``sys.argv[1:]``).

    Returns:
        The exit status.

    Example:
        >>> main(["recommend", "--age", "4", "--liked-text", "a soft cuddly teddy bear", "--json"])
        0
    """
    try:
        args = _parser().parse_args(argv)
        code = _COMMANDS[args.command](args)
        sys.stdout.flush()   # a closed pipe shows here, inside the try, not at exit
        return code
    except BrokenPipeError:
        # The reader went away: send what is left in the buffer nowhere, so the interpreter's
        # own flush at exit does not fail again (the recipe in Python's `signal` docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
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
    from .serving.text_toys import check_texts
    age = parse_age(args.age)
    liked_text = check_texts(args.liked_text)   # refused before the engine or encoder loads
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
                                       args.method, budget, args.lang, liked_text=liked_text))
    for w in result.warnings:
        print(f"note: {w}", file=sys.stderr)
    lines = [f"{result.method} on {result.device}, age {result.age_years:g}"]
    if result.notice:
        lines.append(result.notice)
    lines += [f"described: {toy.text!r} -> {toy.category}, {', '.join(toy.skills)}, "
              f"{toy.min_age_months}-{toy.max_age_months} mo (nearest {', '.join(toy.nearest)})"
              for toy in result.text_toys]
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
    return cmd_precompute(argparse.Namespace(checkpoint=args.out))


def cmd_precompute(args) -> int:
    from .serving.engine import Engine
    from .teaching.precompute import precompute
    engine = Engine.load(checkpoint=args.checkpoint)
    path = Path(args.checkpoint).with_name("curves.json") if args.checkpoint else None
    data = precompute(engine, **({"path": path} if path else {}),
                      progress=lambda name: print(f"shots curve: {name} done", file=sys.stderr))
    print(json.dumps({"curves": str(path or "assets/checkpoints/curves.json"),
                      "seconds": data["seconds"], "served": data["demo"]["method"]}, indent=1))
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
             "train": cmd_train, "bench": cmd_bench, "embed": cmd_embed,
             "precompute": cmd_precompute}
