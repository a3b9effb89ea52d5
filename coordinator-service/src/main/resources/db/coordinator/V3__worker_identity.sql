-- One identity per worker: a worker name belongs to one credential (principal) across the whole coordinator, so
-- that no credential can take over another's worker by registering its name. Older registrations of a name
-- under several principals (all workers once shared one token) keep only the most recently seen one; workers
-- register again when they start.
delete from workers w using workers o
where w.name = o.name and (w.last_seen_at < o.last_seen_at or (w.last_seen_at = o.last_seen_at and w.id < o.id));
alter table workers drop constraint workers_principal_name_uq;
alter table workers add constraint workers_name_uq unique (name);
