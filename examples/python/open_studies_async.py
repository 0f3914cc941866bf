#!/usr/bin/env python3
"""Viewer URLs for several studies at once, from asyncio (AsyncClient).

    open_studies_async.py ACCESSION... [--doctor-tc TC] [--sandbox URL]

Prints one URL per accession, in the order given; the calls run together
and never block the event loop (as in a FastAPI, Starlette or aiohttp
handler).  Settings as open_study.py's: --sandbox URL (or $TRL_SANDBOX_URL)
for the local sandbox, else the Ministry's from TRL_INSTITUTION_CODE,
TRL_PASSWORD and TRL_APPLICATION_CODE.  Each URL holds a one-time code:
open it once, never log it.
"""
import argparse
import asyncio
import os
import sys

from open_study import settings, teleradyoloji


async def viewer_urls(config, accessions, doctor_tc=None):
    async with teleradyoloji.AsyncClient(**config) as client:
        calls = [client.viewer_url(accession, doctor_tc) for accession in accessions]
        return await asyncio.gather(*calls)


def main():
    parser = argparse.ArgumentParser(description="Viewer URLs for several studies at once.")
    parser.add_argument("accessions", nargs="+", help="the studies' accession numbers")
    parser.add_argument("--doctor-tc", help="the reading doctor's T.C. identity number")
    parser.add_argument("--sandbox", default=os.environ.get("TRL_SANDBOX_URL"),
                        help="base URL of the local sandbox (default: $TRL_SANDBOX_URL)")
    args = parser.parse_args()
    try:
        urls = asyncio.run(viewer_urls(settings(args.sandbox), args.accessions, args.doctor_tc))
    except teleradyoloji.TeleradyolojiError as err:
        sys.exit("open_studies_async: %s" % err)  # never holds a password, token or OTAC
    for url in urls:
        print(url)


if __name__ == "__main__":
    main()
