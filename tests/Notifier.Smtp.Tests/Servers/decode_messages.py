#!/usr/bin/python3
"""Decodes raw RFC 5322 messages with Python's own `email` package, an independent MIME parser.

Input (stdin): a JSON array; each item is either {"base64": "..."} (the raw message bytes) or {"path": "..."}.
Output (stdout): a JSON array with, per message, the decoded subject, addresses, header names and values,
text and HTML bodies, content types and transfer encodings, every defect the parser noticed, and facts
about the raw lines (longest line, bare CR/LF) so tests need not trust our own reader.
"""
import base64
import email
import email.header
import email.policy
import json
import sys


def addresses(header):
    if header is None:
        return []
    return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses]


def part_info(part):
    return {
        "contentType": part.get_content_type(),
        "charset": part.get_content_charset(),
        "transferEncoding": part.get("Content-Transfer-Encoding"),
        "content": part.get_content() if part.get_content_maintype() == "text" else None,
        "defects": [type(d).__name__ for d in part.defects],
    }


def unfolded(raw, name):
    """The raw value of the first header called name, unfolded (CRLF before whitespace removed)."""
    block = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b"\t")
    for line in block.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.lower() == name:
            return value.strip().decode("utf-8", "replace")
    return ""


def decode(raw):
    lines = raw.split(b"\r\n")
    bare = raw.replace(b"\r\n", b"").count(b"\n") + raw.replace(b"\r\n", b"").count(b"\r")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    header_defects = []
    headers = []
    for name, value in msg.items():
        header_defects += [f"{name}: {type(d).__name__}" for d in getattr(value, "defects", [])]
        headers.append([name, str(value)])
    raw_header_names = []
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line[:1] not in (b" ", b"\t"):
            raw_header_names.append(line.split(b":", 1)[0].decode("ascii", "replace"))
    raw_to = unfolded(raw, b"to")
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    return {
        "subject": msg["subject"] and str(msg["subject"]),
        "from": addresses(msg["from"]),
        "to": addresses(msg["to"]),
        "messageId": msg["message-id"] and str(msg["message-id"]),
        "date": msg["date"] and msg["date"].datetime.isoformat(),
        "headers": headers,
        "rawHeaderNames": raw_header_names,
        "rawTo": raw_to,
        # The RFC 2047 decoder of the legacy API, which joins adjacent encoded words as the RFC says.
        "toRfc2047": str(email.header.make_header(email.header.decode_header(raw_to))),
        "contentType": msg.get_content_type(),
        "isMultipart": msg.is_multipart(),
        "parts": [part_info(p) for p in msg.walk() if not p.is_multipart()],
        "text": text.get_content() if text is not None else None,
        "html": html.get_content() if html is not None else None,
        "defects": [type(d).__name__ for d in msg.defects] + header_defects,
        "longestLine": max((len(l) for l in lines), default=0),
        "longestHeaderLine": max((len(l) for l in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")), default=0),
        "bareLineBreaks": bare,
        "sevenBit": all(b < 128 for b in raw),
    }


def main():
    items = json.load(sys.stdin)
    out = []
    for item in items:
        if "base64" in item:
            raw = base64.b64decode(item["base64"])
        else:
            with open(item["path"], "rb") as f:
                raw = f.read()
        try:
            out.append(decode(raw))
        except Exception as e:  # report, do not crash: the test shows which message broke the parser
            import traceback
            where = traceback.extract_tb(e.__traceback__)[-3:]
            out.append({"error": f"{type(e).__name__}: {e} at " + " <- ".join(f"{f.name}:{f.lineno}" for f in reversed(where))})
    json.dump(out, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
