"""Counts of the documentation's examples (run and exempted), printed at the end of every session that ran them."""
from .markdown_examples import Outcome

OUTCOMES: dict[str, Outcome] = {}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not OUTCOMES:
        return
    ran = sum(len(o.ran) for o in OUTCOMES.values())
    skipped = [line for o in OUTCOMES.values() for line in o.skipped]
    files = sum(len(o.files) for o in OUTCOMES.values())
    write = terminalreporter.write_line
    terminalreporter.section("documentation examples")
    write(f"{ran} examples run (shell command lines and Python blocks) from {len(OUTCOMES)} pages, "
          f"{files} example files written, "
          f"{len(skipped)} blocks exempted:")
    for line in skipped:
        write(f"  exempted {line}")
    timed = sorted(((t, r) for o in OUTCOMES.values() for t, r in zip(o.seconds, o.ran)), reverse=True)
    write(f"{sum(t for t, _ in timed):.1f} s in commands (the README's beside the guide's); slowest: "
          + "; ".join(f"{t:.1f} s {r.split(': ', 1)[0]}" for t, r in timed[:3]))
