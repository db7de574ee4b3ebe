"""``flask meetings letters MEETING_ID --out DIR [--jobs N]``: the whole letter batch of a
convened meeting as PDF files of :data:`coop.meetings.letters.PART_SIZE` letters each, rendered
by N processes side by side, with progress. Memory stays that of one part per process,
whatever the size of the register."""
from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import click
from flask import current_app

from coop.meetings import bp

_APP = None


def _init_worker(app) -> None:
    """A forked worker: its own database connections, the parent's app and configuration."""
    global _APP
    _APP = app
    from coop.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)


def _render(meeting_id: int, part: int, path: str) -> tuple[int, int]:
    from coop.extensions import db
    from coop.meetings import letters
    from coop.meetings.models import GeneralMeeting

    with _APP.app_context(), _APP.test_request_context(headers={"Accept-Language": "nl"}):
        meeting = db.session.get(GeneralMeeting, meeting_id)
        Path(path).write_bytes(letters.render_part(meeting, part))
        count = min(letters.PART_SIZE, letters.letter_count(meeting) - (part - 1) * letters.PART_SIZE)
    return part, count


@bp.cli.command("letters")
@click.argument("meeting_id", type=int)
@click.option("--out", type=click.Path(file_okay=False), required=True, help="folder for the PDF files")
@click.option("--jobs", type=int, default=2, show_default=True, help="processes rendering side by side")
@click.option("--parts", type=int, default=None, help="only the first N parts (a test print)")
def letters_command(meeting_id: int, out: str, jobs: int, parts: int | None) -> None:
    """Render the convocation letters of a meeting to PDF files, part by part."""
    import multiprocessing

    from coop.extensions import db
    from coop.meetings import letters
    from coop.meetings.models import GeneralMeeting, MeetingStatus

    meeting = db.session.get(GeneralMeeting, meeting_id)
    if meeting is None or meeting.status == MeetingStatus.DRAFT:
        raise click.ClickException("no convened meeting with this id")
    total = letters.letter_count(meeting)
    parts = min(parts or letters.part_count(meeting), letters.part_count(meeting))
    total = min(total, parts * letters.PART_SIZE)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    click.echo(f"{total} letters in {parts} parts of at most {letters.PART_SIZE}, {jobs} processes")
    app = current_app._get_current_object()
    started, done = time.perf_counter(), 0
    paths = {part: str(folder / f"oproeping-{meeting_id}-{part:04d}.pdf") for part in range(1, parts + 1)}

    def report(part: int, count: int) -> None:
        nonlocal done
        done += count
        seconds = max(time.perf_counter() - started, 1e-9)
        click.echo(f"  part {part}: {done}/{total} letters, {seconds:.0f} s, {done / seconds:.1f} pages/s")

    if jobs <= 1:
        global _APP
        _APP = app
        for part, path in paths.items():
            report(*_render(meeting_id, part, path))
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(app,)) as pool:
        futures = [pool.submit(_render, meeting_id, part, path) for part, path in paths.items()]
        for future in as_completed(futures):
            report(*future.result())
