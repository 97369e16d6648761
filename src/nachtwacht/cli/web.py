"""Web commands: ``nachtwacht serve``, ``nachtwacht demo``, ``nachtwacht manage``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click


def _data_dir() -> Path:
    env = os.environ.get("NACHTWACHT_DATA_DIR")
    if env:
        return Path(env).resolve()
    repo = Path(__file__).resolve().parents[3]
    return (repo / "var") if (repo / "pyproject.toml").is_file() else Path.cwd() / "var"


def _local_secret_key() -> str:
    """A strong key kept in the data dir, so a fresh machine runs without DEBUG."""
    path = _data_dir() / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def _setup(local: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    if local:
        if not os.environ.get("NACHTWACHT_SECRET_KEY"):
            os.environ["NACHTWACHT_SECRET_KEY"] = _local_secret_key()
        os.environ.setdefault("NACHTWACHT_SERVE_STATIC", "1")
        # Plain http on localhost: secure-only cookies would never be sent back.
        os.environ.setdefault("NACHTWACHT_SECURE_COOKIES", "0")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise click.ClickException(str(exc)) from None


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _print_demo(creds: dict[str, str]) -> None:
    click.echo("Demo household ready:")
    roles = {"demo": "slaper / sleeper", "partner": "bedpartner / bed partner", "huisarts": "huisarts / GP"}
    for user, pw in creds.items():
        click.echo(f"  {user:<9} {pw:<20} ({roles[user]})")


def register(main: click.Group) -> None:
    @main.command()
    @click.option("--seed", default=7, show_default=True, help="Random seed of the demo diary.")
    @click.option("--weeks", default=8, show_default=True, type=click.IntRange(1, 104))
    def demo(seed: int, weeks: int) -> None:
        """Create (or re-create) the demo household in the web app's database."""
        _setup(local=True)
        _migrate()
        from nachtwacht.web.demo import build_demo

        _print_demo(build_demo(seed=seed, weeks=weeks))

    @main.command()
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
    @click.option("--demo", "with_demo", is_flag=True, help="Also (re)create the demo household.")
    def serve(host: str, port: int, with_demo: bool) -> None:
        """Run the web app locally (for production use gunicorn nachtwacht.web.wsgi)."""
        if host not in ("127.0.0.1", "localhost", "::1"):
            os.environ.setdefault("NACHTWACHT_ALLOWED_HOSTS", f"{host},localhost,127.0.0.1")
        _setup(local=True)
        _migrate()
        # A previous server killed mid-analysis leaves rows "running" and partial uploads behind.
        from nachtwacht.web import psgjobs

        psgjobs.recover_interrupted()
        psgjobs.clean_temp_files(psgjobs.TEMP_MAX_AGE_S)
        if with_demo:
            from nachtwacht.web.demo import build_demo

            _print_demo(build_demo())
        from django.core.management import call_command

        click.echo(f"Nachtwacht runs at http://{host}:{port}/  (Ctrl+C stops)")
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)

    @main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def manage(args: tuple[str, ...]) -> None:
        """Run a Django management command, e.g. ``nachtwacht manage migrate``."""
        _setup(local=False)
        from django.core.management import execute_from_command_line

        execute_from_command_line(["nachtwacht manage", *args])

    @main.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["sleeper", "partner", "clinician"]), default="sleeper")
    @click.option("--language", type=click.Choice(["nl", "en"]), default="nl")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--staff", is_flag=True, help="Also give access to Django's staff tools.")
    def create_user(username: str, role: str, language: str, password: str, staff: bool) -> None:
        """Create a web-app user (a clinician account, for example)."""
        _setup(local=False)
        _migrate()
        from nachtwacht.web.accounts.models import User

        if User.objects.filter(username=username).exists():
            raise click.ClickException(f"user {username!r} already exists")
        User.objects.create_user(username, password=password, role=role, language=language, is_staff=staff)
        click.echo(f"created {role} {username}")
