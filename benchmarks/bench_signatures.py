"""Benchmark of the signature work a node does per document: the PAdES seal, its validation,
and the check of a qualified (GOST) detached signature.

Run: ``.venv/bin/python benchmarks/bench_signatures.py`` (``--help`` for options). Makes a
seal key in a temporary directory and PDFs of 1, 20 and 200 pages (pyHanko's writer, one line
of text per page), seals each with ``seal_pdf``, validates with ``verify_sealed`` (pyHanko,
trusting the seal certificate, plus the recovery of the anchored revision); makes a GOST R
34.10-2012-256 key and certificate with OpenSSL's GOST engine, signs files of 10 KB, 1 MB and
10 MB detached, and times ``verify_detached`` (one ``openssl cms -verify`` subprocess).
Prints a markdown table (medians of ``--repeat`` runs) and writes it, with the command that
produced it, to ``benchmarks/signatures_results.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from node.documents.gost import verify_detached
from node.documents.seal import ensure_seal_key, seal_pdf, verify_sealed


def pdf_of(pages: int) -> bytes:
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    resources = generic.DictionaryObject(
        {generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): font})}
    )
    for n in range(pages):
        text = f"BT /F1 12 Tf 72 770 Td (Page {n + 1}) Tj ET".encode()
        writer.insert_page(
            PageObject(
                contents=writer.add_object(generic.StreamObject(stream_data=text)),
                media_box=generic.ArrayObject([generic.NumberObject(x) for x in (0, 0, 595, 842)]),
                resources=resources,
            )
        )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def openssl(work: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=work, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="1,20,200")
    parser.add_argument("--sizes", default="10000,1000000,10000000", help="GOST file sizes")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--output",
        default=str(Path(__file__).with_name("signatures_results.md")),
        help="markdown file to write ('' to skip)",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = ["| what | size | median, ms |", "|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        key, _ = ensure_seal_key(work / "seal", "Кооператив «Бенчмарк»")
        for pages in (int(p) for p in args.pages.split(",")):
            pdf = pdf_of(pages)
            sealed = seal_pdf(pdf, key)
            size = f"{pages} pages, {len(pdf) // 1024} KiB"
            ms = median_ms(partial(seal_pdf, pdf, key), args.repeat)
            rows.append(f"| seal (PAdES B-B) | {size} | {ms:.1f} |")
            check = verify_sealed(sealed.sealed, certificate_pem=key.cert_pem)
            assert check.valid
            verify = partial(
                verify_sealed,
                sealed.sealed,
                certificate_pem=key.cert_pem,
                expected_sha256=sealed.anchored_sha256,
            )
            ms = median_ms(verify, args.repeat)
            rows.append(f"| validate seal + anchored revision | {size} | {ms:.1f} |")
        openssl(work, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt",
                "paramset:A", "-out", "k.pem")  # fmt: skip
        openssl(work, "req", "-engine", "gost", "-new", "-x509", "-md_gost12_256", "-key",
                "k.pem", "-subj", "/CN=bench", "-days", "1", "-out", "c.pem")  # fmt: skip
        for size in (int(s) for s in args.sizes.split(",")):
            content = os.urandom(size)
            (work / "doc").write_bytes(content)
            openssl(work, "cms", "-engine", "gost", "-sign", "-binary", "-in", "doc", "-signer",
                    "c.pem", "-inkey", "k.pem", "-md", "md_gost12_256", "-outform", "DER",
                    "-out", "doc.sig")  # fmt: skip
            signature = (work / "doc.sig").read_bytes()
            assert verify_detached(content, signature).valid
            ms = median_ms(partial(verify_detached, content, signature), args.repeat)
            rows.append(f"| verify GOST detached CMS | {size // 1000} KB | {ms:.1f} |")
    load_after = os.getloadavg()
    result = "\n".join(rows)
    print(result)
    if args.output:
        command = shlex.join([".venv/bin/python", "benchmarks/bench_signatures.py", *sys.argv[1:]])
        machine = (
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}; load average {load_before[0]:.1f} before, "
            f"{load_after[0]:.1f} after"
        )
        Path(args.output).write_text(
            "# Signatures: seal and qualified signature checks\n\n"
            f"Command: `{command}` ({time.strftime('%Y-%m-%d')}; {machine}).\n\n"
            f"{result}\n\n{NOTES}\n",
            encoding="utf-8",
        )


NOTES = """\
*seal*: `seal_pdf` (pyHanko PAdES B-B, ECDSA P-256, SHA-256, an incremental update) on a PDF
already in memory; the gateway seals a stored PDF once (`GET /documents/{sha256}/sealed`) and
serves the kept copy afterwards. *validate*: `verify_sealed` (pyHanko's integrity, trust and
coverage checks, then the cut back to the anchored revision). *verify GOST*: `verify_detached`,
one `openssl cms -verify -engine gost` subprocess plus writing the file to a temporary
directory; the process start and the engine load are a fixed cost of a few tens of
milliseconds, hashing (GOST R 34.11-2012) grows with the file. Nothing here runs on a member's
request path except the once-per-document seal and an explicit attachment of a КЭП."""


if __name__ == "__main__":
    main()
