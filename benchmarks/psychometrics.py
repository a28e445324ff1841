"""Speed and accuracy of the psychometrics core beside girth and pingouin, in one run.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/psychometrics.py [--quick]

For 10,000 × 50 and 100,000 × 50 complete data and a sparse random-form matrix (200 items,
50 drawn per candidate), it prints our 2PL calibration's time and recovery RMSE beside
`girth.twopl_mml` on the same data, and the classical item table's time beside pingouin's
`cronbach_alpha`. Targets (issue 11): ≥ 8× faster than girth at equal or lower RMSE; the
classical table for 100,000 × 50 under one second. Figures, never asserts: this machine is shared.
"""

from __future__ import annotations

import os

# One BLAS thread for both libraries, set before numpy loads: the EM's matrix products are small,
# and on a shared 2-core machine extra BLAS threads only spin and wait (10× slower under load).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import girth  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pingouin  # noqa: E402

from quiz.scoring.classical import item_table  # noqa: E402
from quiz.scoring.irt import calibrate_2pl, marginal_log_likelihood  # noqa: E402
from quiz.scoring.simulation import simulate_random_forms  # noqa: E402


def rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(estimate) - truth) ** 2)))


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """The result, wall-clock seconds and this process's CPU seconds (the machine may be shared)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def girth_data(responses: np.ndarray) -> np.ndarray:
    """girth wants items × candidates, with its own marker for a missing response."""
    data = np.where(np.isnan(responses), girth.INVALID_RESPONSE, responses).astype(int).T
    return girth.tag_missing_data(data, [0, 1])


def calibration_row(label: str, candidates: int, items: int, form: int, seed: int) -> None:
    data = simulate_random_forms(candidates, items, form, seed)
    ours, ours_wall, ours_cpu = timed(calibrate_2pl, data.responses)
    theirs, girth_wall, girth_cpu = timed(girth.twopl_mml, girth_data(data.responses))
    girth_a, girth_b = theirs["Discrimination"], theirs["Difficulty"]
    print(f"{label:<28} ours  {ours_wall:7.2f} s ({ours_cpu:6.2f} s CPU)  RMSE a {rmse(ours.a, data.a):.4f} "
          f"b {rmse(ours.b, data.b):.4f}  log-lik {ours.log_likelihood:.1f}  ({ours.iterations} it, "
          f"{'converged' if ours.converged else 'NOT converged'})")
    print(f"{'':<28} girth {girth_wall:7.2f} s ({girth_cpu:6.2f} s CPU)  RMSE a {rmse(girth_a, data.a):.4f} "
          f"b {rmse(girth_b, data.b):.4f}  log-lik {marginal_log_likelihood(data.responses, girth_a, girth_b):.1f}")
    print(f"{'':<28} → ours is {girth_wall / ours_wall:.1f}× faster (wall), {girth_cpu / ours_cpu:.1f}× (CPU)")


def classical_row(candidates: int, items: int, seed: int) -> None:
    data = simulate_random_forms(candidates, items, items, seed)
    table, ours_wall, ours_cpu = timed(item_table, data.responses, [1.0] * items)
    (alpha, _), pingouin_wall, pingouin_cpu = timed(pingouin.cronbach_alpha, pd.DataFrame(data.responses))
    print(f"classical table {candidates:,} × {items}: ours {ours_wall:.3f} s ({ours_cpu:.3f} s CPU) for every item "
          f"statistic and alpha ({table.test.alpha:.10f}); pingouin {pingouin_wall:.3f} s ({pingouin_cpu:.3f} s CPU) "
          f"for alpha alone ({alpha:.10f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-candidate calibration")
    args = parser.parse_args()
    print(f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; numpy {np.__version__}, "
          f"girth {getattr(girth, '__version__', '0.8')}, pingouin {pingouin.__version__}")
    calibration_row("complete 10,000 × 50", 10_000, 50, 50, seed=1)
    if not args.quick:
        calibration_row("complete 100,000 × 50", 100_000, 50, 50, seed=2)
    calibration_row("random forms 20,000 × 200/50", 20_000, 200, 50, seed=3)
    classical_row(100_000, 50, seed=4)


if __name__ == "__main__":
    main()
