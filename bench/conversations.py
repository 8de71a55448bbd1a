"""Benchmark: the conversation stories (tests/conversations/*.yml) against the real front
door, and the share that succeed. The stories run through pytest (the same fixtures as
`make test`: a migrated database, the demo council, the trained model).

    .venv/bin/python bench/conversations.py [-k WORDS]

Prints the share of stories that succeed, per file and overall, and the ones that fail.
It asserts nothing; `make test` fails on any failing story."""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class Tally:
    """A pytest plugin that counts the stories' outcomes."""

    def __init__(self) -> None:
        self.outcomes: dict[str, dict[str, bool]] = defaultdict(dict)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "test_story[" not in report.nodeid:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            story = report.nodeid.split("test_story[", 1)[1].rstrip("]")
            # "sqlite-needs.yml:food bank ...": a story succeeds on every database backend.
            name = story.split("-", 1)[1] if story.startswith(("sqlite-", "postgresql-")) \
                else story
            file = name.split(":", 1)[0]
            self.outcomes[file][name] = self.outcomes[file].get(name, True) and report.passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-k", dest="keyword", default=None, help="only stories matching")
    args = parser.parse_args()
    os.environ.setdefault("FRONTDOOR_ENV", "test")
    tally = Tally()
    options = [str(ROOT / "tests" / "conversations" / "test_stories.py"), "-q", "-p",
               "no:cacheprovider", "--no-header", "-rN", "-k",
               args.keyword or "test_story"]
    pytest.main(options, plugins=[tally])
    total = passed = 0
    print("\nconversation stories (tests/conversations/*.yml)")
    for name, stories in sorted(tally.outcomes.items()):
        ok = sum(stories.values())
        total += len(stories)
        passed += ok
        print(f"  {name:<20} {ok:>3}/{len(stories):<3} {ok / len(stories):.3f}")
    if total:
        print(f"  {'all':<20} {passed:>3}/{total:<3} {passed / total:.3f} succeed")
    failed = [s for stories in tally.outcomes.values() for s, ok in stories.items() if not ok]
    for story in failed:
        print(f"  FAILED {story}")
    sys.exit(0)


if __name__ == "__main__":
    main()
