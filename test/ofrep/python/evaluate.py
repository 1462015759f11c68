"""Evaluates the cases given as JSON on stdin with OpenFeature's Python SDK and OFREP provider, and
prints one JSON result per case (the test in ../clients-python.test.ts compares them).

stdin: {"baseUrl": str, "key": str, "cases": [{"type": "boolean|string|float|object", "flag": str,
        "default": any, "context": {...}}]}
"""
import json
import sys

from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext


def plain(value):
    """Enums (Reason, ErrorCode) as their string values, for JSON."""
    return getattr(value, "value", value)


def main():
    request = json.load(sys.stdin)
    key = request["key"]
    api.set_provider(OFREPProvider(request["baseUrl"], headers_factory=lambda: {"Authorization": f"Bearer {key}"}))
    client = api.get_client()
    methods = {
        "boolean": client.get_boolean_details,
        "string": client.get_string_details,
        "float": client.get_float_details,
        "object": client.get_object_details,
    }
    results = []
    for case in request["cases"]:
        context = dict(case.get("context", {}))
        targeting_key = context.pop("targetingKey", None)
        details = methods[case["type"]](case["flag"], case["default"], EvaluationContext(targeting_key, context))
        results.append({
            "value": details.value,
            "reason": plain(details.reason),
            "variant": details.variant,
            "errorCode": plain(details.error_code),
            "errorMessage": details.error_message,
            "flagMetadata": dict(details.flag_metadata or {}),
        })
    print(json.dumps(results))


if __name__ == "__main__":
    main()
