-- A data key must name a keyring key that exists: retiring a keyring key
-- that still wraps a data key (say, one a long-running instance created
-- under it) then fails instead of making that data key unreadable.
ALTER TABLE data_keys
    ADD CONSTRAINT data_keys_kek_version_fkey FOREIGN KEY (kek_version) REFERENCES keyring (version);
CREATE INDEX data_keys_kek_idx ON data_keys (kek_version);
