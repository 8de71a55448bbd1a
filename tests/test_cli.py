"""The `frontdoor` commands."""

from __future__ import annotations

import json

import pytest

from frontdoor.cli import classify_command, evaluate_command, load_config_command, train_command


def test_classify_prints_need_confidence_crisis_postcode_and_ward(runner):
    result = runner.invoke(classify_command, ["need a food bank, I live in DE23 8AB"])
    assert result.exit_code == 0, result.output
    reading = json.loads(result.output)
    assert reading["need"] == "food" and 0 < reading["confidence"] <= 1
    assert reading["crisis"] is None and reading["crisis_level"] is None
    assert reading["postcode"] == "DE23 8AB" and reading["ward"] == "E05015521"


def test_classify_reads_one_message_per_line_and_writes_one_json_per_line(runner):
    result = runner.invoke(classify_command, input="hi there\ni want to kill myself\n\n"
                                                   "my bins werent collected in normanton\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["need"] for r in rows][0] == "smalltalk"
    assert rows[1]["crisis"] == "suicide_self_harm" and rows[1]["crisis_level"] == "clear"
    assert rows[2]["need"] == "council_service" and rows[2]["ward"] == "E05015521"


def test_load_config_reports_what_it_loaded(runner):
    result = runner.invoke(load_config_command, [])
    assert result.exit_code == 0
    assert "Loaded 18 wards" in result.output


@pytest.fixture
def tiny_dataset(tmp_path):
    rows = []
    for n in range(12):
        rows += [("where is the nearest food bank " + str(n), "food"),
                 ("my bin was not collected again " + str(n), "council_service"),
                 ("can i speak to a real person " + str(n), "coordinator")]
    csv_path = tmp_path / "data.csv"
    csv_path.write_text("text,label\n" + "\n".join(f"{t},{label}" for t, label in rows))
    jsonl_path = tmp_path / "data.jsonl"
    jsonl_path.write_text("\n".join(json.dumps({"text": t, "label": label})
                                    for t, label in rows))
    return csv_path, jsonl_path


@pytest.mark.slow
@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_train_and_evaluate_work_on_a_csv_and_a_jsonl_data_set(runner, tiny_dataset, tmp_path):
    csv_path, jsonl_path = tiny_dataset
    for data in (csv_path, jsonl_path):
        out = tmp_path / f"model-{data.suffix[1:]}"
        result = runner.invoke(train_command, ["--data", str(data), "--out", str(out),
                                               "--epochs", "4"])
        assert result.exit_code == 0, result.output
        assert (out / "meta.json").exists()
        result = runner.invoke(evaluate_command, ["--data", str(data), "--model", str(out),
                                                  "--json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["needs"]["examples"] == 6   # 20% of 12 per label, held out
        assert set(report["needs"]["per_need"]) >= {"food", "council_service", "coordinator"}
        assert report["needs"]["accuracy"] >= 0.66


def test_evaluate_on_the_intents_folder_reports_needs_and_crisis(runner):
    result = runner.invoke(evaluate_command, ["--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["needs"]["examples"] >= 15 * 15
    assert set(report["crisis"]["per_category"]) == {
        "suicide_self_harm", "domestic_abuse", "danger", "medical", "safeguarding_other"}
    assert 0 <= report["crisis"]["false_positive_rate"] <= 1
    text = runner.invoke(evaluate_command, []).output
    assert "macro-F1" in text and "most confused" in text


def test_evaluate_reports_welsh_and_english_apart(runner):
    report = json.loads(runner.invoke(evaluate_command, ["--json"]).output)
    english, welsh = report["languages"]["en"], report["languages"]["cy"]
    assert english["needs"]["examples"] + welsh["needs"]["examples"] == \
        report["needs"]["examples"]
    assert welsh["needs"]["examples"] >= 15 * 10
    assert set(welsh["needs"]["per_need"]) >= {"food", "money", "smalltalk"}
    for language in (english, welsh):
        assert set(language["crisis"]["per_category"]) == {
            "suicide_self_harm", "domestic_abuse", "danger", "medical", "safeguarding_other"}
        assert 0 <= language["crisis"]["false_positive_rate"] <= 1
    blind = report["welsh_blind"]
    assert blind["needs"]["examples"] >= 75 and blind["crisis"]["hard_negatives"] >= 15
    text = runner.invoke(evaluate_command, []).output
    assert "By language" in text and "Welsh" in text and "English" in text
    assert "Welsh blind" in text


def test_the_demo_prints_sign_ins_that_show_the_demo_threads(runner, client, app):
    import re

    from frontdoor.cli import demo_command

    result = runner.invoke(demo_command, [])
    assert result.exit_code == 0, result.output
    email, password = re.search(r"Sam Patel\s+coordinator\s+(\S+)\s+password: (\S+)",
                                result.output).groups()
    html = client.get("/inbox/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/inbox/sign-in", data={"csrf_token": token, "email": email,
                                        "password": password})
    assert client.get("/inbox").status_code == 302, "a password alone is not enough"
    code = runner.invoke(demo_command, ["--code", email]).output.strip()
    html = client.get("/inbox/sign-in/code").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/inbox/sign-in/code", data={"csrf_token": token, "code": code})
    inbox = client.get("/inbox").get_data(as_text=True)
    assert inbox.count("ending 20") >= 3 and "Urgent: domestic abuse" in inbox
