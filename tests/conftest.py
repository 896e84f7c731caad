import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own STRETCHCHECK_HOME: tests never touch a user's real store."""
    home = tmp_path_factory.mktemp("stretchcheck_home")
    monkeypatch.setenv("STRETCHCHECK_HOME", str(home))
    return home
