-- The JSON documents the coordinator keeps (a task's reported metrics, a worker client's data sets, a job event's
-- payload) become jsonb: Hibernate maps them to typed fields, and PostgreSQL refuses a value that is not JSON.
alter table tasks alter column metrics_json type jsonb using metrics_json::jsonb;
alter table worker_clients alter column datasets_json type jsonb using datasets_json::jsonb;
-- A stored event names its record kind inside the document ("@type", the same name as the type column), so the
-- payload reads back as that record.
alter table job_events alter column payload_json type jsonb
    using jsonb_build_object('@type', type) || payload_json::jsonb;
