"""Time the checker's benchmark cases through SymPy, for comparison.

Reads target/bench/cases.jsonl (written by `cargo bench -p stepwise-core
--bench check_line`) and, for each pair of lines, times
`simplify(a - b) == 0` with SymPy's cache cleared first (cold cache). For
equations and inequalities, each line becomes `left - right` first. Cases
that SymPy cannot parse are counted and left out of the timings. A case that
runs past TIMEOUT seconds is stopped and counted at TIMEOUT, so the SymPy
figures are lower bounds.

Run with bench/sympy-bench, which installs SymPy in a virtual environment.
"""

import json
import re
import signal
import statistics
import sys
import time
from pathlib import Path

import sympy
from sympy.core.cache import clear_cache
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)
TIMEOUT = 5

RELATION = re.compile(r"<=|>=|=|<|>|≤|≥|≠")
NAMES = {"pi": sympy.pi, "e": sympy.E, "ln": sympy.log, "sqrt": sympy.sqrt}


def to_sympy(line):
    """Parse one line; a relation becomes left minus right."""
    text = line.replace("−", "-").replace("×", "*").replace("÷", "/").replace("√", "sqrt")
    if " or " in text or " and " in text or "," in text or "±" in text:
        raise ValueError("lists and ± are not timed")
    parts = RELATION.split(text)
    exprs = [parse_expr(p, local_dict=NAMES, transformations=TRANSFORMS) for p in parts]
    if len(exprs) == 1:
        return exprs[0]
    return exprs[0] - exprs[-1]


class Timeout(Exception):
    """A case ran past TIMEOUT seconds."""


def on_alarm(signum, frame):
    raise Timeout()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[round((len(ordered) - 1) * fraction)]


def main():
    cases_path = Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench/cases.jsonl")
    cases = [json.loads(line) for line in cases_path.read_text().splitlines() if line.strip()]
    timings = []
    skipped = 0
    timed_out = 0
    signal.signal(signal.SIGALRM, on_alarm)
    for case in cases:
        try:
            a = to_sympy(case["before"])
            b = to_sympy(case["after"])
        except Exception:
            skipped += 1
            continue
        clear_cache()
        signal.alarm(TIMEOUT)
        start = time.perf_counter()
        try:
            sympy.simplify(a - b) == 0
        except Timeout:
            timed_out += 1
        except Exception:
            signal.alarm(0)
            skipped += 1
            continue
        signal.alarm(0)
        timings.append((time.perf_counter() - start) * 1e6)
    print(
        f"sympy {sympy.__version__}: {len(timings)} cases timed ({timed_out} stopped at {TIMEOUT} s), "
        f"{skipped} skipped (unparseable or failed)"
    )
    print(
        f"median {statistics.median(timings):.1f} µs, p90 {percentile(timings, 0.9):.1f} µs, "
        f"p99 {percentile(timings, 0.99):.1f} µs, total {sum(timings) / 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
