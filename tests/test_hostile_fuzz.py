"""kg build on random hostile files: one-line messages, exit 0 or 1, earlier outputs intact on failure.

Each case writes one to three files: JSON Lines, JSON arrays, CSV, Atom, listing pages, random bytes or a mix.
They have random encodings and pieces that broke readers before: wrong-typed fields, lone surrogates, control
characters, markup, lone carriage returns, truncation, entity expansion. The case then builds them over an
earlier good build, in-process. The seeds are fixed, so a failure names a case that can be replayed. Set
``KG_FUZZ_CASES`` to run more or fewer cases than 150.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import random
from pathlib import Path

import pytest

from kg.cli import main

pytestmark = pytest.mark.slow

CASES = int(os.environ.get("KG_FUZZ_CASES", "150"))

WORDS = ("We propose FooNet, a transformer for image classification on ImageNet and CIFAR-10 (accuracy 91.2%). "
         "Code: https://github.com/a/b. The Vocabulary Disentangled Retrieval (VDR) model beats BERT.").split()
ODD = ["\u202e", "\u200b", "\ufeff", "\x00", "\x1b[31m", "\ud800", "\udfff", "<script>alert(1)</script>", "&amp;",
       "\r", "\r\n", "\x0c", "\u2028", "\u0301", "é", "\\", '"', "'", "{", "}", "[", "]", ",", "\t", "$x^2$", "~",
       "\x85", "—", "\U0001f4a5", "A" * 3000, "(" * 300, "://", "https://github.com/" + "a" * 500, "NaN", "Sub\nscribe",
       "• 5 authors", "·", "May 28, 2023 1", "Daily Papers", "<a href='javascript:x'>t</a>", "]]>", "<!--"]


class Fuzz:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def text(self, n: int) -> str:
        rng = self.rng
        parts = [rng.choice(ODD) if rng.random() < 0.25 else rng.choice(WORDS) for _ in range(n)]
        return " ".join(parts) if rng.random() < 0.8 else "".join(parts)

    def record(self) -> dict:
        rng, d = self.rng, {}
        if rng.random() < 0.9:
            d["title"] = self.text(rng.randint(0, 12))
        if rng.random() < 0.9:
            d["abstract"] = self.text(rng.randint(0, 80))
        for key, values in (("id", ["x", "1", "", "2301.00001", self.text(3)]),
                            ("authors", [[self.text(2)], "A. Author and B. Author", None, 5, [1, 2], {"name": "C"}]),
                            ("published", ["2023-01-01", "garbage", None, 12]),
                            ("url", ["javascript:alert(1)", "http://x", 5, self.text(2)]),
                            ("title", [None, 5, ["a"], {"b": 1}]),
                            ("abstract", [None, 5.5, ["a", "b"], {"b": 1}])):
            if rng.random() < 0.15:
                d[key] = rng.choice(values)
        return d

    def jsonl(self) -> str:
        rng, lines = self.rng, []
        for _ in range(rng.randint(0, 8)):
            r = rng.random()
            if r < 0.6:
                lines.append(json.dumps(self.record(), ensure_ascii=rng.random() < 0.5))
            elif r < 0.75:
                lines.append(json.dumps(self.record())[: rng.randint(0, 40)])
            elif r < 0.85:
                lines.append(rng.choice(["[]", "null", "5", '"s"', "{}", "[[[[", "{" * 5000, "true"]))
            else:
                lines.append(self.text(5))
        return "\n".join(lines)

    def json_array(self) -> str:
        s = json.dumps([self.record() for _ in range(self.rng.randint(0, 6))])
        return s if self.rng.random() < 0.7 else s[: self.rng.randint(0, len(s))]

    def csv(self) -> str:
        rng, buf = self.rng, io.StringIO()
        header = rng.choice([["title", "abstract"], ["Title", "Abstract", "id"], ["abstract"], ["x", "y"]])
        writer = csv.writer(buf, lineterminator=rng.choice(["\r\n", "\n", "\r"]))
        writer.writerow(header)
        for _ in range(rng.randint(0, 6)):
            writer.writerow([self.text(rng.randint(0, 20)) for _ in range(rng.randint(0, len(header) + 1))])
        return buf.getvalue()

    def atom(self) -> str:
        rng = self.rng
        entries = "".join(f"<entry><id>http://arxiv.org/abs/2301.{rng.randint(0, 99999):05d}v1</id>"
                          f"<title>{self.text(5)}</title><summary>{self.text(30)}</summary></entry>"
                          for _ in range(rng.randint(0, 4)))
        feed = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'
        r = rng.random()
        if r < 0.15:  # entity expansion ("billion laughs"), nine levels
            defs = '<!ENTITY e0 "lol">' + "".join(f'<!ENTITY e{i} "{("&e%d;" % (i - 1)) * 10}">' for i in range(1, 9))
            return (f'<?xml version="1.0"?><!DOCTYPE feed [{defs}]><feed xmlns="http://www.w3.org/2005/Atom">'
                    "<entry><title>&e8;</title><summary>x</summary></entry></feed>")
        if r < 0.25:  # external entity
            return ('<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title><summary>a b</summary>'
                    "</entry></feed>")
        return feed if r < 0.55 else feed[: rng.randint(0, len(feed))]

    def listing(self) -> str:
        rng = self.rng
        blocks = [self.text(rng.randint(0, 10)) + "\n" + ("\n" if rng.random() < 0.6 else "")
                  + self.text(rng.randint(0, 60)) for _ in range(rng.randint(0, 8))]
        return rng.choice(["\n\n", "\n", "\r\n\r\n", "\r\r"]).join(blocks)

    def file(self) -> bytes:
        rng = self.rng
        kind = rng.choice(["jsonl", "json", "csv", "atom", "listing", "bytes", "mixed"])
        if kind == "bytes":
            return bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))
        if kind == "mixed":
            return (self.jsonl() + "\n" + self.listing()).encode("utf-8", "surrogatepass")
        text = {"jsonl": self.jsonl, "json": self.json_array, "csv": self.csv, "atom": self.atom,
                "listing": self.listing}[kind]()
        encoding = rng.choice(["utf-8"] * 5 + ["utf-16", "utf-16-le", "latin-1", "utf-8-sig", "cp1252", "utf-32"])
        errors = "surrogatepass" if encoding.startswith("utf-8") or encoding.startswith("utf-16") else "replace"
        try:
            return text.encode(encoding, errors)
        except UnicodeEncodeError:
            return text.encode("utf-8", "surrogatepass")


def run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()


def snapshot(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.mark.parametrize("seed", range(CASES))
def test_random_hostile_files_over_a_good_build(tmp_path, seed):
    fuzz = Fuzz(seed)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"title": "FooNet: Fast Nets", "abstract": "We propose FooNet on ImageNet."}) + "\n")
    out = tmp_path / "out"
    assert run("build", str(good), "--out", str(out), "--quiet", "--no-html")[0] == 0
    before = snapshot(out)
    inputs = []
    for j in range(fuzz.rng.randint(1, 3)):
        path = tmp_path / f"in{j}{fuzz.rng.choice(['.txt', '.jsonl', '.json', '.csv', '.xml', ''])}"
        path.write_bytes(fuzz.file())
        inputs.append(str(path))
    if fuzz.rng.random() < 0.3:
        inputs.append(str(good))
    html = [] if fuzz.rng.random() < 0.5 else ["--no-html"]
    code, err = run("build", *inputs, "--out", str(out), "--quiet", *html)
    assert code in (0, 1), err
    assert all(line.startswith("kg: ") for line in err.splitlines()), err
    if code == 1:
        assert snapshot(out) == before, err
    else:
        assert {"graph.json", "graph.graphml", "graph.cypher"} <= set(snapshot(out)), err
