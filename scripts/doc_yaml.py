#!/usr/bin/env python3
"""Writes every ```yaml block of README.md and docs/**/*.md to OUT, sorted by kind, for
the linters of scripts/ci_dist.sh:

    scripts/doc_yaml.py OUT

A block whose first line is a comment naming its file (`# .github/workflows/x.yml`,
`# azure-pipelines.yml`, `# .pre-commit-config.yaml`) is written to
OUT/github/.github/workflows/, OUT/azure/ or OUT/pre-commit/; any other block to
OUT/other/. File names carry the Markdown file and line the block starts at. Every block
must parse (tests/yaml_files.rs checks that too, without Python).
"""
import pathlib
import re
import sys

import yaml

BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.S | re.M)


def kind(first_line: str) -> str:
    if ".github/workflows/" in first_line:
        return "github/.github/workflows"
    if "azure-pipelines" in first_line:
        return "azure"
    if ".pre-commit-config" in first_line:
        return "pre-commit"
    return "other"


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    docs = [pathlib.Path("README.md"), *sorted(pathlib.Path("docs").rglob("*.md"))]
    count = 0
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            body = match.group(1)
            line = text[: match.start()].count("\n") + 1
            yaml.safe_load(body)  # raises with the block's own line on a syntax error
            folder = out / kind(body.split("\n", 1)[0])
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{doc.as_posix().replace('/', '_')}-{line}.yml"
            (folder / name).write_text(body, encoding="utf-8")
            count += 1
    print(f"{count} YAML blocks in the docs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
