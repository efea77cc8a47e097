"""Loading a model: once per name, and a one-line `ModelLoadError` when it can't be."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qa_engine import model_loading
from qa_engine.model_loading import ModelLoadError, load_qa_model, load_qa_tokenizer


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> dict:
    """An empty model cache for this test only (the session's loaded models stay put)."""
    cache: dict = {}
    monkeypatch.setattr(model_loading, "_cache", cache)
    monkeypatch.setattr(model_loading, "_tokenizers", {})
    return cache


def assert_user_facing(message: str) -> None:
    assert "QA_MODEL" in message
    assert "\n" not in message
    assert "Traceback" not in message


def test_a_missing_local_folder_names_it_and_says_what_to_set(
    tmp_path: Path, fresh_cache: dict
) -> None:
    missing = tmp_path / "no-such-model"

    with pytest.raises(ModelLoadError) as caught:
        load_qa_model(str(missing))

    assert str(missing) in str(caught.value)
    assert_user_facing(str(caught.value))
    assert fresh_cache == {}


@pytest.mark.parametrize("name", ["./models/not-here", "~/qabot-no-such-model-folder"])
def test_relative_and_home_paths_count_as_folders(name: str, fresh_cache: dict) -> None:
    with pytest.raises(ModelLoadError) as caught:
        load_qa_model(name)
    assert name in str(caught.value)
    assert "does not exist" in str(caught.value)


def test_a_folder_without_a_model_is_a_load_error(tmp_path: Path, fresh_cache: dict) -> None:
    empty = tmp_path / "empty-model"
    empty.mkdir()

    with pytest.raises(ModelLoadError) as caught:
        load_qa_model(str(empty))

    assert str(empty) in str(caught.value)
    assert_user_facing(str(caught.value))


def test_a_folder_with_a_tokenizer_but_no_weights_is_a_load_error(
    tmp_path: Path, random_model_dir: Path, fresh_cache: dict
) -> None:
    partial = tmp_path / "tokenizer-only"
    partial.mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (partial / name).write_bytes((random_model_dir / name).read_bytes())

    # The tokenizer alone loads (documents can be split while weights download) ...
    assert load_qa_tokenizer(str(partial)).is_fast
    # ... but the model can't, and says what to set.
    with pytest.raises(ModelLoadError) as caught:
        load_qa_model(str(partial))

    assert_user_facing(str(caught.value))


def test_an_unreachable_hub_id_offline_is_a_load_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh_cache: dict
) -> None:
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: set what it actually consults.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))

    with pytest.raises(ModelLoadError) as caught:
        load_qa_model("qabot-tests/no-such-qa-model")

    assert "qabot-tests/no-such-qa-model" in str(caught.value)
    assert_user_facing(str(caught.value))


def test_the_same_name_loads_once(random_model_dir: Path, fresh_cache: dict) -> None:
    first = load_qa_model(str(random_model_dir))
    second = load_qa_model(str(random_model_dir))

    assert second is first
    assert first.tokenizer.is_fast
    assert not first.model.training
    assert list(fresh_cache) == [(str(random_model_dir), "float32")]


def test_loading_happens_once_per_name_and_failures_are_not_cached(
    monkeypatch: pytest.MonkeyPatch, fresh_cache: dict
) -> None:
    calls: list[str] = []
    fail = {"flaky": True}

    def fake_load(name: str, dtype: str = "float32") -> model_loading.LoadedModel:
        calls.append(name)
        if fail.get(name):
            fail[name] = False
            raise ModelLoadError(f"cannot load {name}; set QA_MODEL")
        return model_loading.LoadedModel(name=name, tokenizer=object(), model=object())

    monkeypatch.setattr(model_loading, "_load", fake_load)

    load_qa_model("a")
    load_qa_model("a")
    load_qa_model("b")
    with pytest.raises(ModelLoadError):
        load_qa_model("flaky")
    recovered = load_qa_model("flaky")

    assert calls == ["a", "b", "flaky", "flaky"]
    assert recovered.name == "flaky"


def test_threads_apply_even_when_the_model_is_already_loaded(
    random_model_dir: Path, fresh_cache: dict
) -> None:
    import torch

    before = torch.get_num_threads()
    try:
        load_qa_model(str(random_model_dir), threads=1)
        assert torch.get_num_threads() == 1
        load_qa_model(str(random_model_dir), threads=2)  # cached: no second load
        assert torch.get_num_threads() == 2
        load_qa_model(str(random_model_dir))  # 0: leave torch's setting alone
        assert torch.get_num_threads() == 2
        assert list(fresh_cache) == [(str(random_model_dir), "float32")]
    finally:
        torch.set_num_threads(before)


def test_tokenizer_and_model_load_at_once_in_a_fresh_process(random_model_dir: Path) -> None:
    # The Slack app's start-up: the model loads in the background while a `/context add`
    # asks for the tokenizer. Both import from transformers for the first time at once;
    # unserialised, that import fails ("cannot import name 'AutoTokenizer'"). A fresh
    # process, because in this one transformers is long imported.
    script = textwrap.dedent(
        """
        import sys, threading, time
        from qa_engine import model_loading

        name, errors = sys.argv[1], []

        def run(load, delay):
            time.sleep(delay)
            try:
                load(name)
            except BaseException as error:
                errors.append(repr(error))

        threads = [
            threading.Thread(target=run, args=(model_loading.load_qa_model, 0)),
            threading.Thread(target=run, args=(model_loading.load_qa_tokenizer, 0.2)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(errors)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(random_model_dir)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_bfloat16_is_a_separate_model_sharing_the_tokenizer(
    random_model_dir: Path, fresh_cache: dict
) -> None:
    import torch

    full = load_qa_model(str(random_model_dir))
    half = load_qa_model(str(random_model_dir), dtype="bfloat16")

    assert next(full.model.parameters()).dtype == torch.float32
    assert next(half.model.parameters()).dtype == torch.bfloat16
    assert half.model is not full.model and half.tokenizer is full.tokenizer
    assert load_qa_model(str(random_model_dir), dtype="bfloat16") is half


def test_bfloat16_without_native_support_warns_that_it_is_slower(
    random_model_dir: Path, fresh_cache: dict, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    monkeypatch.setattr(model_loading, "_native_bf16", lambda torch: False)

    with caplog.at_level("WARNING", logger="qa_engine.model_loading"):
        load_qa_model(str(random_model_dir), dtype="bfloat16")

    assert "slower than float32" in caplog.text


def _hub_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))
    }
    # An endpoint nothing listens on: "unreachable", the same on a machine with network.
    env.update({"HF_HOME": str(tmp_path / "hf-home"), "HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}"})
    env.update(extra)
    return env


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LOAD_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from qa_engine.model_loading import ModelLoadError, load_qa_model

    started = time.monotonic()
    try:
        loaded = load_qa_model(sys.argv[1])
        print("loaded", loaded.model.config.model_type)
    except ModelLoadError as error:
        print("error", error)
    print(f"seconds {time.monotonic() - started:.1f}")
    """
)


def _load_in_fresh_process(name: str, env: dict[str, str]) -> tuple[str, float, str]:
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_SCRIPT, name],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    return lines[-2], float(lines[-1].split()[1]), done.stderr


def test_an_unreachable_hub_fails_fast_with_the_fix(tmp_path: Path) -> None:
    # huggingface_hub alone retried five times with backoff, twice: ~50 s, then an error.
    outcome, seconds, stderr = _load_in_fresh_process("org/qa-model", _hub_env(tmp_path))

    assert outcome.startswith("error Could not reach the Hugging Face hub at http://127.0.0.1:")
    assert "hf download org/qa-model" in outcome and "QA_MODEL" in outcome
    assert seconds < 15
    assert "Retrying" not in stderr


@pytest.mark.parametrize("variable", ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"])
def test_offline_mode_without_the_model_cached_fails_at_once(
    tmp_path: Path, variable: str
) -> None:
    outcome, seconds, _ = _load_in_fresh_process(
        "org/qa-model", _hub_env(tmp_path, **{variable: "1"})
    )

    assert outcome.startswith("error QA model 'org/qa-model' is not in the local Hugging Face")
    assert "HF_HUB_OFFLINE" in outcome and "hf download org/qa-model" in outcome
    assert seconds < 15


def _cache_model(hf_home: Path, repo_id: str, model_dir: Path) -> None:
    """Lay `model_dir` out in the hub's cache as `repo_id`'s main revision."""
    repo = hf_home / "hub" / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    for path in model_dir.iterdir():
        (snapshot / path.name).write_bytes(path.read_bytes())
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)


@pytest.mark.parametrize("offline", [True, False])
def test_a_cached_hub_model_loads_offline_or_with_the_hub_unreachable(
    tmp_path: Path, random_model_dir: Path, offline: bool
) -> None:
    env = _hub_env(tmp_path, **({"HF_HUB_OFFLINE": "1"} if offline else {}))
    _cache_model(Path(env["HF_HOME"]), "org/qa-model", random_model_dir)

    outcome, seconds, _ = _load_in_fresh_process("org/qa-model", env)

    assert outcome == "loaded distilbert"
    assert seconds < 60  # torch and transformers imports, not retries


@pytest.mark.parametrize(
    ("name", "local"),
    [
        ("/srv/models/qa", True),
        ("./qa", True),
        ("../qa", True),
        ("~/qa", True),
        ("models/qa/v2", True),  # two separators: no hub id has them
        ("my model", True),
        ("org/qa-model", False),
        ("distilbert-base-cased", False),
        ("deepset/roberta-base-squad2", False),
    ],
)
def test_what_counts_as_a_local_folder(name: str, local: bool) -> None:
    assert model_loading.looks_local(name) is local


def test_a_missing_folder_fails_before_importing_torch(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from qa_engine.model_loading import ModelLoadError, load_qa_model
        try:
            load_qa_model(sys.argv[1])
        except ModelLoadError as error:
            print("torch" in sys.modules, "transformers" in sys.modules, error)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert done.stdout.startswith("False False QA model folder"), done.stderr
def test_int8_quantises_every_linear_layer_and_keeps_float32_logits(
    random_model_dir: Path,
) -> None:
    import torch

    full = load_qa_model(str(random_model_dir))
    quantised = load_qa_model(str(random_model_dir), dtype="int8")

    assert quantised.model is not full.model
    assert quantised.tokenizer is full.tokenizer
    linear = [m for m in full.model.modules() if type(m) is torch.nn.Linear]
    dynamic = [m for m in quantised.model.modules() if type(m).__name__ == "Linear" and
               type(m) is not torch.nn.Linear]  # fmt: skip
    assert linear and len(dynamic) == len(linear)
    assert not any(type(m) is torch.nn.Linear for m in quantised.model.modules())
    inputs = quantised.tokenizer("Who?", "Ann lives in Oslo.", return_tensors="pt")
    with torch.inference_mode():
        logits = quantised.model(**inputs).start_logits
    assert logits.dtype == torch.float32
