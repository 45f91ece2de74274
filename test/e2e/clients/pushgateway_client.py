"""Pushes the example services' ML metrics to a Pushgateway API with Python prometheus_client.

Run with Debian's interpreter (/usr/bin/python3) and package (python3-prometheus-client), unchanged
from how the example services use it. One action per run, so the caller can check Vigil in between:

  pushgateway_client.py <gateway> <push|pushadd|delete> <job> [--key name=value ...]
                        [--only-loss] [--loss 0.42] [--api-key KEY]

Exit status: 0 when the gateway answered 2xx, 3 with "HTTP <status>" on stderr when it refused.
"""

import argparse
import sys
import urllib.error

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Summary,
    delete_from_gateway,
    push_to_gateway,
    pushadd_to_gateway,
)
from prometheus_client.exposition import basic_auth_handler, default_handler


def example_registry(loss, only_loss):
    """The metrics of the rxvision and robo-rlhf example services, with fixed observations."""
    registry = CollectorRegistry()
    Gauge("training_loss", "Current training loss", registry=registry).set(loss)
    if only_loss:
        return registry
    predictions = Counter(
        "model_predictions_total",
        "Total number of predictions",
        ["model_version", "result"],
        registry=registry,
    )
    predictions.labels("v1.2.0", "success").inc(42)
    predictions.labels("v1.2.0", "error").inc(1)
    batch = Histogram(
        "batch_size_distribution",
        "Distribution of batch sizes",
        buckets=(1, 2, 4, 8, 16, 32, 64),
        registry=registry,
    )
    for size in (1, 3, 8, 8, 20, 64, 100):
        batch.observe(size)
    latency = Summary(
        "model_inference_latency_seconds",
        "Model inference latency",
        ["model_version"],
        registry=registry,
    )
    latency.labels("v1.2.0").observe(0.05)
    latency.labels("v1.2.0").observe(0.15)
    return registry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("gateway")
    parser.add_argument("action", choices=["push", "pushadd", "delete"])
    parser.add_argument("job")
    parser.add_argument("--key", action="append", default=[], help="grouping key label=value")
    parser.add_argument("--only-loss", action="store_true")
    parser.add_argument("--loss", type=float, default=0.42)
    parser.add_argument("--api-key", default=None, help="sent as the basic-auth password")
    args = parser.parse_args()

    grouping_key = dict(kv.split("=", 1) for kv in args.key)

    handler = default_handler
    if args.api_key is not None:
        api_key = args.api_key

        def handler(url, method, timeout, headers, data):
            return basic_auth_handler(
                url, method, timeout, headers, data, username="vigil", password=api_key
            )

    try:
        if args.action == "delete":
            delete_from_gateway(
                args.gateway, job=args.job, grouping_key=grouping_key, handler=handler
            )
        else:
            push = push_to_gateway if args.action == "push" else pushadd_to_gateway
            push(
                args.gateway,
                job=args.job,
                registry=example_registry(args.loss, args.only_loss),
                grouping_key=grouping_key,
                handler=handler,
            )
    except urllib.error.HTTPError as e:
        print(f"HTTP {e.code}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
