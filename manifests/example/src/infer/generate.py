#!/usr/bin/env python3
"""Generates a story from a prompt with the final checkpoint (example stand-in)."""
import sys

prompt = " ".join(sys.argv[1:]) or "Once upon a time"
print(prompt + " ... and they all lived happily ever after.")
