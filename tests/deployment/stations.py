"""A scanning station over HTTP, as a browser is: a cookie jar, the CSRF token, keep-alive
connections to one or more app servers."""

import http.client
import http.cookies
import re
import urllib.parse


class Station:
    def __init__(self, servers: list[tuple[str, int]]):
        self.servers = servers
        self.connections: dict[int, http.client.HTTPConnection] = {}
        self.cookies: dict[str, str] = {}

    def connection(self, server: int) -> http.client.HTTPConnection:
        if server not in self.connections:
            host, port = self.servers[server]
            self.connections[server] = http.client.HTTPConnection(host, port, timeout=30)
        return self.connections[server]

    def request(self, server: int, method: str, path: str, form: dict | None = None):
        headers = {"Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            host, port = self.servers[server]
            headers["Referer"] = f"http://{host}:{port}/"
        connection = self.connection(server)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def sign_in(self, server: int, username: str, password: str) -> None:
        self.request(server, "GET", "/accounts/login/")
        status, headers, _ = self.request(
            server,
            "POST",
            "/accounts/login/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
            },
        )
        assert status == 302, f"sign-in answered {status}"

    def scan(self, server: int, batch: int, code: str, key: str, day: str) -> str:
        status, _, content = self.request(
            server,
            "POST",
            f"/batches/{batch}/scan/",
            {
                "scan_type": "card",
                "typed": code,
                "batch_date": day,
                "date_provided": day,
                "key": key,
            },
        )
        assert status == 200, f"scan answered {status}: {content[:300]}"
        return re.sub(r"\s+", " ", content)
