from django.core.management import call_command


def run_queued_jobs() -> None:
    """What a running `hmis worker` does: take every queued job and run it."""
    call_command("worker", "--batch", "--interval", "0")


def follow_job(client, response):
    """A page that started a job redirects to the job page: run the job and open its page."""
    assert response.status_code == 302, response.content.decode()[:500]
    assert "/jobs/" in response["Location"]
    run_queued_jobs()
    return client.get(response["Location"])
