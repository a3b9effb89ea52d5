-- What users say about a version after it exists: a description, tags, and whether it is archived.
-- The version itself (weights, lineage, metrics) stays immutable; archiving hides a version from listings and
-- from new aliases but never deletes it, so every lineage that runs through it still resolves.

CREATE TABLE version_note (
    model_id    BIGINT        NOT NULL,
    number      INT           NOT NULL,
    description VARCHAR(4000),
    tags_json   TEXT          NOT NULL DEFAULT '[]',
    archived_at TIMESTAMPTZ,
    updated_at  TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (model_id, number),
    FOREIGN KEY (model_id, number) REFERENCES model_version (model_id, number)
);

CREATE INDEX version_note_archived ON version_note (model_id) WHERE archived_at IS NOT NULL;
