#!/usr/bin/env python3
"""A real SMTP server for stint-mail's tests, on aiosmtpd (tested with aiosmtpd 1.4.6).

Listens on 127.0.0.1. Each message it accepts is written to DIR as `NNNN.eml` (the raw bytes the
client sent) and `NNNN.envelope` (`MAIL FROM:<...>` then one `RCPT TO:<...>` line per recipient),
each written under a temporary name and renamed, so a reader never sees half a file.

    smtp_sink.py --dir DIR [--port 0] [--port-file FILE]
                 [--auth-user U --auth-password P] [--reject ADDRESS=CODE ...]
                 [--hold-after N --release-file FILE --held-file FILE] [--no-fsync]

--port 0 (the default) lets the system choose; the port is then written to --port-file (again
through a rename) once the server accepts connections. --auth-user/--auth-password make AUTH
required (PLAIN and LOGIN, allowed without TLS). --reject answers RCPT TO for ADDRESS with CODE,
451 (transient) or 550 (permanent) for example. --hold-after N keeps every RCPT TO after the Nth
accepted message waiting (before the server could accept that message) until --release-file
exists, writing how many wait to --held-file: a test can kill a client mid-send at a known point.
--no-fsync skips the disk sync of each message (benchmarks).
"""

import argparse
import asyncio
import itertools
import logging
import os
import socket
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# (enhanced status code, text) for the first digit of a --reject code.
REPLIES = {
    4: ("4.3.0", "Requested action aborted: try again later"),
    5: ("5.1.1", "Mailbox unavailable: no such user"),
}


FSYNC = True


def write_atomically(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        if FSYNC:
            os.fsync(f.fileno())
    os.replace(tmp, path)


class Sink:
    def __init__(self, directory, rejects, hold=None):
        self.directory = directory
        self.rejects = rejects
        self.sequence = itertools.count(1)
        self.accepted = 0
        # (after N messages, release file, held file) or None
        self.hold = hold
        self.held = 0

    async def wait_while_held(self):
        after, release, held_file = self.hold
        if self.accepted < after or os.path.exists(release):
            return
        self.held += 1
        write_atomically(held_file, f"{self.held}\n".encode())
        while not os.path.exists(release):
            await asyncio.sleep(0.05)
        self.held -= 1
        write_atomically(held_file, f"{self.held}\n".encode())

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold is not None:
            await self.wait_while_held()
        code = self.rejects.get(address.lower())
        if code is not None:
            enhanced, text = REPLIES.get(code // 100, ("5.0.0", "Refused"))
            return f"{code} {enhanced} {text} <{address}>"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.sequence)
        base = os.path.join(self.directory, f"{n:04}")
        lines = [f"MAIL FROM:<{envelope.mail_from}>"]
        lines += [f"RCPT TO:<{rcpt}>" for rcpt in envelope.rcpt_tos]
        # The envelope first: the harness counts messages by their .eml files.
        write_atomically(base + ".envelope", ("\n".join(lines) + "\n").encode())
        write_atomically(base + ".eml", envelope.original_content)
        self.accepted += 1
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        # handled=False: aiosmtpd then answers 535 itself (True would mean we had answered).
        return AuthResult(success=ok, handled=False)


def parse_args():
    p = argparse.ArgumentParser(description="SMTP sink for tests")
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--auth-user")
    p.add_argument("--auth-password")
    p.add_argument("--reject", action="append", default=[], metavar="ADDRESS=CODE")
    p.add_argument("--hold-after", type=int)
    p.add_argument("--release-file")
    p.add_argument("--held-file")
    p.add_argument("--no-fsync", action="store_true")
    args = p.parse_args()
    if args.hold_after is not None and not (args.release_file and args.held_file):
        p.error("--hold-after needs --release-file and --held-file")
    rejects = {}
    for item in args.reject:
        address, _, code = item.rpartition("=")
        if not address or not code.isdigit():
            p.error(f"--reject wants ADDRESS=CODE, got {item!r}")
        rejects[address.lower()] = int(code)
    if (args.auth_user is None) != (args.auth_password is None):
        p.error("--auth-user and --auth-password go together")
    return args, rejects


async def main():
    # AUTH without TLS is what these tests want; aiosmtpd warns about it on every connection.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    args, rejects = parse_args()
    global FSYNC
    FSYNC = not args.no_fsync
    os.makedirs(args.dir, exist_ok=True)
    hold = None
    if args.hold_after is not None:
        hold = (args.hold_after, args.release_file, args.held_file)
    sink = Sink(args.dir, rejects, hold)
    auth = args.auth_user is not None

    def factory():
        return SMTP(
            sink,
            hostname="sink.localhost",
            authenticator=Authenticator(args.auth_user, args.auth_password) if auth else None,
            auth_required=auth,
            auth_require_tls=False,
        )

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    server = await asyncio.get_running_loop().create_server(factory, sock=sock)
    port = sock.getsockname()[1]
    if args.port_file:
        write_atomically(args.port_file, f"{port}\n".encode())
    print(f"listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
