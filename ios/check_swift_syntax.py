"""Syntax check of Swift sources with tree-sitter-swift, for machines without a Swift toolchain.

Run by `cargo xtask test` (inside the project's venv) on the generated bindings, the package's
wrapper and its XCTest files. A file passes when tree-sitter finds no ERROR or MISSING node.
This proves the files parse as Swift; it does not type-check them: only `swift build` on a Mac
does that.

usage: check_swift_syntax.py DIR_OR_FILE...
"""

import re
import sys
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Parser


# UniFFI hides its helpers from generated docs with an attribute inside a compiler directive:
#     #if swift(>=5.8)
#     @_documentation(visibility: private)
#     #endif
#     fileprivate struct ...
# Valid Swift, but tree-sitter-swift cannot parse an attribute cut off from its declaration by
# `#endif`. Only this exact block is blanked (keeping line numbers); anything else must parse.
DOC_ATTRIBUTE_BLOCK = re.compile(
    rb"^#if swift\(>=5\.8\)\n[ \t]*@_documentation\(visibility: private\)\n#endif\n", re.MULTILINE
)

# A closure whose body is the empty tuple, `{ () }` (UniFFI's callback glue for a method
# returning nothing), is valid Swift that tree-sitter-swift rejects; it is checked as `{    }`.
EMPTY_TUPLE_CLOSURE = re.compile(rb"\{ \(\) \}")


def normalise(source):
    source = DOC_ATTRIBUTE_BLOCK.sub(lambda m: b"\n" * m.group(0).count(b"\n"), source)
    return EMPTY_TUPLE_CLOSURE.sub(b"{    }", source)


def problems(tree):
    """Yields (line, column, kind) of every ERROR or MISSING node."""
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, col = node.start_point
            yield row + 1, col + 1, "missing " + node.type if node.is_missing else "error"
            continue
        if node.has_error:
            stack.extend(node.children)


def main(args):
    parser = Parser(Language(tree_sitter_swift.language()))
    files = []
    for arg in args:
        path = Path(arg)
        files.extend(sorted(path.rglob("*.swift")) if path.is_dir() else [path])
    if not files:
        print("check_swift_syntax: no Swift files found", file=sys.stderr)
        return 1
    failed = 0
    for file in files:
        tree = parser.parse(normalise(file.read_bytes()))
        found = list(problems(tree))
        for line, col, kind in found[:10]:
            print(f"{file}:{line}:{col}: {kind}")
        failed += bool(found)
    print(f"swift-syntax: {len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
