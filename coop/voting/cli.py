"""``flask coop recount <vote>``: count a closed vote again from its stored roll and ballots and
compare with the frozen result and its hash (exit 1 when they differ)."""
from __future__ import annotations

import json
import sys

import click


def register_commands(group) -> None:
    @group.command("recount")
    @click.argument("vote_id", type=int)
    def recount_command(vote_id: int) -> None:
        """Recount a closed vote from the stored ballots and compare with the frozen result."""
        from coop.extensions import db
        from coop.voting import services
        from coop.voting.models import Vote

        vote = db.session.get(Vote, vote_id)
        if vote is None:
            click.echo(f"No vote {vote_id}.", err=True)
            sys.exit(2)
        if vote.is_open:
            click.echo(f"Vote {vote_id} is still open; nothing is frozen yet.", err=True)
            sys.exit(2)
        same, frozen, again = services.recount(vote)
        click.echo(f"vote {vote.id}: {vote.title}")
        click.echo(f"frozen hash: {vote.result_hash}")
        click.echo("recount:     " + json.dumps(again, sort_keys=True, ensure_ascii=False))
        if same:
            click.echo("OK: the recount equals the frozen result and its hash.")
            return
        click.echo("MISMATCH: frozen " + json.dumps(frozen, sort_keys=True, ensure_ascii=False), err=True)
        sys.exit(1)
