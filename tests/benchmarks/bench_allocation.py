"""Benchmark of the allocation engine: ``python tests/benchmarks/bench_allocation.py``.

Not a pytest module (the name does not start with ``test_``): timings on shared CI machines
are too noisy to assert on, so this prints a table for a human to read. The target is well
under 200 ms for 11,000 members (all German municipalities) on a slow 2-core machine;
``--limit-ms`` turns that into an exit code for a manual check.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

# Run as a plain script from anywhere: make the project root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from costsharing.allocation import (
    KeyComponents,
    MemberInput,
    ModuleInput,
    allocate,
)

MODULE_NAMES = {
    "dms": "Dokumentenmanagement",
    "fin": "Finanzwesen",
    "geo": "Geodaten",
    "isms": "Informationssicherheit",
    "ozg": "OZG",
    "pers": "Personalwesen",
    "rz": "Rechenzentrum",
    "web": "Webauftritt",
}
COMPONENTS = KeyComponents(Decimal(25), Decimal(40), Decimal(15), Decimal(20))


def make_members(count: int, seed: int) -> tuple[list[MemberInput], list[ModuleInput]]:
    """Random but reproducible members: small-town populations, some part-year members."""
    rng = random.Random(seed)
    modules = [
        ModuleInput(k, name, Decimal(rng.randint(5_000, 250_000)))
        for k, name in MODULE_NAMES.items()
    ]
    members = []
    for index in range(count):
        # most German municipalities are small: log-normal, median about 2,500 inhabitants
        population = max(10, min(3_700_000, int(rng.lognormvariate(7.8, 1.3))))
        members.append(
            MemberInput(
                key=f"{index:08d}",
                name=f"Gemeinde {index}",
                population=population,
                months=12 if rng.random() < 0.9 else rng.randint(1, 11),
                usage_units=Decimal(rng.randint(0, 200_000)).scaleb(-2),
                modules=frozenset(k for k in MODULE_NAMES if rng.random() < 0.5),
            )
        )
    rng.shuffle(members)  # input order must not matter; do not hand the engine sorted input
    return members, modules


def time_allocation(count: int, repeat: int, seed: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per run (CPU time shows when neighbours steal cores)."""
    members, modules = make_members(count, seed)
    net_cost = Decimal(count * 1_234_567 + 89).scaleb(-2)
    allocate(net_cost=net_cost, components=COMPONENTS, members=members, modules=modules)  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        allocate(net_cost=net_cost, components=COMPONENTS, members=members, modules=modules)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 11_000])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--seed", type=int, default=20_250_101)
    parser.add_argument("--limit-ms", type=float, help="exit 1 if a median exceeds this")
    args = parser.parse_args()

    print(f"allocate(): {args.repeat} runs per size, {len(MODULE_NAMES)} modules")
    print(
        f"{'members':>8} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'cpu med ms':>11} "
        f"{'µs/member':>10}"
    )
    too_slow = False
    for size in args.sizes:
        timings, cpu = time_allocation(size, args.repeat, args.seed)
        median = statistics.median(timings)
        print(
            f"{size:>8,} {median:>10.1f} {min(timings):>8.1f} {max(timings):>8.1f} "
            f"{statistics.median(cpu):>11.1f} {median * 1000 / size:>10.1f}"
        )
        too_slow |= args.limit_ms is not None and median > args.limit_ms
    return 1 if too_slow else 0


if __name__ == "__main__":
    sys.exit(main())
