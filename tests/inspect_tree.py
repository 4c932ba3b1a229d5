"""Reading the result trees of `fwkit inspect --json` / `identify --json` (docs/json.md, schema 2)
in the shell tests: typed fields, never prose."""


def f(node, name, default=None):
    """A field's value: numbers, booleans and strings as they are, enums as their name."""
    v = node.get("fields", {}).get(name, default)
    return v["name"] if isinstance(v, dict) and "name" in v else v


def kids(node, fmt):
    """The children of NODE whose format is FMT."""
    return [c for c in node.get("children", []) if c["format"] == fmt]


def kid(node, fmt):
    k = kids(node, fmt)
    return k[0] if k else None


def part(j, name):
    """The partition node called NAME of an inspect tree."""
    return [p for p in kids(j, "partition") if f(p, "name") == name][0]


def findings(node):
    """Every finding in NODE and below it."""
    out = list(node.get("findings", []))
    for c in node.get("children", []):
        out += findings(c)
    return out


def candidates(j):
    """The candidate device ids, best first (inspect or identify tree)."""
    idn = kid(j, "identification") or kid(kid(j, "identify") or {}, "identification") or {}
    return [f(c, "device") for c in kids(idn, "candidate")]


def evidence(j, device=None):
    """(kind, weight, value) of every piece of evidence for DEVICE (default: the best)."""
    idn = kid(j, "identification") or kid(kid(j, "identify") or {}, "identification") or {}
    cs = kids(idn, "candidate")
    c = [x for x in cs if device is None or f(x, "device") == device]
    return [(f(e, "kind"), f(e, "weight"), f(e, "value")) for e in kids(c[0], "evidence")] if c else []
