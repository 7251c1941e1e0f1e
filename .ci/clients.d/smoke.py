"""Smoke journey through the Python client that openapi-python-client generated from the served
document (package `wushe_client`, on PYTHONPATH). Only the generated client talks to the API.

A social worker of the demo city publishes a task; a new volunteer registers with the code the
log SMS provider wrote to the server log, signs in with the password, browses, signs up, sees
the sign-up among their own, cancels it without a body, and reads the inbox. Any unexpected
status fails the run.

Environment: WUSHE_URL (base URL), WUSHE_SERVER_LOG (the server's JSON log), WUSHE_LOGINS
(seed-demo's output), WUSHE_SMOKE_PHONE (an unused mainland number).
"""

import datetime
import json
import os
import sys
import time
import uuid

from wushe_client import AuthenticatedClient, Client
from wushe_client.api.auth import login, register, request_code
from wushe_client.api.me import get_me
from wushe_client.api.notifications import list_notifications
from wushe_client.api.signups import cancel_signup, list_my_signups, sign_up
from wushe_client.api.tasks import browse_tasks, create_task, publish_task
from wushe_client.models import (
    ActionLine,
    CodeRequest,
    CreateTaskRequest,
    LoginRequest,
    NewVolunteerBody,
    NotificationPage,
    PublicCodePurpose,
    RegisterRequest,
    SignupStatus,
)

URL = os.environ["WUSHE_URL"]
PHONE = os.environ["WUSHE_SMOKE_PHONE"]
PASSWORD = "smoke-journey-1"


def expect(response, status):
    """The parsed body of a response with the expected status, or exit with what came."""
    if response.status_code != status:
        sys.exit(f"expected {status}, got {response.status_code}: {response.content[:500]!r}")
    return response.parsed


def demo_login(role):
    """Phone and password of the first demo account of a role, as seed-demo printed them."""
    lines = open(os.environ["WUSHE_LOGINS"], encoding="utf-8").read().splitlines()
    password = lines[0].rsplit(" ", 1)[1]
    phone = next(line.split()[1] for line in lines[1:] if line.split()[0] == role)
    return phone, password


def sms_code(phone, deadline=10.0):
    """The latest code the log SMS provider wrote for this (masked) number."""
    masked = phone[:3] + "******" + phone[-2:]
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        codes = []
        with open(os.environ["WUSHE_SERVER_LOG"], encoding="utf-8") as log:
            for line in log:
                if '"sms (log provider' not in line:
                    continue
                entry = json.loads(line)
                if entry.get("phone") == masked:
                    codes.append(json.loads(entry["params"])["code"])
        if codes:
            return codes[-1]
        time.sleep(0.1)
    sys.exit(f"no code for {masked} in the server log")


def signed_in(tokens):
    return AuthenticatedClient(base_url=URL, token=tokens.access_token, raise_on_unexpected_status=False)


anonymous = Client(base_url=URL, raise_on_unexpected_status=False)

# An organiser publishes a task that starts tomorrow.
phone, password = demo_login("SocialWorker")
organiser = signed_in(expect(login.sync_detailed(client=anonymous, body=LoginRequest(phone=phone, password=password)), 200))
me = expect(get_me.sync_detailed(client=organiser), 200)
starts = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=1)
title = f"Smoke (python) {uuid.uuid4().hex[:8]}"
task = expect(
    create_task.sync_detailed(
        client=organiser,
        body=CreateTaskRequest(
            title=title,
            description="A task the client smoke journey signs up for.",
            action_line=ActionLine.HOME,
            org_unit_id=me.org_unit_id,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            capacity=3,
        ),
    ),
    201,
)
expect(publish_task.sync_detailed(task.id, client=organiser), 200)

# A new volunteer registers with the texted code, then signs in with the password.
expect(request_code.sync_detailed(client=anonymous, body=CodeRequest(phone=PHONE, purpose=PublicCodePurpose.REGISTRATION)), 202)
registered = expect(
    register.sync_detailed(
        client=anonymous,
        body=RegisterRequest(
            phone=PHONE,
            code=sms_code(PHONE),
            registration=NewVolunteerBody(
                name="Smoke Python",
                birth_date=datetime.date(1990, 5, 17),
                privacy_policy_version="2026-11",
                password=PASSWORD,
            ),
        ),
    ),
    201,
)
assert registered.user.name == "Smoke Python", registered.user
volunteer = signed_in(expect(login.sync_detailed(client=anonymous, body=LoginRequest(phone=PHONE, password=PASSWORD)), 200))

# Browse, sign up, and find the sign-up among one's own.
page = expect(browse_tasks.sync_detailed(client=volunteer, limit=100), 200)
found = [t for t in page.items if t.id == task.id]
assert found and found[0].title == title, f"the published task is not browsable: {[t.title for t in page.items]}"
signup = expect(sign_up.sync_detailed(task.id, client=volunteer, idempotency_key=str(uuid.uuid4())), 201)
assert signup.status == SignupStatus.CONFIRMED, signup.status
mine = expect(list_my_signups.sync_detailed(client=volunteer), 200)
assert [s.signup.id for s in mine.items] == [signup.id], mine.items
assert mine.items[0].task.id == task.id

# Cancelling needs no body.
changed = expect(cancel_signup.sync_detailed(signup.id, client=volunteer), 200)
assert changed.signup.status == SignupStatus.CANCELLED, changed.signup.status

# The inbox answers a page.
inbox = expect(list_notifications.sync_detailed(client=volunteer, limit=20), 200)
assert isinstance(inbox, NotificationPage), inbox
print(f"python client: organiser published {task.id}; volunteer {registered.user.id} signed up, cancelled; inbox holds {len(inbox.items)}")
