"""Dumps each case as Ansible's to_yaml / to_nice_yaml would, in one process (for yaml-dump.test.ts).

Reads a JSON list of cases from stdin: [{"filter": "to_yaml", "value": ..., "kwargs": {...}}, ...], where a
float is written {"__float__": "2.0"} so that it stays apart from an int. Prints a JSON list with, for each
case, {"text": "..."} or {"error": "..."}. Uses Ansible's dumper when Ansible is importable, else PyYAML's
CSafeDumper (the libyaml emitter Ansible's dumper is built on); exits 3 with {"missing": ...} without libyaml.
"""
import json
import sys


def decode(obj):
    if isinstance(obj, dict) and set(obj) == {"__float__"}:
        return float(obj["__float__"])
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
    for case in json.load(sys.stdin, object_hook=decode):
        kwargs = dict(case["kwargs"])
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
