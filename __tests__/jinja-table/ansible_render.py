"""Renders the Jinja2 table's cases through Ansible's own Templar, in one process.

Reads a JSON list of cases from stdin: [{"id": "...", "template": "...", "vars": {...}}, ...]
Prints one JSON document: {"ansible": "2.14.x", "jinja2": "3.x", "results": {id: result}}, where a
result is {"type": "str", "text": "..."} (the value's Python type name and, for a str, the text itself,
for any other value its repr()) or {"error": "ClassName", "message": "..."}.

Each case gets a fresh Templar over its own variables, with Ansible's defaults (jinja2_native off): what a
task's arguments see. `omit` holds the placeholder that the caller passes in (Ansible's
`__omit_place_holder__` followed by a hash).
"""
import json
import sys


def type_name(value):
    # Ansible's text classes (AnsibleUnsafeText, NativeJinjaText) are str subclasses: report "str".
    for cls in (bool, int, float, str, list, dict, tuple):
        if isinstance(value, cls):
            return cls.__name__
    if value is None:
        return "NoneType"
    return type(value).__name__


def canonical(value):
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return repr([plain(v) for v in value])
    if isinstance(value, dict):
        return repr(plain(value))
    return repr(value)


def plain(value):
    """The value with Ansible's str subclasses made plain str, so that repr() prints as Python's would."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, tuple):
        # A tuple inside a list stays one (Python prints it `(a, b)`); a namedtuple (groupby's) as a tuple.
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


def main():
    try:
        import ansible
        import jinja2
        from ansible.parsing.dataloader import DataLoader
        from ansible.template import Templar
    except ImportError as error:
        print(json.dumps({"missing": str(error)}))
        return 3
    cases = json.load(sys.stdin)
    loader = DataLoader()
    results = {}
    for case in cases:
        try:
            templar = Templar(loader=loader, variables=dict(case.get("vars") or {}))
            value = templar.template(case["template"])
            results[case["id"]] = {"type": type_name(value), "text": canonical(value)}
        except Exception as error:  # every failure is a result: its class is what the table compares
            results[case["id"]] = {"error": type(error).__name__, "message": str(error)}
    json.dump(
        {"ansible": ansible.__version__, "jinja2": jinja2.__version__, "results": results},
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
