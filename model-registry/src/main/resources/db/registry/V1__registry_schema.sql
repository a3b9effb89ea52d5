-- The registry's schema: models, their immutable numbered versions (version 0 = the base checkpoint),
-- each version's artifacts in the object store, aliases and tags.

CREATE TABLE model (
    id              BIGSERIAL PRIMARY KEY,
    name            VARCHAR(100) NOT NULL UNIQUE,
    architecture    VARCHAR(200) NOT NULL,
    base_checkpoint VARCHAR(500) NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL
);

CREATE TABLE model_version (
    id              BIGSERIAL PRIMARY KEY,
    model_id        BIGINT       NOT NULL REFERENCES model (id),
    number          INT          NOT NULL CHECK (number >= 0),
    parent_number   INT          CHECK (parent_number IS NULL OR parent_number < number),
    source_kind     VARCHAR(16)  NOT NULL CHECK (source_kind IN ('UPLOAD', 'IMPORT', 'JOB')),
    source_job_id   VARCHAR(100),
    source_round    INT,
    method          VARCHAR(32),
    metrics_json    TEXT         NOT NULL DEFAULT '{}',
    clients_json    TEXT         NOT NULL DEFAULT '[]',
    exactness_error DOUBLE PRECISION,
    created_at      TIMESTAMPTZ  NOT NULL,
    UNIQUE (model_id, number),
    CHECK ((number = 0) = (parent_number IS NULL)),
    CHECK ((source_kind = 'JOB') = (source_job_id IS NOT NULL AND source_round IS NOT NULL))
);

-- A job round produces at most one version of a model.
CREATE UNIQUE INDEX model_version_job_round ON model_version (model_id, source_job_id, source_round)
    WHERE source_job_id IS NOT NULL;

CREATE TABLE artifact (
    id          BIGSERIAL PRIMARY KEY,
    version_id  BIGINT        NOT NULL REFERENCES model_version (id),
    file_name   VARCHAR(200)  NOT NULL,
    object_key  VARCHAR(1000) NOT NULL UNIQUE,
    sha256      VARCHAR(64)   NOT NULL,
    size_bytes  BIGINT        NOT NULL CHECK (size_bytes >= 0),
    UNIQUE (version_id, file_name)
);

CREATE TABLE alias (
    model_id       BIGINT      NOT NULL REFERENCES model (id),
    name           VARCHAR(64) NOT NULL,
    version_number INT         NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (model_id, name),
    FOREIGN KEY (model_id, version_number) REFERENCES model_version (model_id, number)
);

CREATE TABLE model_tag (
    model_id BIGINT      NOT NULL REFERENCES model (id),
    tag      VARCHAR(64) NOT NULL,
    PRIMARY KEY (model_id, tag)
);
