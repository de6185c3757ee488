"""`python -m cli`: the same app as the `tracker` command."""
from cli.main import app

app(prog_name="tracker")
