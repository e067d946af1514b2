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
