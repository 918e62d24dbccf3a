"""CLI hygiene: a reader that stops early ends the command quietly; every command and option has
its own --help text."""
import argparse
import subprocess
import sys

import pytest

from metarec.cli import _COMMANDS, _parser
from tests.support import ROOT

NOISE = ("Traceback", "BrokenPipeError", "Exception ignored")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _start(*args):
    return subprocess.Popen([sys.executable, "-m", "metarec", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_reader_that_stops_after_ten_bytes_gets_no_traceback():
    # the catalog's JSON is far larger than a pipe's buffer: the writer meets the closed pipe
    p = _start("catalog", "--json")
    first = p.stdout.read(10)
    p.stdout.close()
    err = p.communicate(timeout=120)[1].decode()
    assert first.startswith(b"[")
    assert p.returncode in (0, 141), (p.returncode, err)
    assert not any(word in err for word in NOISE), err


def test_a_pipe_closed_before_recommend_writes_ends_quietly():
    p = _start("recommend", "--age", "4", "--liked", "bld-05", "--json")
    p.stdout.close()   # like `| head -c 0`: nobody will ever read
    err = p.communicate(timeout=300)[1].decode()
    assert p.returncode in (0, 141), (p.returncode, err)
    assert not any(word in err for word in NOISE), err


def test_the_shell_recipe_head_1():
    p = subprocess.run(f"{sys.executable} -m metarec catalog --json | head -1", shell=True,
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.stdout == "[\n" and p.stderr == "", p.stderr


def test_every_command_and_option_has_help_text():
    commands = _subcommands()
    assert set(commands) == set(_COMMANDS)
    for name, parser in commands.items():
        assert parser.description and len(parser.description) > 10, name
        for action in parser._actions:
            assert action.help and action.help.strip(), (name, action.option_strings)


@pytest.mark.parametrize("command", sorted(_COMMANDS))
def test_command_help_prints_its_description_and_options(command):
    p = subprocess.run([sys.executable, "-m", "metarec", command, "--help"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    parser = _subcommands()[command]
    assert parser.description.split("(")[0].strip()[:30] in " ".join(p.stdout.split())
    for action in parser._actions:
        for flag in action.option_strings:
            assert flag in p.stdout, (command, flag)


def test_top_level_help_lists_every_command():
    p = subprocess.run([sys.executable, "-m", "metarec", "--help"], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0
    assert all(name in p.stdout for name in _COMMANDS)
