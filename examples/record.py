"""Record the example cassettes: one session with the example server, and the same session with a
faulty server, each written as a vcrpy cassette (examples/cassettes/*.yaml).

Run it with `python examples/record.py`. The clock and the ids are counted, so every run writes the
same files; `runcore check examples/cassettes` then shows what a conforming server's recording and
a faulty one's look like.
"""

import io
import itertools
import json
import sys
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import yaml

import runcore

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import server  # noqa: E402 - the example server beside this script

T0 = 1_767_225_600  # 2026-01-01 00:00:00 UTC
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
]
ASSISTANTS = {
    "asst_weather": {"id": "asst_weather", "model": "gpt-4o", "tools": TOOLS},
    "asst_plain": {"id": "asst_plain", "model": "gpt-4o", "instructions": "Be brief."},
}


class Client:
    """Sends requests to a WSGI app as the openai SDK would, and records each exchange."""

    def __init__(self, app, clock):
        self.app, self.clock, self.interactions = app, clock, []

    def get(self, path):
        return self.send("GET", path, None)

    def post(self, path, body):
        return self.send("POST", path, body)

    def send(self, method, path, body):
        self.clock.tick()
        data = b"" if body is None else json.dumps(body).encode()
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
        }
        setup_testing_defaults(environ)
        answered = {}

        def start_response(status, headers):
            answered["status"], answered["headers"] = status, headers

        answer = b"".join(self.app(environ, start_response)).decode()
        code = int(answered["status"].split()[0])
        headers = {name: [value] for name, value in answered["headers"]}
        headers["Date"] = [formatdate(self.clock.now, usegmt=True)]
        request_headers = {"Content-Type": ["application/json"], "OpenAI-Beta": ["assistants=v2"]}
        self.interactions.append(
            {
                "request": {
                    "body": data.decode() or None,
                    "headers": request_headers,
                    "method": method,
                    "uri": "https://api.example.com" + path,
                },
                "response": {
                    "body": {"string": answer},
                    "headers": headers,
                    "status": {"code": code, "message": HTTPStatus(code).phrase},
                },
            }
        )
        return json.loads(answer) if answer.startswith("{") else answer


class Clock:
    """Seconds that pass one a request, as a server's clock and a recorder's Date header."""

    def __init__(self):
        self.now = T0

    def tick(self):
        self.now += 1

    def __call__(self):
        return self.now


def session(client):
    """One user's session: a run that calls a function, its steps, a streamed run, a page of runs,
    metadata added, and a cancel the API refuses."""
    run = client.post("/v1/threads/runs", {"assistant_id": "asst_weather", "temperature": 0.5})
    thread, path = run["thread_id"], f"/v1/threads/{run['thread_id']}/runs/{run['id']}"
    client.get(path)
    waiting = client.get(path)
    call = waiting["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    outputs = [{"tool_call_id": call, "output": "sunny, 21 C"}]
    client.post(path + "/submit_tool_outputs", {"tool_outputs": outputs})
    client.get(path)
    client.get(path)
    client.get(path + "/steps?order=asc")
    client.post(f"/v1/threads/{thread}/messages", {"role": "user", "content": "And tomorrow?"})
    client.post(f"/v1/threads/{thread}/runs", {"assistant_id": "asst_plain", "stream": True})
    client.get(f"/v1/threads/{thread}/runs?limit=1&order=asc")
    client.post(path, {"metadata": {"reviewed": "yes"}})
    client.post(path + "/cancel", None)


class Faulty:
    """The example server with the bugs servers really have: a create answered 201, tool outputs
    answered with a run whose started_at was lost, a list that ignores its limit and serves runs
    from a stale cache, and a stream that skips a step's creation and never sends done."""

    def __init__(self, app):
        self.app, self.stale = app, {}

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        if method == "GET" and path.endswith("/runs"):
            environ["QUERY_STRING"] = environ["QUERY_STRING"].replace("limit=1", "limit=20")
        seen = {}
        answer = b"".join(
            self.app(environ, lambda status, headers: seen.update(s=status, h=headers))
        )
        status = seen["s"]
        if answer.startswith(b"event:"):
            answer = b"".join(
                event + b"\n\n"
                for event in answer.split(b"\n\n")
                if event and b"thread.run.step.created" not in event and b"event: done" not in event
            )
        elif method == "POST" and path.endswith("/runs") and status.startswith("200"):
            status = "201 Created"
        elif status.startswith("200"):
            answer = self.bug(method, path, json.loads(answer))
        start_response(status, seen["h"])
        return [answer]

    def bug(self, method, path, body):
        if path.endswith("/submit_tool_outputs"):
            body["started_at"] = None
        elif body.get("object") == "thread.run" and body["status"] == "in_progress":
            self.stale.setdefault(body["id"], body)
        elif body.get("object") == "list" and path.endswith("/runs"):
            body["data"] = [self.stale.get(run["id"], run) for run in body["data"]]
        return runcore.json_body(body)


def record(name, wrap):
    clock, counter = Clock(), itertools.count(1)
    runcore.new_id = lambda prefix: f"{prefix}_{name}{next(counter):03d}"  # the same ids every run
    client = Client(wrap(server.Server(ASSISTANTS, clock=clock)), clock)
    session(client)
    cassette = {"interactions": client.interactions, "version": 1}
    path = HERE / "cassettes" / f"{name}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        yaml.dump(cassette, Dumper=Dumper, sort_keys=False, width=100), encoding="utf-8"
    )
    return path


class Dumper(yaml.SafeDumper):
    """vcrpy's layout, with bodies of several lines as literal blocks, so their lines are the file's."""


Dumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    ),
)


if __name__ == "__main__":
    print(record("conforming", lambda app: app))
    print(record("faulty", Faulty))
