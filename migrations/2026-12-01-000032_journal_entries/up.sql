-- Journal entries: a dated, balanced set of lines. A draft has no number; posting gives it
-- the workspace's next number (gap-free: a counter row, not a sequence, since a sequence
-- skips the numbers of rolled-back transactions) and makes it immutable. A reversal is a
-- new entry mirroring a posted one: `reverses_id` links it back, its unique index makes the
-- link one-to-one, so the original needs no change (it could not take one: it is posted).
CREATE TABLE journal_entries (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    number        bigint CHECK (number > 0),
    entry_date    date NOT NULL,
    memo          text CHECK (char_length(memo) <= 1000),
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'posted')),
    reverses_id   uuid,
    posted_at     timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    UNIQUE (workspace_id, number),
    FOREIGN KEY (workspace_id, reverses_id) REFERENCES journal_entries (workspace_id, id),
    CHECK ((status = 'posted') = (number IS NOT NULL)),
    CHECK ((status = 'posted') = (posted_at IS NOT NULL))
);

CREATE UNIQUE INDEX journal_entries_reverses_unique ON journal_entries (workspace_id, reverses_id)
    WHERE reverses_id IS NOT NULL;
CREATE INDEX journal_entries_by_date ON journal_entries (workspace_id, entry_date DESC, id DESC);

-- The last number given to a posted entry, per workspace. Posting updates this row, so
-- postings of one workspace take their numbers one after another, each in its transaction.
CREATE TABLE ledger_counters (
    workspace_id  uuid NOT NULL PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    last_number   bigint NOT NULL CHECK (last_number >= 0)
);
