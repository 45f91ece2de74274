"""Sends the example services' structured logs to Vigil with Python's standard `logging` only.

Run with Debian's interpreter (/usr/bin/python3); no third-party package. Two handlers:

- `json`: a `logging.handlers.HTTPHandler` subclass whose `emit` POSTs the record formatted by
  `JsonFormatter` (the example services' log shape) as `application/json` — the recommended setup;
- `form`: the stock `HTTPHandler`, unchanged: it POSTs the LogRecord's attributes form-encoded,
  which Vigil also accepts (without nested context, and with the unformatted `msg`).

  json_logging_client.py <host:port> <json|form> <correlation-id> [--api-key KEY]

Each run logs the example lines: an INFO request, a prediction (event=prediction, the pneumonia
example service's context), a WARNING and an ERROR, all with the given request id.
"""

import argparse
import base64
import datetime
import json
import logging
import logging.handlers
import sys


class JsonFormatter(logging.Formatter):
    """The example services' JSON log line: timestamp, level, service, version, trace ids, message, context."""

    def __init__(self, service, version):
        super().__init__()
        self.service = service
        self.version = version

    def format(self, record):
        line = {
            "timestamp": datetime.datetime.fromtimestamp(
                record.created, tz=datetime.timezone.utc
            ).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "version": self.version,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "trace_id", "span_id", "event", "model", "context"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        return json.dumps(line)


class JsonHTTPHandler(logging.handlers.HTTPHandler):
    """HTTPHandler that POSTs `self.format(record)` as JSON instead of a form-encoded record."""

    def emit(self, record):
        try:
            body = self.format(record).encode("utf-8")
            connection = self.getConnection(self.host, self.secure)
            headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
            if self.credentials:
                token = base64.b64encode(("%s:%s" % self.credentials).encode("utf-8"))
                headers["Authorization"] = "Basic " + token.decode("ascii")
            connection.request(self.method, self.url, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status >= 300:
                raise RuntimeError("HTTP %d" % response.status)
        except Exception:
            self.handleError(record)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("mode", choices=["json", "form"])
    parser.add_argument("correlation_id")
    parser.add_argument("--api-key")
    args = parser.parse_args()
    credentials = ("vigil", args.api_key) if args.api_key else None

    if args.mode == "json":
        handler = JsonHTTPHandler(args.host, "/ingest/logs", method="POST", credentials=credentials)
        handler.setFormatter(JsonFormatter("inference", "1.2.0"))
        name = "pneumonia-detector"
    else:
        handler = logging.handlers.HTTPHandler(
            args.host, "/ingest/logs", method="POST", credentials=credentials
        )
        name = "api"
    failed = []
    handler.handleError = lambda record: failed.append(sys.exc_info()[1])
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)

    ids = {"request_id": args.correlation_id, "trace_id": "abc123", "span_id": "def456"}
    logger.info("request received: %s", "/predict", extra=ids)
    logger.info(
        "Model inference completed",
        extra={
            **ids,
            "event": "prediction",
            "model": "pneumonia",
            "context": {
                "model_version": "v2.1",
                "image_id": "chest_xray_001.jpg",
                "prediction": "pneumonia",
                "confidence": 0.95,
                "inference_time_ms": 120,
            },
        },
    )
    logger.warning("slow request: %d ms", 1200, extra=ids)
    logger.error("inference failed: CUDA out of memory", extra=ids)
    if failed:
        print("send failed: %s" % failed[0], file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
