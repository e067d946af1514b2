import subprocess
import sys

from hmis.cli import command_argv


def test_hyphenated_subcommands_reach_the_underscored_command():
    assert command_argv(["hmis", "post-batch", "3", "--user", "a-b"]) == [
        "hmis",
        "post_batch",
        "3",
        "--user",
        "a-b",
    ]
    assert command_argv(["hmis", "--help"]) == ["hmis", "--help"]


def test_the_hmis_command_runs_django_with_the_project_settings(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "hmis", "post-batch", "--help"],
        capture_output=True,
        text=True,
        env={"HMIS_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Post the pending entries of a service batch" in done.stdout


def _unmigrated_env(tmp_path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env["HMIS_DATA_DIR"] = str(tmp_path)
    return env


def test_commands_against_an_unmigrated_database_say_so_in_one_line_and_fail(tmp_path):
    for command in (["demo"], ["worker", "--batch"], ["post-batch", "1"], ["serve"]):
        done = subprocess.run(  # noqa: S603 -- our own command
            [sys.executable, "-m", "hmis", *command],
            capture_output=True,
            text=True,
            env=_unmigrated_env(tmp_path),
            timeout=120,
            check=False,
        )
        assert done.returncode == 2, (command, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, (command, done.stderr)
        assert lines[0].startswith("hmis: the database is not up to date (")
        assert lines[0].endswith("migration(s) not applied): run `hmis migrate` first.")
        assert "Traceback" not in done.stdout + done.stderr


def test_migrate_and_help_work_on_an_unmigrated_database(tmp_path):
    for command in (["post-batch", "--help"], ["showmigrations", "jobs"]):
        done = subprocess.run(  # noqa: S603 -- our own command
            [sys.executable, "-m", "hmis", *command],
            capture_output=True,
            text=True,
            env=_unmigrated_env(tmp_path),
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (command, done.stderr)
