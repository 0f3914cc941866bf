#!/usr/bin/env python3
"""Opens a study in the teleradiology viewer from the command line.

    open_study.py ACCESSION [--doctor-tc TC] [--patient-tc TC] [--print]

Against the local sandbox (no credentials needed):

    PYTHONPATH=bindings/python python3 examples/python/open_study.py \\
        --sandbox http://127.0.0.1:40123 ACC123

Against the Ministry, the credentials come from the environment:
TRL_INSTITUTION_CODE, TRL_PASSWORD and TRL_APPLICATION_CODE.  The URL holds a
one-time code: it is opened once in the browser and never logged.
"""
import argparse
import os
import sys
import webbrowser

try:
    import teleradyoloji
except ModuleNotFoundError:  # run from a checkout without PYTHONPATH
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "bindings", "python"))
    import teleradyoloji


def settings(sandbox):
    """Client settings: the sandbox's, or the Ministry's from the environment."""
    if sandbox:
        base = sandbox.rstrip("/")
        return dict(institution_code="1234567", password="Gizli-Parola-2026!",
                    application_code="SANDBOX-HIS", ogn_url=base,
                    api_url=base + "/integrationapi", viewer_url=base + "/viewer/")
    try:
        return dict(institution_code=os.environ["TRL_INSTITUTION_CODE"],
                    password=os.environ["TRL_PASSWORD"],
                    application_code=os.environ["TRL_APPLICATION_CODE"])
    except KeyError as missing:
        sys.exit("open_study: set %s (or use --sandbox URL)" % missing)


def main():
    parser = argparse.ArgumentParser(description="Open a study in the teleradiology viewer.")
    parser.add_argument("accession", help="the study's accession number")
    parser.add_argument("--doctor-tc", help="the reading doctor's T.C. identity number")
    parser.add_argument("--patient-tc", help="the patient's T.C. identity number")
    parser.add_argument("--sandbox", default=os.environ.get("TRL_SANDBOX_URL"),
                        help="base URL of the local sandbox (default: $TRL_SANDBOX_URL)")
    parser.add_argument("--print", action="store_true",
                        help="print the URL instead of opening a browser")
    args = parser.parse_args()

    try:
        with teleradyoloji.Client(**settings(args.sandbox)) as client:
            url = client.viewer_url(args.accession, args.doctor_tc, args.patient_tc)
    except teleradyoloji.TeleradyolojiError as err:
        sys.exit("open_study: %s" % err)  # never holds a password, token or OTAC
    if args.print:
        print(url)
    elif not webbrowser.open_new_tab(url):
        sys.exit("open_study: no browser found; use --print")


if __name__ == "__main__":
    main()
