-- What bulk jobs need to resume exactly where they stopped, and to report what they did:
--   byte_offset   import: offset in the source after the last committed line;
--                 export: length of the output file at the last committed page
--   resume_cursor export: "<level>:<last device id written>" (parents are written before children)
--   counts        import: {"created": n, "updated": n, "unchanged": n, "deleted": n}
--   output_path   export: the file name of the JSON Lines written, under the registry's job directory
ALTER TABLE registry_job ADD COLUMN byte_offset BIGINT;
ALTER TABLE registry_job ADD COLUMN resume_cursor VARCHAR(256);
ALTER TABLE registry_job ADD COLUMN counts ${json};
ALTER TABLE registry_job ADD COLUMN output_path VARCHAR(1024);
CREATE INDEX registry_job_status ON registry_job (status);
CREATE INDEX registry_job_created ON registry_job (created_at);
