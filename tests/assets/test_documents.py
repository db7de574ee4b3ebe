"""Documents kept with an asset: type by content, size cap, served only to the board."""
import io

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def uploads(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads" / "assets"


def upload(client, asset, data, name, title="Vergunning"):
    return client.post(f"/c/coop-a/assets/{asset.id}/documents", content_type="multipart/form-data",
                       data={"title": title, "file": (io.BytesIO(data), name)})


def test_board_keeps_a_pdf_and_downloads_it(client, login_as, world, solar, uploads, db):
    login_as(client, world.board_a)
    assert upload(client, solar, PDF, "../../vergunning 2023.pdf").status_code == 302
    from coop.assets.models import AssetDocument

    doc = db.session.scalar(db.select(AssetDocument))
    assert doc.content_type == "application/pdf" and doc.filename == "vergunning 2023.pdf"
    assert [p.name for p in uploads.iterdir()] == [doc.stored_name]  # random name, own folder
    page = client.get(f"/c/coop-a/assets/{solar.id}").get_data(as_text=True)
    assert "Vergunning" in page
    r = client.get(f"/c/coop-a/assets/documents/{doc.id}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in r.headers["Content-Disposition"]
    login_as(client, world.member_a)
    assert client.get(f"/c/coop-a/assets/documents/{doc.id}").status_code == 403
    login_as(client, world.board_b)
    assert client.get(f"/c/coop-a/assets/documents/{doc.id}").status_code == 404


def test_type_is_checked_by_content_not_by_name(client, login_as, world, solar, uploads, db):
    login_as(client, world.board_a)
    r = upload(client, solar, b"<html><script>alert(1)</script>", "echt.pdf")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Only PDF, PNG and JPEG" in page
    assert not uploads.exists() or list(uploads.iterdir()) == []
    # a PNG with a .txt name is a PNG
    assert upload(client, solar, b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "foto.txt").status_code == 302
    from coop.assets.models import AssetDocument

    assert db.session.scalar(db.select(AssetDocument.filename)) == "foto.png"


def test_too_large_is_refused(client, login_as, world, solar, uploads, monkeypatch):
    from coop.assets import services

    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 100)
    login_as(client, world.board_a)
    r = upload(client, solar, PDF + b"x" * 200, "groot.pdf")
    assert "larger than" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert list(uploads.iterdir()) == []
