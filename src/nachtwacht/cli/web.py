"""Web commands: ``nachtwacht serve``, ``nachtwacht demo``, ``nachtwacht manage``."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
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


def _setup(local: bool = False, key_from_data_dir: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    if key_from_data_dir and not os.environ.get("NACHTWACHT_SECRET_KEY"):
        # A worker next to a local install (``nachtwacht serve``) uses its stored key.
        key = _data_dir() / "secret_key"
        if key.is_file():
            os.environ["NACHTWACHT_SECRET_KEY"] = key.read_text().strip()
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


class WorkerSupervisor:
    """``nachtwacht worker`` as a child of ``nachtwacht serve``: restarted when it dies,
    stopped with the server (and killed by the kernel if the server is killed)."""

    def __init__(self, backoff_max_s: float = 30.0) -> None:
        self.proc: subprocess.Popen | None = None
        self.backoff_max_s = backoff_max_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="worker-supervisor")

    def _spawn(self) -> subprocess.Popen:
        env = dict(os.environ, NACHTWACHT_WORKER_PARENT=str(os.getpid()))
        return subprocess.Popen([sys.executable, "-m", "nachtwacht", "worker"], env=env,
                                stdin=subprocess.DEVNULL)

    def start(self) -> WorkerSupervisor:
        self.proc = self._spawn()
        click.echo(f"Background worker started (pid {self.proc.pid})")
        self._thread.start()
        return self

    def _watch(self) -> None:
        delay = 1.0
        while not self._stop.wait(1.0):
            if self.proc is not None and self.proc.poll() is not None:
                click.echo(f"Background worker stopped ({self.proc.returncode}); "
                           f"restarting in {delay:.0f} s", err=True)
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, self.backoff_max_s)
                self.proc = self._spawn()

    def stop(self, grace_s: float = 10.0) -> None:
        self._stop.set()
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # a running job finishes if it can within the grace period
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()  # its job is queued again at the next start
            proc.wait()


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
    @click.option("--sleep-study", is_flag=True,
                  help="Also give the sleeper a simulated sleep study (analysed by the worker).")
    def demo(seed: int, weeks: int, sleep_study: bool) -> None:
        """Create (or re-create) the demo household in the web app's database."""
        _setup(local=True)
        _migrate()
        from nachtwacht.web.demo import build_demo

        _print_demo(build_demo(seed=seed, weeks=weeks, sleep_study=sleep_study))

    @main.command()
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
    @click.option("--demo", "with_demo", is_flag=True, help="Also (re)create the demo household.")
    @click.option("--no-worker", is_flag=True,
                  help="Do not start a background worker (one runs elsewhere: nachtwacht worker).")
    def serve(host: str, port: int, with_demo: bool, no_worker: bool) -> None:
        """Run the web app locally with a background worker (production: gunicorn + nachtwacht worker)."""
        if host not in ("127.0.0.1", "localhost", "::1"):
            os.environ.setdefault("NACHTWACHT_ALLOWED_HOSTS", f"{host},localhost,127.0.0.1")
        _setup(local=True)
        _migrate()
        from nachtwacht.web.jobs import privacy

        privacy.tighten()  # an older data dir may hold 0644 files
        if with_demo:
            from nachtwacht.web.demo import build_demo

            # With the demo sleep study: the worker started below analyses it.
            _print_demo(build_demo(sleep_study=not no_worker))
        from django.core.management import call_command

        # The worker recovers what a killed server left (jobs "running", partial uploads)
        # when it starts.
        supervisor = None if no_worker else WorkerSupervisor().start()
        # SIGTERM (systemd, docker stop) ends runserver like Ctrl+C, so the worker is stopped too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        click.echo(f"Nachtwacht runs at http://{host}:{port}/  (Ctrl+C stops)")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
        finally:
            if supervisor is not None:
                supervisor.stop()

    @main.command()
    @click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
                  help="Seconds between looks at an empty queue.")
    @click.option("--batch", is_flag=True, help="Run what is queued, then stop.")
    @click.option("--max-tasks", type=click.IntRange(1), default=None,
                  help="Stop after this many jobs (a supervisor starts a fresh one).")
    def worker(interval: float, batch: bool, max_tasks: int | None) -> None:
        """Run background jobs: sleep-study analyses, data exports, long report PDFs.

        Production: run one or more next to gunicorn (docs/operations.md). Each job runs
        in a child process with a time and memory limit; SIGTERM lets the current job
        finish, a second SIGTERM stops it (it is queued again at the next start).
        """
        _setup(local=False, key_from_data_dir=True)
        from nachtwacht.web.jobs import worker as job_worker

        job_worker.run(interval=interval, batch=batch, max_tasks=max_tasks)

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
