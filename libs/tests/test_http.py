from flask import jsonify
from motcua.health import Readiness
from motcua.http import create_base_app, json_body


def make_client():
    app = create_base_app("test", readiness=Readiness({}), openapi={})

    @app.post("/echo")
    def echo():  # type: ignore[no-untyped-def]
        return jsonify(json_body())

    return app.test_client()


def test_a_json_object_is_read():
    assert make_client().post("/echo", json={"a": 1}).get_json() == {"a": 1}


def test_json_nested_too_deep_is_a_malformed_request_not_a_server_error():
    response = make_client().post("/echo", data="[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["type"].endswith("/malformed-request")


def test_a_lone_surrogate_is_a_malformed_request_not_a_server_error():
    response = make_client().post("/echo", data='{"name": "Lan\\ud9d4", "ok": "Nguyễn"}', content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.get_json()["detail"]
    assert make_client().post("/echo", json={"name": "Nguyễn 😀"}).status_code == 200
