"""Trains the tiny story model (example stand-in)."""
import json
import sys

from config import CONFIG


def main(data_dir: str) -> None:
    print(f"training for {CONFIG['steps']} steps on {data_dir}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/tinystories")
