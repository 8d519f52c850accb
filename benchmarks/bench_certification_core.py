"""Time the certification core: credential build+sign and verify, the status list, and a certificate PDF.

Run: .venv/bin/python benchmarks/bench_certification_core.py   (or `make bench`)
"""

from __future__ import annotations

import tempfile
import timeit
from datetime import UTC, date, datetime

from lms.certification import credential as vc
from lms.certification import keys, pdf
from lms.certification import status_list as sl


def per_call_ms(function, number: int) -> float:  # type: ignore[no-untyped-def]
    return timeit.timeit(function, number=number) / number * 1000


def main() -> None:
    ring = keys.ensure_directory(tempfile.mkdtemp() + "/keys")
    certificate = vc.Certificate(
        public_id="c7Hq2VnX4kPz9RtYwL3mBd", serial="IPMS-2027-000123",
        holder=vc.Holder("Hanako Yamada", "山田 花子"),
        track=vc.Track(
            "ipms-foundation",
            "IP Management Support Professional (Foundation)",
            "知財経営支援専門人材（基礎）",
            "Foundation certificate.",
            "基礎資格です。",
            "Pass three finals.",
        ),
        valid_from=datetime(2026, 4, 1, tzinfo=UTC), valid_until=datetime(2029, 3, 31, tzinfo=UTC), status_index=42,
    )
    issuer = vc.Issuer("https://lms.example.jp/issuer", "IP Management Support Network", "https://lms.example.jp")
    links = vc.Links.default("https://lms.example.jp", certificate.public_id, certificate.track.slug)
    token = vc.sign(vc.build_credential(certificate, issuer, links), ring)
    jwks = ring.jwks()
    revoked = range(0, sl.MIN_BITS, 97)

    def status_list_jwt() -> str:
        status = sl.StatusList.from_indices(revoked)
        return vc.sign(sl.build_status_list_credential(links.status_list, issuer.id, status,
                                                       valid_from=datetime.now(UTC)), ring)

    document = pdf.CertificateDocument(
        "IPMS-2027-000123", "山田 花子", "Hanako Yamada", certificate.track.name_ja, certificate.track.name_en,
        date(2026, 4, 1), date(2029, 3, 31), links.verification,
    )
    def build_and_sign() -> str:
        return vc.sign(vc.build_credential(certificate, issuer, links), ring)

    print(f"credential build + sign       {per_call_ms(build_and_sign, 500):8.2f} ms")
    print(f"credential verify (JWK Set)   {per_call_ms(lambda: vc.verify(token, jwks), 500):8.2f} ms")
    print(f"status list ({len(revoked)} revoked) + sign {per_call_ms(status_list_jwt, 50):6.2f} ms, "
          f"{len(status_list_jwt())} bytes")
    print(f"certificate PDF               {per_call_ms(lambda: pdf.render(document), 10):8.0f} ms, "
          f"{len(pdf.render(document))} bytes")


if __name__ == "__main__":
    main()
