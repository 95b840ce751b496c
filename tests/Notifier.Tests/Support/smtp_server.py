"""A real SMTP server for the end-to-end tests (Debian's python3-aiosmtpd; run with /usr/bin/python3).

Binds 127.0.0.1 on an ephemeral port, prints "READY <port>" once listening, and stores every accepted
message in OUT as <n>.eml with <n>.json (envelope). Each new connection appends a line to OUT/connections,
so tests can see how many connections a client used.
"""
import argparse
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Store:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        os.replace(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Ok: queued as %d" % self.count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    store = Store(args.out)
    connections = open(os.path.join(args.out, "connections"), "a")

    def protocol():
        connections.write("connect\n")
        connections.flush()
        return SMTP(store, hostname="e2e.test", decode_data=False)

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(protocol, "127.0.0.1", 0)
        print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
