"""One-click unsubscribe through the Flask app, on SQLite and PostgreSQL.

Cast: jo@example.org is on the organisation's mailing list; her link is signed with SECRET.
"""

from __future__ import annotations

import base64
import dataclasses

import pytest
from flask.testing import FlaskClient

from bot.runtime import Runtime
from bot.store import audit, suppressions
from bot.unsubscribe import make_token
from bot.web.app import create_app
from tests.web_fixtures import SECRET, web_runtime

JO = "jo@example.org"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def one_click_events(rt: Runtime) -> list[object]:
    with rt.store.sessions() as session:
        return [e for e in audit.events(session) if e.action == "opt_out.one_click"]


def is_suppressed(rt: Runtime, address: str) -> bool:
    with rt.store.sessions() as session:
        return suppressions.is_suppressed(session, address)


def test_the_page_shows_a_button_and_the_masked_address(client: FlaskClient) -> None:
    response = client.get(f"/unsubscribe/{make_token(JO, SECRET)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in page
    assert page.count("<h1>") == 1
    assert "CA Plus" in page
    assert "j***@example.org" in page
    assert JO not in page
    assert '<form method="post"' in page
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in page
    assert '<button type="submit"' in page
    assert "<script" not in page


def test_opening_the_link_changes_nothing(client: FlaskClient, http_runtime: Runtime) -> None:
    token = make_token(JO, SECRET)
    for _ in range(3):  # a link scanner, a preview, the person
        assert client.get(f"/unsubscribe/{token}").status_code == 200
        assert client.head(f"/unsubscribe/{token}").status_code == 200
    assert not is_suppressed(http_runtime, JO)
    assert one_click_events(http_runtime) == []


def test_a_one_click_post_suppresses_the_address_and_audits_it(client: FlaskClient,
                                                                http_runtime: Runtime) -> None:
    response = client.post(f"/unsubscribe/{make_token(JO, SECRET)}", data=ONE_CLICK)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You have been unsubscribed." in page
    assert ("You have been unsubscribed. We will not send marketing email to j***@example.org "
            "again.") in page
    assert is_suppressed(http_runtime, JO)
    with http_runtime.store.sessions() as session:
        (row,) = suppressions.active(session)
    assert (row.address, row.source) == (JO, "one-click")
    (event,) = one_click_events(http_runtime)
    assert event.details == {"suppression": row.id}
    assert event.actor == "web:one-click"


def test_a_multipart_post_from_a_mail_client_works_too(client: FlaskClient,
                                                       http_runtime: Runtime) -> None:
    response = client.post(f"/unsubscribe/{make_token(JO, SECRET)}", data=ONE_CLICK,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert is_suppressed(http_runtime, JO)


def test_a_bare_body_without_a_form_content_type_is_accepted(client: FlaskClient,
                                                             http_runtime: Runtime) -> None:
    response = client.post(f"/unsubscribe/{make_token(JO, SECRET)}",
                           data=b"List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    assert is_suppressed(http_runtime, JO)


def test_posting_twice_gives_the_same_answer_and_one_audit_event(client: FlaskClient,
                                                                 http_runtime: Runtime) -> None:
    url = f"/unsubscribe/{make_token(JO, SECRET)}"
    first = client.post(url, data=ONE_CLICK)
    second = client.post(url, data=ONE_CLICK)
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert len(one_click_events(http_runtime)) == 1
    with http_runtime.store.sessions() as session:
        assert len(suppressions.active(session)) == 1


def test_a_lifted_suppression_comes_back_with_a_new_event(client: FlaskClient,
                                                          http_runtime: Runtime) -> None:
    url = f"/unsubscribe/{make_token(JO, SECRET)}"
    client.post(url, data=ONE_CLICK)
    with http_runtime.store.transaction() as session:
        suppressions.lift(session, JO, by="staff:U1")
    client.post(url, data=ONE_CLICK)
    assert is_suppressed(http_runtime, JO)
    assert len(one_click_events(http_runtime)) == 2


def test_a_post_without_the_one_click_field_changes_nothing(client: FlaskClient,
                                                            http_runtime: Runtime) -> None:
    url = f"/unsubscribe/{make_token(JO, SECRET)}"
    for data in ({}, {"List-Unsubscribe": "yes"}, {"list-unsubscribe": "One-Click"}):
        assert client.post(url, data=data).status_code == 400
    assert client.post(url, data=b"unsubscribe me", content_type="text/plain").status_code == 400
    assert not is_suppressed(http_runtime, JO)


def _tampered() -> str:
    raw = bytearray(base64.urlsafe_b64decode(make_token(JO, SECRET) + "=="))
    raw[0] ^= 0x02  # jo@ -> ho@ with the old MAC
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@pytest.mark.parametrize("token", [
    _tampered(), make_token(JO, "someone else's secret"), "garbage", "x" * 3000,
])
def test_a_bad_or_tampered_link_is_refused_with_the_support_address(
        client: FlaskClient, http_runtime: Runtime, token: str) -> None:
    for response in (client.get(f"/unsubscribe/{token}"),
                     client.post(f"/unsubscribe/{token}", data=ONE_CLICK)):
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in page
        assert "support@caplus.org.uk" in page
        assert "<form" not in page
    with http_runtime.store.sessions() as session:
        assert list(suppressions.active(session)) == []
    assert one_click_events(http_runtime) == []


def test_without_a_secret_the_pages_answer_503(database_url: str) -> None:
    runtime = web_runtime(database_url, unsubscribe_secret=None)
    try:
        client = create_app(runtime).test_client()
        token = make_token(JO, SECRET)
        assert client.get(f"/unsubscribe/{token}").status_code == 503
        response = client.post(f"/unsubscribe/{token}", data=ONE_CLICK)
        assert response.status_code == 503
        assert "support@caplus.org.uk" in response.get_data(as_text=True)
        assert not is_suppressed(runtime, JO)
    finally:
        runtime.close()


def test_the_page_is_in_the_organisations_name(database_url: str) -> None:
    runtime = web_runtime(database_url)
    runtime.config = dataclasses.replace(runtime.config, organisation=dataclasses.replace(
        runtime.config.organisation, name="Friends of <Ferns>",
        support_address="privacy@ferns.example"))
    try:
        page = create_app(runtime).test_client().get(
            f"/unsubscribe/{make_token(JO, SECRET)}").get_data(as_text=True)
        assert "Friends of &lt;Ferns&gt;" in page  # autoescaped
        assert "<Ferns>" not in page
        assert "privacy@ferns.example" in page
    finally:
        runtime.close()


def test_every_page_carries_the_security_headers(client: FlaskClient) -> None:
    token = make_token(JO, SECRET)
    for response in (client.get(f"/unsubscribe/{token}"), client.get("/unsubscribe/bad"),
                     client.post(f"/unsubscribe/{token}", data=ONE_CLICK),
                     client.get("/static/page.css"), client.get("/no/such/page")):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "style-src 'self'" in csp
        assert "form-action 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response.headers["Cache-Control"]


def test_the_stylesheet_is_served_and_has_a_focus_style(client: FlaskClient) -> None:
    response = client.get("/static/page.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert ":focus-visible" in response.get_data(as_text=True)


def test_an_unknown_page_is_a_plain_404(client: FlaskClient) -> None:
    response = client.get("/wp-admin")
    assert response.status_code == 404
    assert "There is no page at this address." in response.get_data(as_text=True)


def test_a_link_signed_before_a_secret_rotation_still_unsubscribes(database_url: str) -> None:
    rotated = web_runtime(database_url, unsubscribe_secret="a-brand-new-secret",
                          previous_unsubscribe_secrets=(SECRET,))
    client = create_app(rotated).test_client()
    response = client.post(f"/unsubscribe/{make_token(JO, SECRET)}", data=ONE_CLICK)
    assert response.status_code == 200
    with rotated.store.sessions() as session:
        assert suppressions.is_suppressed(session, JO)
    rotated.close()
