"""Seconds to extract one hostile abstract, at two lengths: does the time grow linearly?

Abstracts are third-party text. A record keeps up to 100,000 characters of one
(``kg.read.MAX_ABSTRACT_CHARS``). Each case here repeats one piece up to that
length. The pieces are the ones that once made a regex or spaCy's tokenizer
quadratic, plus the shapes the rules work hardest on: names, acronym definitions,
lists, numbers. Every case runs at ``--small`` and ``--large`` characters. If
extraction is linear, the time grows by about the size factor; if it is
quadratic, by the square of that factor.

    .venv/bin/python benchmarks/bench_hostile.py [--small 10000] [--large 100000]

Run it on an older commit (``git worktree add``) with smaller sizes to see what
was fixed: there the worst cases take minutes to hours at 100,000 characters.
"""
from __future__ import annotations

import argparse
import time

from common import command_line, machine, markdown_table, save_result


def names(k: int) -> list[str]:
    return [f"Ab{i}Net" for i in range(k)]


#: case -> a function of the length n giving a text of about n characters
CASES = {
    "`(` repeated (spaCy's tokenizer)": lambda n: "(" * n,
    "`“` repeated (spaCy's tokenizer)": lambda n: "\u201c" * n,
    "`Aa-Bb-` repeated (title-case run)": lambda n: "Aa-Bb-" * (n // 6),
    "`Aa ` repeated (one long title-case run)": lambda n: "Aa " * (n // 3),
    "`AB ` repeated (acronym-shaped words)": lambda n: "AB " * (n // 3),
    "`Deep Net1 (DN1)` … (acronym definitions)": lambda n: " ".join(f"Deep Net{i} (DN{i})" for i in range(n // 16)),
    "`accuracy of 91.2% on ImageNet` … (result values)": lambda n: "accuracy of 91.2% on ImageNet " * (n // 30),
    "`Foo1X such as Ab1Net,` … (Hearst cues)": lambda n: " ".join(f"Foo{i}X such as Ab{i}Net," for i in range(n // 24)),
    "`models such as Ab1Net, Ab2Net, …` (one long list)": lambda n: "We compare models such as " + ", ".join(names(n // 8)),
    "`Ab1Net Ab2Net …` (name-shaped words)": lambda n: " ".join(names(n // 8)),
    "`We propose Ab1Net.` … (triggers)": lambda n: " ".join(f"We propose Ab{i}Net." for i in range(n // 20)),
    "`on UCF1, UCF2, … datasets` (coordination)": lambda n: "on " + ", ".join(f"UCF{i}" for i in range(n // 8)) + " datasets",
    "`Deep Net (DN) DN DN …` (acronym uses)": lambda n: "Deep Net (DN) " + "DN " * (n // 3),
    "`https://` + `a/` repeated (one long URL)": lambda n: "https://" + "a/" * (n // 2),
    "`1` repeated (one long number)": lambda n: "1" * n,
}


def seconds(text: str) -> float:
    from kg.extract import extract
    from kg.models import Source
    from kg.read import make_paper

    paper = make_paper("Hostile Input", text, source=Source(file="bench", line=1))
    started = time.perf_counter()
    list(extract([paper]))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000, help="characters of the short abstract")
    parser.add_argument("--large", type=int, default=100_000, help="characters of the long abstract")
    args = parser.parse_args(argv)

    info = machine()
    seconds("warm up: load the pipeline and the gazetteers")
    rows, worst = [], 0.0
    for case, make in CASES.items():
        small, large = seconds(make(args.small)[: args.small]), seconds(make(args.large)[: args.large])
        growth = large / max(small, 1e-9)
        worst = max(worst, large)
        rows.append([case, f"{small:.3f}", f"{large:.3f}", f"{growth:.1f}"])
        print(f"{case}: {small:.3f} s, {large:.3f} s", flush=True)
    factor = args.large / args.small
    table = markdown_table(["abstract made of", f"s at {args.small:,} chars", f"s at {args.large:,} chars",
                            "growth"], rows)
    body = (f"One paper per run, extracted after a warm-up (pipeline loaded). Size factor {factor:g}: linear growth "
            f"is about {factor:g}, quadratic about {factor * factor:g}. At these sizes the short times are a "
            "few hundredths of a second, so their growth figures are rough.\n\n"
            f"{table}\n\n- slowest abstract at {args.large:,} characters: {worst:.2f} s\n")
    print(body)
    path = save_result("hostile", "Extraction time of hostile abstracts", command_line(), info, body)
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
