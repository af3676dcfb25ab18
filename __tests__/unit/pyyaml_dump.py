"""Dumps each case as Ansible's to_yaml / to_nice_yaml would, in one process (for yaml-dump.test.ts).

Reads a JSON list of cases from stdin: [{"filter": "to_yaml", "value": ..., "kwargs": {...}}, ...], where a
float is written {"__float__": "2.0"} so that it stays apart from an int, and a list or dict that
occurs twice as {"__id__": n, "__value__": ...} then {"__ref__": n}. Prints a JSON list with, for each
case, {"text": "..."} or {"error": "..."}. Uses Ansible's dumper when Ansible is importable, else PyYAML's
CSafeDumper (the libyaml emitter Ansible's dumper is built on); exits 3 with {"missing": ...} without libyaml.
"""
import json
import sys


def decode(obj, shared):
    """The value of wireValue's JSON: floats as floats, `__id__`/`__ref__` as one shared object."""
    if isinstance(obj, dict) and set(obj) == {"__float__"}:
        return float(obj["__float__"])
    if isinstance(obj, dict) and set(obj) == {"__ref__"}:
        return shared[obj["__ref__"]]
    if isinstance(obj, dict) and set(obj) == {"__id__", "__value__"}:
        body = obj["__value__"]
        value = [] if isinstance(body, list) else {}
        shared[obj["__id__"]] = value
        if isinstance(body, list):
            value.extend(decode(item, shared) for item in body)
        else:
            value.update((k, decode(v, shared)) for k, v in body.items())
        return value
    if isinstance(obj, list):
        return [decode(item, shared) for item in obj]
    if isinstance(obj, dict):
        return {k: decode(v, shared) for k, v in obj.items()}
    return obj


def main():
    try:
        import yaml
        from yaml import CSafeDumper
    except ImportError as error:
        print(json.dumps({"missing": str(error)}))
        return 3
    try:
        from ansible.parsing.yaml.dumper import AnsibleDumper as Dumper
    except ImportError:
        Dumper = CSafeDumper
    results = []
    for case in json.load(sys.stdin):
        kwargs = dict(case["kwargs"])
        case["value"] = decode(case["value"], {})
        try:
            if case["filter"] == "to_yaml":
                flow = kwargs.pop("default_flow_style", None)
                text = yaml.dump(case["value"], Dumper=Dumper, allow_unicode=True,
                                 default_flow_style=flow, **kwargs)
            else:
                indent = kwargs.pop("indent", 4)
                text = yaml.dump(case["value"], Dumper=Dumper, indent=indent, allow_unicode=True,
                                 default_flow_style=False, **kwargs)
            results.append({"text": text})
        except Exception as error:  # reported, compared as a failure on both sides
            results.append({"error": "%s: %s" % (type(error).__name__, error)})
    print(json.dumps({"dumper": Dumper.__name__, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
