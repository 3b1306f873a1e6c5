"""emoai_core.serving.options: safe defaults — no token off loopback unless asked; tokens from a file."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.serving.options import ServeOptions, is_loopback, read_token


@pytest.mark.parametrize("host", ["127.0.0.1", "127.5.6.7", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts(host):
    assert is_loopback(host)
    ServeOptions(host=host).check()  # no token needed


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "10.1.2.3", "example.org", "my-laptop"])
def test_a_reachable_host_without_a_token_is_refused(host):
    assert not is_loopback(host)
    with pytest.raises(UsageError, match="without a token") as info:
        ServeOptions(host=host).check()
    assert "--token-file" in info.value.hint and "--allow-unauthenticated" in info.value.hint
    ServeOptions(host=host, token="t").check()
    ServeOptions(host=host, allow_unauthenticated=True).check()


def test_a_token_comes_from_the_first_line_of_a_file(tmp_path):
    path = tmp_path / "token"
    path.write_text("  s3cret \nignored\n")
    assert read_token(None, path) == "s3cret"
    assert read_token("given", None) == "given" and read_token(None, None) is None


@pytest.mark.parametrize(
    ("content", "message"), [("", "is empty"), ("\n\n", "is empty"), (None, "cannot read the token file")]
)
def test_bad_token_files_are_usage_errors(tmp_path, content, message):
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        read_token(None, path)


def test_token_and_token_file_together_or_an_empty_token_are_refused(tmp_path):
    with pytest.raises(UsageError, match="not both"):
        read_token("a", tmp_path / "t")
    with pytest.raises(UsageError, match="the token is empty"):
        read_token("  ", None)


def test_serve_refuses_a_public_host_without_a_token_before_looking_for_a_model(cli):
    result = cli("serve", "--detach", "--host", "0.0.0.0", "--port", "8999")
    assert result.exit_code == 2
    assert "refusing to serve on 0.0.0.0 without a token" in result.stderr and "Hint:" in result.stderr


def test_serve_reads_the_token_file_then_looks_for_the_model(cli, tmp_path):
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    result = cli("serve", "--detach", "--host", "0.0.0.0", "--port", "8999", "--token-file", token)
    assert result.exit_code == 2 and "no promoted model yet" in result.stderr  # past the token check
    assert "s3cret" not in result.stderr + result.stdout
