"""Config validation: every kind of bad input names the file, the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.config import Config, ConfigError, describe, find_config, load_config

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_is_valid_and_equals_the_defaults() -> None:
    config = load_config(EXAMPLE)
    assert config.model_dump(exclude={"source"}) == Config().model_dump(exclude={"source"})


def test_no_file_means_defaults() -> None:
    assert load_config(None) == Config()


def test_an_unknown_key_is_refused_with_the_allowed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[kubernetes]\ncontxt = "prod"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.key == "kubernetes.contxt"
    assert str(path) in str(err.value)
    assert "unknown key" in err.value.message and "context" in err.value.message


def test_an_unknown_section_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[grafana]\nurl = 'x'\n"))
    assert err.value.key == "grafana"
    assert "kubernetes" in err.value.message


def test_a_value_of_the_wrong_type_says_what_was_given(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, '[ui]\nrefresh_seconds = "fast"\n'))
    assert err.value.key == "ui.refresh_seconds"
    assert "'fast'" in err.value.message and "number" in err.value.message


def test_a_value_out_of_range_says_the_bound(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[operations]\nmax_replicas = -3\n"))
    assert err.value.key == "operations.max_replicas"
    assert "greater than or equal to 1" in err.value.message and "-3" in err.value.message


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    path = write(tmp_path, "[operations]\nmax_replicas = 0\n[prometheus]\ntimeout = 60\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    keys = {key for key, _ in err.value.problems}
    assert keys == {"operations.max_replicas", "prometheus.timeout"}
    assert str(err.value).count(str(path)) == 2


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[ui\ntheme = 1\n"))
    assert "not valid TOML" in err.value.message and "line 1" in err.value.message


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[ui]\ntheme = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_a_bad_keymap_entry_shows_the_expected_form(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, '[keymap]\nquit = "ctrl q"\n'))
    assert err.value.key == "keymap.quit"
    assert "ctrl+q" in err.value.message


def test_an_explicit_path_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        find_config(tmp_path / "missing.toml")


def test_the_environment_variable_is_used_when_no_path_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "")
    monkeypatch.setenv("OPSCONSOLE_CONFIG", str(path))
    assert find_config(None) == path


def test_secrets_are_masked_when_the_config_is_described(tmp_path: Path) -> None:
    path = write(tmp_path, '[prometheus]\nheaders = { Authorization = "Bearer s3cret" }\n')
    config = load_config(path)
    text = describe(config)
    assert "s3cret" not in text and "Authorization" in text
    assert "s3cret" not in repr(config)
