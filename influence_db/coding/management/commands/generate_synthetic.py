from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from influence_db.coding.synthetic import SyntheticKeysExist, generate


class Command(BaseCommand):
    help = (
        "Append a synthetic corpus for benchmarks: N claims with actors (1 per 100 claims, two aliases each), "
        "sources (1 per 20), citations, assumption links, themes, events and actor relations, in every review "
        "status. Written in bulk in one transaction (COPY on PostgreSQL; a large batch locks the claims and "
        "citations tables while their trigram indexes are rebuilt): no history rows are recorded for it. "
        "Keys start with syn<seed>- (syn1-claim-0000001); a seed whose keys exist is refused, so a further batch "
        "takes another --seed. The same seed on the same database gives the same rows. Never on production data."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--claims", type=int, required=True, help="How many claims to generate.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed, also the key prefix (default 1).")

    def handle(self, *args: object, claims: int, seed: int, **options: object) -> None:
        if claims < 1:
            raise CommandError("--claims must be at least 1.")
        if seed < 0:
            raise CommandError("--seed must not be negative.")
        try:
            summary = generate(claims=claims, seed=seed)
        except SyntheticKeysExist as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(summary))
