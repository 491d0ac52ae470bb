"""Every command has --help with an example; a test fails if one is undocumented."""
from typer.testing import CliRunner

from newsfuse.cli import app

runner = CliRunner()
STABLE = {"extract", "dedup", "cluster", "summarize", "run", "export", "stories", "brief"}


def test_every_command_documents_itself_with_an_example():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert STABLE <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, f"`newsfuse {name} --help` has no example"
