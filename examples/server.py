"""A runs server on runcore: the hosted API's runs endpoints over SQLite, as a WSGI app.

Run it with `python examples/server.py` and point the official `openai` SDK at
http://127.0.0.1:8000/v1. `work` stands in for the model; everything else is what a real server does.
"""

import json
import re
import sqlite3
import threading
import time
from http import HTTPStatus

import runcore

TABLES = """
CREATE TABLE runs (id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, created_at INTEGER NOT NULL,
                   revision INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE run_steps (id TEXT PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs (id),
                        created_at INTEGER NOT NULL, body TEXT NOT NULL);
"""
WRITE_RUN = (
    "UPDATE runs SET body = :body, revision = revision + 1 WHERE id = :id AND revision = :revision"
)
WRITE_STEP = """INSERT INTO run_steps (id, run_id, created_at, body) VALUES (:id, :run_id, :created_at, :body)
                ON CONFLICT (id) DO UPDATE SET body = excluded.body"""
RUN = r"/v1/threads/(?P<thread_id>[^/]+)/runs/(?P<run_id>[^/]+)"
ROUTES = [
    ("POST", r"/v1/threads/runs", "create_thread_and_run"),
    ("POST", r"/v1/threads/(?P<thread_id>[^/]+)/runs", "create_run"),
    ("GET", r"/v1/threads/(?P<thread_id>[^/]+)/runs", "list_runs"),
    ("GET", RUN, "retrieve_run"),
    ("POST", RUN, "modify_run"),
    ("POST", RUN + "/cancel", "cancel_run"),
    ("POST", RUN + "/submit_tool_outputs", "submit_tool_outputs"),
    ("GET", RUN + "/steps", "list_steps"),
    ("GET", RUN + r"/steps/(?P<step_id>[^/]+)", "retrieve_step"),
]
USAGE = {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}


class Server:
    def __init__(self, assistants, clock=lambda: int(time.time())):
        self.assistants, self.clock, self.lock = assistants, clock, threading.Lock()
        self.db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self.db.executescript(TABLES)

    def __call__(self, environ, start_response):  # WSGI
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            with self.lock:
                answer = self.route(method, path, body, environ.get("QUERY_STRING", ""))
            status = 200
        except Exception as error:
            refused = runcore.api_error(error)
            status, answer = refused.status, runcore.json_body(refused.body)
        kind = "text/event-stream" if answer.startswith(b"event:") else "application/json"
        start_response(f"{status} {HTTPStatus(status).phrase}", [("Content-Type", kind)])
        return [answer]

    def route(self, method, path, body, query):
        for verb, pattern, name in ROUTES:
            found = re.fullmatch(pattern, path)
            if verb == method and found:
                ids = {
                    key: runcore.accept_id(key, value) for key, value in found.groupdict().items()
                }
                return getattr(self, name)(body=body, query=query, **ids)
        raise runcore.invalid_url(method, path)

    # Storage: the compare-and-set of docs/lifecycle.md, a run and its steps in one transaction.

    def load(self, thread_id, run_id):
        sql = "SELECT body, revision FROM runs WHERE id = ? AND thread_id = ?"
        row = self.db.execute(sql, (run_id, thread_id)).fetchone()
        if row is None:
            raise runcore.not_found("run", run_id)
        sql = "SELECT body FROM run_steps WHERE run_id = ? ORDER BY created_at, rowid"
        steps = [json.loads(step) for (step,) in self.db.execute(sql, (run_id,))]
        return json.loads(row[0]), steps, row[1]

    def save(self, run, steps, revision):
        self.db.execute("BEGIN IMMEDIATE")
        values = {"body": json.dumps(run), "id": run["id"], "revision": revision}
        if self.db.execute(WRITE_RUN, values).rowcount != 1:
            self.db.execute("ROLLBACK")
            raise RuntimeError(f"run {run['id']} changed since it was read")
        for step in steps:
            self.db.execute(WRITE_STEP, {**step, "body": json.dumps(step)})
        self.db.execute("COMMIT")
        return revision + 1

    def current(self, thread_id, run_id):
        """The run and its steps as they are now: what is due (expiry, a cancel) is done first."""
        run, steps, revision = self.load(thread_id, run_id)
        caught = runcore.catch_up(run, steps, now=self.clock())
        if caught.changed:
            revision = self.save(caught.run, caught.steps, revision)
        return caught.run, caught.steps, revision

    def thread_runs(self, thread_id):
        sql = "SELECT id FROM runs WHERE thread_id = ? ORDER BY created_at, rowid"
        return [
            self.current(thread_id, run_id)[0] for (run_id,) in self.db.execute(sql, (thread_id,))
        ]

    # The endpoints.

    def create_thread_and_run(self, body, **_):
        return self.start(
            runcore.accept_request(body, "create_thread_and_run_request"), runcore.new_id("thread")
        )

    def create_run(self, thread_id, body, **_):
        request = runcore.accept_request(body, "create_run_request")
        runs = self.thread_runs(thread_id)
        if not runs:
            raise runcore.not_found("thread", thread_id)
        runcore.check_thread_free(runs)
        return self.start(request, thread_id)

    def start(self, request, thread_id):
        assistant = self.assistants.get(request["assistant_id"])
        if assistant is None:
            raise runcore.not_found("assistant", request["assistant_id"])
        now = self.clock()
        run = runcore.run_from_request(
            request, assistant, run_id=runcore.new_id("run"), thread_id=thread_id, now=now
        )
        sql = "INSERT INTO runs (id, thread_id, created_at, revision, body) VALUES (?, ?, ?, 1, ?)"
        self.db.execute(sql, (run["id"], thread_id, now, json.dumps(run)))
        if not request.get("stream"):
            return runcore.json_body(run)
        return self.streamed(run, [("thread.run.created", run), ("thread.run.queued", run)])

    def streamed(self, run, events):
        """A stream of `events`, then of the run's work until it waits or ends (docs/server.md)."""
        while run["status"] in ("queued", "in_progress"):
            run, steps, revision = self.load(run["thread_id"], run["id"])
            run, steps, happened = work(run, steps, self.clock())
            events += happened
            self.save(run, steps, revision)
        return b"".join(runcore.sse_event(name, data) for name, data in events) + runcore.SSE_DONE

    def list_runs(self, thread_id, query, **_):
        runs = self.thread_runs(thread_id)
        if not runs:
            raise runcore.not_found("thread", thread_id)
        return runcore.json_body(runcore.page(runs, query))

    def retrieve_run(self, thread_id, run_id, **_):
        run, steps, revision = self.current(thread_id, run_id)
        moved, steps, happened = work(run, steps, self.clock())
        if happened:
            self.save(moved, steps, revision)
        return runcore.json_body(moved)

    def modify_run(self, thread_id, run_id, body, **_):
        request = runcore.accept_request(body, "modify_run_request")
        run, steps, revision = self.current(thread_id, run_id)
        modified = runcore.modify_run(run, request)
        self.save(modified, steps, revision)
        return runcore.json_body(modified)

    def cancel_run(self, thread_id, run_id, **_):
        run, steps, revision = self.current(thread_id, run_id)
        cancelling = runcore.advance(run, "cancel", now=self.clock()).run
        self.save(cancelling, steps, revision)
        return runcore.json_body(cancelling)

    def submit_tool_outputs(self, thread_id, run_id, body, **_):
        request = runcore.accept_request(body, "submit_tool_outputs_request")
        outputs = request["tool_outputs"]
        run, steps, revision = self.current(thread_id, run_id)
        now = self.clock()
        queued = runcore.advance(run, "submit_tool_outputs", now=now, tool_outputs=outputs).run
        answered = runcore.answer_tool_calls(steps[-1], outputs, now=now, usage=USAGE).step
        self.save(queued, [*steps[:-1], answered], revision)
        if not request.get("stream"):
            return runcore.json_body(queued)
        return self.streamed(
            queued, [("thread.run.step.completed", answered), ("thread.run.queued", queued)]
        )

    def list_steps(self, thread_id, run_id, query, **_):
        return runcore.json_body(runcore.page(self.current(thread_id, run_id)[1], query))

    def retrieve_step(self, thread_id, run_id, step_id, **_):
        for step in self.current(thread_id, run_id)[1]:
            if step["id"] == step_id:
                return runcore.json_body(step)
        raise runcore.not_found("run_step", step_id)


def work(run, steps, now):
    """Stands in for the model: one step of a live run, as the run, its steps and their events.

    It calls the run's first function once, then answers with a message and completes the run.
    """
    if run["status"] == "queued":
        run = runcore.advance(run, "start", now=now).run
        return run, steps, [("thread.run.in_progress", run)]
    if run["status"] != "in_progress":
        return run, steps, []
    functions = [tool["function"]["name"] for tool in run["tools"] if tool["type"] == "function"]
    if functions and not any(step["type"] == "tool_calls" for step in steps):
        call = {
            "id": runcore.new_id("call"),
            "type": "function",
            "function": {"name": functions[0], "arguments": "{}"},
        }
        made = runcore.new_step(run, step_id=runcore.new_id("step"), now=now, tool_calls=[call])
        run = runcore.advance(run, "require_action", now=now, tool_calls=[call]).run
        events = [(name, made.step) for name in made.events]
        events += [
            ("thread.run.step.delta", runcore.step_delta(made.step)),
            ("thread.run.requires_action", run),
        ]
        return run, [*steps, made.step], events
    made = runcore.new_step(
        run, step_id=runcore.new_id("step"), now=now, message_id=runcore.new_id("msg")
    )
    done = runcore.advance_step(made.step, "complete", now=now, usage=USAGE)
    steps = [*steps, done.step]
    run = runcore.advance(run, "complete", now=now, usage=runcore.run_usage(steps)).run
    events = [
        *((name, made.step) for name in made.events),
        (done.events[0], done.step),
        ("thread.run.completed", run),
    ]
    return run, steps, events


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]
    assistants = {"asst_weather": {"id": "asst_weather", "model": "gpt-4o", "tools": tools}}
    make_server("127.0.0.1", 8000, Server(assistants)).serve_forever()
