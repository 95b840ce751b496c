#!/usr/bin/python3
"""A scriptable SMTP server for integration tests, built on aiosmtpd (Debian's python3-aiosmtpd).

Run with /usr/bin/python3. It binds 127.0.0.1 or --address (port 0 picks a free one), prints "READY port=N" on stdout
with the port it holds, serves until killed or until stdin closes (with --closed it refuses connections
until the line "listen" arrives on stdin, then prints "LISTENING"), and records what it received as JSON files in --record:

  session-N.json  one per connection: every command line in order (AUTH arguments never recorded), and for
                  each the verbs of the command lines that had already arrived behind it (sent before the
                  client could have read its reply: pipelining), the address of the client's end, whether
                  MAIL FROM was ever sent, TLS state, the authenticated user, how the session ended;
  message-N.json  one per DATA: envelope sender and recipients, the raw message bytes (base64, dot-stuffing
                  removed) and the reply the server gave.

Files are written (atomically) before the server answers the command that produced them, so a client that
has its reply can read the record at once.

Faults (--fault, repeatable):
  greeting-421          answer the connection with 421 and close it
  no-starttls           never offer STARTTLS (even with --tls starttls)
  refuse-rcpt=ADDR      refuse that recipient with 550 5.1.1 (repeatable: each one is refused)
  data-451              answer the end of DATA with 451 4.3.0
  close-during-data     close the connection once message data starts arriving
  silent                accept TCP connections but never send the greeting
  silent-after-ehlo     greet, then never answer EHLO or anything after it
  auth-fail             refuse every AUTH with 535 5.7.8
  auth-basic-disabled   refuse every password AUTH as Exchange Online does with Basic authentication off
                        (535 5.7.139)
  close-after-message   close the connection right after accepting a message (a server-side idle close)
  mail-421-on-reuse     answer the second MAIL FROM of a session with 421 and close
  close-during-data-on-reuse  like close-during-data, from the second DATA of a session on
  starttls-454          refuse STARTTLS with 454 4.7.0 (while offering it)
  starttls-injection    send a second line ("250 injected") in the same write as the 220 to STARTTLS
  no-ehlo               refuse EHLO with 502 (the client must fall back to HELO)
  ehlo-garbage          answer EHLO with a line that is not an SMTP reply (no status code)
  slow=SECONDS          wait SECONDS before every reply (the last line of it; the greeting included)

Extensions: SIZE, 8BITMIME, SMTPUTF8 (unless --no-smtputf8), STARTTLS (with --tls starttls), AUTH PLAIN LOGIN
(with --auth; --auth-mechanism narrows the list), PIPELINING only with --pipelining. --tls-max-version 1.1 makes
the server's TLS end at TLS 1.1 (an outdated server).

XOAUTH2 (--xoauth2 MAILBOX): AUTH XOAUTH2 is the only mechanism offered. The SASL payload must be exactly
"user=MAILBOX\x01auth=Bearer TOKEN\x01\x01" with TOKEN one of the --xoauth2-token values. A well-formed payload
with another token gets what Exchange Online sends: a 334 challenge carrying a base64 JSON error, then, after the
client's empty answer, 535 5.7.3. Anything else is 535 5.7.8. The session records the outcome in "xoauth2" and,
when accepted, the position of the token in "xoauth2Token" (1 = the first --xoauth2-token); never the token.
"""
import argparse
import asyncio
import base64
import itertools
import json
import os
import socket
import ssl
import sys
import threading

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

ARGS = None
SESSION_IDS = itertools.count(1)
MESSAGE_IDS = itertools.count(1)


def write_json(name, payload):
    path = os.path.join(ARGS.record, name)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(payload, f)
    os.replace(temporary, path)


def fault(name):
    return name in ARGS.fault


def refused_recipients():
    return {f.split("=", 1)[1].lower() for f in ARGS.fault if f.startswith("refuse-rcpt=")}


def slow_reply_seconds():
    for f in ARGS.fault:
        if f.startswith("slow="):
            return float(f.split("=", 1)[1])
    return 0.0


class Recorder:
    """What one connection did, rewritten to session-N.json after every change."""

    def __init__(self, peer):
        self.id = next(SESSION_IDS)
        self.state = {"id": self.id, "peer": str(peer), "peerAddress": peer[0] if peer else None, "commands": [],
                      "waiting": [], "mailFromSent": False, "tls": False, "authenticatedAs": None, "ended": None}
        self.save()

    def command(self, line, tls, waiting=b""):
        self.state["commands"].append(line)
        # Only the verbs of what is waiting, never arguments or other lines (an AUTH answer is credentials).
        verbs = [w.split(b" ", 1)[0].decode("ascii", "replace").upper() for w in waiting.split(b"\r\n")[:-1] if w]
        self.state["waiting"].append([v if v.isalpha() and len(v) <= 8 else "(not a verb)" for v in verbs])
        self.state["tls"] = tls
        if line.upper().startswith("MAIL"):
            self.state["mailFromSent"] = True
        self.save()

    def update(self, **values):
        self.state.update(values)
        self.save()

    def save(self):
        write_json(f"session-{self.id}.json", self.state)


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if ARGS.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in refused_recipients():
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in local recipient table"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = "451 4.3.0 Error: queue file write error" if fault("data-451") else "250 2.0.0 Ok: queued"
        message_id = next(MESSAGE_IDS)
        write_json(f"message-{message_id}.json", {
            "id": message_id,
            "session": server.recorder.id,
            "mailFrom": envelope.mail_from,
            "rcptTos": list(envelope.rcpt_tos),
            "data": base64.b64encode(envelope.original_content).decode("ascii"),
            "tls": server.is_tls(),
            "authenticatedAs": server.recorder.state["authenticatedAs"],
            "reply": reply,
        })
        if fault("close-after-message") and reply.startswith("250"):
            server.close_after_reply = True
        return reply


def authenticator(server, session, envelope, mechanism, auth_data):
    if fault("auth-basic-disabled"):
        return AuthResult(success=False, handled=False, message=(
            "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
            "[BN0PR04CA0133.namprd04.prod.outlook.com]"))
    if fault("auth-fail") or not isinstance(auth_data, LoginPassword):
        return AuthResult(success=False, handled=False)
    user, _, password = ARGS.auth.partition(":")
    ok = auth_data.login.decode("utf-8") == user and auth_data.password.decode("utf-8") == password
    if ok:
        server.recorder.update(authenticatedAs=user, authMechanism=mechanism)
    return AuthResult(success=ok, handled=False)


XOAUTH2_ERROR = {"status": "401", "schemes": "bearer", "scope": "https://outlook.office365.com/.default"}


def xoauth2_outcome(payload):
    """("accepted", n), ("refused token", None) or ("malformed: why", None) for a decoded XOAUTH2 payload."""
    prefix = f"user={ARGS.xoauth2}\x01auth=Bearer ".encode("utf-8")
    if not payload.startswith(b"user="):
        return "malformed: does not start with user=", None
    if not payload.startswith(prefix):
        return "malformed: the user is not the mailbox or auth=Bearer does not follow it", None
    if not payload.endswith(b"\x01\x01"):
        return "malformed: does not end with two ^A", None
    token = payload[len(prefix):-2]
    if b"\x01" in token or not token:
        return "malformed: extra or missing fields", None
    tokens = [t.encode("utf-8") for t in ARGS.xoauth2_token]
    if token in tokens:
        return "accepted", tokens.index(token) + 1
    return "refused token", None


class RecordingSMTP(SMTP):
    """aiosmtpd's server, recording each command before it is handled, with the faults switched in."""

    silent = False
    close_after_reply = False
    inject = False
    mails = 0
    datas = 0

    def connection_made(self, transport):
        first = not hasattr(self, "recorder")
        super().connection_made(transport)
        if first:
            self.recorder = Recorder(transport.get_extra_info("peername"))

    def connection_lost(self, error):
        if hasattr(self, "recorder") and self.recorder.state["ended"] is None:
            self.recorder.update(ended="closed")
        super().connection_lost(error)

    def is_tls(self):
        return self._tls_protocol is not None or ARGS.tls == "smtps"

    def record(self, verb, arg):
        # What already waits in the read buffer arrived before the client could have read this command's reply.
        waiting = bytes(getattr(self._reader, "_buffer", b""))
        self.recorder.command(verb if not arg else f"{verb} {arg}", self.is_tls(), waiting)

    async def push(self, status):
        if self.silent:
            return
        delay = slow_reply_seconds()
        if delay and (len(status) < 4 or status[3] != "-"):
            await asyncio.sleep(delay)
        if self.inject and status.startswith("220"):
            # One write: the injected line arrives in the same read as the 220, before the handshake.
            self.inject = False
            status = status + "\r\n250 injected"
        await super().push(status)
        if self.close_after_reply:
            self.close_after_reply = False
            self.recorder.update(ended="closed after message")
            self.transport.close()

    async def smtp_EHLO(self, arg):
        self.record("EHLO", arg)
        if fault("no-ehlo"):
            await self.push("502 5.5.2 Error: command not recognized")
            return
        if fault("ehlo-garbage"):
            await self.push("hello, this is not an SMTP reply")
            return
        if fault("silent-after-ehlo"):
            self.silent = True
            self.recorder.update(ended="went silent after EHLO")
            return
        await super().smtp_EHLO(arg)

    async def smtp_HELO(self, arg):
        self.record("HELO", arg)
        await super().smtp_HELO(arg)

    async def smtp_STARTTLS(self, arg):
        self.record("STARTTLS", arg)
        if fault("starttls-454"):
            await self.push("454 4.7.0 TLS not available due to temporary reason")
            return
        self.inject = fault("starttls-injection")
        await super().smtp_STARTTLS(arg)
        self.recorder.update(tls=self.is_tls())

    async def smtp_AUTH(self, arg):
        # Only the mechanism: credentials never reach the record.
        self.record("AUTH", (arg or "").split(" ")[0])
        await super().smtp_AUTH(arg)

    async def auth_XOAUTH2(self, _, args):
        if len(args) > 1:
            try:
                payload = base64.b64decode(args[1], validate=True)
            except ValueError:
                await self.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            payload = await self.challenge_auth("")
            if payload is MISSING:
                return AuthResult(success=False, handled=True)
        outcome, token_index = xoauth2_outcome(payload)
        if fault("auth-fail") and outcome == "accepted":
            outcome, token_index = "refused token", None
        self.recorder.update(xoauth2=outcome)
        if outcome == "accepted":
            self.recorder.update(authenticatedAs=ARGS.xoauth2, authMechanism="XOAUTH2", xoauth2Token=token_index)
            return AuthResult(success=True, handled=False)
        if outcome == "refused token":
            # Exchange Online's answer: the error as base64 JSON, the client's empty line, then 535.
            if await self.challenge_auth(json.dumps(XOAUTH2_ERROR)) is not MISSING:
                await self.push("535 5.7.3 Authentication unsuccessful [test-smtp.localhost]")
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False)

    async def smtp_MAIL(self, arg):
        self.record("MAIL", arg)
        self.mails += 1
        if fault("mail-421-on-reuse") and self.mails > 1:
            await self.push("421 4.7.0 Try again later, closing connection")
            self.recorder.update(ended="closed with 421")
            self.transport.close()
            return
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg):
        self.record("RCPT", arg)
        await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg):
        self.record("DATA", arg)
        self.datas += 1
        closes = fault("close-during-data") or (fault("close-during-data-on-reuse") and self.datas > 1)
        if closes and self.envelope.rcpt_tos:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            try:
                first = await asyncio.wait_for(self._reader.readuntil(b"\r\n"), 5)
            except Exception:
                first = b""
            self.recorder.update(ended="closed during DATA", partialData=base64.b64encode(first).decode("ascii"))
            self.transport.close()
            return
        await super().smtp_DATA(arg)

    async def smtp_RSET(self, arg):
        self.record("RSET", arg)
        await super().smtp_RSET(arg)

    async def smtp_NOOP(self, arg):
        self.record("NOOP", arg)
        await super().smtp_NOOP(arg)

    async def smtp_QUIT(self, arg):
        self.record("QUIT", arg)
        self.recorder.update(ended="QUIT")
        await super().smtp_QUIT(arg)


class FixedReplyProtocol(asyncio.Protocol):
    """For the faults aiosmtpd cannot express: a 421 greeting, or no greeting at all."""

    def __init__(self, reply):
        self.reply = reply

    def connection_made(self, transport):
        self.recorder = Recorder(transport.get_extra_info("peername"))
        self.transport = transport
        if self.reply is not None:
            transport.write(self.reply.encode("ascii"))
            self.recorder.update(ended="greeting refused with 421")
            transport.close()

    def data_received(self, data):
        # A silent server still notes what the client tried to say.
        for line in data.decode("latin-1").splitlines():
            if line:
                self.recorder.command(line if not line.upper().startswith("AUTH") else "AUTH", False)


def tls_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ARGS.tls_max_version == "1.1":
        # OpenSSL 3 refuses TLS 1.0/1.1 above security level 0.
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.load_cert_chain(ARGS.cert, ARGS.key)
    return context


def protocol_factory():
    if fault("greeting-421"):
        return lambda: FixedReplyProtocol("421 4.3.2 Service not available, closing transmission channel\r\n")
    if fault("silent"):
        return lambda: FixedReplyProtocol(None)
    starttls = ARGS.tls == "starttls" and not fault("no-starttls")
    kwargs = {
        "hostname": "test-smtp.localhost",
        "ident": "aiosmtpd test server",
        "enable_SMTPUTF8": not ARGS.no_smtputf8,
        "tls_context": tls_context() if starttls else None,
        "timeout": 30,
        # aiosmtpd advertises "SIZE n" from this (its default is 32 MiB) and refuses larger MAIL FROM SIZE= values.
        "data_size_limit": ARGS.size_limit,
    }
    if ARGS.auth or ARGS.xoauth2:
        kwargs["authenticator"] = authenticator
        # Over SMTPS aiosmtpd does not know the connection is encrypted, so it must not insist on STARTTLS.
        kwargs["auth_require_tls"] = not (ARGS.allow_plaintext_auth or ARGS.tls == "smtps")
        kwargs["auth_required"] = True
        if ARGS.xoauth2:
            kwargs["auth_exclude_mechanism"] = ["PLAIN", "LOGIN"]
        else:
            kwargs["auth_exclude_mechanism"] = ["XOAUTH2"] + [m for m in ["PLAIN", "LOGIN"] if ARGS.auth_mechanism and m not in ARGS.auth_mechanism]
    return lambda: RecordingSMTP(Handler(), **kwargs)


def read_stdin(loop, listen):
    # The test process holds our stdin: the line "listen" opens a --closed server; when the test process dies
    # without killing us, stdin closes and we do not outlive it.
    try:
        for line in sys.stdin:
            if line.strip() == "listen":
                loop.call_soon_threadsafe(listen.set)
    finally:
        os._exit(0)


async def main():
    loop = asyncio.get_running_loop()
    listen = asyncio.Event()
    threading.Thread(target=read_stdin, args=(loop, listen), daemon=True).start()
    ssl_context = tls_context() if ARGS.tls == "smtps" else None
    # Bound by us and held from then on, so the port the test is told stays ours. READY comes once it listens;
    # with --closed, once it is bound: a bound socket that does not listen refuses connections, which is how
    # --closed serves "a server that is down" until "listen" arrives.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((ARGS.address, ARGS.port))
    port = sock.getsockname()[1]
    if ARGS.closed:
        print(f"READY port={port}", flush=True)
        await listen.wait()
    server = await loop.create_server(protocol_factory(), sock=sock, ssl=ssl_context)
    print("LISTENING" if ARGS.closed else f"READY port={port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Scriptable SMTP test server (aiosmtpd)")
    parser.add_argument("--port", type=int, default=0, help="0 (the default): a free port, printed in READY")
    parser.add_argument("--address", default="127.0.0.1", help="the loopback address to bind (any 127.x.y.z)")
    parser.add_argument("--closed", action="store_true",
                        help="bind but refuse connections until the line 'listen' arrives on stdin (then print LISTENING)")
    parser.add_argument("--tls", choices=["none", "starttls", "smtps"], default="none")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--auth", help="required credentials as user:password; advertises AUTH PLAIN LOGIN")
    parser.add_argument("--xoauth2", metavar="MAILBOX", help="offer only AUTH XOAUTH2, for this mailbox")
    parser.add_argument("--xoauth2-token", action="append", default=[], help="an access token XOAUTH2 accepts")
    parser.add_argument("--allow-plaintext-auth", action="store_true", help="offer AUTH without TLS")
    parser.add_argument("--auth-mechanism", action="append", default=[],
                        help="with --auth: offer only these of PLAIN and LOGIN (repeatable); default both")
    parser.add_argument("--no-smtputf8", action="store_true", help="do not offer SMTPUTF8")
    parser.add_argument("--pipelining", action="store_true", help="offer PIPELINING")
    parser.add_argument("--tls-max-version", choices=["1.1"], help="the newest TLS version the server speaks")
    parser.add_argument("--size-limit", type=int, default=33554432, help="the SIZE limit advertised in EHLO, in bytes")
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--record", required=True, help="directory for session-N.json and message-N.json")
    ARGS = parser.parse_args()
    if ARGS.tls != "none" and not (ARGS.cert and ARGS.key):
        parser.error("--tls starttls|smtps needs --cert and --key")
    for path in filter(None, [ARGS.cert, ARGS.key]):
        if not os.path.isfile(path):
            parser.error(f"{path} does not exist")
    os.makedirs(ARGS.record, exist_ok=True)
    asyncio.run(main())
