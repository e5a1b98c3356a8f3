"""Signed tokens and the links the chat adapters send: forged, expired and misused ones fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.gallery import links, signing
from bot.settings import Settings
from bot.store.views import CommunityRef
from tests.gallery.dreams import ADA, LAB_ADMIN

SECRET = b"links-test-secret"


def test_a_token_carries_its_data_for_its_purpose() -> None:
    token = signing.sign(SECRET, "remove-dream", {"job": 7}, valid_for=60, now=1000)
    assert signing.verify(SECRET, "remove-dream", token, now=1059) == {"job": 7}


@pytest.mark.parametrize(
    ("secret", "purpose", "now", "reason"),
    [
        (b"another-secret", "remove-dream", 1000, "not issued by this bot"),
        (SECRET, "something-else", 1000, "issued for something else"),
        (SECRET, "remove-dream", 1061, "expired"),
    ],
)
def test_a_token_fails_for_another_secret_purpose_or_time(
    secret: bytes, purpose: str, now: float, reason: str
) -> None:
    token = signing.sign(SECRET, "remove-dream", {"job": 7}, valid_for=60, now=1000)
    with pytest.raises(signing.BadToken, match=reason):
        signing.verify(secret, purpose, token, now=now)


@pytest.mark.parametrize("damaged", ["", ".", "abc", "a.b", "é.é", "eyJ9.AAAA"])
def test_a_damaged_token_fails_with_one_sentence(damaged: str) -> None:
    with pytest.raises(signing.BadToken) as raised:
        signing.verify(SECRET, "remove-dream", damaged)
    assert raised.value.reason.endswith(".")


def test_a_changed_payload_fails() -> None:
    token = signing.sign(SECRET, "remove-dream", {"job": 7}, valid_for=60)
    forged_payload = signing.sign(SECRET, "remove-dream", {"job": 8}, valid_for=60).split(".")[0]
    with pytest.raises(signing.BadToken, match="not issued"):
        signing.verify(SECRET, "remove-dream", forged_payload + "." + token.split(".")[1])


def test_a_removal_link_names_the_dream_and_the_person(tmp_path: Path) -> None:
    settings = Settings(media_dir=tmp_path / "media", public_url="https://dreams.example/")
    link = links.removal_link(settings, 12, LAB_ADMIN)

    assert link.startswith("https://dreams.example/remove/")
    job_id, requester = links.read_removal_token(
        links.signing_secret(settings), link.rsplit("/", 1)[1]
    )
    assert job_id == 12
    assert (requester.user_id, requester.is_admin) == (LAB_ADMIN.user_id, True)
    assert requester.community == CommunityRef(platform="discord", id="1001")


def test_without_a_configured_secret_one_is_kept_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(media_dir=tmp_path / "data" / "media")

    first = links.signing_secret(settings)
    again = links.signing_secret(settings)

    assert first == again
    assert len(first) >= 32
    stored = tmp_path / "data" / links.SECRET_FILE_NAME
    assert stored.stat().st_mode & 0o077 == 0, "only the owner may read the secret"
    assert links.signing_secret(settings.replace(web_secret="configured")) == b"configured"
    token = links.removal_token(settings, 3, ADA)
    with pytest.raises(signing.BadToken):
        links.read_removal_token(b"configured", token)
