"""fcclsim's summary.json: its schema (docs/summary-schema.json), validation, and the table of docs/cases.md.

The schema is the one description of the file. post/ reads summaries through read_summary(), which validates them;
docs/cases.md's "Output: summary.json" section is the table that `doc` prints from the schema (a test checks that the
two agree, and one that what fcclsim writes validates strictly).

  PYTHONPATH=post python3 -m fcclsim_post.summary validate [--strict] SUMMARY.json...
  PYTHONPATH=post python3 -m fcclsim_post.summary doc                 the Markdown table
  PYTHONPATH=post python3 -m fcclsim_post.summary check-doc docs/cases.md [--update]

The validator knows the part of JSON Schema (2020-12) the schema uses: type, properties, required, items, minItems,
additionalProperties, enum and $ref to #/$defs. "unit" and "description" are annotations. Strict validation also
rejects keys the schema does not list (the schema then needs the new key); readers validate leniently, so an older
post/ still reads a newer fcclsim's summary."""
import argparse
import json
import os
import sys

from . import TOP
from .files import write_atomic

SCHEMA_PATH = os.path.join(TOP, "docs", "summary-schema.json")
DOC_BEGIN = "<!-- summary.json table: generated from docs/summary-schema.json by python3 -m fcclsim_post.summary doc -->"
DOC_END = "<!-- end of the generated table -->"
_schema = None


def schema():
    global _schema
    if _schema is None:
        try:
            with open(SCHEMA_PATH) as f:
                _schema = json.load(f)
        except (OSError, ValueError) as e:
            raise RuntimeError("fcclsim_post: cannot read the schema of summary.json, %s (post/ needs the source tree's "
                               "docs/ beside it): %s" % (SCHEMA_PATH, e))
    return _schema


def _resolve(node, root):
    ref = node.get("$ref")
    if ref:
        if not ref.startswith("#/$defs/"):
            raise ValueError("%s: unsupported $ref %s" % (SCHEMA_PATH, ref))
        target = dict(root["$defs"][ref[len("#/$defs/"):]])
        target.update({k: v for k, v in node.items() if k != "$ref"})
        return target
    return node


def _type_ok(value, kind):
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "array": list, "object": dict}[kind])


def _validate(value, node, root, path, strict, errors):
    node = _resolve(node, root)
    kinds = node.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_type_ok(value, k) for k in kinds):
            errors.append("%s: %s, expected %s" % (path, json.dumps(value)[:60], " or ".join(kinds)))
            return
    if "enum" in node and value not in node["enum"]:
        errors.append("%s: %s, expected one of %s" % (path, json.dumps(value), ", ".join(node["enum"])))
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            errors.append("%s: %d entries, at least %d expected" % (path, len(value), node["minItems"]))
        if "items" in node:
            for i, item in enumerate(value):
                _validate(item, node["items"], root, "%s[%d]" % (path, i), strict, errors)
    if isinstance(value, dict):
        for key in node.get("required", []):
            if key not in value:
                errors.append("%s: missing key %s" % (path, key))
        props = node.get("properties", {})
        extra = node.get("additionalProperties")
        for key, item in value.items():
            where = "%s.%s" % (path, key)
            if key in props:
                _validate(item, props[key], root, where, strict, errors)
            elif isinstance(extra, dict):
                _validate(item, extra, root, where, strict, errors)
            elif extra is False or (strict and props):
                errors.append("%s: key not in %s" % (where, os.path.relpath(SCHEMA_PATH, TOP)))


def validate(doc, strict=False):
    """The list of problems of a parsed summary.json (empty when it is valid), each naming the key."""
    errors = []
    _validate(doc, schema(), schema(), "summary", strict, errors)
    return errors


def read_summary(path, strict=False):
    """(summary, None) for a complete, valid summary.json; (None, why) otherwise: missing, unreadable, not JSON, or
    not what the schema describes. fcclsim writes the file atomically, so a crashed run leaves none at all."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except FileNotFoundError:
        return None, "no summary.json"
    except OSError as e:
        return None, "%s: %s" % (path, e.strerror)
    except ValueError as e:
        return None, "%s: not JSON: %s" % (path, e)
    errors = validate(doc, strict)
    if errors:
        return None, "%s: %s%s" % (path, "; ".join(errors[:3]), " (and %d more)" % (len(errors) - 3) if len(errors) > 3 else "")
    return doc, None


# ---- the table of docs/cases.md ---------------------------------------------------------------------------------

def _kind(node):
    kinds = node.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    text = " or ".join(kinds)
    if kinds == ["array"] and isinstance(node.get("items"), dict) and node["items"].get("type") in ("string", "number"):
        text += " of " + node["items"]["type"]
    if "enum" in node:
        text += ": " + ", ".join("`%s`" % e for e in node["enum"])
    return text


def _rows(node, root, path):
    node = _resolve(node, root)
    if "description" in node and path:
        yield path, _kind(node), node.get("unit", ""), node["description"]
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        item = _resolve(node["items"], root)
        if "properties" in item:
            for key, sub in item["properties"].items():
                yield from _rows(sub, root, "%s[].%s" % (path, key))
    elif "properties" in node and "description" not in node or not path:
        for key, sub in node.get("properties", {}).items():
            yield from _rows(sub, root, "%s.%s" % (path, key) if path else key)


def doc_table():
    lines = [DOC_BEGIN, "", "| key | type | unit | meaning |", "|---|---|---|---|"]
    for path, kind, unit, text in _rows(schema(), schema(), ""):
        lines.append("| `%s` | %s | %s | %s |" % (path, kind, unit, text.replace("|", "\\|")))
    return "\n".join(lines + ["", DOC_END])


def check_doc(path, update):
    with open(path) as f:
        text = f.read()
    begin, end = text.find(DOC_BEGIN), text.find(DOC_END)
    if begin < 0 or end < begin:
        print("%s: no generated summary.json table (the markers %r ... %r)" % (path, DOC_BEGIN, DOC_END), file=sys.stderr)
        return 1
    current, wanted = text[begin:end + len(DOC_END)], doc_table()
    if current == wanted:
        print("%s: the summary.json table is the schema's" % path)
        return 0
    if update:
        write_atomic(path, text[:begin] + wanted + text[end + len(DOC_END):])
        print("%s: summary.json table updated from %s" % (path, SCHEMA_PATH))
        return 0
    print("%s: the summary.json table differs from %s; run: PYTHONPATH=post python3 -m fcclsim_post.summary check-doc %s --update"
          % (path, os.path.relpath(SCHEMA_PATH, TOP), path), file=sys.stderr)
    return 1


def parser():
    p = argparse.ArgumentParser(prog="python3 -m fcclsim_post.summary", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    v = sub.add_parser("validate", help="check summary.json files against the schema", description="Exit 0 when every file is valid; else print each problem (file, key, what was expected) and exit 1.")
    v.add_argument("files", nargs="+", metavar="SUMMARY", help="summary.json files")
    v.add_argument("--strict", action="store_true", help="also reject keys the schema does not list")
    sub.add_parser("doc", help="print the Markdown table of docs/cases.md", description="Print the summary.json table that docs/cases.md holds, generated from the schema.")
    c = sub.add_parser("check-doc", help="check (or --update) the table in a Markdown file", description="Exit 0 when the table between the markers in FILE is the schema's, else 1.")
    c.add_argument("file", help="the Markdown file (docs/cases.md)")
    c.add_argument("--update", action="store_true", help="rewrite the table from the schema instead of failing")
    return p


def main(argv=None):
    opts = parser().parse_args(argv)
    if opts.command == "doc":
        print(doc_table())
        return 0
    if opts.command == "check-doc":
        return check_doc(opts.file, opts.update)
    bad = 0
    for path in opts.files:
        summary, why = read_summary(path, opts.strict)
        print("ok   %s" % path if summary else "FAIL %s" % why)
        bad += summary is None
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
