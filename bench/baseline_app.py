"""`python -m bench.baseline_app`: the bare limit of intake's stack, one Flask endpoint, one insert_one.

Served like the services are (waitress, the thread count and channel timeout of libs/motcua/runtime.py),
against the same FerretDB, so intake.submit can be read against it.
"""

from __future__ import annotations

import argparse
import uuid

from flask import Flask, Response, jsonify, request
from pymongo import MongoClient
from pymongo.collection import Collection
from waitress.server import create_server

THREADS = 16  # as libs/motcua/runtime.py serves every service
CHANNEL_TIMEOUT = 30


def create_app(collection: Collection) -> Flask:
    app = Flask(__name__)

    @app.post("/items")
    def insert() -> tuple[Response, int]:
        document = {"_id": uuid.uuid4().hex, "body": request.get_json()}
        collection.insert_one(document)
        return jsonify({"id": document["_id"]}), 201

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mongo-url", required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    client: MongoClient = MongoClient(args.mongo_url, appname="bench-baseline", serverSelectionTimeoutMS=5000,
                                      connectTimeoutMS=5000)
    app = create_app(client[args.database]["items"])
    server = create_server(app, host="127.0.0.1", port=args.port, threads=THREADS,
                           channel_timeout=CHANNEL_TIMEOUT, ident="bench-baseline")
    server.run()


if __name__ == "__main__":
    main()
