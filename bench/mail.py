"""Notification email throughput: a new message to a topic followed by N people who chose email, from the
moment it is queued to the moment the mail server has the N emails, against a plain smtplib loop sending N
emails of the same size over one connection, in the same run. Aim (issue 13): at least 0.7x the loop.

    .venv/bin/python bench/mail.py --quick     # 300 followers
    .venv/bin/python bench/mail.py              # 2,000 followers

ENVIRONET's side is the whole path a post starts: the ``send_immediate`` task (who may read, rendered in each
person's language), the batches queued in the database, and a real ``manage.py worker`` process (started
and ready before the clock starts, as in production) sending them to a local aiosmtpd server.
"""

import argparse
import json
import smtplib
import socket
import statistics
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import child_env, migrate, setup_django, started_worker

AIM = 0.7


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.sizes: list[int] = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.changed:
            self.count += 1
            self.sizes.append(len(envelope.content))
            self.changed.notify_all()
        return "250 OK"

    def wait_for(self, total: int, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count >= total, timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_followers(count: int):
    from accounts.models import Organisation, Person
    from messaging.models import Audience, Message, Thread
    from topics.models import Topic, TopicChoice

    organisation = Organisation.objects.create(name="Bench customs", short_name="BENCH", country="KE", kind="customs")
    author = Person.objects.create(
        email="author@bench.invalid", full_name="Author", organisation=organisation, state=Person.State.ACTIVE
    )
    people = Person.objects.bulk_create(
        Person(
            email=f"officer{number}@bench.invalid",
            full_name=f"Officer {number}",
            organisation=organisation,
            state=Person.State.ACTIVE,
            language=("en", "fr", "es")[number % 3],
            password="!",
        )
        for number in range(count)
    )
    topic = Topic.objects.get(code="B")
    TopicChoice.objects.bulk_create(
        TopicChoice(person=person, topic=topic, delivery=TopicChoice.Delivery.LIVE_AND_EMAIL) for person in people
    )
    thread = Thread.objects.create(subject="Pangolin scales at the port", author=author, organisation=organisation)
    thread.topics.add(topic)
    assert thread.audience == Audience.NETWORK

    def new_message(number: int) -> int:
        body = f"Seizure {number}: 2,100 kg of pangolin scales declared as cashew nuts, container MSCU 123456 5."
        message = Message.objects.create(thread=thread, author=author, body=body, body_html=f"<p>{body}</p>")
        return message.pk

    return new_message


def ours(new_message, counter: Counter, number: int, expected: int) -> float:
    from messaging.notify import send_immediate

    start_count = counter.count
    started = time.perf_counter()
    send_immediate.enqueue(message_id=new_message(number))
    if not counter.wait_for(start_count + expected, timeout=600):
        raise SystemExit(f"only {counter.count - start_count} of {expected} emails arrived")
    return time.perf_counter() - started


def plain_loop(port: int, count: int, size: int) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as server:
        for number in range(count):
            message = EmailMessage()
            message["From"] = "ENVIRONET <no-reply@environet.invalid>"
            message["To"] = f"officer{number}@bench.invalid"
            message["Subject"] = "[ENVIRONET] [TLP:GREEN] Pangolin scales at the port"
            message.set_content("x" * size)
            server.send_message(message)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 followers instead of 2,000")
    parser.add_argument("--followers", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the aim is missed")
    args = parser.parse_args()
    count = args.followers or (300 if args.quick else 2000)

    from aiosmtpd.controller import Controller

    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as folder:
        env = child_env(Path(folder))
        env.update(ENVIRONET_EMAIL_HOST="127.0.0.1", ENVIRONET_EMAIL_PORT=str(port), ENVIRONET_EMAIL_USE_TLS="0")
        print(f"migrating a fresh database in {folder}", file=sys.stderr)
        migrate(env)
        setup_django(env)
        new_message = make_followers(count)
        worker = started_worker(env, "--interval", "0.1")
        try:
            ours_seconds, loop_seconds = [], []
            for number in range(args.repeat):
                print(f"run {number + 1}: {count} emails through ENVIRONET", file=sys.stderr)
                ours_seconds.append(ours(new_message, counter, number, count))
                size = int(statistics.median(counter.sizes[-count:]))
                print(f"run {number + 1}: {count} emails through a plain smtplib loop", file=sys.stderr)
                loop_seconds.append(plain_loop(port, count, size))
        finally:
            worker.terminate()
            worker.wait(30)
            controller.stop()

    ratios = sorted(loop / mine for mine, loop in zip(ours_seconds, loop_seconds, strict=True))
    median_ratio = statistics.median(ratios)
    figures = {
        "bench": "email",
        "followers": count,
        "environet_emails_per_s": [round(count / seconds, 1) for seconds in sorted(ours_seconds, reverse=True)],
        "plain_loop_emails_per_s": [round(count / seconds, 1) for seconds in sorted(loop_seconds, reverse=True)],
        "ratio_vs_plain_loop_min_median_max": [round(ratios[0], 2), round(median_ratio, 2), round(ratios[-1], 2)],
        "aim": f">= {AIM}x the plain loop (median)",
        "aim_met": median_ratio >= AIM,
    }
    print(json.dumps(figures), flush=True)
    return 1 if args.strict and not figures["aim_met"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
