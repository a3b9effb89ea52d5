-- The scheduler's last run, written every run: a coordinator that starts again reads how long it was down and
-- extends the open rounds' deadlines and the held leases by that time (docs/reliability.md).
create table scheduler_heartbeat (
    id      smallint    primary key,
    beat_at timestamptz not null
);
