"""Speed of the two pure functions participants wait for.

    .venv/bin/python bench/breakouts_and_comments.py

1. A balanced assignment of 1,000 participants in four languages into 10 groups.
2. Rendering the hostile comment bodies of the test suite (20,000 characters each): the
   slowest body, best of three, for render_comment and comment_excerpt.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations.assignment import Candidate, Group, propose_assignment  # noqa: E402
from consultations.markup import comment_excerpt, render_comment  # noqa: E402
from tests.test_markup import HOSTILE_BODIES  # noqa: E402

GROUPS = ["member_state", "un_agency", "red_cross", "civil_society", "migrant_organisation",
          "academia", "private_sector", "other"]
COUNTRIES = ["SN", "ML", "NE", "MR", "MA", "GM", "GN", "CI", "NG", "GH", "KE", "ET", "ZA", "TN"]
LANGUAGES = [("en", "fr"), ("en",), ("fr",), ("ar", "fr")]


def best_of(runs: int, function) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    candidates = [
        Candidate(id=number, stakeholder_group=GROUPS[number % 8],
                  country=COUNTRIES[number % 14], sub_region=f"region-{number % 4}",
                  attendance="online" if number % 3 else "in_person",
                  languages=frozenset(LANGUAGES[number % 4]))
        for number in range(1000)
    ]
    groups = [Group(number, capacity=110, language=("en", "fr", None)[number % 3])
              for number in range(10)]
    timings = [best_of(1, lambda: propose_assignment(candidates, groups)) for _ in range(5)]
    print(f"assignment, 1,000 participants into 10 groups: "
          f"median {statistics.median(timings):.3f} s"
          f" (of 5 runs)")
    for function in (render_comment, comment_excerpt):
        slowest = max(best_of(3, lambda body=body, function=function: function(body))
                      for body in HOSTILE_BODIES.values())
        print(f"{function.__name__}, slowest hostile 20,000-character body: "
              f"{slowest * 1000:.1f} ms")


if __name__ == "__main__":
    main()
