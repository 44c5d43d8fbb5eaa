"""Streaming speech recogniser of Parley's live captions (run by recognizer.ts, one process per stream).

Reads 16 kHz mono signed 16-bit little-endian PCM on stdin, runs PocketSphinx (the Debian
python3-pocketsphinx bindings) with its voice activity detection, and writes one JSON object per line
on stdout:

  {"type": "ready"}                               once the models are loaded
  {"type": "partial", "text": "..."}              the hypothesis of the utterance so far, when it changes
  {"type": "final", "text": "..."}                the utterance's result, when speech has ended

It exits when stdin closes (after the final result of an utterance still in progress). Why Python: the
pocketsphinx_continuous CLI prints final results only, and partial captions need the decoder's running
hypothesis, which only the library API gives.

Usage: recognizer.py --hmm DIR --lm FILE --dict FILE [--partials]
"""

import argparse
import json
import sys

from pocketsphinx import Decoder

# 100 ms of 16 kHz 16-bit audio: small enough for timely partials, large enough to keep overhead low.
CHUNK_BYTES = 3200


def emit(kind, text=None):
    line = {"type": kind} if text is None else {"type": kind, "text": text}
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def hypothesis(decoder):
    hyp = decoder.hyp()
    return hyp.hypstr.strip() if hyp is not None and hyp.hypstr else ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hmm", required=True)
    parser.add_argument("--lm", required=True)
    parser.add_argument("--dict", required=True)
    parser.add_argument("--partials", action="store_true")
    args = parser.parse_args()

    config = Decoder.default_config()
    config.set_string("-hmm", args.hmm)
    config.set_string("-lm", args.lm)
    config.set_string("-dict", args.dict)
    config.set_string("-logfn", "/dev/null")
    decoder = Decoder(config)
    emit("ready")

    stdin = sys.stdin.buffer
    decoder.start_utt()
    in_utterance = False
    last_partial = ""
    pending = b""
    while True:
        data = stdin.read1(CHUNK_BYTES) if hasattr(stdin, "read1") else stdin.read(CHUNK_BYTES)
        if not data:
            break
        pending += data
        # Whole samples only: a chunk may end in the middle of one.
        usable = len(pending) - (len(pending) % 2)
        if usable == 0:
            continue
        decoder.process_raw(pending[:usable], False, False)
        pending = pending[usable:]
        speaking = decoder.get_in_speech()
        if speaking:
            in_utterance = True
            if args.partials:
                text = hypothesis(decoder)
                if text and text != last_partial:
                    last_partial = text
                    emit("partial", text)
        elif in_utterance:
            decoder.end_utt()
            text = hypothesis(decoder)
            if text:
                emit("final", text)
            decoder.start_utt()
            in_utterance = False
            last_partial = ""
    decoder.end_utt()
    if in_utterance:
        text = hypothesis(decoder)
        if text:
            emit("final", text)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:
        pass
