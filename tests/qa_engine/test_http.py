"""The /score and /healthz routes, in the model card's request format."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from qa_engine.engine import QAEngine
from qa_engine.http import create_scoring_app, input_problem
from qa_engine.settings import EngineSettings

CARD_CONTEXT = "My name is John and I live in Seattle"


@pytest.fixture(scope="module")
def client(trained_model_dir) -> TestClient:
    engine = QAEngine(EngineSettings(qa_model=str(trained_model_dir)))
    return TestClient(create_scoring_app(engine))


def test_model_card_request_answers_john(client: TestClient) -> None:
    response = client.post(
        "/score", json={"input_data": {"question": "What's my name?", "context": CARD_CONTEXT}}
    )
    assert response.status_code == 200
    assert response.json() == ["John"]


def test_lists_answer_pairwise(client: TestClient) -> None:
    response = client.post(
        "/score",
        json={
            "input_data": {
                "question": ["What's my name?", "Where do I live?"],
                "context": [CARD_CONTEXT, CARD_CONTEXT],
            }
        },
    )
    assert response.status_code == 200
    assert response.json() == ["John", "Seattle"]


def test_question_list_against_one_context(client: TestClient) -> None:
    response = client.post(
        "/score",
        json={
            "input_data": {
                "question": ["Where do I live?", "What's my name?"],
                "context": CARD_CONTEXT,
            }
        },
    )
    assert response.json() == ["Seattle", "John"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"question": "x"}', "input_data"),
        (b'{"input_data": {"question": "x"}}', "missing: context"),
        (b'{"input_data": {"question": "", "context": "y"}}', "non-empty"),
        (b'{"input_data": {"question": 3, "context": "y"}}', "question"),
        (
            b'{"input_data": {"question": ["a", "b"], "context": ["y"]}}',
            "2 questions and 1 contexts",
        ),
        (b"[]", "input_data"),
    ],
)
def test_bad_requests_get_400_with_a_message(client: TestClient, body: bytes, message: str) -> None:
    response = client.post("/score", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_healthz_reports_loading_then_ok(trained_model_dir) -> None:
    engine = QAEngine(EngineSettings(qa_model=str(trained_model_dir)))
    client = TestClient(create_scoring_app(engine))
    assert client.get("/healthz").json()["status"] == "loading"
    engine.warm_up()
    assert client.get("/healthz").json() == {"status": "ok", "model": str(trained_model_dir)}


def test_missing_model_is_503_with_what_to_set(tmp_path) -> None:
    engine = QAEngine(EngineSettings(qa_model=str(tmp_path / "nope")))
    client = TestClient(create_scoring_app(engine))
    response = client.post("/score", json={"input_data": {"question": "q?", "context": "c"}})
    assert response.status_code == 503
    assert "QA_MODEL" in response.json()["error"]
    health = client.get("/healthz")
    assert health.status_code == 503
    assert "QA_MODEL" in health.json()["error"]


# -- limits: a 400 with the reason, before the model (missing here: it would be a 503) -------


@pytest.fixture
def limited_client(tmp_path) -> TestClient:
    engine = QAEngine(
        EngineSettings(
            _env_file=None,
            qa_model=str(tmp_path / "nope"),
            qa_max_document_chars=100,
            qa_max_question_chars=20,
        )
    )
    return TestClient(create_scoring_app(engine))


@pytest.mark.parametrize(
    ("input_data", "message"),
    [
        (
            {"question": "q?", "context": "x" * 101},
            "That text is 101 characters; the limit is 100.",
        ),
        (
            {"question": "q?", "context": "\x00" * 50},
            "That text doesn't look like text: 100% of its characters",
        ),
        (
            {"question": "Why " * 6, "context": "text"},
            "That question is 24 characters; the limit is 20.",
        ),
        (
            {"question": ["a?", "b?", "c?"], "context": ["ok", "ok", "y" * 200]},
            "context 3: That text is 200 characters",
        ),
    ],
    ids=["long-context", "nul-context", "long-question", "third-of-a-list"],
)
def test_input_over_the_limits_is_400_with_the_reason(
    limited_client: TestClient, input_data: dict, message: str
) -> None:
    response = limited_client.post("/score", json={"input_data": input_data})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_input_at_the_limits_reaches_the_model(limited_client: TestClient) -> None:
    response = limited_client.post(
        "/score", json={"input_data": {"question": "q" * 20, "context": "x" * 100}}
    )
    assert response.status_code == 503  # past the limits, to the missing model


def test_one_context_for_many_questions_is_checked_and_named_once() -> None:
    context = "z" * 11
    problem = input_problem(
        ["a?", "b?"], [context, context], max_question_chars=10, max_context_chars=10
    )
    assert problem == (
        "That text is 11 characters; the limit is 10. "
        "Split it into several shorter documents."
    )
    assert input_problem(["a?"], ["fine"], max_question_chars=10, max_context_chars=10) is None
