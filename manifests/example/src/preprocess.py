"""Cleans raw stories into JSON lines (example stand-in)."""
import json
import sys

for i, line in enumerate(sys.stdin):
    text = " ".join(line.split())
    if text:
        print(json.dumps({"id": i, "text": text}))
