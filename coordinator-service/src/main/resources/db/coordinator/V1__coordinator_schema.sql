-- The coordinator's durable state. Every state transition is one UPDATE ... WHERE state = ? so that exactly one
-- caller wins it; task claims use FOR UPDATE SKIP LOCKED. The version columns back JPA optimistic locking.

create table jobs (
    id                   uuid primary key,
    version              bigint       not null,
    state                varchar(16)  not null,
    method               varchar(16)  not null,
    base_model_name      varchar(200) not null,
    base_model_version   integer      not null,
    dataset              varchar(200) not null,
    rounds_total         integer      not null,
    current_round        integer      not null,
    latest_model_version integer,
    request_json         text         not null,
    failure_reason       text,
    created_at           timestamptz  not null,
    updated_at           timestamptz  not null,
    finished_at          timestamptz
);
create index jobs_state_idx on jobs (state);

create table rounds (
    id                  uuid primary key,
    version             bigint      not null,
    job_id              uuid        not null references jobs (id),
    number              integer     not null,
    attempt             integer     not null,
    state               varchar(16) not null,
    quorum              integer     not null,
    opened_at           timestamptz not null,
    deadline_at         timestamptz not null,
    closed_at           timestamptz,
    participants        integer,
    mean_loss           double precision,
    mean_accuracy       double precision,
    exactness_error     double precision,
    deviation           double precision,
    residual_bytes      bigint,
    bytes_moved         bigint,
    aggregation_seconds double precision,
    model_version       integer,
    failure_reason      text,
    constraint rounds_job_number_attempt_uq unique (job_id, number, attempt)
);
create index rounds_state_idx on rounds (state);

create table tasks (
    id               uuid primary key,
    version          bigint       not null,
    job_id           uuid         not null references jobs (id),
    round_id         uuid         not null references rounds (id),
    round_number     integer      not null,
    client_id        varchar(200) not null,
    state            varchar(16)  not null,
    lease_owner      uuid,
    lease_expires_at timestamptz,
    attempts         integer      not null,
    adapter_sha256   varchar(64),
    config_sha256    varchar(64),
    examples         bigint,
    metrics_json     text,
    failure_reason   text,
    created_at       timestamptz  not null,
    updated_at       timestamptz  not null,
    completed_at     timestamptz
);
create index tasks_round_idx on tasks (round_id);
create index tasks_offered_idx on tasks (client_id) where state = 'OFFERED';
create index tasks_leased_idx on tasks (lease_expires_at) where state = 'LEASED';

create table workers (
    id            uuid primary key,
    version       bigint       not null,
    name          varchar(200) not null,
    principal     varchar(200) not null,
    registered_at timestamptz  not null,
    last_seen_at  timestamptz  not null,
    constraint workers_principal_name_uq unique (principal, name)
);

create table worker_clients (
    worker_id     uuid         not null references workers (id) on delete cascade,
    client_id     varchar(200) not null,
    datasets_json text         not null,
    primary key (worker_id, client_id)
);
create index worker_clients_client_idx on worker_clients (client_id);

create table job_events (
    id           bigserial primary key,
    job_id       uuid        not null references jobs (id),
    type         varchar(40) not null,
    payload_json text        not null,
    created_at   timestamptz not null
);
create index job_events_job_idx on job_events (job_id, id);
