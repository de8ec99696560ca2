#!/usr/bin/env python3
"""Validates the signatures of PDFs with pyHanko against a trust root; one JSON line out.

    python3 tests/signing/validate.py CA_PEM FILE...

Per file: whether the signature is intact (digest), valid (signature with the embedded
certificate), trusted (chain to CA_PEM), covers the whole file, and the signer's common name.
"""
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

ca = load_cert_from_pemder(sys.argv[1])
results = {}
for path in sys.argv[2:]:
    entry = {}
    try:
        with open(path, "rb") as f:
            reader = PdfFileReader(f)
            sigs = reader.embedded_signatures
            entry["signatures"] = len(sigs)
            if sigs:
                vc = ValidationContext(trust_roots=[ca], allow_fetching=False, revocation_mode="soft-fail")
                status = validate_pdf_signature(sigs[0], vc)
                entry.update(
                    intact=bool(status.intact),
                    valid=bool(status.valid),
                    trusted=bool(status.trusted),
                    coverage=str(status.coverage),
                    signer=status.signing_cert.subject.native.get("common_name", ""),
                    subfilter=str(sigs[0].sig_object.get("/SubFilter")),
                    md_algorithm=status.md_algorithm,
                )
    except Exception as e:  # noqa: BLE001 - reported to the test
        entry["error"] = f"{type(e).__name__}: {e}"
    results[path] = entry
print(json.dumps(results, ensure_ascii=False))
