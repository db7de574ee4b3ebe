"""Access-matrix rows of the register's import and exports (board pages of cooperative A).

Routes that name an import job get a fresh job of cooperative A (status "uploaded", no file)
when the URL is built: the cancel route deletes the job it is given.
"""
from __future__ import annotations

from tests.security.matrix.common import COOP_A_BOARD


def _new_job_of_a(world) -> int:
    from coop.extensions import db
    from coop.members.importing import ImportJob, ImportStatus

    job = ImportJob(cooperative_id=world.coop_a.id, created_by_id=world.board_a.id,
                    status=ImportStatus.UPLOADED, original_name="matrix.csv",
                    stored_name="matrix-does-not-exist.csv", file_sha256="0" * 64, kind="csv",
                    encoding="utf-8", delimiter=";", header='["voornaam", "achternaam"]',
                    mapping='{"first_name": 0, "last_name": 1}', total_rows=1)
    db.session.add(job)
    db.session.commit()
    return job.id


A = {"coop": "coop-a"}
JOB = {"coop": "coop-a", "job_id": _new_job_of_a}

ROWS = {
    "members.export_csv": (A, {"GET": COOP_A_BOARD}),
    "members.export_xlsx": (A, {"GET": COOP_A_BOARD}),
    "members.labels_pdf": (A, {"GET": COOP_A_BOARD}),
    "members.letter_list_pdf": (A, {"GET": COOP_A_BOARD}),
    "members.import_members": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "members.import_job": (JOB, {"GET": COOP_A_BOARD}),
    "members.map_import": (JOB, {"POST": COOP_A_BOARD}),
    "members.start_import": (JOB, {"POST": COOP_A_BOARD}),
    "members.cancel_import": (JOB, {"POST": COOP_A_BOARD}),
}
